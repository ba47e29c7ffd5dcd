// Ctrl-C and SIGTERM during a deploy. Killing the process mid-way could leave a function half
// updated (new image, old configuration) and would print nothing about what had happened; instead
// the first signal asks the deploy to stop at its next safe point: between two AWS calls that
// belong together, never inside them. A running push is cancelled (an unfinished push changes
// nothing the functions use); calls already sent to AWS finish, and waits for them too. The
// deploy then reports what was done and what was not, and exits 130 (SIGINT) or 143 (SIGTERM).
// A second signal exits at once.
import { SIGNAL_EXIT_CODES, type SignalSource } from '../shared/cleanup.ts';

export type StopSignalName = keyof typeof SIGNAL_EXIT_CODES;

/** Thrown at a safe point once a stop was asked for. */
export class Interrupted extends Error {
  override name = 'Interrupted';
  readonly signal: StopSignalName;
  constructor(signal: StopSignalName) {
    super(`stopped by ${signal}`);
    this.signal = signal;
  }
  get exitCode(): number {
    return SIGNAL_EXIT_CODES[this.signal];
  }
}

export class StopRequest {
  private received: StopSignalName | undefined;
  private readonly controller = new AbortController();

  /** Aborted on the first signal: long-running children (docker push) take it as their cancel signal. */
  get abortSignal(): AbortSignal {
    return this.controller.signal;
  }

  get signal(): StopSignalName | undefined {
    return this.received;
  }

  request(signal: StopSignalName): void {
    if (this.received) return;
    this.received = signal;
    this.controller.abort(new Interrupted(signal));
  }

  /** A safe point: throws Interrupted when a stop was asked for. */
  check(): void {
    if (this.received) throw new Interrupted(this.received);
  }

  /**
   * Listens for SIGINT and SIGTERM: the first one asks for the stop (and `onFirst` says so),
   * the second calls `exit` at once. Returns the function that stops listening.
   */
  listen(source: SignalSource, onFirst: (signal: StopSignalName) => void, exit: (code: number) => void): () => void {
    const listeners = (Object.keys(SIGNAL_EXIT_CODES) as StopSignalName[]).map((signal) => {
      const listener = () => {
        if (this.received) {
          exit(SIGNAL_EXIT_CODES[signal]);
          return;
        }
        this.request(signal);
        onFirst(signal);
      };
      source.on(signal, listener);
      return [signal, listener] as const;
    });
    return () => {
      for (const [signal, listener] of listeners) source.removeListener(signal, listener);
    };
  }
}
