import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../src/shared/manifest.ts';
import { NATIVE_RUNTIMES, NativeError, nativeRuntimeFor, runNative } from '../src/local/native.ts';
import { lambdaEnvironment } from '../src/local/function-env.ts';
import { nodeProject, pythonProject, rubyProject } from './local-fixtures.ts';

const projects = { python: pythonProject(), nodejs: nodeProject(), ruby: rubyProject() };
afterAll(() => Object.values(projects).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'lambda-image.json'), 'utf8')) as Manifest;
const payload = (handler: string) => ({ handler, event: { name: handler, n: 21 } });
const run = (runtime: keyof typeof projects, handlers: string[], timeout = 3) => {
  const manifest = { ...manifestOf(projects[runtime]), timeout };
  return runNative({
    manifest,
    projectDir: projects[runtime],
    invocations: handlers.map((h) => ({ name: h, payload: payload(h) })),
    environment: lambdaEnvironment(manifest, projects[runtime]),
  });
};

const errorTypes = { python: 'ValueError', nodejs: 'TypeError', ruby: 'Function<ArgumentError>' };
const traceMentions = { python: 'app/core.py', nodejs: 'src/core.mjs', ruby: 'lambda_function.rb' };

describe.each(['python', 'nodejs', 'ruby'] as const)('--native with the host’s %s', (runtime) => {
  it('runs every handler through the dispatcher, with a Lambda-like context and environment', async () => {
    const reported: string[] = [];
    let version = '';
    const result = await runNative({
      manifest: manifestOf(projects[runtime]),
      projectDir: projects[runtime],
      invocations: ['ok', 'context', 'raises'].map((h) => ({ name: h, payload: payload(h) })),
      environment: lambdaEnvironment(manifestOf(projects[runtime]), projects[runtime]),
      onStart: (v) => (version = v),
      onResult: (r) => reported.push(r.name),
    });
    expect(version).toMatch(/^\d+\.\d+/);
    expect(reported).toEqual(['ok', 'context', 'raises']);
    expect(result.stoppedBy).toBeUndefined();
    const [ok, context, raises] = result.results;
    expect(ok!.outcome).toEqual({ ok: true, value: { doubled: 42 } });
    // The handler's output, collected for its result (Docker mode shows it the same way).
    expect(ok!.logs).toEqual(['log line from ok']);
    expect(context!.outcome.ok).toBe(true);
    const value = (context!.outcome as { value: Record<string, unknown> }).value;
    expect(value).toMatchObject({ function_name: 'fixture-' + runtime, memory: '256', region: 'eu-west-1', stage: 'local-test' });
    expect(value.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(value.remaining).toBeGreaterThan(2000);
    expect(value.remaining).toBeLessThanOrEqual(3000);
    expect(String(value.cwd).replace(/\/$/, '')).toBe(projects[runtime]);
    expect(raises!.outcome).toMatchObject({ ok: false, errorType: errorTypes[runtime], errorMessage: 'cannot handle raises' });
    const trace = (raises!.outcome as { stackTrace: string[] }).stackTrace.join('\n');
    expect(trace).toContain(traceMentions[runtime]);
    expect(trace).not.toMatch(/\[eval|^-e:/m);
  });

  it('ends an invocation at the function’s timeout, as Lambda does, and runs the next in a new process', async () => {
    const started = performance.now();
    const result = await run(runtime, ['ok', 'sleeps', 'ok'], 1);
    expect(performance.now() - started).toBeLessThan(6_000);
    expect(result.results.map((r) => r.outcome.ok)).toEqual([true, false, true]);
    expect(result.results[1]!.outcome).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringMatching(/^Task timed out after 1\.00 seconds/) });
    expect(result.results[1]!.note).toMatch(/a new one starts \(a cold start\)/);
    expect(result.stoppedBy).toBeUndefined();
  });

  it('reports a handler that ends the process as a runtime exit with its status, and runs the next', async () => {
    const result = await run(runtime, ['exits', 'ok']);
    expect(result.results.map((r) => r.outcome.ok)).toEqual([false, true]);
    expect(result.results[0]!.outcome).toMatchObject({ ok: false, errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with error: exit status 3' });
    expect(result.stoppedBy).toBeUndefined();
  });
});

describe('--native availability', () => {
  it('names the supported runtimes when the project’s is not one', () => {
    expect(() => nativeRuntimeFor({ runtime: 'java' })).toThrow(NativeError);
    expect(() => nativeRuntimeFor({ runtime: 'java' })).toThrow(
      '--native supports the python, nodejs, ruby runtimes; this project\'s runtime is java: run `npm run local` without --native (it uses Docker)',
    );
  });

  it('says when the host lacks the runtime, and what to do', async () => {
    const missing = NATIVE_RUNTIMES.map((r) => (r.runtime === 'python' ? { ...r, command: 'python3-not-installed-here' } : r));
    await expect(
      runNative({ manifest: manifestOf(projects.python), projectDir: projects.python, invocations: [{ name: 'ok', payload: payload('ok') }], environment: {}, runtimes: missing }),
    ).rejects.toThrow(/this machine's Python 3 \(`python3-not-installed-here`\), which is not installed \(not on PATH\)\.\nInstall Python 3 \(the image uses python 3\.13\), or run `npm run local` without --native/);
  });
});

describe('--native on Node.js 24', () => {
  it('refuses a callback-style dispatcher at init, as the Node.js 24 runtime client does, and accepts it on 22', async () => {
    const dir = nodeProject();
    try {
      writeFileSync(join(dir, 'lambda_function.mjs'), 'export function handler(event, context, callback) { callback(null, { called: "back" }); }\n');
      const manifest = manifestOf(dir);
      const outcome = async (major: string) => {
        const run = await runNative({
          manifest: { ...manifest, runtimeVersion: major },
          projectDir: dir,
          invocations: [{ name: 'ok', payload: payload('ok') }],
          environment: { ...lambdaEnvironment(manifest, dir), AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${major}.x` },
        });
        return run.results[0]!.outcome;
      };
      expect(await outcome('24')).toMatchObject({ ok: false, errorType: 'Runtime.CallbackHandlerDeprecated' });
      expect(await outcome('22')).toEqual({ ok: true, value: { called: 'back' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
