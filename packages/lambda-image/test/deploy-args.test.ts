import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseDeployArgs } from '../src/deploy/deploy.ts';
import { parseDestroyArgs } from '../src/deploy/destroy.ts';
import { formatInvokeResult, parseInvokeArgs, readEvent } from '../src/deploy/invoke.ts';

describe('deploy arguments', () => {
  test('defaults and flags', () => {
    expect(parseDeployArgs([])).toEqual({ dryRun: false, prune: false, rebuild: false, allowSharedRepository: false, help: false });
    expect(parseDeployArgs(['--dry-run', '--prune', '--rebuild', '--allow-shared-repository'])).toEqual({
      dryRun: true,
      prune: true,
      rebuild: true,
      allowSharedRepository: true,
      help: false,
    });
    expect(parseDeployArgs(['-h']).help).toBe(true);
  });

  test('unknown options and stray arguments are refused with the usage', () => {
    expect(() => parseDeployArgs(['--dryrun'])).toThrow(/Unknown option '--dryrun'[\s\S]*Usage: npm run deploy/);
    expect(() => parseDeployArgs(['prod'])).toThrow(/Usage: npm run deploy/);
  });
});

describe('destroy arguments', () => {
  test('the repository and the role only on request', () => {
    expect(parseDestroyArgs([])).toEqual({ yes: false, repository: false, role: false, dryRun: false, allowSharedRepository: false, help: false });
    expect(parseDestroyArgs(['--yes', '--repository', '--role'])).toMatchObject({ yes: true, repository: true, role: true });
    expect(parseDestroyArgs(['-y']).yes).toBe(true);
    expect(() => parseDestroyArgs(['--force'])).toThrow(/Unknown option '--force'[\s\S]*Usage: npm run destroy/);
  });
});

describe('invoke arguments', () => {
  test('a handler and an optional event', () => {
    expect(parseInvokeArgs(['ingest'])).toEqual({ handler: 'ingest', event: undefined, help: false });
    expect(parseInvokeArgs(['ingest', '--event', '{"a":1}'])).toMatchObject({ event: '{"a":1}' });
    expect(parseInvokeArgs(['-e', 'events/x.json', 'ingest'])).toMatchObject({ handler: 'ingest', event: 'events/x.json' });
  });

  test('no handler, or two, is refused', () => {
    expect(() => parseInvokeArgs([])).toThrow(/which handler\?/);
    expect(() => parseInvokeArgs(['a', 'b'])).toThrow(/one handler at a time, got a, b/);
    expect(() => parseInvokeArgs(['a', '--event'])).toThrow(/--event/);
  });
});

describe('invoke events', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-image-event-'));
    mkdirSync(join(dir, 'events'));
    writeFileSync(join(dir, 'events/ingest.json'), '{"sample": true}');
    writeFileSync(join(dir, 'events/broken.json'), '{"sample": ');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the handler's sample event by default", () => {
    expect(readEvent(undefined, 'events/ingest.json', dir)).toEqual({ payload: '{"sample": true}', source: 'events/ingest.json' });
  });

  test('JSON text, or a file', () => {
    expect(readEvent('{"x": 1}', 'events/ingest.json', dir)).toEqual({ payload: '{"x": 1}', source: '--event' });
    expect(readEvent('42', 'events/ingest.json', dir).payload).toBe('42');
    expect(readEvent('events/ingest.json', 'unused', dir).source).toBe('events/ingest.json');
    expect(readEvent(join(dir, 'events/ingest.json'), 'unused', dir).payload).toBe('{"sample": true}');
  });

  test('neither: a message that says which', () => {
    expect(() => readEvent('{"x": ', 'e', dir)).toThrow(/--event is neither valid JSON nor a file/);
    expect(() => readEvent('events/missing.json', 'e', dir)).toThrow(/the event file events\/missing.json does not exist/);
    expect(() => readEvent('events/broken.json', 'e', dir)).toThrow(/events\/broken.json is not valid JSON/);
  });
});

describe('invoke output', () => {
  const tail = Buffer.from('START RequestId: 1\nhello from ingest\nEND RequestId: 1\n').toString('base64');

  test('the response pretty-printed and the decoded log tail', () => {
    const { lines, failed } = formatInvokeResult('orders-svc-ingest', {
      StatusCode: 200,
      Payload: new TextEncoder().encode('{"ok":true}'),
      LogResult: tail,
    });
    expect(failed).toBe(false);
    expect(lines.join('\n')).toBe(
      'orders-svc-ingest responded, status 200:\n{\n  "ok": true\n}\n\nLog tail (last 4 KB):\nSTART RequestId: 1\nhello from ingest\nEND RequestId: 1',
    );
  });

  test('a function error is a failure', () => {
    const { lines, failed } = formatInvokeResult('f', {
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: new TextEncoder().encode('{"errorMessage":"boom","errorType":"UnknownHandlerError"}'),
    });
    expect(failed).toBe(true);
    expect(lines[0]).toBe('f returned an error (Unhandled), status 200:');
    expect(lines.join('\n')).toMatch(/"errorType": "UnknownHandlerError"[\s\S]*Log tail: none returned/);
  });
});
