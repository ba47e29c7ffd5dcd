import type { RuntimeSpec } from '../catalogue.ts';
import { pascalCase } from '../names.ts';

// Handlers are exported functions (PascalCase, so never a Go keyword or predeclared
// name) of package handlers, with their logic in package core under the same name:
// they must not take the names those packages already declare.
const HANDLERS_PACKAGE = 'Dispatch DispatchRequest DispatcherHandler Lookup Names UnknownHandlerError';
const CORE_PACKAGE = 'Event Record Result Summary Summarize';

export const go: RuntimeSpec = {
  id: 'go',
  label: 'Go',
  imageRepository: 'provided',
  tags: [{ tag: 'al2023' }, { tag: 'al2', deprecation: '2026-06-30' }],
  verified:
    "Debian's Go 1.19 runs gofmt, `go vet` and `go test` on the generated core and handlers packages (the dispatcher, every handler string of the manifest); main.go is built and run against a test-only stand-in of aws-lambda-go's lambda.Start (which function `_HANDLER` selects); the aws-lambda-go build, the image and `npm run local` are not run (no Go module proxy; a provided test base image of the real parts exists)",
  identifier: pascalCase,
  reserved: new Set(`${HANDLERS_PACKAGE} ${CORE_PACKAGE}`.split(' ')),
  // The binary serves the handler its _HANDLER names: the function's name in package handlers.
  handlerString: (identifier) => identifier,
  dispatcher: () => 'Dispatch',
  testCommand: 'go test ./...',
  templates: 'go',
  insertions: [
    { file: 'handlers/handlers.go', needle: 'lambda-image:handlers', snippet: 'function.go.ejs' },
    { file: 'handlers/handlers.go', needle: 'lambda-image:routes', snippet: 'route.go.ejs' },
    { file: 'core/core.go', needle: 'lambda-image:core', snippet: 'core.go.ejs' },
    { file: 'handlers/handlers_test.go', needle: 'lambda-image:tests', snippet: 'test.go.ejs' },
  ],
};
