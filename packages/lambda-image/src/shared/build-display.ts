// What the user sees while the image builds. On a terminal: the running step with its
// elapsed time and its last output lines, redrawn in place and collapsed to the step's one
// summary line when it ends. Elsewhere (CI logs, pipes): the summary lines only, one per
// step, since a redraw would only garble a log.
import type { Writable } from 'node:stream';
import type { BuildStep } from './build-progress.ts';
import { formatBuildStep, formatSeconds, type Painter } from './output.ts';

const TAIL_LINES = 3;
const key = (step: BuildStep) => `${step.position ?? ''}|${step.instruction}`;
const REDRAW_MS = 100;

export class BuildDisplay {
  private readonly out: Writable & { isTTY?: boolean; columns?: number };
  private readonly paint: Painter;
  private readonly live: boolean;
  /** By position and instruction: the finished step is reported as a copy of the running one. */
  private readonly running = new Map<string, { step: BuildStep; startedAt: number; tail: string[] }>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(out: Writable & { isTTY?: boolean; columns?: number }, paint: Painter, live: boolean = Boolean(out.isTTY)) {
    this.out = out;
    this.paint = paint;
    this.live = live;
  }

  readonly start = (step: BuildStep): void => {
    if (!this.live) return;
    this.running.set(key(step), { step, startedAt: performance.now(), tail: [] });
    this.timer ??= setInterval(() => this.redraw(), REDRAW_MS);
    this.redraw();
  };

  readonly output = (step: BuildStep, line: string): void => {
    const state = this.running.get(key(step));
    if (!state) return;
    state.tail.push(line);
    if (state.tail.length > TAIL_LINES) state.tail.shift();
  };

  readonly step = (step: BuildStep): void => {
    this.running.delete(key(step));
    this.clear();
    this.out.write(`${formatBuildStep(step, this.paint)}\n`);
    this.redraw();
  };

  /** Removes the live lines; call once the build has ended, whichever way. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.running.clear();
    this.clear();
  }

  private clear(): void {
    if (this.drawn > 0) this.out.write(`\u001b[${this.drawn}F\u001b[J`);
    this.drawn = 0;
  }

  private redraw(): void {
    if (!this.live) return;
    this.clear();
    const width = Math.max((this.out.columns ?? 100) - 1, 20);
    const fit = (text: string) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);
    const lines: string[] = [];
    for (const { step, ...state } of this.running.values()) {
      const position = step.position ? `[${step.position}] ` : '';
      const elapsed = formatSeconds((performance.now() - state.startedAt) / 1000);
      lines.push(`${this.paint('cyan', '›')} ${fit(`${position}${step.instruction}`).slice(0, width - 12)}  ${this.paint('dim', elapsed)}`);
      for (const line of state.tail) lines.push(this.paint('dim', fit(`    ${line}`)));
    }
    if (lines.length > 0) this.out.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }
}
