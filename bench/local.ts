// `npm run local` timings, on base images of the real Lambda parts (test/support/baseimages.ts):
//   (a) cold:   build + start + invoke all, no layer of the project cached
//   (b) warm:   after a one-line change in the core library: rebuild + start + invoke all
//   (c) native: `--native` for all handlers
//   (d) size:   the image above its base image
// Wall time of the whole `lambda-image local` process (what `npm run local` runs),
// three handlers, medians of several runs. Aims: b <= 25% of a; c < 0.5 s.
//   node bench/local.ts [runs=5] [runtimes=python,nodejs]
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { generateProject } from '../test/support/generate.ts';
import { startRegistry } from '../test/support/registry.ts';
import { ensureBaseImages } from '../test/support/baseimages.ts';
import { extraCaFile } from '../test/support/public-images.ts';
import { median } from './stats.ts';

const runs = Number(process.argv[2] ?? 5);
const runtimes = (process.argv[3] ?? 'python,nodejs').split(',') as ('python' | 'nodejs')[];
// `--dependency`: the Python project requires a real PyPI package (six), the Node.js one a real npm
// package (is-number), installed by pip / npm ci in the image on every cold build; behind this
// network's TLS proxy its CA reaches that step only.
const withDependency = process.argv.includes('--dependency');
const caFile = withDependency ? extraCaFile(mkdtempSync(join(tmpdir(), 'bench-ca-'))) : undefined;
const HANDLERS = 'ingest,report_daily,notify';

const fmt = (s: number) => `${s.toFixed(2)} s`;
const mb = (bytes: number) => (bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(2)} MB`);

/** "1.23 s" or "450 ms" from the summary line, in seconds. */
function phase(summary: string, name: string): number {
  const match = new RegExp(`${name} (\\d+(?:\\.\\d+)?) (ms|s)`).exec(summary);
  if (!match) return NaN;
  return Number(match[1]) / (match[2] === 'ms' ? 1000 : 1);
}

interface Sample {
  total: number;
  build: number;
}

async function timed(cwd: string, args: string[]): Promise<Sample> {
  const started = performance.now();
  const result = await execa('node_modules/.bin/lambda-image', ['local', ...args], {
    cwd,
    reject: false,
    env: { NO_COLOR: '1', ...(caFile ? { NODE_EXTRA_CA_CERTS: caFile } : {}) },
  });
  const total = (performance.now() - started) / 1000;
  if (result.exitCode !== 0) throw new Error(`local ${args.join(' ')} failed (${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  return { total, build: phase(result.stdout, 'build') };
}

async function imageSize(tag: string): Promise<number> {
  const { stdout } = await execa('docker', ['image', 'inspect', '--format', '{{.Size}}', tag]);
  return Number(stdout.trim());
}

await ensureBaseImages(runtimes);
// lambda-image as a user installs it: published (here, to a local registry) at this version.
const registry = await startRegistry();
const work = mkdtempSync(join(tmpdir(), 'lambda-image-bench-local-'));
const rows: string[] = [];
try {
  for (const runtime of runtimes) {
    const name = `bench-local-${runtime}`;
    const tag = `${name}:local`;
    const dir = await generateProject(join(work, runtime), { name, runtime, handlers: HANDLERS });
    // lambda-image and the lockfile, as the user's `npm install` gives them (not timed).
    await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env: { npm_config_registry: registry.url } });
    const manifest = JSON.parse(readFileSync(join(dir, 'lambda-image.json'), 'utf8')) as { baseImage: string };
    // What a cold build must redo: the dependency layer. Changing its input (a comment in
    // requirements.txt, the description in package.json) makes it miss the cache for certain.
    const depsFile = join(dir, runtime === 'python' ? 'requirements.txt' : 'package.json');
    if (withDependency && runtime === 'python') {
      appendFileSync(depsFile, 'six==1.17.0\n');
      appendFileSync(join(dir, `${name.replaceAll('-', '_')}/core.py`), '\nimport six  # noqa: F401 (the real dependency)\n');
    }
    if (withDependency && runtime === 'nodejs') {
      // A lockfile that names no registry, as npm in the image resolves it from its own.
      await execa('npm', ['install', '--save', '--prefer-offline', '--no-audit', '--no-fund', 'is-number@7.0.0'], {
        cwd: dir,
        env: { npm_config_registry: registry.url, npm_config_omit_lockfile_registry_resolved: 'true' },
      });
      const core = join(dir, 'src/core.mjs');
      writeFileSync(core, `import isNumber from 'is-number'; // the real dependency\n${readFileSync(core, 'utf8')}`);
    }
    const depsText = readFileSync(depsFile, 'utf8');
    const coreFile = join(dir, runtime === 'python' ? `${name.replaceAll('-', '_')}/core.py` : 'src/core.mjs');
    const comment = runtime === 'python' ? '#' : '//';
    const samples = { cold: [] as Sample[], warm: [] as Sample[], native: [] as Sample[] };
    for (let i = 0; i < runs; i++) {
      const token = `${process.pid}-${Date.now()}-${i}`;
      await execa('docker', ['image', 'rm', '-f', tag], { reject: false });
      writeFileSync(
        depsFile,
        runtime === 'python' ? `${depsText}# bench ${token}\n` : depsText.replace(/"description": "[^"]*"/, `"description": "bench ${token}"`),
      );
      samples.cold.push(await timed(dir, []));
      appendFileSync(coreFile, `${comment} bench change ${token}\n`);
      samples.warm.push(await timed(dir, []));
      samples.native.push(await timed(dir, ['--native']));
    }
    const size = (await imageSize(tag)) - (await imageSize(manifest.baseImage));
    const totals = (xs: Sample[]) => median(xs.map((x) => x.total));
    const builds = (xs: Sample[]) => median(xs.map((x) => x.build));
    const [a, b, c] = [totals(samples.cold), totals(samples.warm), totals(samples.native)];
    const [buildA, buildB] = [builds(samples.cold), builds(samples.warm)];
    const pct = (x: number, y: number) => `${Math.round((x / y) * 100)}%`;
    rows.push(
      `| ${runtime} | ${fmt(a)} (build ${fmt(buildA)}) | ${fmt(b)} (build ${fmt(buildB)}) | ${pct(b, a)} (build ${pct(buildB, buildA)}) | ${fmt(c)} | ${mb(size)} |`,
    );
    const list = (xs: Sample[]) => xs.map((x) => fmt(x.total)).join(', ');
    console.error(`${runtime}: cold ${list(samples.cold)}; warm ${list(samples.warm)}; native ${list(samples.native)}`);
    await execa('docker', ['image', 'rm', '-f', tag], { reject: false });
  }
} finally {
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
}

console.log(`\`npm run local\` with 3 handlers${withDependency ? ' and a real dependency (Python: six by pip, Node.js: is-number by npm ci, in the image)' : ''}, real-parts base images, ${runs} runs, medians (${availableParallelism()} cores, shared machine)\n`);
console.log('| runtime | (a) cold: build + start + invoke | (b) warm: one-line change | b / a | (c) --native | (d) image above base |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
console.log('\nAims: b <= 25% of a; c < 0.5 s.');
