import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyResponse } from '../src/shared/outcome.ts';
import {
  dispatcherPayload,
  EmulatorNotReady,
  INVOKE_PATH,
  InvocationTimeout,
  invokeEmulator,
  waitForEmulator,
} from '../src/local/emulator.ts';

describe('classifyResponse: the emulator answers errors with 200, so the body decides', () => {
  it('reads Python’s and Ruby’s error documents (stackTrace)', () => {
    const body = JSON.stringify({ errorMessage: 'boom', errorType: 'ValueError', requestId: 'r', stackTrace: ['  File "x.py", line 1\n'] });
    expect(classifyResponse(200, body)).toEqual({ ok: false, errorType: 'ValueError', errorMessage: 'boom', stackTrace: ['  File "x.py", line 1\n'] });
    const ruby = JSON.stringify({ errorMessage: 'no', errorType: 'Function<ArgumentError>', stackTrace: ['/var/task/f.rb:3'] });
    expect(classifyResponse(200, ruby)).toMatchObject({ ok: false, errorType: 'Function<ArgumentError>' });
  });

  it('reads Node.js’s error document (trace)', () => {
    const body = JSON.stringify({ errorType: 'TypeError', errorMessage: 'bad', trace: ['TypeError: bad', '    at x'] });
    expect(classifyResponse(200, body)).toEqual({ ok: false, errorType: 'TypeError', errorMessage: 'bad', stackTrace: ['TypeError: bad', '    at x'] });
  });

  it('takes any other JSON as the handler’s result, even one mentioning errors', () => {
    expect(classifyResponse(200, '{"count": 2}')).toEqual({ ok: true, value: { count: 2 } });
    expect(classifyResponse(200, 'null')).toEqual({ ok: true, value: null });
    expect(classifyResponse(200, '"errorType"')).toEqual({ ok: true, value: 'errorType' });
    const result = { errorType: 'Validation', errorMessage: 'field x', statusCode: 400 };
    expect(classifyResponse(200, JSON.stringify(result))).toEqual({ ok: true, value: result });
    expect(classifyResponse(200, '{"errorType": 1, "errorMessage": "x"}')).toMatchObject({ ok: true });
  });

  it('fails on a non-200 status or a function-error header', () => {
    expect(classifyResponse(500, 'Internal Server Error')).toEqual({ ok: false, errorType: 'HTTP 500', errorMessage: 'Internal Server Error', stackTrace: [] });
    expect(classifyResponse(200, '"x"', 'Unhandled')).toMatchObject({ ok: false, errorType: 'Unhandled' });
  });
});

describe('talking to the emulator', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await new Promise((r) => server!.close(r));
    server = undefined;
  });
  const listen = (handler: Parameters<typeof createServer>[1]) =>
    new Promise<number>((resolve) => {
      server = createServer(handler);
      server.listen(0, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port));
    });

  it('POSTs the dispatcher payload to the invoke path and times the answer', async () => {
    let seen: { url?: string; method?: string; body?: string } = {};
    const port = await listen((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen = { url: req.url, method: req.method, body };
        res.end('{"ok":1}');
      });
    });
    const { outcome, seconds } = await invokeEmulator(port, dispatcherPayload('ingest', { id: 1 }), 5_000);
    expect(seen).toEqual({ url: INVOKE_PATH, method: 'POST', body: '{"handler":"ingest","event":{"id":1}}' });
    expect(outcome).toEqual({ ok: true, value: { ok: 1 } });
    expect(seconds).toBeGreaterThan(0);
  });

  it('gives up on an invocation that does not answer in time', async () => {
    const port = await listen(() => {});
    await expect(invokeEmulator(port, {}, 300)).rejects.toThrow(InvocationTimeout);
    server!.closeAllConnections();
  });

  it('waits until the emulator answers HTTP (any status)', async () => {
    const probe = createServer((_req, res) => res.writeHead(404).end('404 page not found'));
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    setTimeout(() => {
      server = createServer((_req, res) => res.writeHead(404).end('404 page not found'));
      server.listen(port, '127.0.0.1');
    }, 300);
    const waited = await waitForEmulator(port, { timeoutMs: 5_000, alive: async () => true, intervalMs: 20 });
    expect(waited).toBeGreaterThanOrEqual(0.25);
  });

  it('stops waiting when the container has stopped, or after the timeout', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    await expect(waitForEmulator(port, { timeoutMs: 5_000, alive: async () => false, intervalMs: 10 })).rejects.toThrow(
      new EmulatorNotReady('the container stopped'),
    );
    await expect(waitForEmulator(port, { timeoutMs: 200, alive: async () => true, intervalMs: 10 })).rejects.toThrow(
      /nothing answered on port \d+ within 0 s/,
    );
  });
});
