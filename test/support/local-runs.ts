// Long-running `lambda-image local` runs for the e2e tests (--watch, --serve), read as a user reads
// them, and the Docker facts those tests check: shared by test/e2e/watch, serve and base-image-loop.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';

export const PROJECT_LABEL = 'lambda-image.project';

/** Every container of the project, running or not. */
export async function containersOf(name: string): Promise<string[]> {
  const { stdout } = await execa('docker', ['ps', '--all', '--quiet', '--filter', `label=${PROJECT_LABEL}=${name}`]);
  return stdout.split('\n').filter(Boolean);
}

/** What the tests' projects leave in Docker (containers, images with their label or `<name>:local`), and their work folder. */
export async function removeProjects(names: Iterable<string>, work: string): Promise<void> {
  for (const name of names) {
    const left = await containersOf(name);
    if (left.length) await execa('docker', ['rm', '-f', ...left]);
    const { stdout } = await execa('docker', ['images', '--quiet', '--filter', `label=${PROJECT_LABEL}=${name}`]);
    await execa('docker', ['image', 'rm', '-f', `${name}:local`, ...new Set(stdout.split('\n').filter(Boolean))], { reject: false });
  }
  rmSync(work, { recursive: true, force: true });
}

export async function imageIdOf(tag: string): Promise<string> {
  return (await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', tag])).stdout.trim();
}

/** Runs not yet interrupted: a failing test must not leave one watching (and rebuilding) behind (interruptAll in afterEach). */
const running = new Set<WatchRun>();

/** A `lambda-image local --watch` run in its own process group, as a terminal runs it (Ctrl-C reaches the group). */
export class WatchRun {
  readonly process: ResultPromise<{ cwd: string; reject: false; detached: true; env: Record<string, string>; all: true }>;
  output = '';
  ended: number | undefined;

  constructor(dir: string, args: string[], env: Record<string, string> = {}) {
    this.process = execa('node_modules/.bin/lambda-image', ['local', '--watch', ...args], { cwd: dir, reject: false, detached: true, env: { NO_COLOR: '1', ...env }, all: true });
    this.process.all!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    void this.process.then((result) => (this.ended = result.exitCode ?? -1));
    running.add(this);
  }

  /** Waits until the output after `from` matches; returns the index after the match. */
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 90_000): Promise<number> {
    const started = Date.now();
    for (;;) {
      const match = pattern.exec(this.output.slice(from));
      if (match) return from + match.index + match[0].length;
      if (this.ended !== undefined) throw new Error(`the run ended (${this.ended}) before ${pattern}; its output:\n${this.output}`);
      if (Date.now() - started > timeoutMs) throw new Error(`no ${pattern} within ${timeoutMs / 1000} s; output:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The output of the last cycle (after the last ↻) up to `at`. */
  cycle(at: number): string {
    return this.output.slice(0, at).split('↻ ').at(-1)!;
  }

  /** Ctrl-C, as the terminal sends it: SIGINT to the whole process group. */
  async interrupt() {
    running.delete(this);
    if (this.ended === undefined) process.kill(-this.process.pid!, 'SIGINT');
    return this.process;
  }
}

export async function interruptAll(): Promise<void> {
  for (const run of running) await run.interrupt();
}

/** Edits a file in place, as an editor saving it does; returns the function that puts it back (once: each write is a change the watch sees). */
export function edit(path: string, change: (text: string) => string): () => void {
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`edit of ${path} changed nothing`);
  writeFileSync(path, after);
  let restored = false;
  return () => {
    if (!restored) writeFileSync(path, before);
    restored = true;
  };
}

export interface Served {
  project: string;
  url: string;
  run: ResultPromise<{ reject: false; all: false }>;
  stderr: () => string;
  stdout: () => string;
}

/** Starts `lambda-image local --serve` on a free port in the project `cwd` (named `name`) and waits for its URL. */
export async function startServe(cwd: string, name: string, args: string[] = [], env: Record<string, string> = {}): Promise<Served> {
  const run = execa('node_modules/.bin/lambda-image', ['local', '--serve', '--port', '0', ...args], { cwd, reject: false, env: { NO_COLOR: '1', ...env } });
  let err = '';
  let out = '';
  run.stdout!.on('data', (c: Buffer) => (out += c));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not serving; output so far:\n${err}`)), 120_000);
    run.stderr!.on('data', (chunk: Buffer) => {
      err += chunk;
      const served = /^Serving on (http:\/\/127\.0\.0\.1:\d+)/m.exec(err);
      if (served) {
        clearTimeout(timer);
        resolve(served[1]!);
      }
    });
    void run.then(() => reject(new Error(`exited before serving:\n${err}`)));
  });
  return { project: name, url, run, stderr: () => err, stdout: () => out };
}

export const post = (url: string, body: unknown) => fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
