// The inner loop (--watch, --serve) off the beaten track, for real: projects generated with
// `--base-image` on the stand-ins of the public images (test/support/public-images.ts), their
// real runtime interface client, and the REAL Runtime Interface Emulator mounted from outside the
// image (--rie), where issue 15 promises watch and serve behave as on an AWS base image: the code
// is bound over what the base-image Dockerfile copied and the runtime the emulator started is
// restarted in place, no build. And a Go project (a compiled one, on the provided test base image
// with the golang builder stand-in, test/support/builderimages.ts), which --watch rebuilds: only
// the layers of the changed code, and the image it replaces does not stay behind.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateProject } from '../support/generate.ts';
import { installProject } from '../support/install.ts';
import { ensureBaseImages } from '../support/baseimages.ts';
import { ensureBuilderImage } from '../support/builderimages.ts';
import { emulatorBinary, ensurePublicImages, extraCaFile, type StandInName } from '../support/public-images.ts';
import { PROJECT_LABEL, WatchRun, containersOf, edit, imageIdOf, interruptAll, post, removeProjects, startServe } from '../support/local-runs.ts';

const work = mkdtempSync(join(tmpdir(), 'base-image-loop-e2e-'));
const extraCa = extraCaFile(work);
/** The build stages reach PyPI and npm through the machine's proxy, as in base-image.test.ts. */
const env: Record<string, string> = extraCa ? { NODE_EXTRA_CA_CERTS: extraCa } : {};
const projects: string[] = [];
const answer = (count: number) => `{"handler":"ingest","count":${count},"total":19.75}`;
/** The answer as its own output line. */
const answerLine = (count: number) => new RegExp(`${answer(count).replace(/[{}.]/g, '\\$&')}\\n`);

afterEach(interruptAll);

afterAll(() => removeProjects(projects, work));

interface Case {
  runtime: 'python' | 'nodejs';
  image: string;
  standIns: StandInName[];
  /** The core library, relative to the project, and the one-line change to it. */
  core: (name: string) => string;
  change: [string, string];
  /** A one-line syntax error in the core library. */
  syntaxError: [string, string];
}

const CASES: Case[] = [
  {
    runtime: 'python',
    image: 'python:3.13-slim',
    standIns: ['python:3.13-slim'],
    core: (name) => join(name.replaceAll('-', '_'), 'core.py'),
    change: ['"count": len(records)', '"count": len(records) + 100'],
    syntaxError: ['def summarize(', 'def summarize(:'],
  },
  {
    runtime: 'nodejs',
    image: 'node:24-slim',
    standIns: ['node:24-slim', 'node:24-bookworm'],
    core: () => join('src', 'core.mjs'),
    change: ['count: records.length', 'count: records.length + 100'],
    syntaxError: ['export function summarize(', 'export function summarize(:'],
  },
];

describe.each(CASES)('--watch and --serve in a $runtime project on $image, behind the emulator given by --rie', { timeout: 900_000 }, (c) => {
  const name = `loop-base-${c.runtime}-${process.pid}`;
  let dir: string;
  let rie: string;
  beforeAll(async () => {
    projects.push(name);
    rie = await emulatorBinary();
    await ensurePublicImages(c.standIns);
    dir = await generateProject(join(work, c.runtime), { name, runtime: c.runtime, baseImage: c.image, handlers: 'ingest,report_daily' });
    await installProject(dir);
  }, 900_000);

  it('--watch: a one-line change in the core library shows the new result without a build (same image, same container), a syntax error is shown and its fix recovers; Ctrl-C leaves nothing', async () => {
    const run = new WatchRun(dir, ['ingest', '--rie', rie], env);
    // The first build compiles the client (minutes for Node.js's native addon).
    let at = await run.waitFor(/^Watching .* for changes \(Ctrl-C to stop\)$/m, 0, 840_000);
    expect(run.output).toContain(`Emulator: ${rie} (--rie)`);
    expect(run.output).toContain(`✔ ingest  ok`);
    expect(run.output).toContain(answer(2));
    const image = await imageIdOf(`${name}:local`);
    const [container] = await containersOf(name);
    const restore = edit(join(dir, c.core(name)), (t) => t.replace(...c.change));
    try {
      at = await run.waitFor(answerLine(102), at);
      const cycle = run.cycle(at);
      expect(cycle).toMatch(/^\S+core\.(py|mjs) changed: restart the runtime \(no build\)$/m);
      expect(cycle).not.toContain('Building');
      at = await run.waitFor(/^Results (\d+ ms|[\d.]+ s) after the change\. Watching for changes \(Ctrl-C to stop\)$/m, at);
      // The throwaway invocation that spends the emulator's 502 is not a failure of the handler.
      expect(run.cycle(at)).toMatch(/^PASS 1 handler: 1 ok, 0 failed/m);
      expect(await imageIdOf(`${name}:local`)).toBe(image);
      expect(await containersOf(name)).toEqual([container]);

      // A runtime whose init fails ends by itself: the next restart must not wait for a 502 that does not come.
      const unbreak = edit(join(dir, c.core(name)), (t) => t.replace(...c.syntaxError));
      at = await run.waitFor(/^✘ ingest {2}failed .*\n {4}Runtime\.UserCodeSyntaxError\b.*/m, at);
      at = await run.waitFor(/Watching for changes/, at);
      unbreak();
      at = await run.waitFor(answerLine(102), at);
      at = await run.waitFor(/Watching for changes/, at);
      expect(run.cycle(at)).toMatch(/^PASS 1 handler: 1 ok, 0 failed/m);
      expect(await imageIdOf(`${name}:local`)).toBe(image);
      expect(await containersOf(name)).toEqual([container]);
    } finally {
      restore();
    }
    // Put back: the runtime restarts again, and the first result is back.
    at = await run.waitFor(answerLine(2), at);
    await run.waitFor(/Watching for changes/, at);
    const { exitCode, stderr } = await run.interrupt();
    expect(stderr).toContain('SIGINT: stopping and removing the container');
    expect(exitCode).toBe(130);
    expect(await containersOf(name)).toEqual([]);
  });

  it('--serve answers POST /<handler>, concurrent clients one at a time; Ctrl-C leaves nothing', async () => {
    const served = await startServe(dir, name, ['--rie', rie], env);
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, (_, n) => post(`${served.url}/ingest`, { records: [{ amount: n }, { amount: 1.25 }] })));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const bodies = await Promise.all(answers.map((r) => r.json()));
      expect(bodies).toEqual(Array.from({ length: 5 }, (_, n) => ({ handler: 'ingest', count: 2, total: n + 1.25 })));
      const report = await post(`${served.url}/report_daily`, { records: [{ amount: 7 }] });
      expect(await report.json()).toEqual({ handler: 'report_daily', count: 1, total: 7 });
      expect(served.stderr()).toContain(`Emulator: ${rie} (--rie)`);
    } finally {
      served.run.kill('SIGINT');
    }
    const { exitCode } = await served.run;
    expect(served.stderr()).toContain('SIGINT: stopping the server and removing the containers');
    expect(exitCode).toBe(130);
    expect(await containersOf(name)).toEqual([]);
  });
});

describe('--watch in a Go project (provided base image)', { timeout: 900_000 }, () => {
  const name = `loop-go-${process.pid}`;
  let dir: string;
  beforeAll(async () => {
    projects.push(name);
    await Promise.all([ensureBaseImages(['go']), ensureBuilderImage('go')]);
    dir = await generateProject(join(work, 'go'), { name, runtime: 'go', handlers: 'ingest,report_daily', arch: 'x86_64' });
    await installProject(dir);
  }, 900_000);

  it('a change in the core library rebuilds the code layers only (the modules stay cached), a new container shows the new result; one image is left', async () => {
    const run = new WatchRun(dir, ['ingest']);
    let at = await run.waitFor(/^Watching .* for changes/m, 0, 600_000);
    expect(run.output).toContain(answer(2));
    const [before] = await containersOf(name);
    // Unique content: an earlier run's identical layer would be cached.
    const restore = edit(join(dir, 'core/core.go'), (t) => `${t.replace('Summary{Count: len(records),', 'Summary{Count: len(records) + 100,')}\n// ${process.pid} ${Date.now()}\n`);
    try {
      at = await run.waitFor(/^↻ core\/core\.go changed: rebuild, new container$/m, at);
      const cycleStart = at;
      at = await run.waitFor(answerLine(102), at, 600_000);
      const cycle = run.output.slice(cycleStart, at);
      expect(cycle).toMatch(/^ {2}\[\d+\/\d+\] RUN go mod download .* cached$/m);
      expect(cycle).toMatch(/^ {2}\[\d+\/\d+\] COPY core\/ core\/ .* (\d+ ms|[\d.]+ s)$/m);
      expect(cycle).toMatch(/^ {2}\[\d+\/\d+\] RUN CGO_ENABLED=0 .* (\d+ ms|[\d.]+ s)$/m);
      await run.waitFor(/Watching for changes/, at);
      const after = await containersOf(name);
      expect(after).toHaveLength(1);
      expect(after[0]).not.toBe(before);
    } finally {
      restore();
    }
    const { exitCode } = await run.interrupt();
    expect(exitCode).toBe(130);
    expect(await containersOf(name)).toEqual([]);
    const { stdout } = await execa('docker', ['images', '--quiet', '--filter', `label=${PROJECT_LABEL}=${name}`]);
    expect(new Set(stdout.split('\n').filter(Boolean)).size).toBe(1);
  });
});
