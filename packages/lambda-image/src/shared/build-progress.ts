// Turns `docker build` output into timed steps. Two formats exist in the wild: the
// classic builder ("Step 3/6 : RUN ...", still what a docker client without buildx
// runs) and BuildKit's plain progress ("#7 [3/6] RUN ...", "#7 DONE 2.1s"). Both are
// parsed so that the user sees the same summary whichever builder their Docker has.

export interface BuildStep {
  /** "3/6" when the builder numbers its steps. */
  position?: string;
  /** The Dockerfile instruction, e.g. "RUN pip install -r requirements.txt". */
  instruction: string;
  cached: boolean;
  seconds: number;
  /** What the step printed (builder chatter removed). */
  output: string[];
  failed: boolean;
}

export interface BuildProgressOptions {
  onStep?: (step: BuildStep) => void;
  /** A visible step has started (its output so far is empty). */
  onStart?: (step: BuildStep) => void;
  /** A line of a visible step's output, as it comes. */
  onOutput?: (step: BuildStep, line: string) => void;
  now?: () => number;
}

const CLASSIC_STEP = /^Step (\d+\/\d+) : (.*)$/;
const CLASSIC_NOISE = /^( ---> |Removing intermediate container |Sending build context|Successfully tagged |DEPRECATED: The legacy builder|\s+Install the buildx component|\s+https:\/\/docs\.docker\.com\/go\/buildx)/;
const KIT_LINE = /^#(\d+) (.*)$/;
const KIT_START = /^\[([^\]]+)\] (.*)$/;
const KIT_DONE = /^DONE (\d+(?:\.\d+)?)s$/;
const KIT_TIMED_OUTPUT = /^\d+(?:\.\d+)? (.*)$/;

interface Running extends BuildStep {
  startedAt: number;
  internal: boolean;
  finished: boolean;
}

export class BuildProgress {
  readonly steps: BuildStep[] = [];
  /** Lines that belong to no step: the builder's own errors ("ERROR: failed to solve", "COPY failed"...). */
  readonly loose: string[] = [];
  private readonly byId = new Map<string, Running>();
  private classic: Running | undefined;
  private readonly onStep: (step: BuildStep) => void;
  private readonly onStart: (step: BuildStep) => void;
  private readonly onOutput: (step: BuildStep, line: string) => void;
  private readonly now: () => number;

  constructor(options: BuildProgressOptions = {}) {
    this.onStep = options.onStep ?? (() => {});
    this.onStart = options.onStart ?? (() => {});
    this.onOutput = options.onOutput ?? (() => {});
    this.now = options.now ?? (() => performance.now());
  }

  line(raw: string): void {
    // RUN steps may colour their output (npm does); the escapes would only garble the summary.
    const line = raw.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r$/, '');
    if (line.trim() === '') return;
    const classic = CLASSIC_STEP.exec(line);
    if (classic) {
      this.endClassic();
      this.classic = this.start(classic[1], classic[2] ?? '', false);
      return;
    }
    if (line.startsWith('Successfully built ')) {
      this.endClassic();
      return;
    }
    if (this.classic && line === ' ---> Using cache') {
      this.classic.cached = true;
      return;
    }
    if (CLASSIC_NOISE.test(line)) return;
    const kit = KIT_LINE.exec(line);
    if (kit) {
      this.kitLine(kit[1] ?? '', kit[2] ?? '');
      return;
    }
    if (this.classic) this.output(this.classic, line);
    else this.loose.push(line);
  }

  /** Ends whatever is still running; `failed` marks it as the step that broke the build. */
  finish(failed: boolean): void {
    if (this.classic) {
      if (failed) this.classic.failed = true;
      this.endClassic();
    }
    for (const step of this.byId.values()) {
      if (!step.finished) {
        if (failed) step.failed = true;
        this.end(step);
      }
    }
  }

  /** The step that made the build fail: BuildKit marks it, the classic builder stops at it. */
  failedStep(): BuildStep | undefined {
    return this.steps.find((s) => s.failed);
  }

  private kitLine(id: string, rest: string): void {
    const start = KIT_START.exec(rest);
    if (start && !this.byId.has(id)) {
      const label = start[1] ?? '';
      const internal = label.startsWith('internal') || label.startsWith('auth') || /^load /.test(label);
      const position = /(\d+\/\d+)$/.exec(label)?.[1];
      this.byId.set(id, this.start(position, start[2] ?? '', internal));
      return;
    }
    const step = this.byId.get(id);
    if (!step) return;
    if (rest === 'CACHED') {
      step.cached = true;
      this.end(step);
      return;
    }
    const done = KIT_DONE.exec(rest);
    if (done) {
      this.end(step, Number(done[1]));
      return;
    }
    if (rest.startsWith('ERROR')) {
      step.failed = true;
      step.output.push(rest.replace(/^ERROR:?\s*/, ''));
      this.end(step);
      return;
    }
    if (/^sha256:[0-9a-f]{64}$/.test(rest)) return;
    const output = KIT_TIMED_OUTPUT.exec(rest);
    this.output(step, output ? (output[1] ?? '') : rest);
  }

  private output(step: Running, line: string): void {
    step.output.push(line);
    if (!step.internal) this.onOutput(step, line);
  }

  private start(position: string | undefined, instruction: string, internal: boolean): Running {
    const step: Running = {
      position,
      instruction: instruction.trim(),
      cached: false,
      seconds: 0,
      output: [],
      failed: false,
      startedAt: this.now(),
      internal,
      finished: false,
    };
    if (!internal) this.onStart(step);
    return step;
  }

  private endClassic(): void {
    if (this.classic) this.end(this.classic);
    this.classic = undefined;
  }

  private end(step: Running, seconds?: number): void {
    if (step.finished) return;
    step.finished = true;
    step.seconds = seconds ?? (this.now() - step.startedAt) / 1000;
    if (step.internal && !step.failed) return;
    const { startedAt: _s, internal: _i, finished: _f, ...visible } = step;
    this.steps.push(visible);
    this.onStep(visible);
  }
}
