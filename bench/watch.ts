// `npm run local -- --watch`: from saving a one-line change in the core library to the new
// result on screen, on base images of the real Lambda parts (test/support/baseimages.ts),
// beside what a user does without it after the same change:
//   watch:  `lambda-image local --watch ingest` running; the time from the write of core.py /
//           src/core.mjs to the line with the new result on its stdout (debounce, runtime
//           restart, the cold start of the runtime, the invocation, the report)
//   local:  a whole `lambda-image local ingest` (what `npm run local -- ingest` runs; npm adds
//           ~0.5 s to any script): cached build, a new container, one invocation
//   sam:    Python, when the SAM CLI venv of .ci/sam.sh exists: `sam build` (an image function
//           is rebuilt by `sam build` after every code change) then `sam local invoke` of one
//           function, on the same project generated with `--deploy sam`
// Medians of `runs` runs each, alternating the change; aim: watch under 0.5 s.
//   node bench/watch.ts [runs=5] [runtimes=python,nodejs]
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { generateProject } from '../test/support/generate.ts';
import { startRegistry } from '../test/support/registry.ts';
import { ensureBaseImages } from '../test/support/baseimages.ts';
import { readCfnYaml, resourcesOfType } from '../test/engines/support.ts';
import { median } from './stats.ts';

const runs = Number(process.argv[2] ?? 5);
const runtimes = (process.argv[3] ?? 'python,nodejs').split(',') as ('python' | 'nodejs')[];
const SAM = process.env.SAM_CLI ?? join(homedir(), '.cache', 'sam-cli', 'venv', 'bin', 'sam');
/** The image repositories `sam build` made (the function's logical id), removed at the end. */
const samRepositories = new Set<string>();
const SAM_ENV = { SAM_CLI_TELEMETRY: '0', SAM_CLI_DISABLE_UPDATE_CHECK: '1', AWS_DEFAULT_REGION: 'us-east-1', AWS_REGION: 'us-east-1' };
const fmt = (s: number) => (s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(2)} s`);
const log = (line: string) => console.error(`[bench:watch] ${line}`);
const seconds = (since: number) => (performance.now() - since) / 1000;

/** The core library and the one-line change that makes ingest's "count" `2 + n`. */
function coreOf(runtime: 'python' | 'nodejs', dir: string, name: string) {
  const path = join(dir, runtime === 'python' ? `${name.replaceAll('-', '_')}/core.py` : 'src/core.mjs');
  const original = readFileSync(path, 'utf8');
  const from = runtime === 'python' ? '"count": len(records)' : 'count: records.length';
  if (!original.includes(from)) throw new Error(`${path} no longer has ${from}`);
  return {
    change(n: number): string {
      writeFileSync(path, original.replace(from, `${from} + ${n}`));
      return `"count":${2 + n},`;
    },
  };
}

/** Watch mode: the time from each change to its result on stdout. */
async function watchSamples(dir: string, change: (n: number) => string, base: number): Promise<number[]> {
  const run = execa('node_modules/.bin/lambda-image', ['local', '--watch', 'ingest'], { cwd: dir, reject: false, detached: true, env: { NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  run.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const until = async (test: () => boolean, what: string) => {
    const started = performance.now();
    while (!test()) {
      if (seconds(started) > 60) throw new Error(`no ${what} within 60 s:\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  try {
    await until(() => /Watching .* for changes/.test(stderr), 'watch start');
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const from = stdout.length;
      const started = performance.now();
      const expected = change(base + i);
      await until(() => stdout.slice(from).includes(expected), `result ${expected}`);
      samples.push(seconds(started));
      // Until the cycle is over, then a pause, as between two edits.
      await until(() => /after the change\. Watching/.test(stderr.slice(stderr.lastIndexOf('↻'))), 'cycle end');
      if (!/restart the runtime \(no build\)/.test(stderr.slice(stderr.lastIndexOf('↻')))) throw new Error(`the cycle was not a restart:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    return samples;
  } finally {
    process.kill(-run.pid!, 'SIGINT');
    await run;
  }
}

async function localSample(dir: string, change: (n: number) => string, n: number): Promise<number> {
  const started = performance.now();
  const expected = change(n);
  const result = await execa('node_modules/.bin/lambda-image', ['local', 'ingest'], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
  const took = seconds(started);
  if (result.exitCode !== 0 || !result.stdout.includes(expected)) throw new Error(`local ingest failed (${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  return took;
}

async function samSample(dir: string, change: (n: number) => string, n: number): Promise<{ total: number; build: number }> {
  const started = performance.now();
  const expected = change(n).replace(':', ': ').replace(/,$/, '');
  const build = await execa(SAM, ['build'], { cwd: dir, reject: false, env: SAM_ENV });
  if (build.exitCode !== 0) throw new Error(`sam build failed:\n${build.stdout}\n${build.stderr}`);
  const built = seconds(started);
  const logicalId = resourcesOfType(readCfnYaml(join(dir, 'template.yaml')), 'AWS::Serverless::Function').find(
    ([, r]) => String(r.Properties.ImageConfig.Command[0]).endsWith('.ingest'),
  )?.[0];
  if (!logicalId) throw new Error('no function for ingest in template.yaml');
  samRepositories.add(logicalId.toLowerCase());
  const invoke = await execa(SAM, ['local', 'invoke', logicalId, '--event', 'events/ingest.json'], { cwd: dir, reject: false, env: SAM_ENV });
  const total = seconds(started);
  const answer = invoke.stdout.trim().split('\n').at(-1) ?? '';
  if (invoke.exitCode !== 0 || !answer.replaceAll(' ', '').includes(expected.replaceAll(' ', ''))) throw new Error(`sam local invoke failed (${invoke.exitCode}):\n${invoke.stdout}\n${invoke.stderr}`);
  return { total, build: built };
}

await ensureBaseImages(runtimes);
const registry = await startRegistry();
const work = mkdtempSync(join(tmpdir(), 'lambda-image-bench-watch-'));
const rows: string[] = [];
const withSam = existsSync(SAM);
if (!withSam) log(`no SAM CLI at ${SAM}: its column stays empty (\`. .ci/sam.sh\` installs it)`);
try {
  for (const runtime of runtimes) {
    const name = `bench-watch-${runtime}`;
    const sam = runtime === 'python' && withSam;
    const dir = await generateProject(join(work, runtime), { name, runtime, handlers: 'ingest,report_daily,notify', ...(sam ? { deploy: 'sam', region: 'us-east-1' } : {}) });
    await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env: { npm_config_registry: registry.url } });
    const { change } = coreOf(runtime, dir, name);
    // Warm (not timed): the image built, and for SAM its build and rapid image.
    change(1000);
    await localSample(dir, change, 1000);
    if (sam) await samSample(dir, change, 1001);
    const watch = await watchSamples(dir, change, 0);
    log(`${runtime} watch: ${watch.map(fmt).join(', ')}`);
    const local: number[] = [];
    const samRuns: { total: number; build: number }[] = [];
    for (let i = 0; i < runs; i++) {
      local.push(await localSample(dir, change, 100 + i));
      if (sam) samRuns.push(await samSample(dir, change, 200 + i));
    }
    log(`${runtime} local: ${local.map(fmt).join(', ')}${sam ? `; sam: ${samRuns.map((s) => fmt(s.total)).join(', ')}` : ''}`);
    const [w, l] = [median(watch), median(local)];
    const samCell = sam ? `${fmt(median(samRuns.map((s) => s.total)))} (build ${fmt(median(samRuns.map((s) => s.build)))})` : 'n/a';
    const samRatio = sam ? `${Math.round(median(samRuns.map((s) => s.total)) / w)}x` : 'n/a';
    rows.push(`| ${runtime} | ${fmt(w)} | ${fmt(Math.min(...watch))}-${fmt(Math.max(...watch))} | ${fmt(l)} | ${samCell} | ${(l / w).toFixed(1)}x | ${samRatio} |`);
    await execa('docker', ['image', 'rm', '-f', `${name}:local`], { reject: false });
  }
} finally {
  await registry.stop();
  for (const repository of samRepositories) {
    const { stdout } = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', repository], { reject: false });
    const images = stdout.split('\n').filter(Boolean);
    if (images.length) await execa('docker', ['image', 'rm', '--force', ...images], { reject: false });
  }
  rmSync(work, { recursive: true, force: true });
}

console.log(`From saving a one-line change in the core library to the new result of one handler, real-parts base images, ${runs} runs, medians (${availableParallelism()} cores, shared; load average ${loadavg()[0]!.toFixed(1)} at the end)\n`);
console.log('| runtime | `--watch` | min-max | `lambda-image local ingest` | `sam build` + `sam local invoke` | local / watch | sam / watch |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
console.log('\nAim: --watch under 0.5 s.');
