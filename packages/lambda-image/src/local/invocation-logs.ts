// A container's output, cut into one piece per invocation. The Runtime Interface Emulator
// frames each invocation with "START RequestId: ..." and, when the runtime answered or timed
// out, "END RequestId" and "REPORT RequestId: ... Duration: ...". A runtime that dies
// mid-invocation gets no END or REPORT: its piece ends where the next START begins, or when
// the caller stops waiting. Invocations are sent one at a time, so the n-th piece is the
// n-th invocation's.

/** The emulator's own diagnostics, e.g. `02 Dec 2026 17:07:22,249 [INFO] (rapid) INIT START(...)`. */
const EMULATOR_LINE = /^\d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2},\d{3} \[[A-Z]+\] \(rapid\) /;
const START = /^START RequestId: \S+/;
const END = /^END RequestId: \S+/;
const REPORT = /^REPORT RequestId: \S+\s*(.*)$/;

export interface InvocationLog {
  /** What the runtime and the handler printed, in order. */
  lines: string[];
  /** The REPORT line's figures ("Duration: 2.31 ms  Billed Duration: 3 ms  ..."), when the emulator wrote one. */
  report?: string;
  /** Whether the emulator's diagnostics show that this invocation started the runtime (a cold start). */
  initialised: boolean;
}

interface Piece extends InvocationLog {
  closed: boolean;
}

export class InvocationLogs {
  private readonly pieces: Piece[] = [];
  /** Lines before the first START (the emulator's start-up). */
  readonly preamble: string[] = [];
  /** The emulator's own lines, for --verbose. */
  readonly emulator: string[] = [];
  private waiters: (() => void)[] = [];
  /** Pieces already handed out: lines that arrive for them later are dropped. */
  private taken = 0;

  line(raw: string): void {
    const line = raw.replace(/\r$/, '');
    if (EMULATOR_LINE.test(line)) {
      this.emulator.push(line);
      if (/\(rapid\) INIT START/.test(line)) {
        const current = this.current();
        if (current) current.initialised = true;
      }
      return;
    }
    if (START.test(line)) {
      this.close();
      this.pieces.push({ lines: [], initialised: false, closed: false });
      return;
    }
    if (END.test(line)) return;
    const report = REPORT.exec(line);
    if (report) {
      const current = this.current();
      if (current) current.report = (report[1] ?? '').split('\t').map((f) => f.trim()).filter(Boolean).join('  ');
      this.close();
      return;
    }
    const current = this.current();
    if (current) current.lines.push(line);
    else this.preamble.push(line);
  }

  /**
   * The log of invocation `index` (0-based): as soon as its REPORT (or the next START) has
   * arrived, or after `waitMs` with whatever had arrived by then.
   */
  async take(index: number, waitMs: number): Promise<InvocationLog> {
    const deadline = performance.now() + waitMs;
    while (!this.pieces[index]?.closed && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(deadline - performance.now(), 0));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.taken = Math.max(this.taken, index + 1);
    const piece = this.pieces[index];
    return piece ? { lines: [...piece.lines], report: piece.report, initialised: piece.initialised } : { lines: [], initialised: false };
  }

  private current(): Piece | undefined {
    const last = this.pieces.at(-1);
    return last && !last.closed && this.pieces.length > this.taken ? last : undefined;
  }

  private close(): void {
    const last = this.pieces.at(-1);
    if (last) last.closed = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
