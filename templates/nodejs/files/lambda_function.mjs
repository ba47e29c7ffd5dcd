// Entry module of the image: one export per handler, plus the dispatcher `handler`.
//
// Each deployed function runs ONE handler: its image command (ImageConfig.Command)
// is that handler's string, e.g. "lambda_function.ingest". The image's default
// command is the dispatcher, so one local container serves every handler:
//
//   {"handler": "ingest", "event": {...}}
//
// Keep these functions thin: the logic lives in src/, where it is unit-tested
// without Lambda. `yo lambda-image:handler <name>` adds a handler here.
import * as core from './src/core.mjs';

// lambda-image:handlers (new handlers are added above this line)

const handlers = {
  // lambda-image:routes (the dispatcher's routes; new ones are added above this line)
};

/** The dispatcher was asked for a handler this image does not have. */
export class UnknownHandlerError extends Error {
  name = 'UnknownHandlerError';
}

/** Dispatcher: routes {"handler": <name>, "event": {...}} to that handler. */
export async function handler(event, context) {
  const valid = Object.keys(handlers).join(', ');
  if (event === null || typeof event !== 'object' || !('handler' in event)) {
    throw new UnknownHandlerError(`missing "handler": send {"handler": <one of ${valid}>, "event": {...}}`);
  }
  const target = Object.hasOwn(handlers, event.handler) ? handlers[event.handler] : undefined;
  if (!target) {
    throw new UnknownHandlerError(`unknown handler ${JSON.stringify(event.handler)}: valid handlers are ${valid}`);
  }
  return target(event.event ?? {}, context);
}

export const handlerNames = () => Object.keys(handlers);
