// Handlers with triggers from the command line: `--handlers ingest:sqs,report_daily:schedule,api:url`
// and the subgenerator's --trigger. Each gets its trigger in lambda-image.json, the event Lambda
// really sends for it, and its trigger's skeleton, which the project's own tests run (the SQS
// handler's partial-failure path included).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import helpers from 'yeoman-test';
import { HANDLER, generateProject } from '../support/generate.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'lig-triggers-'));
const json = (dir: string, path: string) => JSON.parse(readFileSync(join(dir, path), 'utf8'));

describe.each(['python', 'nodejs', 'ruby'])('%s', (runtime) => {
  test('each trigger: the manifest entry, the real event shape, a skeleton whose tests pass', async () => {
    const dir = await generateProject(join(tmp(), 'orders-svc'), { runtime, handlers: 'ingest:sqs,report_daily:schedule,api:url,plain' });
    await helpers
      .run(HANDLER, { cwd: dir, tmpdir: false, autoCleanup: false })
      .withArguments(['hourly'])
      .withOptions({ skipInstall: true, schedule: 'rate(1 hour)' } as never);
    const manifest = json(dir, 'lambda-image.json');
    expect(Object.fromEntries(manifest.handlers.map((h: { name: string; trigger?: unknown }) => [h.name, h.trigger]))).toEqual({
      ingest: { type: 'sqs' },
      report_daily: { type: 'schedule', expression: 'rate(1 day)' },
      api: { type: 'url' },
      plain: undefined,
      hourly: { type: 'schedule', expression: 'rate(1 hour)' },
    });

    const sqs = json(dir, 'events/ingest.json');
    expect(sqs.Records).toHaveLength(2);
    for (const r of sqs.Records) {
      expect(r).toMatchObject({ eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:orders-svc-ingest' });
      expect(r.md5OfBody).toBe(createHash('md5').update(r.body).digest('hex'));
    }
    const url = json(dir, 'events/api.json');
    expect(url).toMatchObject({ version: '2.0', routeKey: '$default', requestContext: { http: { method: 'POST' } }, isBase64Encoded: false });
    expect(json(dir, 'events/report_daily.json')).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.scheduler', time: '2026-12-02T06:00:00Z' });

    // Without vitest's TEST=true, which rake would take for the test file to run.
    const { TEST: _test, ...env } = process.env;
    const result = await execa('npm', ['test'], { cwd: dir, all: true, reject: false, env, extendEnv: false });
    expect(result.exitCode, result.all).toBe(0);
    // The core and dispatcher tests, one per handler and the SQS handler's partial failure.
    if (runtime === 'ruby') expect(result.all).toMatch(/\b1[1-9] runs, \d+ assertions, 0 failures, 0 errors/);
    else expect(result.all).toMatch(runtime === 'python' ? /\b11 passed\b/ : /# pass 11\b/);
  });
});

describe('refused before anything is written', () => {
  test.each([
    [{ handlers: 'ingest:sqss' }, 'unknown trigger "sqss" for handler "ingest": did you mean "sqs"? (choose schedule, url, sqs, or none)'],
    [{ handlers: 'ingest:sqs:fifo' }, '"ingest:sqs:fifo" has more than one ":"'],
  ])('%j', async (options, message) => {
    await expect(generateProject(join(tmp(), 'orders-svc'), { runtime: 'python', ...options })).rejects.toThrow(message);
  });

  test('the subgenerator: an unknown trigger, a bad schedule', async () => {
    const dir = await generateProject(join(tmp(), 'orders-svc'), { runtime: 'python', handlers: 'ingest' });
    const run = (options: Record<string, string>) =>
      helpers.run(HANDLER, { cwd: dir, tmpdir: false, autoCleanup: false }).withArguments(['more']).withOptions({ skipInstall: true, ...options } as never);
    await expect(run({ trigger: 'http' })).rejects.toThrow('--trigger: unknown trigger "http"');
    await expect(run({ schedule: 'rate(1 hours)' })).rejects.toThrow('--schedule "rate(1 hours)": write rate(1 hour)');
    expect(json(dir, 'lambda-image.json').handlers.map((h: { name: string }) => h.name)).toEqual(['ingest']);
  });
});
