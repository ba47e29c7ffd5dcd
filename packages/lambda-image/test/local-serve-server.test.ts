// --serve's HTTP server over a pool of stand-in containers (no Docker): what it refuses and how,
// the Event invocation type, and a client that leaves while its request waits. The real
// emulator behind it is exercised by test/e2e/serve.test.ts.
import type { AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerGroup } from '../src/local/container-groups.ts';
import { ContainerPool, type PoolContainer } from '../src/local/container-pool.ts';
import type { ContainerInvocation } from '../src/local/local-container.ts';
import { createServeServer } from '../src/local/serve-server.ts';
import { plain } from '../src/shared/output.ts';

const group: ContainerGroup = { handlers: ['ingest', 'api'], timeout: 3, memory: 128, functionName: 'p', environment: {}, ownTimeout: false };

class Stand implements PoolContainer {
  retired: string | undefined;
  onIdle: (() => void) | undefined;
  readonly name = 'stand';
  readonly group = group;
  seen: unknown[] = [];
  private busy = false;
  get idle() {
    return !this.busy;
  }
  async invoke(_handler: string, payload: unknown): Promise<ContainerInvocation> {
    this.busy = true;
    this.seen.push(payload);
    await new Promise((r) => setTimeout(r, (payload as { event: { ms?: number } }).event.ms ?? 5));
    this.busy = false;
    this.onIdle?.();
    return { outcome: { ok: true, value: (payload as { event: unknown }).event }, seconds: 0.005, status: 200, log: { lines: ['hi'], report: 'Duration: 1 ms', initialised: false } };
  }
  detach() {}
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function start() {
  const stand = new Stand();
  const pool = new ContainerPool<Stand>({ recipe: { image: 'x', project: 'p', runId: 'r', keep: true }, groups: [group], concurrency: 1, namePrefix: 'p', startContainer: async () => stand });
  await pool.start();
  const out = new PassThrough();
  let printed = '';
  out.on('data', (c) => (printed += c));
  const server = createServeServer({ pool, routes: { project: 'orders', region: 'us-east-1', handlers: ['ingest', 'api'], urlHandlers: ['api'] }, out, paint: plain, quiet: false });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  close = () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stand, printed: () => printed };
}

describe('the --serve server', () => {
  it('answers POST /<handler> with the result and prints one line per request with the handler’s output', async () => {
    const { url, printed } = await start();
    const answer = await fetch(`${url}/ingest`, { method: 'POST', body: '{"id":1}' });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ id: 1 });
    expect(printed()).toMatch(/^✔ ingest {2}200 {2}5 ms {2}POST \/ingest\n {4}ingest │ hi\n {4}ingest │ REPORT Duration: 1 ms\n$/);
  });

  it('refuses a body that is not JSON (400), one over 6 MiB (413), a GET on the invoke route (405), an unknown path (404)', async () => {
    const { url, stand } = await start();
    expect((await fetch(`${url}/ingest`, { method: 'POST', body: '{' })).status).toBe(400);
    const api = await fetch(`${url}/2015-03-31/functions/orders-ingest/invocations`, { method: 'POST', body: 'nope' });
    expect([api.status, api.headers.get('x-amzn-errortype')]).toEqual([400, 'InvalidRequestContentException']);
    const big = await fetch(`${url}/2015-03-31/functions/orders-ingest/invocations`, { method: 'POST', body: 'x'.repeat(6 * 1024 * 1024 + 1) });
    expect([big.status, big.headers.get('x-amzn-errortype')]).toEqual([413, 'RequestTooLargeException']);
    expect((await fetch(`${url}/ingest`, { method: 'POST', body: 'x'.repeat(7 * 1024 * 1024) })).status).toBe(413);
    // Under 6 MiB as sent, over it as the function URL event (base64) Lambda would build.
    const binary = await fetch(`${url}/api/upload`, { method: 'PUT', body: Buffer.alloc(5 * 1024 * 1024), headers: { 'content-type': 'application/octet-stream' } });
    expect(binary.status).toBe(413);
    expect(await binary.text()).toMatch(/the event for handler "api" is 6\.7 MiB/);
    const get = await fetch(`${url}/ingest`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await fetch(`${url}/nope`, { method: 'POST' })).status).toBe(404);
    expect(stand.seen).toEqual([]);
  });

  it('Event: 202 at once, the invocation still runs; DryRun: 204 and nothing runs', async () => {
    const { url, stand } = await start();
    const event = await fetch(`${url}/2015-03-31/functions/ingest/invocations`, { method: 'POST', body: '{"ms":50}', headers: { 'x-amz-invocation-type': 'Event' } });
    expect(event.status).toBe(202);
    expect(stand.seen).toEqual([{ handler: 'ingest', event: { ms: 50 } }]);
    const dry = await fetch(`${url}/2015-03-31/functions/ingest/invocations`, { method: 'POST', body: '{}', headers: { 'x-amz-invocation-type': 'DryRun' } });
    expect(dry.status).toBe(204);
    expect(stand.seen).toHaveLength(1);
  });

  it('a request whose client leaves while it waits never reaches the container', async () => {
    const { url, stand, printed } = await start();
    const first = fetch(`${url}/ingest`, { method: 'POST', body: '{"n":1,"ms":200}' });
    await new Promise((r) => setTimeout(r, 30));
    // A raw request, destroyed while the first one runs.
    const left = httpRequest(`${url}/ingest`, { method: 'POST' });
    left.on('error', () => {});
    left.end('{"n":2}');
    await new Promise((r) => setTimeout(r, 50));
    left.destroy();
    expect((await first).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(stand.seen).toEqual([{ handler: 'ingest', event: { n: 1, ms: 200 } }]);
    expect(printed()).toContain('the client left before the invocation started');
  });

  it('turns a request under /<url handler>/ into a function URL event and its answer into the response', async () => {
    const { url, stand } = await start();
    const answer = await fetch(`${url}/api/a/b?x=1`, { method: 'PUT', body: 'text', headers: { 'content-type': 'text/plain' } });
    expect(answer.status).toBe(200);
    expect(stand.seen[0]).toMatchObject({ handler: 'api', event: { version: '2.0', rawPath: '/a/b', rawQueryString: 'x=1', body: 'text', isBase64Encoded: false, requestContext: { http: { method: 'PUT', path: '/a/b' } } } });
  });
});
