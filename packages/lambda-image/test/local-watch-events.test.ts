// --watch: bursts of file events become one batch; the watcher sees the project's files on the
// real file system (inotify), not node_modules, .git or editors' scratch files.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { isNoise } from '../src/local/change-kind.ts';
import { Debouncer } from '../src/local/debounce.ts';
import { SourceWatcher } from '../src/local/source-watcher.ts';

describe('debouncing', () => {
  afterEach(() => vi.useRealTimers());

  it('one batch per burst, after the quiet time, each path once', () => {
    vi.useFakeTimers();
    const batches: string[][] = [];
    const debouncer = new Debouncer<string>(60, (items) => batches.push(items));
    debouncer.add('core.py');
    vi.advanceTimersByTime(40);
    debouncer.add('.core.py.swp');
    debouncer.add('core.py');
    vi.advanceTimersByTime(59);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([['core.py', '.core.py.swp']]);
    debouncer.add('events/ingest.json');
    vi.advanceTimersByTime(60);
    expect(batches).toEqual([['core.py', '.core.py.swp'], ['events/ingest.json']]);
  });

  it('nothing after cancel', () => {
    vi.useFakeTimers();
    const batches: string[][] = [];
    const debouncer = new Debouncer<string>(60, (items) => batches.push(items));
    debouncer.add('core.py');
    debouncer.cancel();
    vi.advanceTimersByTime(1000);
    expect(batches).toEqual([]);
  });
});

describe('the source watcher', () => {
  const root = mkdtempSync(join(tmpdir(), 'watch-events-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function changesDuring(action: () => void, settleMs = 300): Promise<string[]> {
    const seen = new Set<string>();
    const watcher = new SourceWatcher(root, { ignore: isNoise, onChange: (p) => seen.add(p), onError: (e) => { throw e; } });
    watcher.start();
    try {
      action();
      await new Promise((r) => setTimeout(r, settleMs));
    } finally {
      watcher.close();
    }
    return [...seen].sort();
  }

  it('reports changed, new and renamed-over files in nested folders as project-relative paths', async () => {
    mkdirSync(join(root, 'pkg/handlers'), { recursive: true });
    mkdirSync(join(root, 'node_modules/dep'), { recursive: true });
    mkdirSync(join(root, '.git'), { recursive: true });
    writeFileSync(join(root, 'pkg/core.py'), 'VALUE = 1\n');
    writeFileSync(join(root, 'pkg/handlers/ingest.py'), 'x = 1\n');
    const seen = await changesDuring(() => {
      writeFileSync(join(root, 'pkg/core.py'), 'VALUE = 2\n');
      writeFileSync(join(root, 'pkg/handlers/.ingest.py.swp'), 'swap');
      writeFileSync(join(root, 'pkg/handlers/ingest.py.new'), 'x = 2\n');
      renameSync(join(root, 'pkg/handlers/ingest.py.new'), join(root, 'pkg/handlers/ingest.py'));
      writeFileSync(join(root, 'node_modules/dep/index.js'), '');
      writeFileSync(join(root, '.git/index'), '');
    });
    expect(seen).toContain('pkg/core.py');
    expect(seen).toContain('pkg/handlers/ingest.py');
    expect(seen.filter((p) => p.includes('node_modules') || p.startsWith('.git') || p.endsWith('.swp'))).toEqual([]);
  });

  it('watches a folder that appears, and reports the files it came with', async () => {
    const seen = await changesDuring(() => {
      mkdirSync(join(root, 'pkg/fresh/deeper'), { recursive: true });
      writeFileSync(join(root, 'pkg/fresh/deeper/mod.py'), '');
    });
    expect(seen).toContain('pkg/fresh/deeper/mod.py');
  });

  it('watches neither node_modules nor .git: one watch per source folder', () => {
    mkdirSync(join(root, 'node_modules/a/b/c'), { recursive: true });
    const watcher = new SourceWatcher(root, { ignore: isNoise, onChange: () => {}, onError: () => {} });
    watcher.start();
    // root, pkg, pkg/handlers, pkg/fresh, pkg/fresh/deeper
    expect(watcher.folders).toBe(5);
    watcher.close();
  });
});
