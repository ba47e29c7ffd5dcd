// Restarting the runtime inside a running container, so that code bound into it
// (code-mounts.ts) is loaded again without a new container (--watch).
//
// Tried against the real Runtime Interface Emulator: it starts the runtime as a child of its
// own process (PID 1), in a process group of its own, and after that runtime exits, the
// emulator does not start it again at once: the NEXT invocation is answered 502
// Runtime.ExitError ("Runtime exited with error: signal: killed") without reaching any
// handler, and the one after it initialises a new runtime (INIT START, a cold start). So a
// restart is: kill the runtime's process group, wait until the emulator has reaped it, then
// spend that one 502 on a throwaway invocation, so that the user's next invocation is the
// cold start and is not reported as a failure.
//
// `docker exec` costs ~0.15 s per call; the kill goes through one shell kept open in the
// container for the whole watch instead (a few ms per restart).
import { type ChildProcess, spawn } from 'node:child_process';
import { invokeEmulator } from './emulator.ts';

export class RuntimeRestartError extends Error {
  override name = 'RuntimeRestartError';
}

/**
 * Kills the emulator's children (the runtime) by process group, then waits, up to 3 s, until
 * they are gone from PID 1's children (reaped, so the emulator has seen the exit). Prints the
 * marker when done. /proc is read because the real base images carry no ps or pkill.
 */
export function killScript(marker: string): string {
  const children = 'cat /proc/1/task/*/children 2>/dev/null';
  return [
    `for p in $(${children}); do kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null; done`,
    `n=0; while [ -n "$(${children})" ] && [ "$n" -lt 300 ]; do sleep 0.01; n=$((n+1)); done`,
    `echo ${marker}`,
  ].join('; ');
}

/** What the throwaway invocation sends: no handler has an empty name, so should a runtime be up after all, the dispatcher refuses it and runs nothing. */
const THROWAWAY = { handler: '', event: null };
const ATTEMPTS = 3;

/** A shell kept open in one container, for restarting its runtime. */
export class RuntimeRestarter {
  private shell: ChildProcess | undefined;
  private output = '';
  private waiting: { marker: string; resolve: () => void; reject: (error: Error) => void } | undefined;
  private restarts = 0;
  private readonly container: string;
  private readonly port: number;

  constructor(container: string, port: number) {
    this.container = container;
    this.port = port;
  }

  /** Opens the shell ahead of the first restart, which then does not pay for `docker exec`. */
  open(): ChildProcess {
    if (this.shell && this.shell.exitCode === null && !this.shell.killed) return this.shell;
    const shell = spawn('docker', ['exec', '--interactive', this.container, 'sh', '-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    shell.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
      const waiting = this.waiting;
      if (waiting && this.output.includes(`${waiting.marker}\n`)) {
        this.output = '';
        this.waiting = undefined;
        waiting.resolve();
      }
    });
    shell.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const ended = (why: string) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(new RuntimeRestartError(`the shell in container ${this.container} ended (${why})${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
    };
    shell.on('error', (error) => ended(error.message));
    shell.on('exit', (code) => ended(`exit code ${code}`));
    // A write after the container went must not crash the process: the restart reports it.
    shell.stdin!.on('error', () => {});
    this.shell = shell;
    return shell;
  }

  /** Kills the runtime and waits until the emulator has reaped it. */
  private kill(): Promise<void> {
    const marker = `lambda-image-restarted-${++this.restarts}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new RuntimeRestartError(`the runtime in container ${this.container} did not stop within 10 s`));
      }, 10_000);
      this.waiting = {
        marker,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.open().stdin!.write(`${killScript(marker)}\n`);
    });
  }

  /**
   * Restarts the runtime: after this, the next invocation starts a new runtime, which loads
   * the code as the files now are. Resolves to the number of throwaway invocations made (the
   * caller's log of the container counts them). Throws RuntimeRestartError when the container
   * has no shell or the emulator does not behave as described above.
   */
  async restart(timeoutMs: number): Promise<number> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      await this.kill();
      const { status, outcome } = await invokeEmulator(this.port, THROWAWAY, timeoutMs);
      if (status === 502 && !outcome.ok && outcome.errorType === 'Runtime.ExitError') return attempt;
      // The runtime was not running (an init that had failed and ended it already): the
      // throwaway started one with the current code. Killed again, to be sure of a fresh start.
    }
    throw new RuntimeRestartError(`the emulator in container ${this.container} did not report the runtime's exit after ${ATTEMPTS} restarts`);
  }

  close(): void {
    this.shell?.stdin?.end();
    this.shell?.kill();
    this.shell = undefined;
  }
}
