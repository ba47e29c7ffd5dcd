// A local npm registry for the tests: verdaccio on 127.0.0.1, holding the two packages
// of this repository as they would be published (npm publish of the built workspace),
// and proxying every other package to the npm registry. A generated project's
// `npm install` then resolves "lambda-image": "<version>" exactly as a user's does after
// a release. Started once per test run by vitest's globalSetup (test/support/global-setup.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import getPort from 'get-port';
import { packageRoot } from '../../generators/lib/paths.ts';

export const PUBLISHED = [
  { name: 'lambda-image', dir: join(packageRoot(), 'packages', 'lambda-image') },
  { name: 'generator-lambda-image', dir: packageRoot() },
] as const;

export interface LocalRegistry {
  url: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Uplinked packages stay cached between runs, per checkout (two checkouts never share our own packages). */
function storageDir(): string {
  const key = createHash('sha256').update(packageRoot()).digest('hex').slice(0, 12);
  return join(homedir(), '.cache', 'generator-lambda-image', `verdaccio-${key}`);
}

async function waitForRegistry(url: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}:\n${readFileSync(log, 'utf8').slice(-2000)}`);
    try {
      const res = await fetch(`${url}-/ping`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`verdaccio did not answer on ${url} within 60 s:\n${readFileSync(log, 'utf8').slice(-2000)}`);
}

/** Starts verdaccio and publishes this repository's packages to it (they must be built). */
export async function startRegistry(): Promise<LocalRegistry> {
  const work = mkdtempSync(join(tmpdir(), 'lambda-image-registry-'));
  const storage = storageDir();
  mkdirSync(storage, { recursive: true });
  // Our own packages are published afresh each run, at the version in package.json.
  for (const { name } of PUBLISHED) rmSync(join(storage, name), { recursive: true, force: true });
  const port = await getPort({ host: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}/`;
  const config = join(work, 'config.yaml');
  const own = PUBLISHED.map(({ name }) => `  '${name}':\n    access: $all\n    publish: $authenticated\n`).join('');
  writeFileSync(
    config,
    `storage: ${storage}
listen: 127.0.0.1:${port}
auth:
  htpasswd:
    file: ${join(work, 'htpasswd')}
uplinks:
  npmjs:
    url: https://registry.npmjs.org/
    timeout: 60s
packages:
${own}  '**':
    access: $all
    publish: $authenticated
    proxy: npmjs
log: { type: stdout, format: pretty, level: warn }
`,
  );
  const log = join(work, 'verdaccio.log');
  const fd = openSync(log, 'a');
  const bin = join(packageRoot(), 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  const child = spawn(process.execPath, [bin, '--config', config], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(work, { recursive: true, force: true });
  };
  try {
    await waitForRegistry(url, child, log);
    // A throwaway account of this registry (verdaccio makes it on first use) to publish with.
    const res = await fetch(`${url}-/user/org.couchdb.user:ci`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ci', password: 'ci-password-for-a-local-registry' }),
    });
    const { token } = (await res.json()) as { token?: string };
    if (!token) throw new Error(`verdaccio gave no token (HTTP ${res.status})`);
    const npmrc = join(work, 'npmrc');
    writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    for (const { dir } of PUBLISHED) {
      await execa('npm', ['publish', '--userconfig', npmrc, '--registry', url, '--ignore-scripts', '--no-provenance'], { cwd: dir });
    }
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
