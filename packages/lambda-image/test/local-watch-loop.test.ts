// --watch's loop (watch.ts) on the real file system, with a target that records what it is asked
// to do: which cycle each change costs, restarts that fall back to a build, failures that leave the
// watch waiting, and changes made during a cycle getting a cycle of their own.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { plain } from '../src/shared/output.ts';
import { contextCopies } from '../src/local/dockerfile-copies.ts';
import { startWatching, type WatchTarget, type Watching } from '../src/local/watch.ts';

const DOCKERFILE = 'FROM base\nCOPY requirements.txt ${LAMBDA_TASK_ROOT}/\nRUN pip install -r requirements.txt\nCOPY app/ ${LAMBDA_TASK_ROOT}/app/\nCMD ["app.handler"]\n';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'watch-loop-'));
  mkdirSync(join(dir, 'app'));
  mkdirSync(join(dir, 'events'));
  mkdirSync(join(dir, 'tests'));
  writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
  writeFileSync(join(dir, 'requirements.txt'), '');
  writeFileSync(join(dir, 'app/core.py'), 'VALUE = 1\n');
  writeFileSync(join(dir, 'events/ingest.json'), '{}');
  return dir;
}

class Recorder implements WatchTarget {
  calls: string[] = [];
  restartable = true;
  restartWorks = true;
  buildWorks = true;
  /** How long a build takes: changes made meanwhile must wait for the next cycle. */
  buildMs = 0;
  files = () => ({ copies: contextCopies(DOCKERFILE), events: ['events/ingest.json'] });
  canRestart = (paths: string[]) => {
    this.calls.push(`canRestart ${paths.join(',')}`);
    return this.restartable;
  };
  restart = async () => {
    this.calls.push('restart');
    return this.restartWorks;
  };
  rebuild = async () => {
    this.calls.push('rebuild');
    await new Promise((r) => setTimeout(r, this.buildMs));
    return this.buildWorks;
  };
  reload = async () => {
    this.calls.push('reload');
    return true;
  };
  invoke = async () => {
    this.calls.push('invoke');
  };
}

let dir: string;
let watching: Watching | undefined;
let stderr: PassThrough;
let output = '';

function watch(target: Recorder): void {
  dir = project();
  stderr = new PassThrough();
  output = '';
  stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  watching = startWatching({ projectDir: dir, stderr, paint: plain, target, debounceMs: 40 });
}

async function settle(target: Recorder, calls: number): Promise<void> {
  const started = Date.now();
  while (target.calls.length < calls && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 150));
  await watching!.idle();
}

afterEach(() => {
  watching?.close();
  watching = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('the watch loop', () => {
  it('a code change restarts and invokes; the cycle line says what changed, what was done and how long it took', async () => {
    const target = new Recorder();
    watch(target);
    writeFileSync(join(dir, 'app/core.py'), 'VALUE = 2\n');
    await settle(target, 3);
    expect(target.calls).toEqual(['canRestart app/core.py', 'restart', 'invoke']);
    expect(output).toMatch(/^↻ app\/core\.py changed: restart the runtime \(no build\)$/m);
    expect(output).toMatch(/^Results (\d+ ms|[\d.]+ s) after the change\. Watching for changes \(Ctrl-C to stop\)$/m);
  });

  it('code that is not bound (or a restart that fails) rebuilds instead', async () => {
    const target = new Recorder();
    target.restartable = false;
    watch(target);
    writeFileSync(join(dir, 'app/core.py'), 'VALUE = 2\n');
    await settle(target, 3);
    expect(target.calls).toEqual(['canRestart app/core.py', 'rebuild', 'invoke']);
    expect(output).toContain('app/core.py changed: rebuild, new container');

    target.calls = [];
    target.restartable = true;
    target.restartWorks = false;
    writeFileSync(join(dir, 'app/core.py'), 'VALUE = 3\n');
    await settle(target, 4);
    expect(target.calls).toEqual(['canRestart app/core.py', 'restart', 'rebuild', 'invoke']);
  });

  it('dependencies rebuild, the manifest reloads, events only invoke, tests and scratch files do nothing', async () => {
    const target = new Recorder();
    watch(target);
    writeFileSync(join(dir, 'requirements.txt'), 'six\n');
    await settle(target, 2);
    expect(target.calls).toEqual(['rebuild', 'invoke']);
    target.calls = [];
    writeFileSync(join(dir, 'lambda-image.json'), '{}');
    await settle(target, 2);
    expect(target.calls).toEqual(['reload', 'invoke']);
    target.calls = [];
    writeFileSync(join(dir, 'events/ingest.json'), '{"a": 1}');
    await settle(target, 1);
    expect(target.calls).toEqual(['invoke']);
    target.calls = [];
    writeFileSync(join(dir, 'tests/test_core.py'), '');
    writeFileSync(join(dir, 'app/.core.py.swp'), '');
    await new Promise((r) => setTimeout(r, 300));
    expect(target.calls).toEqual([]);
  });

  it('a failed build invokes nothing and keeps watching; the next change is taken', async () => {
    const target = new Recorder();
    target.buildWorks = false;
    watch(target);
    writeFileSync(join(dir, 'requirements.txt'), 'six\n');
    await settle(target, 1);
    expect(target.calls).toEqual(['rebuild']);
    expect(output).toMatch(/^Nothing invoked (\d+ ms|[\d.]+ s) after the change\. Watching for changes/m);
    target.calls = [];
    target.buildWorks = true;
    writeFileSync(join(dir, 'requirements.txt'), 'six==1.17.0\n');
    await settle(target, 2);
    expect(target.calls).toEqual(['rebuild', 'invoke']);
  });

  it('changes made during a cycle get one cycle of their own after it', async () => {
    const target = new Recorder();
    target.buildMs = 400;
    watch(target);
    writeFileSync(join(dir, 'requirements.txt'), 'six\n');
    while (!target.calls.includes('rebuild')) await new Promise((r) => setTimeout(r, 10));
    writeFileSync(join(dir, 'app/core.py'), 'VALUE = 2\n');
    writeFileSync(join(dir, 'events/ingest.json'), '{"b": 2}');
    await settle(target, 5);
    expect(target.calls).toEqual(['rebuild', 'invoke', 'canRestart app/core.py', 'restart', 'invoke']);
  });
});
