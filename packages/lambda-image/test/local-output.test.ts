import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  EXIT,
  formatBuildFailure,
  formatBuildStep,
  formatHandlerReport,
  formatSeconds,
  formatSummary,
  formatValue,
  painterFor,
  plain,
  Reporter,
  traceLines,
} from '../src/shared/output.ts';

const pythonError = {
  ok: false as const,
  errorType: 'ValueError',
  errorMessage: 'boom',
  stackTrace: [
    '  File "/var/task/lambda_function.py", line 20, in lambda_handler\n    return handler(event.get("event", {}), context)\n',
    '  File "/var/task/orders_svc/core.py", line 9, in ingest\n    raise ValueError("boom")\n',
  ],
};
const nodeError = {
  ok: false as const,
  errorType: 'TypeError',
  errorMessage: 'bad input',
  stackTrace: ['TypeError: bad input', '    at ingest (file:///var/task/src/core.mjs:3:9)'],
};

describe('output', () => {
  it('formats durations for people', () => {
    expect(formatSeconds(0.0123)).toBe('12 ms');
    expect(formatSeconds(2.345)).toBe('2.35 s');
    expect(formatSeconds(12.34)).toBe('12.3 s');
    expect(formatSeconds(125)).toBe('2 min 5 s');
  });

  it('prints a short response on one line and a long one pretty', () => {
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatValue(null)).toBe('null');
    const long = { items: Array.from({ length: 20 }, (_, i) => `item-${i}`) };
    expect(formatValue(long)).toBe(JSON.stringify(long, null, 2));
    expect(formatValue('plain text answer')).toBe('"plain text answer"');
  });

  it('reports a success with its duration and response', () => {
    const text = formatHandlerReport({ name: 'ingest', seconds: 0.012, outcome: { ok: true, value: { count: 2 } } }, 12);
    expect(text).toBe('✔ ingest        ok      12 ms\n    {"count":2}');
  });

  it('reports a raised error with its type, message and stack trace (Python entries span lines)', () => {
    const text = formatHandlerReport({ name: 'ingest', seconds: 0.5, outcome: pythonError }, 6);
    expect(text.split('\n')).toEqual([
      '✘ ingest  failed  500 ms',
      '    ValueError: boom',
      '      File "/var/task/lambda_function.py", line 20, in lambda_handler',
      '        return handler(event.get("event", {}), context)',
      '      File "/var/task/orders_svc/core.py", line 9, in ingest',
      '        raise ValueError("boom")',
    ]);
  });

  it('does not repeat the message that Node.js puts first in its trace', () => {
    expect(traceLines(nodeError)).toEqual(['    at ingest (file:///var/task/src/core.mjs:3:9)']);
  });

  it('summarises, and the exit code is 0 only when every handler succeeded', () => {
    expect(formatSummary({ passed: 3, failed: 0, skipped: 0, phases: [['build', 1.5], ['start', 0.3]] })).toBe(
      'PASS 3 handlers: 3 ok, 0 failed (build 1.50 s, start 300 ms)',
    );
    expect(formatSummary({ passed: 1, failed: 1, skipped: 1, phases: [] })).toBe('FAIL 3 handlers: 1 ok, 1 failed, 1 skipped');
    const out = new PassThrough();
    const reporter = new Reporter(out, plain, ['a', 'b']);
    reporter.handler({ name: 'a', seconds: 0.001, outcome: { ok: true, value: 1 } });
    expect(reporter.summary([])).toBe(EXIT.ok);
    reporter.handler({ name: 'b', seconds: 0.001, outcome: nodeError });
    expect(reporter.summary([])).toBe(EXIT.failed);
    const skipping = new Reporter(out, plain, ['a', 'b']);
    skipping.handler({ name: 'a', seconds: 0.001, outcome: { ok: true, value: 1 } });
    skipping.skip(['b'], '(a timed out)');
    expect(skipping.summary([])).toBe(EXIT.failed);
    expect(String(out.read())).toContain('- b  skipped (a timed out)');
  });

  it('prints build steps with their time, or cached, and a failing step with its output', () => {
    expect(formatBuildStep({ position: '4/7', instruction: 'RUN pip install', cached: false, seconds: 2.1, output: [], failed: false })).toBe(
      '  [4/7] RUN pip install  2.10 s',
    );
    expect(formatBuildStep({ position: '5/7', instruction: 'COPY x /x', cached: true, seconds: 0, output: [], failed: false })).toBe(
      '  [5/7] COPY x /x  cached',
    );
    const failure = formatBuildFailure('step 4/7 `RUN pip install` failed (exit code 1)', ['ERROR: No matching distribution']);
    expect(failure).toBe('build failed: step 4/7 `RUN pip install` failed (exit code 1)\n  │ ERROR: No matching distribution');
    const many = formatBuildFailure('x', Array.from({ length: 50 }, (_, i) => `line ${i}`), plain, 5);
    expect(many).toContain('... (45 earlier lines)');
    expect(many).toContain('line 49');
    expect(many).not.toContain('line 44\n');
  });

  it('colours only a terminal that wants colours', () => {
    const pipe = Object.assign(new PassThrough(), { isTTY: false });
    const tty = Object.assign(new PassThrough(), { isTTY: true, hasColors: () => true });
    const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
    try {
      delete process.env.NO_COLOR;
      delete process.env.FORCE_COLOR;
      expect(painterFor(pipe)('red', 'x')).toBe('x');
      expect(painterFor(tty)('red', 'x')).toBe('\u001b[31mx\u001b[39m');
      process.env.NO_COLOR = '1';
      expect(painterFor(tty)('red', 'x')).toBe('x');
      delete process.env.NO_COLOR;
      process.env.FORCE_COLOR = '1';
      expect(painterFor(pipe)('red', 'x')).toBe('\u001b[31mx\u001b[39m');
      expect(painterFor(tty, false)('red', 'x')).toBe('x');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
