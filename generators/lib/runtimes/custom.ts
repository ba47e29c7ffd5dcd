import type { RuntimeSpec } from '../catalogue.ts';
import { snakeCase } from '../names.ts';

// Handlers are shell functions, and a function shadows the command of the same name
// for the whole shell: the keywords, the builtins, the commands that the bootstrap,
// the dispatcher, the core library and the tests run, and their own functions.
const KEYWORDS = 'if then else elif fi case esac for while until do done in function select time coproc';
const BUILTINS = 'alias bg break builtin caller cd command compgen complete continue declare dirs disown echo enable eval exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly return set shift shopt source suspend test times trap true type typeset ulimit umask unalias unset wait';
const COMMANDS = 'awk bash cat chmod curl cut dirname env grep head jq mktemp rm sed sh sleep tail tr';
// The dispatcher and its routes, the tests' helpers, and summarize (a handler's logic is
// core__<name>, and core__summarize is the shared one).
const ENTRY_MODULE = 'lambda_handler lambda_routes dispatch_sample check finish summarize';

export const custom: RuntimeSpec = {
  id: 'custom',
  label: 'Custom runtime (shell bootstrap)',
  imageRepository: 'provided',
  tags: [{ tag: 'al2023' }],
  verified:
    'The generated shell tests (sh, jq); the bootstrap\'s Runtime API loop under dash and bash against a Runtime API served on 127.0.0.1; the image built by its Dockerfile and `npm run local` on a provided:al2023 base image of the real parts (the Runtime Interface Emulator); each handler string run as the image command, as Lambda runs each function',
  standsIn:
    'The base image\'s `dnf` only accepts packages the image already has (no Amazon Linux repository); a Debian root file system for Amazon Linux',
  identifier: snakeCase,
  reserved: new Set(`${KEYWORDS} ${BUILTINS} ${COMMANDS} ${ENTRY_MODULE}`.split(' ')),
  handlerString: (identifier) => `lambda_function.${identifier}`,
  dispatcher: () => 'lambda_function.lambda_handler',
  testCommand: 'sh test/run.sh',
  templates: 'custom',
  insertions: [
    { file: 'lambda_function.sh', needle: 'lambda-image:handlers', snippet: 'function.sh.ejs' },
    { file: 'lambda_function.sh', needle: 'lambda-image:routes', snippet: 'route.sh.ejs' },
    { file: 'lib/core.sh', needle: 'lambda-image:core', snippet: 'core.sh.ejs' },
    { file: 'test/handlers_test.sh', needle: 'lambda-image:tests', snippet: 'test.sh.ejs' },
  ],
};
