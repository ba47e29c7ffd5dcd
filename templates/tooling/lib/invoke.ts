// Talking to the Runtime Interface Emulator in the container, and reading its answers.
//
// The emulator answers a handler's exception with status 200 and the runtime's error
// document, so success and failure are told apart by the body: an object made only of
// the error document's keys, with a string errorType and errorMessage, is a failure.
// The runtimes differ in the trace's key (Python and Ruby: stackTrace, Node.js: trace).

export const INVOKE_PATH = '/2015-03-31/functions/function/invocations';

export type Outcome =
  | { ok: true; value: unknown }
  | { ok: false; errorType: string; errorMessage: string; stackTrace: string[] };

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
  const parsed = parse(body);
  const doc = parsed.json ? errorDocument(parsed.value) : undefined;
  if (doc) return doc;
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

export class InvocationTimeout extends Error {
  override name = 'InvocationTimeout';
}

/** POSTs one event to the emulator; a response that takes longer than `timeoutMs` is an InvocationTimeout. */
export async function invokeEmulator(
  port: number,
  payload: unknown,
  timeoutMs: number,
): Promise<{ outcome: Outcome; seconds: number }> {
  const started = performance.now();
  let response: Response;
  let body: string;
  try {
    response = await fetch(`http://127.0.0.1:${port}${INVOKE_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = await response.text();
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      throw new InvocationTimeout(`no answer within ${Math.round(timeoutMs / 1000)} s`);
    }
    throw error;
  }
  const seconds = (performance.now() - started) / 1000;
  return { outcome: classifyResponse(response.status, body, response.headers.get('x-amz-function-error')), seconds };
}

export class EmulatorNotReady extends Error {
  override name = 'EmulatorNotReady';
}

export interface WaitOptions {
  timeoutMs: number;
  /** Resolves false once the container has stopped: no use waiting for it any longer. */
  alive: () => Promise<boolean>;
  intervalMs?: number;
}

/**
 * Waits until something answers HTTP on the port. A TCP connect is not enough: Docker's
 * port proxy accepts connections before the emulator listens, so only a response counts.
 */
export async function waitForEmulator(port: number, options: WaitOptions): Promise<number> {
  const started = performance.now();
  const interval = options.intervalMs ?? 50;
  // Asking Docker costs a process start: not on every poll.
  let lastAliveCheck = started;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      return (performance.now() - started) / 1000;
    } catch {
      // not listening yet
    }
    const now = performance.now();
    if (now - lastAliveCheck >= 250) {
      lastAliveCheck = now;
      if (!(await options.alive())) throw new EmulatorNotReady('the container stopped');
    }
    if (now - started > options.timeoutMs) {
      throw new EmulatorNotReady(`nothing answered on port ${port} within ${Math.round(options.timeoutMs / 1000)} s`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** What the dispatcher takes: {"handler": "<name>", "event": {...}}. */
export function dispatcherPayload(name: string, event: unknown): { handler: string; event: unknown } {
  return { handler: name, event };
}
