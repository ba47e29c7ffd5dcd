import type { RuntimeSpec } from '../catalogue.ts';
import { camelCase } from '../names.ts';

// Keywords and literals; then the contextual words (var, yield, record, ...), legal method
// names in some places and errors in others: refusing them is simpler than explaining.
const KEYWORDS = 'abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for goto if implements import instanceof int interface long native new package private protected public return short static strictfp super switch synchronized this throw throws transient try void volatile while true false null';
const CONTEXTUAL = 'var yield record sealed permits when module exports requires open opens to transitive uses provides with';
// The entry class's own members and the methods it inherits from Object (a handler named
// `wait` or `getClass` would be an overload the runtime could pick instead), and the core
// class's helpers (a handler's logic is a method of the same name there).
const ENTRY_CLASS = 'handleRequest handlers handlerNames Handler UnknownHandlerException equals hashCode toString getClass notify notifyAll wait clone finalize';
const CORE_CLASS = 'summarize recordsOf amountOf';
const RESERVED = new Set(`${KEYWORDS} ${CONTEXTUAL} ${ENTRY_CLASS} ${CORE_CLASS}`.split(' '));
export const JAVA_KEYWORDS: ReadonlySet<string> = new Set(KEYWORDS.split(' '));

export const java: RuntimeSpec = {
  id: 'java',
  label: 'Java',
  imageRepository: 'java',
  tags: [{ tag: '25' }, { tag: '21' }, { tag: '17', deprecation: '2027-06-30' }, { tag: '11', deprecation: '2027-06-30' }],
  verified:
    '`mvn -B verify` (Maven Central, the machine\'s JDK 17) builds a `--runtime-version 17` project and runs its JUnit tests; javac (`--release 17`, main sources also `--release 11`) compiles the default project against a test-only stand-in of aws-lambda-java-core and every handler string is invoked in-process; the image build and `npm run local` are not run yet (a java test base image of the real parts exists)',
  identifier: camelCase,
  reserved: RESERVED,
  handlerString: (identifier, names) => `${names.javaPackage}.LambdaFunction::${identifier}`,
  dispatcher: (names) => `${names.javaPackage}.LambdaFunction::handleRequest`,
  testCommand: 'mvn -q test',
  templates: 'java',
  insertions: [
    { file: 'src/main/java/__javaPath__/LambdaFunction.java', needle: 'lambda-image:handlers', snippet: 'function.java.ejs' },
    { file: 'src/main/java/__javaPath__/LambdaFunction.java', needle: 'lambda-image:routes', snippet: 'route.java.ejs' },
    { file: 'src/main/java/__javaPath__/Core.java', needle: 'lambda-image:core', snippet: 'core.java.ejs' },
    { file: 'src/test/java/__javaPath__/LambdaFunctionTest.java', needle: 'lambda-image:tests', snippet: 'test.java.ejs' },
  ],
  // The package is checked as --java-package (its default, com.example.<name>, included).
};
