// `npm run local -- --watch` for real: generated projects, their tooling from the test run's
// registry, the real Docker daemon, the real emulator and runtime clients (test/support/
// baseimages.ts). A change is made as an editor makes it, and the run is read as a user reads it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateProject } from '../support/generate.ts';
import { installProject } from '../support/install.ts';
import { ensureBaseImages } from '../support/baseimages.ts';
import { PROJECT_LABEL, WatchRun, containersOf, edit, imageIdOf, interruptAll, removeProjects } from '../support/local-runs.ts';

const work = mkdtempSync(join(tmpdir(), 'watch-e2e-'));
const names = {
  python: `watch-e2e-py-${process.pid}`,
  nodejs: `watch-e2e-node-${process.pid}`,
  ruby: `watch-e2e-rb-${process.pid}`,
  custom: `watch-e2e-cu-${process.pid}`,
};

beforeAll(async () => {
  await ensureBaseImages(['python', 'nodejs']);
}, 600_000);

afterEach(interruptAll);

afterAll(() => removeProjects(Object.values(names), work));

describe('npm run local -- --watch in a generated Python project', { timeout: 240_000 }, () => {
  let dir: string;
  const core = () => join(dir, names.python.replaceAll('-', '_'), 'core.py');
  beforeAll(async () => {
    dir = await generateProject(join(work, 'python'), { name: names.python, runtime: 'python', handlers: 'ingest,report_daily' });
    await installProject(dir);
  }, 300_000);

  it('a one-line change in the core library: the new result, without a build; a syntax error is shown and the fix recovers; Ctrl-C leaves nothing', async () => {
    const run = new WatchRun(dir, ['ingest']);
    let at = await run.waitFor(/^Watching .* for changes \(Ctrl-C to stop\)$/m);
    expect(run.output).toMatch(/^✔ ingest {2}ok .*\n {4}\{"handler":"ingest","count":2,"total":19\.75\}$/m);
    expect(run.output).not.toContain('report_daily');
    const image = await imageIdOf(`${names.python}:local`);
    const restore = edit(core(), (t) => t.replace('"count": len(records)', '"count": len(records) + 100'));
    try {
      at = await run.waitFor(/\{"handler":"ingest","count":102,"total":19\.75\}\n/, at);
      const cycle = run.output.slice(0, at).split('↻ ').at(-1)!;
      expect(cycle).toMatch(/^\S+core\.py changed: restart the runtime \(no build\)$/m);
      expect(cycle).not.toContain('Building');
      at = await run.waitFor(/^Results (\d+ ms|[\d.]+ s) after the change\. Watching for changes \(Ctrl-C to stop\)$/m, at);
      // The restart is not a failure of the handler: one passing result, nothing else.
      expect(run.output.slice(0, at).split('↻ ').at(-1)).toMatch(/^PASS 1 handler: 1 ok, 0 failed/m);
      expect(await imageIdOf(`${names.python}:local`)).toBe(image);
      expect(await containersOf(names.python)).toHaveLength(1);

      edit(core(), (t) => t.replace('def summarize(', 'def summarize(:'));
      at = await run.waitFor(/^✘ ingest {2}failed .*\n {4}Runtime\.UserCodeSyntaxError: .*/m, at);
      at = await run.waitFor(/Watching for changes/, at);
      edit(core(), (t) => t.replace('def summarize(:', 'def summarize('));
      at = await run.waitFor(/\{"handler":"ingest","count":102,"total":19\.75\}\n/, at);
      await run.waitFor(/Watching for changes/, at);
      expect(await imageIdOf(`${names.python}:local`)).toBe(image);
    } finally {
      restore();
    }
    const { exitCode, stderr } = await run.interrupt();
    expect(stderr).toContain('SIGINT: stopping and removing the container');
    expect(exitCode).toBe(130);
    expect(await containersOf(names.python)).toEqual([]);
  });

  // The base images' entrypoint takes exactly one argument (the handler) and exits 142 otherwise.
  const broken: [string, (dockerfile: string) => string, RegExp][] = [
    ['a first build that fails', (t) => t.replace(/^CMD /m, 'RUN echo "broken on purpose" && false\nCMD '), /broken on purpose[^]*^error: .*build/m],
    ['a first container that exits early', (t) => t.replace(/^CMD \["([^"]+)"\]/m, 'CMD ["$1", "extra"]'), /^error: the container exited early \(exit code 142\)/m],
  ];
  for (const [what, breakIt, shown] of broken) {
    it(`${what} is shown, and the watch waits: the fix builds and runs`, async () => {
      const restore = edit(join(dir, 'Dockerfile'), breakIt);
      const run = new WatchRun(dir, ['ingest']);
      try {
        let at = await run.waitFor(shown);
        at = await run.waitFor(/^Watching .* for changes/m, at);
        expect(await containersOf(names.python)).toEqual([]);
        restore();
        at = await run.waitFor(/^↻ Dockerfile changed: rebuild, new container$/m, at);
        at = await run.waitFor(/\{"handler":"ingest","count":2,"total":19\.75\}\n/, at);
        await run.waitFor(/Watching for changes/, at);
        expect(await containersOf(names.python)).toHaveLength(1);
      } finally {
        restore();
      }
      const { exitCode } = await run.interrupt();
      expect(exitCode).toBe(130);
      expect(await containersOf(names.python)).toEqual([]);
    });
  }

  it('a change to requirements.txt rebuilds the image and replaces the container', async () => {
    const run = new WatchRun(dir, ['ingest']);
    let at = await run.waitFor(/^Watching .* for changes/m);
    const [before] = await containersOf(names.python);
    const restore = edit(join(dir, 'requirements.txt'), (t) => `${t}\n# pinned for the watch test\n`);
    try {
      at = await run.waitFor(/^↻ requirements\.txt changed: rebuild, new container$/m, at);
      at = await run.waitFor(/^Built .* in /m, at);
      at = await run.waitFor(/^✔ ingest {2}ok /m, at);
      at = await run.waitFor(/Watching for changes/, at);
      const after = await containersOf(names.python);
      expect(after).toHaveLength(1);
      expect(after[0]).not.toBe(before);
    } finally {
      restore();
    }
    const { exitCode } = await run.interrupt();
    expect(exitCode).toBe(130);
    expect(await containersOf(names.python)).toEqual([]);
  });
});

describe('npm run local -- --watch in a generated Node.js project', { timeout: 240_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await generateProject(join(work, 'nodejs'), { name: names.nodejs, runtime: 'nodejs', handlers: 'ingest,report_daily' });
    await installProject(dir);
  }, 300_000);

  it('a one-line change in src/core.mjs: the new result for every handler, without a build', async () => {
    const run = new WatchRun(dir, []);
    let at = await run.waitFor(/^Watching .* for changes/m);
    const image = await imageIdOf(`${names.nodejs}:local`);
    const restore = edit(join(dir, 'src/core.mjs'), (t) => t.replace('count: records.length', 'count: records.length + 100'));
    try {
      at = await run.waitFor(/^↻ src\/core\.mjs changed: restart the runtime \(no build\)$/m, at);
      at = await run.waitFor(/^PASS 2 handlers: 2 ok, 0 failed/m, at);
      const cycle = run.output.slice(0, at).split('↻ ').at(-1)!;
      expect(cycle).toContain('{"handler":"ingest","count":102,"total":19.75}');
      expect(cycle).toContain('{"handler":"report_daily","count":102,"total":19.75}');
      expect(await imageIdOf(`${names.nodejs}:local`)).toBe(image);
      // An events file only invokes again.
      const restoreEvent = edit(join(dir, 'events/ingest.json'), (t) => t.replace(/"amount": [\d.]+/, '"amount": 1000'));
      try {
        at = await run.waitFor(/^↻ events\/ingest\.json changed: invoke again$/m, at);
        await run.waitFor(/^PASS 2 handlers/m, at);
      } finally {
        restoreEvent();
      }
    } finally {
      restore();
    }
    const { exitCode } = await run.interrupt();
    expect(exitCode).toBe(130);
    expect(await containersOf(names.nodejs)).toEqual([]);
  });
});

describe('npm run local -- --watch in Ruby and custom-runtime projects', { timeout: 240_000 }, () => {
  const dirs: Record<string, string> = {};
  beforeAll(async () => {
    await ensureBaseImages(['ruby', 'custom']);
    for (const runtime of ['ruby', 'custom'] as const) {
      dirs[runtime] = await generateProject(join(work, runtime), { name: names[runtime], runtime, handlers: 'ingest,report_daily' });
      await installProject(dirs[runtime]!);
    }
  }, 600_000);

  it('Ruby: a change in lib/ restarts the runtime over the bound code, without a build', async () => {
    const dir = dirs.ruby!;
    const run = new WatchRun(dir, ['ingest']);
    let at = await run.waitFor(/^Watching .* for changes/m);
    const image = await imageIdOf(`${names.ruby}:local`);
    const core = join(dir, 'lib', names.ruby.replaceAll('-', '_'), 'core.rb');
    const restore = edit(core, (t) => t.replace("'count' => records.size", "'count' => records.size + 100"));
    try {
      at = await run.waitFor(/^↻ \S+core\.rb changed: restart the runtime \(no build\)$/m, at);
      at = await run.waitFor(/\{"handler":"ingest","count":102,"total":19\.75\}\n/, at);
      await run.waitFor(/^PASS 1 handler: 1 ok, 0 failed/m, at);
      expect(await imageIdOf(`${names.ruby}:local`)).toBe(image);
    } finally {
      restore();
    }
    const { exitCode } = await run.interrupt();
    expect(exitCode).toBe(130);
    expect(await containersOf(names.ruby)).toEqual([]);
  });

  it('custom runtime: a code change rebuilds the code layer only (the dnf layer stays cached) and replaces the container; one image is left', async () => {
    const dir = dirs.custom!;
    const run = new WatchRun(dir, ['ingest']);
    let at = await run.waitFor(/^Watching .* for changes/m);
    const [before] = await containersOf(names.custom);
    // Unique content: an earlier run's identical layer would be cached.
    const restore = edit(join(dir, 'lib/core.sh'), (t) => `${t.replace('{count: length,', '{count: (length + 100),')}\n# ${process.pid} ${Date.now()}\n`);
    try {
      at = await run.waitFor(/^↻ lib\/core\.sh changed: rebuild, new container$/m, at);
      const cycleStart = at;
      at = await run.waitFor(/\{"handler":"ingest","count":102,"total":19\.75\}\n/, at);
      const cycle = run.output.slice(cycleStart, at);
      expect(cycle).toMatch(/^ {2}\[\d+\/\d+\] RUN dnf install .* cached$/m);
      expect(cycle).toMatch(/^ {2}\[\d+\/\d+\] COPY lib\/ .* (\d+ ms|[\d.]+ s)$/m);
      await run.waitFor(/Watching for changes/, at);
      const after = await containersOf(names.custom);
      expect(after).toHaveLength(1);
      expect(after[0]).not.toBe(before);
    } finally {
      restore();
    }
    const { exitCode } = await run.interrupt();
    expect(exitCode).toBe(130);
    expect(await containersOf(names.custom)).toEqual([]);
    const { stdout } = await execa('docker', ['images', '--quiet', '--filter', `label=${PROJECT_LABEL}=${names.custom}`]);
    expect(new Set(stdout.split('\n').filter(Boolean)).size).toBe(1);
  });
});
