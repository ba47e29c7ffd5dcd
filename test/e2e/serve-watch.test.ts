// `npm run local -- --serve --watch` for real: a project made by the real generator, the real
// Docker daemon, the real emulator (which crashes on a second concurrent invocation) and
// runtime client. The server keeps serving while the code changes: a change in the core
// library restarts the runtime in place (no build) once the container is idle, and the
// requests that wait meanwhile are answered by the new code; a Dockerfile or lambda-image.json
// change builds and swaps the containers, a failed build leaving the old ones serving.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateProject } from '../support/generate.ts';
import { installProject } from '../support/install.ts';
import { ensureBaseImages } from '../support/baseimages.ts';
import { PROJECT_LABEL, imageIdOf, removeProjects } from '../support/local-runs.ts';

const work = mkdtempSync(join(tmpdir(), 'serve-watch-e2e-'));
const project = `serve-watch-e2e-py-${process.pid}`;
let dir: string;
const core = () => join(dir, project.replaceAll('-', '_'), 'core.py');

async function containersOf(filter: 'all' | 'running' = 'all'): Promise<string[]> {
  const args = ['ps', '--quiet', '--filter', `label=${PROJECT_LABEL}=${project}`];
  const { stdout } = await execa('docker', filter === 'all' ? [...args, '--all'] : [...args, '--filter', 'status=running']);
  return stdout.split('\n').filter(Boolean);
}

/** A `lambda-image local --serve --watch` in its own process group, as a terminal runs it. */
class Served {
  readonly run: ResultPromise<{ cwd: string; reject: false; detached: true; env: Record<string, string> }>;
  err = '';
  out = '';
  ended: number | undefined;
  url = '';

  constructor() {
    this.run = execa('node_modules/.bin/lambda-image', ['local', '--serve', '--watch', '--port', '0'], { cwd: dir, reject: false, detached: true, env: { NO_COLOR: '1' } });
    this.run.stderr!.on('data', (c: Buffer) => (this.err += c.toString()));
    this.run.stdout!.on('data', (c: Buffer) => (this.out += c.toString()));
    void this.run.then((r) => (this.ended = r.exitCode ?? -1));
  }

  /** Waits until stderr after `from` matches; returns the index after the match. */
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 120_000): Promise<number> {
    const started = Date.now();
    for (;;) {
      const match = pattern.exec(this.err.slice(from));
      if (match) return from + match.index + match[0].length;
      if (this.ended !== undefined) throw new Error(`ended (${this.ended}) before ${pattern}; stderr:\n${this.err}`);
      if (Date.now() - started > timeoutMs) throw new Error(`no ${pattern} within ${timeoutMs / 1000} s; stderr:\n${this.err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async serving(): Promise<number> {
    const at = await this.waitFor(/^Watching .* for changes \(Ctrl-C to stop\)$/m);
    this.url = /^Serving on (http:\/\/127\.0\.0\.1:\d+)/m.exec(this.err)![1]!;
    return at;
  }

  /** Ctrl-C, as the terminal sends it: SIGINT to the whole process group. */
  async interrupt() {
    running.delete(this);
    if (this.ended === undefined) process.kill(-this.run.pid!, 'SIGINT');
    return this.run;
  }
}

const running = new Set<Served>();
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
interface Slow {
  n: number;
  v: number;
  /** When the handler began, in the container's clock. */
  t: number;
  host: string;
}

/** Edits a file in place, as an editor saving it does. */
function edit(path: string, change: (text: string) => string): void {
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`edit of ${path} changed nothing`);
  writeFileSync(path, after);
}

beforeAll(async () => {
  await ensureBaseImages(['python']);
  dir = await generateProject(join(work, 'python'), { name: project, runtime: 'python', handlers: 'ingest,slow' });
  await installProject(dir);
  // slow proves that no invocation overlaps another or a restart: a marker file in the
  // container's /tmp from entry to exit, and a failure when it is already there (a runtime
  // killed mid-invocation would leave it behind).
  writeFileSync(
    core(),
    `${readFileSync(core(), 'utf8')}

VERSION = 1

def slow(event):
    import os, socket, time
    marker = "/tmp/lambda-image-in-flight"
    if os.path.exists(marker):
        raise RuntimeError("two invocations at once in this container")
    open(marker, "w").close()
    started = time.time()
    try:
        time.sleep(event.get("ms", 100) / 1000)
        return {"n": event.get("n"), "v": VERSION, "t": started, "host": socket.gethostname()}
    finally:
        os.remove(marker)
`,
  );
}, 600_000);

afterEach(async () => {
  for (const served of running) await served.interrupt();
});

afterAll(() => removeProjects([project], work));

describe('npm run local -- --serve --watch (Python)', { timeout: 300_000 }, () => {
  it('a one-line change in the core library: the next request gets the new code without a build; concurrent requests during the reload are all answered, none overlapping; Ctrl-C leaves nothing', async () => {
    const served = new Served();
    running.add(served);
    let at = await served.serving();
    const servingAt = at;
    const first = await post(`${served.url}/slow`, { n: 0 });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ n: 0, v: 1 });
    const image = await imageIdOf(`${project}:local`);

    // 12 clients at once (~3.6 s of work in one container), and the change made while they wait.
    const burst = Promise.all(Array.from({ length: 12 }, (_, i) => post(`${served.url}/slow`, { n: i + 1, ms: 300 })));
    await new Promise((r) => setTimeout(r, 400));
    edit(core(), (t) => t.replace('VERSION = 1', 'VERSION = 2'));
    at = await served.waitFor(/^↻ \S+core\.py changed: restarted the runtime in 1 container, no build \(requests held (\d+ ms|[\d.]+ s)\); (\d+ ms|[\d.]+ s) after the change$/m, at);
    const answers = await burst;
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as Slow[];
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    expect(bodies.map((b) => b.n)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // In the order they ran: the old code until the restart, the new one for every request after it.
    const versions = [...bodies].sort((a, b) => a.t - b.t).map((b) => b.v);
    expect(versions).toEqual([...versions].sort());
    expect(versions[0]).toBe(1);
    expect(versions.at(-1)).toBe(2);
    expect(new Set(bodies.map((b) => b.host)).size).toBe(1);

    const next = await post(`${served.url}/slow`, { n: 99 });
    expect(await next.json()).toMatchObject({ n: 99, v: 2 });
    expect(await imageIdOf(`${project}:local`)).toBe(image);
    expect(served.err.slice(servingAt)).not.toContain('Building');
    expect(await containersOf('running')).toHaveLength(1);
    expect(served.out.match(/^✘/gm)).toBeNull();

    const { exitCode } = await served.interrupt();
    expect(served.err).toContain('SIGINT: stopping the server and removing the containers');
    expect(exitCode).toBe(130);
    expect(await containersOf()).toEqual([]);
  });

  it('a failed build leaves the old containers serving; the fix swaps in new ones; lambda-image.json without a handler takes its route away', async () => {
    const served = new Served();
    running.add(served);
    let at = await served.serving();
    const before = await containersOf('running');
    expect(before).toHaveLength(1);
    const dockerfile = join(dir, 'Dockerfile');
    const original = readFileSync(dockerfile, 'utf8');
    let restored = false;
    try {
      edit(dockerfile, (t) => t.replace(/^CMD /m, 'RUN echo "broken on purpose" && false\nCMD '));
      at = await served.waitFor(/^↻ Dockerfile changed: the build failed, the previous containers keep serving; .* after the change$/m, at);
      const during = await post(`${served.url}/slow`, { n: 1 });
      expect(during.status).toBe(200);
      expect(await containersOf('running')).toEqual(before);

      writeFileSync(dockerfile, original);
      restored = true;
      at = await served.waitFor(/^↻ Dockerfile changed: built in .*, swapped in 1 new container \(requests held .*\); .* after the change$/m, at);
      expect((await post(`${served.url}/slow`, { n: 2 })).status).toBe(200);
      const after = await containersOf('all');
      expect(after).toHaveLength(1);
      expect(after).not.toEqual(before);
    } finally {
      if (!restored) writeFileSync(dockerfile, original);
    }

    const manifestPath = join(dir, 'lambda-image.json');
    const manifest = readFileSync(manifestPath, 'utf8');
    try {
      const parsed = JSON.parse(manifest) as { handlers: { name: string }[] };
      parsed.handlers = parsed.handlers.filter((h) => h.name !== 'ingest');
      writeFileSync(manifestPath, `${JSON.stringify(parsed, null, 2)}\n`);
      at = await served.waitFor(/^↻ lambda-image\.json changed: reloaded lambda-image\.json, gone: ingest, built in .*, swapped in 1 new container .*$/m, at);
      expect((await post(`${served.url}/ingest`, {})).status).toBe(404);
      expect((await post(`${served.url}/slow`, { n: 3 })).status).toBe(200);
    } finally {
      writeFileSync(manifestPath, manifest);
    }
    const { exitCode } = await served.interrupt();
    expect(exitCode).toBe(130);
    expect(await containersOf()).toEqual([]);
  });
});
