// What `npm run local` prints. Colour comes from util.styleText (built in), and only
// when the stream is a terminal that wants it: NO_COLOR, FORCE_COLOR and pipes are
// honoured by Node's own colour detection.
import { styleText } from 'node:util';
import type { Writable } from 'node:stream';
import type { BuildStep } from './build-progress.ts';
import type { Outcome } from './outcome.ts';

type Style = Parameters<typeof styleText>[0];

export interface Painter {
  (style: Style, text: string): string;
}

/** Colours for this stream if it takes them; `force` overrides (tests). */
export function painterFor(stream: Writable & { isTTY?: boolean; hasColors?: () => boolean }, force?: boolean): Painter {
  const env = process.env;
  const color =
    force ??
    (env.NO_COLOR !== undefined && env.NO_COLOR !== ''
      ? false
      : env.FORCE_COLOR !== undefined
        ? env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
        : Boolean(stream.isTTY && (stream.hasColors?.() ?? true)));
  return (style, text) => (color ? styleText(style, text, { validateStream: false }) : text);
}

export const plain: Painter = (_style, text) => text;

export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

const INDENT = '    ';

function indent(text: string, prefix = INDENT): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : prefix + l))
    .join('\n');
}

/** A handler's response, as JSON: one line when short, pretty-printed when not. */
export function formatValue(value: unknown): string {
  const compact = JSON.stringify(value) ?? 'null';
  if (compact.length <= 100) return compact;
  return JSON.stringify(value, null, 2);
}

/** The lines of a trace, whatever the runtime's format (Python's entries hold newlines; Node's repeat the message first). */
export function traceLines(outcome: Extract<Outcome, { ok: false }>): string[] {
  const lines = outcome.stackTrace.flatMap((entry) => entry.replace(/\n$/, '').split('\n'));
  if (lines[0] !== undefined && lines[0].startsWith(`${outcome.errorType}:`)) lines.shift();
  return lines;
}

export interface HandlerReport {
  name: string;
  outcome: Outcome;
  seconds: number;
  /** What the handler and its runtime printed during the invocation. */
  logs?: string[];
  /** The runtime's REPORT figures (duration, memory). */
  report?: string;
  /** A line about the runtime after this invocation, e.g. that it is started again. */
  note?: string;
}

/** The handler's output and REPORT line, each line prefixed with the handler's name. */
export function formatLogs(report: HandlerReport, paint: Painter = plain): string {
  const lines = [...(report.logs ?? []), ...(report.report ? [`REPORT ${report.report}`] : [])];
  const prefix = paint('dim', `${report.name} │ `);
  return lines.map((l) => `${INDENT}${prefix}${l}`).join('\n');
}

/** The block printed for one invoked handler. */
export function formatHandlerReport(report: HandlerReport, nameWidth: number, paint: Painter = plain): string {
  const name = report.name.padEnd(nameWidth);
  const duration = paint('dim', formatSeconds(report.seconds));
  if (report.outcome.ok) {
    return `${paint('green', '✔')} ${paint('bold', name)}  ${paint('green', 'ok')}      ${duration}\n${indent(formatValue(report.outcome.value))}`;
  }
  const { errorType, errorMessage } = report.outcome;
  const head = `${paint('red', '✘')} ${paint('bold', name)}  ${paint('red', 'failed')}  ${duration}`;
  const message = indent(`${paint('red', errorType)}: ${errorMessage}`);
  const trace = traceLines(report.outcome);
  return trace.length > 0 ? `${head}\n${message}\n${paint('dim', indent(trace.join('\n')))}` : `${head}\n${message}`;
}

/** A handler that was not invoked because an earlier one left the runtime unusable. */
export function formatSkipped(name: string, nameWidth: number, reason: string, paint: Painter = plain): string {
  return `${paint('yellow', '-')} ${paint('bold', name.padEnd(nameWidth))}  ${paint('yellow', 'skipped')} ${paint('dim', reason)}`;
}

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  /** Named phases and their durations, e.g. build, start, invoke. */
  phases: [string, number][];
}

export function formatSummary(summary: Summary, paint: Painter = plain): string {
  const total = summary.passed + summary.failed + summary.skipped;
  const counts = [
    paint(summary.failed === 0 && summary.skipped === 0 ? 'green' : 'dim', `${summary.passed} ok`),
    paint(summary.failed > 0 ? 'red' : 'dim', `${summary.failed} failed`),
  ];
  if (summary.skipped > 0) counts.push(paint('yellow', `${summary.skipped} skipped`));
  const phases = summary.phases.map(([name, s]) => `${name} ${formatSeconds(s)}`).join(', ');
  const verdict = summary.failed === 0 && summary.skipped === 0 ? paint('green', 'PASS') : paint('red', 'FAIL');
  return `${verdict} ${total} handler${total === 1 ? '' : 's'}: ${counts.join(', ')}${phases ? paint('dim', ` (${phases})`) : ''}`;
}

/** One finished build step: "[3/6] RUN pip install ...  2.10 s" or "... cached". */
export function formatBuildStep(step: BuildStep, paint: Painter = plain): string {
  const position = step.position ? `[${step.position}] ` : '';
  const instruction = step.instruction.length > 90 ? `${step.instruction.slice(0, 87)}...` : step.instruction;
  const status = step.failed
    ? paint('red', 'failed')
    : step.cached
      ? paint('dim', 'cached')
      : paint('dim', formatSeconds(step.seconds));
  return `  ${paint('dim', position)}${instruction}  ${status}`;
}

/** The failing build step and the tail of its output. */
export function formatBuildFailure(message: string, output: string[], paint: Painter = plain, maxLines = 40): string {
  const shown = output.length > maxLines ? [`... (${output.length - maxLines} earlier lines)`, ...output.slice(-maxLines)] : output;
  return `${paint('red', 'build failed:')} ${message}${shown.length > 0 ? `\n${indent(shown.join('\n'), '  │ ')}` : ''}`;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Prints each handler's block as it comes, then the summary; knows the exit code. */
export class Reporter {
  readonly reports: HandlerReport[] = [];
  skipped = 0;
  interrupted = false;
  private readonly width: number;
  private readonly out: Writable;
  private readonly paint: Painter;
  private readonly quiet: boolean;
  /** `quiet`: no output lines under passing handlers. */
  constructor(out: Writable, paint: Painter, names: string[], quiet = false) {
    this.out = out;
    this.paint = paint;
    this.quiet = quiet;
    this.width = Math.max(...names.map((n) => n.length));
  }
  handler(report: HandlerReport): void {
    this.reports.push(report);
    let text = formatHandlerReport(report, this.width, this.paint);
    if (!(this.quiet && report.outcome.ok)) {
      const logs = formatLogs(report, this.paint);
      if (logs) text += `\n${logs}`;
    }
    if (report.note) text += `\n${INDENT}${this.paint('yellow', '↻')} ${report.note}`;
    this.out.write(`${text}\n`);
  }
  /** A handler whose invocation was cut short by Ctrl-C: not a failure of the handler. */
  interrupt(name: string, signal: string): void {
    this.interrupted = true;
    this.out.write(`${this.paint('yellow', '■')} ${this.paint('bold', name.padEnd(this.width))}  ${this.paint('yellow', 'interrupted')} ${this.paint('dim', `(${signal})`)}\n`);
  }
  skip(names: string[], reason: string): void {
    for (const name of names) this.out.write(`${formatSkipped(name, this.width, reason, this.paint)}\n`);
    this.skipped += names.length;
  }
  /** Prints the summary line; returns the exit code: 0 only when every handler succeeded. */
  summary(phases: [string, number][]): number {
    const failed = this.reports.filter((r) => !r.outcome.ok).length;
    const passed = this.reports.length - failed;
    this.out.write(`${formatSummary({ passed, failed, skipped: this.skipped, phases }, this.paint)}\n`);
    return failed === 0 && this.skipped === 0 ? EXIT.ok : EXIT.failed;
  }
}
