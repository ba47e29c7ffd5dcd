import type { RuntimeSpec } from '../catalogue.ts';
import { camelCase } from '../names.ts';

// Keywords and literals; then the contextual words (var, yield, record, ...), legal method
// names in some places and errors in others: refusing them is simpler than explaining.
const KEYWORDS = 'abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for goto if implements import instanceof int interface long native new package private protected public return short static strictfp super switch synchronized this throw throws transient try void volatile while true false null';
const CONTEXTUAL = 'var yield record sealed permits when module exports requires open opens to transitive uses provides with';
// The entry class's own members and the methods it inherits from Object (a handler named
// `wait` or `getClass` would be an overload the runtime could pick instead), and the core
// class's helpers (a handler's logic is a method of the same name there).
const ENTRY_CLASS = 'handleRequest handlers handlerNames Handler UnknownHandlerException typed fromJson toJson equals hashCode toString getClass notify notifyAll wait clone finalize';
const CORE_CLASS = 'summarize recordsOf amountOf';
const RESERVED = new Set(`${KEYWORDS} ${CONTEXTUAL} ${ENTRY_CLASS} ${CORE_CLASS}`.split(' '));
export const JAVA_KEYWORDS: ReadonlySet<string> = new Set(KEYWORDS.split(' '));

export const java: RuntimeSpec = {
  id: 'java',
  label: 'Java',
  imageRepository: 'java',
  tags: [{ tag: '25' }, { tag: '21' }, { tag: '17', deprecation: '2027-06-30' }, { tag: '11', deprecation: '2027-06-30' }],
  verified:
    '`mvn -B verify` (Maven Central: the real aws-lambda-java-core, JUnit, Jackson) of the default project with JDK 25, and of `--runtime-version 17` and `11` projects with JDK 17; the image built by its Dockerfile (Maven in the build stage, `BUILDER_IMAGE`) and `npm run local` on a java:25 base image of the real parts: the Runtime Interface Emulator and aws-lambda-java-runtime-interface-client 2.10.1 (Maven Central); each handler string run as the image command, as Lambda runs each function',
  standsIn:
    'Debian\'s OpenJDK for Amazon Corretto, in the base image and in the build stage; the build stage\'s image is ours (Debian\'s JDK 25 and Maven 3.9, tagged as the default `maven:3.9-amazoncorretto-25`); a Debian root file system for Amazon Linux',
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
