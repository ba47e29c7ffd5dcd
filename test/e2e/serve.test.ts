// `npm run local -- --serve` for real: a project made by the real generator, its tooling from
// the test run's registry, the real Docker daemon, and the real Runtime Interface Emulator in
// the real-parts base image (test/support/baseimages.ts), which crashes on a second concurrent
// invocation: the server must queue.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProject } from '../support/generate.ts';
import { installProject } from '../support/install.ts';
import { ensureBaseImages } from '../support/baseimages.ts';
import { PROJECT_LABEL, post, removeProjects, startServe, type Served } from '../support/local-runs.ts';

const work = mkdtempSync(join(tmpdir(), 'serve-e2e-'));
const project = `serve-e2e-py-${process.pid}`;
const nodeProject = `serve-e2e-node-${process.pid}`;
let dir: string;

async function containersOf(filter = 'all', name = project): Promise<string[]> {
  const args = ['ps', '--quiet', '--filter', `label=${PROJECT_LABEL}=${name}`];
  const { stdout } = await execa('docker', filter === 'all' ? [...args, '--all'] : [...args, '--filter', 'status=running']);
  return stdout.split('\n').filter(Boolean);
}

/** Starts `lambda-image local --serve` and waits for its URL. */
const serve = (args: string[] = [], cwd = dir, name = project): Promise<Served> => startServe(cwd, name, args);

/** Ctrl-C: the server stops, every container goes, exit 130. */
async function interrupt(served: Served): Promise<void> {
  served.run.kill('SIGINT');
  const { exitCode } = await served.run;
  expect(served.stderr()).toContain('SIGINT: stopping the server and removing the containers');
  expect(exitCode).toBe(130);
  expect(await containersOf('all', served.project)).toEqual([]);
}

beforeAll(async () => {
  await ensureBaseImages(['python', 'nodejs']);
  dir = await generateProject(join(work, 'python'), { name: project, runtime: 'python', handlers: 'ingest,slow,api:url' });
  await installProject(dir);
  const core = join(dir, project.replaceAll('-', '_'), 'core.py');
  // slow proves that no container ever runs two invocations at once: a marker file in the
  // container's /tmp from entry to exit, and a failure when it is already there.
  writeFileSync(
    core,
    `${readFileSync(core, 'utf8')}

def slow(event):
    import os, socket, time
    marker = "/tmp/lambda-image-in-flight"
    if os.path.exists(marker):
        raise RuntimeError("two invocations at once in this container")
    open(marker, "w").close()
    try:
        time.sleep(event.get("ms", 100) / 1000)
        return {"n": event.get("n"), "host": socket.gethostname()}
    finally:
        os.remove(marker)

def ingest(event):
    import os, time
    print("ingest got", event)
    if event.get("crash"):
        os._exit(3)
    time.sleep(event.get("sleep", 0))
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"handler": "ingest", "got": event}
`,
  );
  // ingest gets a timeout of its own: its own container, apart from slow and api.
  const manifestPath = join(dir, 'lambda-image.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { handlers: Record<string, unknown>[] };
  Object.assign(manifest.handlers.find((h) => h.name === 'ingest')!, { timeout: 2 });
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}, 600_000);

afterAll(() => removeProjects([project, nodeProject], work));

describe('npm run local -- --serve', { timeout: 180_000 }, () => {
  it('answers 20 concurrent clients through one emulator, one invocation at a time, and keeps serving after a timeout and a crash', async () => {
    const served = await serve();
    try {
      expect(served.stderr().match(/^Started /gm)).toHaveLength(2);
      const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => post(`${served.url}/slow`, { n })));
      const bodies = await Promise.all(answers.map((a) => a.json() as Promise<{ n: number; host: string }>));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(bodies.map((b) => b.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
      expect(new Set(bodies.map((b) => b.host)).size).toBe(1);
      // The emulator survived: both containers still run.
      expect(await containersOf('running')).toHaveLength(2);
      expect(served.stdout().match(/^✔ slow {4}200 {2}\S+ m?s {2}POST \/slow$/gm)).toHaveLength(20);

      const timedOut = await post(`${served.url}/ingest`, { sleep: 5 });
      expect(timedOut.status).toBe(504);
      expect(await timedOut.json()).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 2.00 seconds') });
      const crashed = await post(`${served.url}/ingest`, { crash: true });
      expect(crashed.status).toBe(502);
      expect(await crashed.json()).toMatchObject({ errorType: 'Runtime.ExitError' });
      const raised = await post(`${served.url}/ingest`, { fail: true });
      expect(raised.status).toBe(500);
      expect(raised.headers.get('x-amz-function-error')).toBe('Unhandled');
      expect(await raised.json()).toMatchObject({ errorType: 'ValueError', errorMessage: 'asked to fail' });
      const ok = await post(`${served.url}/ingest`, { id: 1 });
      expect(await ok.json()).toEqual({ handler: 'ingest', got: { id: 1 } });
      expect(served.stdout()).toMatch(/^✘ ingest {2}504 {2}.*POST \/ingest {2}Sandbox\.Timedout: Task timed out after 2\.00 seconds/m);
      expect(served.stdout()).toMatch(/^ {4}ingest │ ingest got \{'id': 1\}$/m);
      expect(await containersOf('running')).toHaveLength(2);
    } finally {
      await interrupt(served);
    }
  });

  it('--concurrency 2 spreads a group’s requests over two containers, each one invocation at a time', async () => {
    const served = await serve(['slow', '--concurrency', '2']);
    try {
      // 8 s of work in one container: the second has time to start however loaded the machine is.
      const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => post(`${served.url}/slow`, { n, ms: 400 })));
      const bodies = await Promise.all(answers.map((a) => a.json() as Promise<{ n: number; host: string }>));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(new Set(bodies.map((b) => b.host)).size).toBe(2);
      expect(served.stderr().match(/^Started /gm)).toHaveLength(2);
      expect(await containersOf('running')).toHaveLength(2);
    } finally {
      await interrupt(served);
    }
  });

  it('says when the port is taken (exit 1, no container), and SIGTERM stops it like Ctrl-C (143)', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const { exitCode, stderr } = await execa('node_modules/.bin/lambda-image', ['local', '--serve', '--port', String(port)], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
      expect(stderr).toContain(`error: port ${port} on 127.0.0.1 is in use: choose another with --port <n>, or --port 0 for any free one`);
      expect(exitCode).toBe(1);
      expect(await containersOf()).toEqual([]);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    const served = await serve();
    served.run.kill('SIGTERM');
    expect((await served.run).exitCode).toBe(143);
    expect(await containersOf()).toEqual([]);
  });

  describe('one server', () => {
    let served: Served;
    beforeAll(async () => {
      served = await serve();
    }, 180_000);
    afterAll(async () => {
      await interrupt(served);
    }, 60_000);

    it('an AWS SDK LambdaClient pointed at it invokes by function name: payload, function errors, log tail, Event, DryRun, unknown function', async () => {
      const client = new LambdaClient({ endpoint: served.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      const decode = (payload?: Uint8Array) => JSON.parse(Buffer.from(payload!).toString()) as unknown;
      const ok = await client.send(new InvokeCommand({ FunctionName: `${project}-ingest`, Payload: JSON.stringify({ id: 7 }), LogType: 'Tail' }));
      expect(ok.StatusCode).toBe(200);
      expect(ok.FunctionError).toBeUndefined();
      expect(decode(ok.Payload)).toEqual({ handler: 'ingest', got: { id: 7 } });
      expect(Buffer.from(ok.LogResult!, 'base64').toString()).toMatch(/ingest got \{'id': 7\}\nREPORT (Init Duration: \S+ ms {2})?Duration: /);
      const failed = await client.send(new InvokeCommand({ FunctionName: 'ingest', Payload: JSON.stringify({ fail: true }) }));
      expect(failed.StatusCode).toBe(200);
      expect(failed.FunctionError).toBe('Unhandled');
      expect(decode(failed.Payload)).toMatchObject({ errorType: 'ValueError', errorMessage: 'asked to fail' });
      const event = await client.send(new InvokeCommand({ FunctionName: `${project}-slow`, InvocationType: 'Event', Payload: JSON.stringify({ n: 1 }) }));
      expect(event.StatusCode).toBe(202);
      const dryRun = await client.send(new InvokeCommand({ FunctionName: `${project}-slow`, InvocationType: 'DryRun' }));
      expect(dryRun.StatusCode).toBe(204);
      await expect(client.send(new InvokeCommand({ FunctionName: `${project}-nope` }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      client.destroy();
    });

    it('a url handler answers a GET with a query string, and a POST with a body, through its function URL', async () => {
      const get = await fetch(`${served.url}/api/orders/7?x=1&x=2&y=z`, { headers: { cookie: 'a=1' } });
      expect(get.status).toBe(200);
      expect(get.headers.get('content-type')).toBe('application/json');
      expect(await get.json()).toEqual({ handler: 'api', method: 'GET', path: '/orders/7', query: { x: '1,2', y: 'z' }, received: {} });
      const postAnswer = await post(`${served.url}/api/`, { order: 7 });
      expect(await postAnswer.json()).toEqual({ handler: 'api', method: 'POST', path: '/', query: {}, received: { order: 7 } });
      // POST /api stays the plain invoke route: the event is the body as it is.
      const plain = await post(`${served.url}/api`, { rawPath: '/x', requestContext: { http: { method: 'PATCH' } } });
      expect(JSON.parse(((await plain.json()) as { body: string }).body)).toMatchObject({ method: 'PATCH', path: '/x' });
      expect(served.stdout()).toMatch(/^✔ api {5}200 {2}\S+ m?s {2}GET \/api\/orders\/7\?x=1&x=2&y=z$/m);
    });
  });
});

describe('npm run local -- --serve in a generated Node.js project', { timeout: 300_000 }, () => {
  it('answers concurrent clients one at a time, an AWS SDK client, and a url handler’s GET with a query string; Ctrl-C leaves no container', async () => {
    const nodeDir = await generateProject(join(work, 'nodejs'), { name: nodeProject, runtime: 'nodejs', handlers: 'ingest,api:url' });
    await installProject(nodeDir);
    const served = await serve([], nodeDir, nodeProject);
    try {
      expect(served.stderr().match(/^Started /gm)).toHaveLength(1);
      const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => post(`${served.url}/ingest`, { records: [{ amount: n }] })));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(await Promise.all(answers.map((a) => a.json()))).toEqual(Array.from({ length: 20 }, (_, n) => ({ handler: 'ingest', count: 1, total: n })));
      expect(await containersOf('running', nodeProject)).toHaveLength(1);

      const client = new LambdaClient({ endpoint: served.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      const invoked = await client.send(new InvokeCommand({ FunctionName: `${nodeProject}-ingest`, Payload: JSON.stringify({ records: [{ amount: 1.5 }, { amount: 2 }] }) }));
      expect(JSON.parse(Buffer.from(invoked.Payload!).toString())).toEqual({ handler: 'ingest', count: 2, total: 3.5 });
      client.destroy();

      const get = await fetch(`${served.url}/api/items?q=lamp&page=2`);
      expect(get.status).toBe(200);
      expect(await get.json()).toEqual({ handler: 'api', method: 'GET', path: '/items', query: { q: 'lamp', page: '2' }, received: {} });
    } finally {
      await interrupt(served);
    }
  });
});
