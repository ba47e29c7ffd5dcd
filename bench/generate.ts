// Non-interactive generation as a whole process, installed from a registry:
//   npx generator-lambda-image demo --runtime python --yes --skip-install
// Median of several runs (the machines are shared and noisy), plus the same run
// through `node <cli.js>` to show what npx itself costs. Aim: under 1 s.
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
// Installed as a user installs it: published (here, to a local registry) at this version.
const registry = await startRegistry();
const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
await execa('npm', ['init', '-y'], { cwd: work });
await execa('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `generator-lambda-image@${own.version}`], { cwd: work, env: { npm_config_registry: registry.url } });
await registry.stop();
const cli = join(work, 'node_modules', 'generator-lambda-image', 'dist', 'generators', 'cli.js');

async function time(command: string, args: string[]): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    rmSync(join(work, 'demo'), { recursive: true, force: true });
    const start = performance.now();
    await execa(command, args, { cwd: work });
    times.push((performance.now() - start) / 1000);
    JSON.parse(readFileSync(join(work, 'demo', 'lambda-image.json'), 'utf8'));
  }
  return times;
}

const generatorArgs = ['demo', '--runtime', 'python', '--yes', '--skip-install'];
const viaNpx = await time('npx', ['--no-install', 'generator-lambda-image', ...generatorArgs]);
const viaNode = await time(process.execPath, [cli, ...generatorArgs]);
const fmt = (xs: number[]) => `${median(xs).toFixed(3)} s (min ${Math.min(...xs).toFixed(3)}, max ${Math.max(...xs).toFixed(3)})`;
console.log(`| run (${runs} runs, median) | time |`);
console.log('| --- | --- |');
console.log(`| npx generator-lambda-image demo --runtime python --yes --skip-install | ${fmt(viaNpx)} |`);
console.log(`| node dist/generators/cli.js (same arguments, no npx) | ${fmt(viaNode)} |`);
console.log(`| npx overhead | ${(median(viaNpx) - median(viaNode)).toFixed(3)} s |`);
rmSync(work, { recursive: true, force: true });
