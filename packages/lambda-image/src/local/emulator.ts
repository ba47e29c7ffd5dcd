// Talking to the Runtime Interface Emulator in the container; its answers are read by
// ../shared/outcome.ts.

import { classifyResponse, type Outcome } from '../shared/outcome.ts';

export const INVOKE_PATH = '/2015-03-31/functions/function/invocations';

export class InvocationTimeout extends Error {
  override name = 'InvocationTimeout';
}

/** POSTs one event to the emulator; a response that takes longer than `timeoutMs` is an InvocationTimeout. */
export async function invokeEmulator(
  port: number,
  payload: unknown,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ outcome: Outcome; seconds: number; status: number }> {
  const started = performance.now();
  let response: Response;
  let body: string;
  try {
    response = await fetch(`http://127.0.0.1:${port}${INVOKE_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
    });
    body = await response.text();
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      throw new InvocationTimeout(`no answer within ${Math.round(timeoutMs / 1000)} s`);
    }
    throw error;
  }
  const seconds = (performance.now() - started) / 1000;
  return { outcome: classifyResponse(response.status, body, response.headers.get('x-amz-function-error')), seconds, status: response.status };
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
