// `--serve`'s answers for the two invoke routes, from an invocation's Outcome (shared/outcome.ts):
// - Lambda's Invoke API (POST /2015-03-31/functions/<name>/invocations), as an AWS SDK reads it:
//   200 and the payload, a function error flagged by X-Amz-Function-Error with the error
//   document as the payload, service errors as `x-amzn-ErrorType` and a JSON `message`;
// - POST /<handler>, for curl and browsers: the result as JSON with 200, a failure's error
//   document with a status that says what happened (500 the handler raised, 502 the runtime
//   ended, 504 timed out).
import type { Outcome } from '../shared/outcome.ts';
import type { HttpAnswer } from './function-url.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null');

function errorDocument(outcome: Extract<Outcome, { ok: false }>): Buffer {
  return json({ errorType: outcome.errorType, errorMessage: outcome.errorMessage, ...(outcome.stackTrace.length > 0 ? { stackTrace: outcome.stackTrace } : {}) });
}

/** Lambda's log tail for X-Amz-Log-Type: Tail: the last 4 KB of the invocation's log, base64. */
export function logTail(lines: readonly string[]): string {
  const text = Buffer.from(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  return text.subarray(Math.max(0, text.length - 4096)).toString('base64');
}

/** The Invoke API's answer to a RequestResponse invocation. */
export function invokeApiAnswer(outcome: Outcome, logLines?: readonly string[]): HttpAnswer {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
  if (logLines) headers['x-amz-log-result'] = logTail(logLines);
  if (outcome.ok) return { status: 200, headers, body: json(outcome.value) };
  return { status: 200, headers: { ...headers, 'x-amz-function-error': 'Unhandled' }, body: errorDocument(outcome) };
}

/** An error of the service itself (no such function, a bad request), as the SDK parses it. */
export function serviceError(status: number, type: string, message: string): HttpAnswer {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': type }, body: json({ Type: 'User', message }) };
}

/** POST /<handler>'s answer. */
export function handlerAnswer(outcome: Outcome, emulatorStatus: number): HttpAnswer {
  if (outcome.ok) return { status: 200, headers: { 'content-type': 'application/json' }, body: json(outcome.value) };
  const status = outcome.errorType === 'Sandbox.Timedout' ? 504 : emulatorStatus === 502 || outcome.errorType === 'Runtime.ExitError' ? 502 : 500;
  return { status, headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' }, body: errorDocument(outcome) };
}
