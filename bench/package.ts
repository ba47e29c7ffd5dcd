// What the lambda-image package costs a project: its npm pack size, the installed size of a
// project that depends only on it, and the start-up of `lambda-image --version` as a whole
// process (median of runs), side by side with the tools a user would otherwise reach for to
// test and deploy Lambda container images: the AWS SAM CLI (`sam`, from PyPI, in a venv) and
// the AWS CDK CLI with its construct library (`cdk`, from npm). Node's own start-up
// (`node -e 0`) is the floor.
//   node bench/package.ts [runs=15]
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { packageRoot } from '../generators/lib/paths.ts';
import { startRegistry } from '../test/support/registry.ts';
import { median } from './stats.ts';

const runs = Number(process.argv[2] ?? 15);
const root = packageRoot();
const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
const work = mkdtempSync(join(tmpdir(), 'lig-bench-pkg-'));
const SAM_VENV = join(homedir(), '.cache', 'generator-lambda-image', 'bench-sam-venv');

/** Bytes and files under `dir`, following no links. */
function du(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
    files++;
  }
  return { bytes, files };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const packages = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name === 'package.json' && /node_modules\/(@[^/]+\/)?[^/@]+$/.test(e.parentPath)).length;

async function times(command: string, args: string[], cwd: string): Promise<number[]> {
  const result: number[] = [];
  // One untimed run: the first start after an install fills the OS file cache.
  await execa(command, args, { cwd });
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await execa(command, args, { cwd });
    result.push(performance.now() - start);
  }
  return result;
}

async function npmProject(name: string, specs: string[], registry: string): Promise<string> {
  const dir = join(work, name);
  mkdirSync(dir);
  await execa('npm', ['init', '-y'], { cwd: dir });
  await execa('npm', ['install', '--no-audit', '--no-fund', ...specs], { cwd: dir, env: { npm_config_registry: registry } });
  return dir;
}

await execa('npm', ['run', 'build'], { cwd: root });
const { stdout: packJson } = await execa('npm', ['pack', '--dry-run', '--json'], { cwd: join(root, 'packages', 'lambda-image') });
const pack = (JSON.parse(packJson) as Array<{ size: number; unpackedSize: number; entryCount: number }>)[0]!;

// Installed as a user installs it: published (here, to a local registry) at this version.
const registry = await startRegistry();
let lambdaImage: string;
let cdk: string;
try {
  lambdaImage = await npmProject('with-lambda-image', [`lambda-image@${own.version}`], registry.url);
  cdk = await npmProject('with-cdk', ['aws-cdk@^2', 'aws-cdk-lib@^2', 'constructs@^10'], registry.url);
} finally {
  await registry.stop();
}

if (!existsSync(join(SAM_VENV, 'bin', 'sam'))) {
  await execa('python3', ['-m', 'venv', SAM_VENV]);
  await execa(join(SAM_VENV, 'bin', 'pip'), ['install', '--quiet', 'aws-sam-cli']);
}
const { stdout: samVersion } = await execa(join(SAM_VENV, 'bin', 'sam'), ['--version']);
const { stdout: cdkVersion } = await execa(join(cdk, 'node_modules', '.bin', 'cdk'), ['--version']);

const installed = du(join(lambdaImage, 'node_modules'));
const cdkInstalled = du(join(cdk, 'node_modules'));
const samInstalled = du(join(SAM_VENV, 'lib'));
const venvBase = mkdtempSync(join(tmpdir(), 'lig-bench-venv-'));
await execa('python3', ['-m', 'venv', venvBase]);
const samOwn = samInstalled.bytes - du(join(venvBase, 'lib')).bytes;

const rows: Array<[string, number[]]> = [
  ['`node -e 0` (the floor: Node start-up)', await times(process.execPath, ['-e', '0'], lambdaImage)],
  ['`lambda-image --version` (node_modules/.bin)', await times(join(lambdaImage, 'node_modules', '.bin', 'lambda-image'), ['--version'], lambdaImage)],
  ['`npx lambda-image --version`', await times('npx', ['--no-install', 'lambda-image', '--version'], lambdaImage)],
  [`\`cdk --version\` (aws-cdk ${cdkVersion.split(' ')[0]})`, await times(join(cdk, 'node_modules', '.bin', 'cdk'), ['--version'], cdk)],
  [`\`sam --version\` (${samVersion.replace('SAM CLI, version ', 'aws-sam-cli ')})`, await times(join(SAM_VENV, 'bin', 'sam'), ['--version'], work)],
];
const ours = median(rows[1]![1]);

console.log(`## lambda-image ${own.version}: size and start-up (${runs} runs, ${new Date().toISOString().slice(0, 10)})\n`);
console.log('| | size | files | npm packages |');
console.log('| --- | ---: | ---: | ---: |');
console.log(`| \`npm pack\` of lambda-image (tarball) | ${mb(pack.size)} | ${pack.entryCount} | |`);
console.log(`| lambda-image unpacked | ${mb(pack.unpackedSize)} | ${pack.entryCount} | |`);
console.log(`| node_modules of a project depending only on lambda-image | ${mb(installed.bytes)} | ${installed.files} | ${packages(join(lambdaImage, 'node_modules'))} |`);
console.log(`| node_modules with aws-cdk + aws-cdk-lib + constructs | ${mb(cdkInstalled.bytes)} | ${cdkInstalled.files} | ${packages(join(cdk, 'node_modules'))} |`);
console.log(`| aws-sam-cli in a venv (above an empty venv) | ${mb(samOwn)} | | |`);
console.log(`\nInstalled size ratios: aws-cdk/lambda-image ${(cdkInstalled.bytes / installed.bytes).toFixed(1)}x, sam/lambda-image ${(samOwn / installed.bytes).toFixed(1)}x.\n`);
console.log('| start-up, whole process | median | min | max | / lambda-image |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, t] of rows) {
  console.log(`| ${name} | ${median(t).toFixed(0)} ms | ${Math.min(...t).toFixed(0)} ms | ${Math.max(...t).toFixed(0)} ms | ${(median(t) / ours).toFixed(2)} |`);
}
rmSync(work, { recursive: true, force: true });
rmSync(venvBase, { recursive: true, force: true });
