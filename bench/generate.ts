// Non-interactive generation as a whole process, side by side with the tool a user would
// pick instead for a comparable template, in one run (medians; these machines are shared):
//   generator-lambda-image: node <its bin> demo --runtime python --yes --skip-install
//   create-vite:            node <its bin> demo --template vanilla-ts --no-interactive
// Both are installed from a registry into one folder (ours from a local registry it is
// published to, create-vite from npm) and run with the same Node, alternately.
// Aim: ours at most 4 times create-vite's.
//   node bench/generate.ts [runs=9]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { packageRoot } from '../generators/lib/paths.ts';
import { startRegistry } from '../test/support/registry.ts';
import { median } from './stats.ts';

const runs = Number(process.argv[2] ?? 9);
const root = packageRoot();

const work = mkdtempSync(join(tmpdir(), 'lig-bench-gen-'));
await execa('npm', ['run', 'build'], { cwd: root });
const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
await execa('npm', ['init', '-y'], { cwd: work });
// create-vite from the public registry, as a user gets it.
await execa('npm', ['install', '--no-audit', '--no-fund', 'create-vite'], { cwd: work });
// Ours as a user installs it: published (here, to a local registry) at this version.
const registry = await startRegistry();
try {
  await execa('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `generator-lambda-image@${own.version}`], {
    cwd: work,
    env: { npm_config_registry: registry.url },
  });
} finally {
  await registry.stop();
}
const modules = join(work, 'node_modules');
const bin = (name: string) => {
  const pkg = JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')) as { bin: string | Record<string, string> };
  return join(modules, name, typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin)[0]!);
};
const viteVersion = (JSON.parse(readFileSync(join(modules, 'create-vite', 'package.json'), 'utf8')) as { version: string }).version;

const tools = {
  ours: { args: [bin('generator-lambda-image'), 'demo', '--runtime', 'python', '--yes', '--skip-install'], check: 'lambda-image.json' },
  vite: { args: [bin('create-vite'), 'demo', '--template', 'vanilla-ts', '--no-interactive'], check: 'package.json' },
};
const times: Record<keyof typeof tools, number[]> = { ours: [], vite: [] };
// One warm-up each (Node's compile cache, the file system cache), then alternate.
for (let i = -1; i < runs; i++) {
  for (const [name, tool] of Object.entries(tools) as Array<[keyof typeof tools, (typeof tools)['ours']]>) {
    rmSync(join(work, 'demo'), { recursive: true, force: true });
    const start = performance.now();
    await execa(process.execPath, tool.args, { cwd: work });
    const seconds = (performance.now() - start) / 1000;
    readFileSync(join(work, 'demo', tool.check));
    if (i >= 0) times[name].push(seconds);
  }
}
const fmt = (xs: number[]) => `${median(xs).toFixed(3)} s | ${Math.min(...xs).toFixed(3)} s | ${Math.max(...xs).toFixed(3)} s`;
console.log(`| run (${runs} runs each, alternating) | median | min | max |`);
console.log('| --- | --- | --- | --- |');
console.log(`| generator-lambda-image ${own.version}: demo --runtime python --yes --skip-install | ${fmt(times.ours)} |`);
console.log(`| create-vite ${viteVersion}: demo --template vanilla-ts --no-interactive | ${fmt(times.vite)} |`);
console.log(`\nratio (medians): ${(median(times.ours) / median(times.vite)).toFixed(2)}x (aim: at most 4x)`);
rmSync(work, { recursive: true, force: true });
