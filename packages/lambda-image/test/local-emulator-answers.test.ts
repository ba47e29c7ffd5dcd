// The real Runtime Interface Emulator's answers and log lines, as test/baseimages/contract.test.ts
// observed them, read by the tooling.
import { describe, expect, it } from 'vitest';
import { classifyResponse } from '../src/shared/outcome.ts';
import { InvocationLogs } from '../src/local/invocation-logs.ts';

describe('classifyResponse on the emulator’s own answers', () => {
  it('reads the plain-text timeout as a failure, Sandbox.Timedout', () => {
    expect(classifyResponse(200, 'Task timed out after 3.00 seconds')).toEqual({
      ok: false,
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 3.00 seconds',
      stackTrace: [],
    });
    // A handler that returns that sentence returns a JSON string: a result.
    expect(classifyResponse(200, '"Task timed out after 3.00 seconds"')).toEqual({ ok: true, value: 'Task timed out after 3.00 seconds' });
  });

  it('reads a 502 as a failure with its errorType and the exit status, without the request prefix', () => {
    const body = '{"errorType":"Runtime.ExitError","errorMessage":"RequestId: 76b707fd-3d81-46ac-a069-faee85ffdd38 Error: Runtime exited with error: exit status 3"}';
    expect(classifyResponse(502, body)).toEqual({ ok: false, errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with error: exit status 3', stackTrace: [] });
  });

  it('reads Function.ResponseSizeTooLarge as a failure, with 200 or 502', () => {
    const body = '{"errorType":"Function.ResponseSizeTooLarge","errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes)."}';
    for (const status of [200, 502]) expect(classifyResponse(status, body)).toMatchObject({ ok: false, errorType: 'Function.ResponseSizeTooLarge' });
  });
});

describe('InvocationLogs', () => {
  const rapid = (text: string) => `02 Dec 2026 17:07:22,249 [INFO] (rapid) ${text}`;

  it('cuts the output at START/REPORT, keeps the REPORT figures, drops the emulator’s diagnostics, and sees cold starts', async () => {
    const logs = new InvocationLogs();
    for (const line of [
      rapid("exec '/var/runtime/bootstrap' (cwd=/var/task, handler=)"),
      'START RequestId: a Version: $LATEST',
      rapid('INIT START(type: on-demand, phase: init)'),
      'init output line',
      'handler says hi',
      'END RequestId: a',
      'REPORT RequestId: a\tInit Duration: 0.65 ms\tDuration: 180.67 ms\tBilled Duration: 181 ms\tMemory Size: 512 MB\tMax Memory Used: 40 MB\t',
      // A runtime that dies gets no END or REPORT: its piece ends at the next START.
      'START RequestId: b Version: $LATEST',
      'about to die',
      rapid('Process runtime-3 exited: exit status 3'),
      'START RequestId: c Version: $LATEST',
      'third',
    ]) logs.line(line);
    expect(await logs.take(0, 0)).toEqual({
      lines: ['init output line', 'handler says hi'],
      report: 'Init Duration: 0.65 ms  Duration: 180.67 ms  Billed Duration: 181 ms  Memory Size: 512 MB  Max Memory Used: 40 MB',
      initialised: true,
    });
    expect(await logs.take(1, 0)).toEqual({ lines: ['about to die'], report: undefined, initialised: false });
    // Still open: after the wait, what has arrived.
    expect((await logs.take(2, 20)).lines).toEqual(['third']);
    expect(logs.emulator).toHaveLength(3);
  });

  it('waits for a REPORT that is still on its way', async () => {
    const logs = new InvocationLogs();
    logs.line('START RequestId: a Version: $LATEST');
    logs.line('working');
    setTimeout(() => logs.line('REPORT RequestId: a\tDuration: 1.00 ms\t'), 20);
    expect(await logs.take(0, 2_000)).toMatchObject({ lines: ['working'], report: 'Duration: 1.00 ms' });
  });
});
