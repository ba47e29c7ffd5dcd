import type { RuntimeSpec } from '../catalogue.ts';
import { snakeCase } from '../names.ts';

// Keywords, plus builtins the entry module itself calls: a handler of that name would shadow them.
const KEYWORDS = 'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield';
const BUILTINS = 'dict list str int float bool set tuple len sorted print isinstance type object super open range map filter zip sum min max any all iter next repr hash id input format vars dir getattr setattr';
const ENTRY_MODULE = 'lambda_handler HANDLERS UnknownHandlerError core';

export const python: RuntimeSpec = {
  id: 'python',
  label: 'Python',
  imageRepository: 'python',
  tags: [
    { tag: '3.14' },
    { tag: '3.13' },
    { tag: '3.12' },
    { tag: '3.11', deprecation: '2027-06-30' },
    { tag: '3.10', deprecation: '2026-10-31', blockCreate: '2026-11-30' },
  ],
  verified:
    'The generated pytest suite and the dispatcher in-process (python3); `npm run local` (the Dockerfile\'s pip install included) on a python base image of the real parts: the Runtime Interface Emulator and awslambdaric 4.2.2 (PyPI); the SAM CLI (PyPI) on a `--deploy sam` project: `sam validate --lint`, `sam build` and `sam local invoke` of every function',
  standsIn:
    'Debian\'s Python 3.11 for the 3.12 and 3.10 tags (3.14 and 3.13 are the tags\' own, from Debian); a Debian root file system for Amazon Linux',
  identifier: snakeCase,
  reserved: new Set(`${KEYWORDS} ${BUILTINS} ${ENTRY_MODULE}`.split(' ')),
  handlerString: (identifier) => `lambda_function.${identifier}`,
  dispatcher: () => 'lambda_function.lambda_handler',
  testCommand: 'python3 -m pytest',
  templates: 'python',
  insertions: [
    { file: 'lambda_function.py', needle: 'lambda-image:handlers', snippet: 'function.py.ejs' },
    { file: 'lambda_function.py', needle: 'lambda-image:routes', snippet: 'route.py.ejs' },
    { file: '__snake__/core.py', needle: 'lambda-image:core', snippet: 'core.py.ejs' },
    { file: 'tests/test_handlers.py', needle: 'lambda-image:tests', snippet: 'test.py.ejs' },
  ],
  projectNameProblem: (names) =>
    KEYWORDS.split(' ').includes(names.snake) ? `its Python package "${names.snake}" would be a keyword` : undefined,
};
