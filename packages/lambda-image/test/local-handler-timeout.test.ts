// --native: each handler's invocation runs under its own timeout (lambda-image.json: the
// handler's "timeout", else the project's), in the context the handler reads and in the limit
// that stops it.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../src/shared/manifest.ts';
import { runNative } from '../src/local/native.ts';
import { lambdaEnvironment } from '../src/local/function-env.ts';
import { nodeProject, pythonProject, rubyProject } from './local-fixtures.ts';

const projects = { python: pythonProject(), nodejs: nodeProject(), ruby: rubyProject() };
afterAll(() => Object.values(projects).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const manifestOf = (dir: string) => ({ ...(JSON.parse(readFileSync(join(dir, 'lambda-image.json'), 'utf8')) as Manifest), timeout: 30 });
const payload = (handler: string) => ({ handler, event: { name: handler, n: 21 } });

describe.each(Object.keys(projects) as (keyof typeof projects)[])('%s', (runtime) => {
  it('the context counts down from the handler’s own timeout, and a handler past it is stopped with its value named', async () => {
    const dir = projects[runtime];
    const manifest = manifestOf(dir);
    const result = await runNative({
      manifest,
      projectDir: dir,
      invocations: [
        { name: 'context', payload: payload('context'), timeoutMs: 7000 },
        { name: 'sleeps', payload: payload('sleeps'), timeoutMs: 1000 },
      ],
      environment: lambdaEnvironment(manifest, dir),
    });
    const [context, sleeps] = result.results;
    expect(context!.outcome.ok).toBe(true);
    const remaining = (context!.outcome as { value: { remaining: number } }).value.remaining;
    expect(remaining).toBeGreaterThan(5000);
    expect(remaining).toBeLessThanOrEqual(7000);
    expect(sleeps!.outcome).toMatchObject({ ok: false, errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds (the function\'s timeout: the handler\'s "timeout": 1 in lambda-image.json)' });
    expect(sleeps!.seconds).toBeLessThan(5);
  }, 30_000);
});
