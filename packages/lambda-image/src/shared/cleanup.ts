// Leaving nothing behind: the container is removed after success, failure and on
// Ctrl-C / SIGTERM. Cleanup steps are registered as resources are created and run
// once, in reverse order, whichever way the run ends.

export type CleanupStep = () => Promise<void> | void;

/** What the cleanup listens to; `process` in production. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  removeListener(signal: NodeJS.Signals, listener: () => void): unknown;
}

export const SIGNAL_EXIT_CODES: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

export class Cleanup {
  private steps: CleanupStep[] = [];
  private running: Promise<void> | undefined;

  add(step: CleanupStep): void {
    this.steps.push(step);
  }

  /** Runs every step once (later ones first); errors in one step do not stop the others. */
  run(): Promise<void> {
    this.running ??= (async () => {
      const steps = this.steps.reverse();
      this.steps = [];
      for (const step of steps) {
        try {
          await step();
        } catch {
          // best effort: the remaining steps still run
        }
      }
    })();
    return this.running;
  }

  /**
   * On SIGINT/SIGTERM: `onSignal` (to say what is happening), the cleanup, then `exit`
   * with 130/143. A second signal exits at once. Returns a function that uninstalls.
   */
  handleSignals(
    source: SignalSource,
    exit: (code: number) => void,
    onSignal: (signal: 'SIGINT' | 'SIGTERM') => void = () => {},
  ): () => void {
    let received = false;
    const listeners = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
      const listener = () => {
        if (received) {
          exit(SIGNAL_EXIT_CODES[signal]);
          return;
        }
        received = true;
        onSignal(signal);
        void this.run().then(() => exit(SIGNAL_EXIT_CODES[signal]));
      };
      source.on(signal, listener);
      return [signal, listener] as const;
    });
    return () => {
      for (const [signal, listener] of listeners) source.removeListener(signal, listener);
    };
  }
}
