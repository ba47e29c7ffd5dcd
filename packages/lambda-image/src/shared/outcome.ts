// What an invocation came to, read from a runtime's answer: the Runtime Interface
// Emulator's locally, the --native runners', Lambda's Invoke API's when deployed.
//
// A handler's exception comes back with status 200 and the runtime's error document, so
// success and failure are told apart by the body: an object made only of the error
// document's keys, with a string errorType and errorMessage, is a failure. The runtimes
// differ in the trace's key (Python and Ruby: stackTrace, Node.js: trace).

export type Outcome =
  | { ok: true; value: unknown }
  | { ok: false; errorType: string; errorMessage: string; stackTrace: string[] };

/** What the Runtime Interface Emulator answers, as text/plain with status 200, for a handler past AWS_LAMBDA_FUNCTION_TIMEOUT. */
const TIMED_OUT = /^Task timed out after (\d+(?:\.\d+)?) seconds$/;

const ERROR_KEYS = new Set(['errorType', 'errorMessage', 'stackTrace', 'trace', 'requestId', 'cause']);

function traceOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
  if (typeof value === 'string') return value.split('\n');
  return [];
}

function parse(body: string): { json: true; value: unknown } | { json: false } {
  try {
    return { json: true, value: JSON.parse(body) };
  } catch {
    return { json: false };
  }
}

/** Reads an error document, or undefined when `value` is not one. */
export function errorDocument(value: unknown): Extract<Outcome, { ok: false }> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const doc = value as Record<string, unknown>;
  if (typeof doc.errorType !== 'string' || typeof doc.errorMessage !== 'string') return undefined;
  if (!Object.keys(doc).every((k) => ERROR_KEYS.has(k))) return undefined;
  return { ok: false, errorType: doc.errorType, errorMessage: doc.errorMessage, stackTrace: traceOf(doc.stackTrace ?? doc.trace) };
}

/**
 * What an invocation came to, from the emulator's status, body and headers. Lambda
 * itself flags failures with X-Amz-Function-Error; the emulator may not, hence the body.
 */
export function classifyResponse(status: number, body: string, functionError?: string | null): Outcome {
  // The emulator's only answer that is neither JSON nor the handler's: 200 and plain text.
  const timedOut = TIMED_OUT.exec(body.trim());
  if (timedOut) {
    return { ok: false, errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${timedOut[1]} seconds`, stackTrace: [] };
  }
  const parsed = parse(body);
  const doc = parsed.json ? errorDocument(parsed.value) : undefined;
  // The emulator's own errors (502) start with the request: "RequestId: <id> Error: Runtime exited with error: exit status 3".
  if (doc) return { ...doc, errorMessage: doc.errorMessage.replace(/^RequestId: \S+ Error: /, '') };
  if (status !== 200 || functionError) {
    return {
      ok: false,
      errorType: functionError || `HTTP ${status}`,
      errorMessage: body.trim() || '(empty response)',
      stackTrace: [],
    };
  }
  return { ok: true, value: parsed.json ? parsed.value : body };
}
