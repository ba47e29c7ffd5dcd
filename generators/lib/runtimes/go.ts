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
    'gofmt, `go vet ./...` and `go test ./...` with the real aws-lambda-go (Go module proxy); the image built by its Dockerfile (`go build` in the build stage, `BUILDER_IMAGE`) and `npm run local` on a provided:al2023 base image of the real parts (the Runtime Interface Emulator; aws-lambda-go is the runtime client, in the binary); each handler selected by `_HANDLER` through the image command, as Lambda runs each function',
  standsIn:
    'The build stage\'s image is ours (the machine\'s Go 1.26 on Debian, tagged as the default `golang:1.27`); a Debian root file system for Amazon Linux',
  identifier: pascalCase,
  reserved: new Set(`${HANDLERS_PACKAGE} ${CORE_PACKAGE}`.split(' ')),
  // Package core is one namespace: report_daily's schedule skeleton declares ReportDailyRun,
  // which a handler named report_daily_run would declare again (and the project not compile).
  companions: (identifier) => [`${identifier}Run`, `${identifier}Request`],
  // The binary serves the handler its _HANDLER names: the function's name in package handlers.
  handlerString: (identifier) => identifier,
  dispatcher: () => 'Dispatch',
  testCommand: 'go test ./...',
  templates: 'go',
  insertions: [
    // A trigger's skeleton imports the events package (and what else it uses): files of its own.
    { file: 'handlers/handlers.go', needle: 'lambda-image:handlers', snippet: 'function.go.ejs', triggerFile: 'handlers/__file__.go' },
    { file: 'handlers/handlers.go', needle: 'lambda-image:routes', snippet: 'route.go.ejs' },
    { file: 'core/core.go', needle: 'lambda-image:core', snippet: 'core.go.ejs', triggerFile: 'core/__file__.go' },
    { file: 'handlers/handlers_test.go', needle: 'lambda-image:tests', snippet: 'test.go.ejs', triggerFile: 'handlers/__file___test.go' },
  ],
};
