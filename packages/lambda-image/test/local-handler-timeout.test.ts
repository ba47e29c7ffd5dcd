// --native: each handler's invocation runs under its own timeout (lambda-image.json: the
// handler's "timeout", else the project's), in the context the handler reads and in the limit
// that stops it; and in its own environment, as its deployed function (and Docker mode) has it.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Manifest } from '../src/shared/manifest.ts';
import { runNative } from '../src/local/native.ts';
import { runLocal } from '../src/local/local.ts';
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

  it('npm run local -- --native: each handler sees its own environment, memory, timeout and function name, from import on; --env-file’s values reach every one', async () => {
    // A project of its own: this one's manifest is rewritten.
    const dir = { python: pythonProject, nodejs: nodeProject, ruby: rubyProject }[runtime]();
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const manifest = JSON.parse(readFileSync(join(dir, 'lambda-image.json'), 'utf8')) as Manifest;
    const entry = (name: string) => ({ name, handler: `lambda_function.${name}`, event: `events/${name}.json` });
    writeFileSync(
      join(dir, 'lambda-image.json'),
      JSON.stringify({
        ...manifest,
        handlers: [
          ...manifest.handlers.filter((h) => ['ok', 'context'].includes(h.name)),
          { ...entry('env_one'), timeout: 7, memory: 1024, environment: { WHO: 'one' } },
          { ...entry('env_two'), timeout: 2, environment: { WHO: 'two', STAGE: 'own-stage' } },
        ],
      }),
    );
    for (const name of ['env_one', 'env_two']) writeFileSync(join(dir, `events/${name}.json`), '{}');
    const envFile = join(dir, 'local.env');
    writeFileSync(envFile, 'API_TOKEN=from-env-file\n');
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c) => (out += c));
    const code = await runLocal(['--native', '--env-file', envFile], { projectDir: dir, stdout, stderr: new PassThrough(), color: false });
    const seen = (name: string) => {
      const block = new RegExp(`^✔ ${name} +ok .*\n((?: {4}.*\n)+)`, 'm').exec(out);
      expect(block, out).not.toBeNull();
      return JSON.parse(block![1]!) as Record<string, unknown>;
    };
    const one = seen('env_one');
    expect(one).toMatchObject({ who: 'one', who_at_import: 'one', stage: 'local-test', token: 'from-env-file', function_name: `fixture-${runtime}-env_one`, memory: '1024', timeout: '7' });
    expect(one.remaining).toBeGreaterThan(5000);
    const two = seen('env_two');
    expect(two).toMatchObject({ who: 'two', who_at_import: 'two', stage: 'own-stage', token: 'from-env-file', function_name: `fixture-${runtime}-env_two`, memory: '256', timeout: '2' });
    expect(two.remaining).toBeLessThanOrEqual(2000);
    // ok and context, without settings of their own, share one process named after the project, as they share a container.
    expect(seen('context')).toMatchObject({ function_name: `fixture-${runtime}`, memory: '256', stage: 'local-test' });
    expect(out).toMatch(/^PASS 4 handlers: 4 ok, 0 failed/m);
    expect(code).toBe(0);
  }, 60_000);
});
