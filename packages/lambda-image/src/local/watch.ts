// `npm run local -- --watch`: after the first run, stay up; every batch of changes to the
// project's files costs the cheapest cycle that brings them to the container (change-kind.ts):
// invoke again, restart the runtime over the bound code, or rebuild and replace the
// container, or reload lambda-image.json; then the selected handlers are invoked again. A
// cycle that fails (a build error, a syntax error) is shown, and watching goes on.
import type { Writable } from 'node:stream';
import { formatSeconds, type Painter } from '../shared/output.ts';
import { actionFor, changeKind, type ChangeKind, isNoise, type ProjectFiles, type WatchAction } from './change-kind.ts';
import { Debouncer } from './debounce.ts';
import { SourceWatcher } from './source-watcher.ts';

/** Long enough for an editor's save (write, rename, swap file) to be one batch, short next to a cycle. */
export const DEBOUNCE_MS = 60;

/** What watching does to the running containers; local-docker.ts provides it. */
export interface WatchTarget {
  /** What classifies a change now (the Dockerfile's copies, the handlers' events). */
  files(): ProjectFiles;
  /** Whether the running containers show these changed code paths (bound, not replaced by rename) and can restart their runtime. */
  canRestart(codePaths: string[]): boolean;
  /** Restarts the runtime in every container; false (after saying why) when it could not. */
  restart(): Promise<boolean>;
  /** Rebuilds the image and replaces the containers; false (after printing the failure) when the build or start failed. */
  rebuild(): Promise<boolean>;
  /** Reads lambda-image.json again, then rebuilds; false (after printing why) when the manifest or build is wrong. */
  reload(): Promise<boolean>;
  /** Invokes the selected handlers and prints their results. */
  invoke(): Promise<void>;
}

export interface WatchOptions {
  projectDir: string;
  stderr: Writable;
  paint: Painter;
  target: WatchTarget;
  debounceMs?: number;
  /** Reports each cycle in place of the two lines of --watch (--serve --watch prints one line per reload). */
  onCycle?: (cycle: { paths: string[]; action: WatchAction; ok: boolean; seconds: number }) => void;
}

const ACTION_TEXT: Record<WatchAction, string> = {
  reload: 'reload lambda-image.json, rebuild, new container',
  rebuild: 'rebuild, new container',
  restart: 'restart the runtime (no build)',
  invoke: 'invoke again',
};

/** "core.py, events/ingest.json and 3 more" */
export function describePaths(paths: readonly string[], max = 3): string {
  const shown = paths.slice(0, max).join(', ');
  return paths.length > max ? `${shown} and ${paths.length - max} more` : shown;
}

/** A running watch: close() stops it (the containers are the caller's). */
export interface Watching {
  close(): void;
  /** Resolves when the current cycle, if any, is over. */
  idle(): Promise<void>;
}

export function startWatching({ projectDir, stderr, paint, target, debounceMs = DEBOUNCE_MS, onCycle }: WatchOptions): Watching {
  /** Paths changed since the last cycle began, and when the first of them changed. */
  let pending: string[] = [];
  let firstChangeAt: number | undefined;
  let cycle: Promise<void> | undefined;
  let closed = false;

  const runCycle = async (paths: string[], changedAt: number): Promise<void> => {
    const files = target.files();
    const kinds = new Map<string, ChangeKind>(paths.map((p) => [p, changeKind(p, files)]));
    const relevant = paths.filter((p) => kinds.get(p) !== 'ignored');
    const code = relevant.filter((p) => kinds.get(p) === 'code');
    let action = actionFor(kinds.values(), true);
    if (!action) return;
    if (action === 'restart' && !target.canRestart(code)) action = 'rebuild';
    if (!onCycle) stderr.write(`\n${paint('cyan', '↻')} ${paint('bold', describePaths(relevant))} changed: ${ACTION_TEXT[action]}\n`);
    let ok = true;
    if (action === 'reload') ok = await target.reload();
    else if (action === 'rebuild') ok = await target.rebuild();
    else if (action === 'restart') ok = (await target.restart()) || (await target.rebuild());
    if (ok) await target.invoke();
    const seconds = (performance.now() - changedAt) / 1000;
    if (onCycle) return onCycle({ paths: relevant, action, ok, seconds });
    stderr.write(
      `${paint('dim', `${ok ? 'Results' : 'Nothing invoked'} ${formatSeconds(seconds)} after the change.`)} Watching for changes (Ctrl-C to stop)\n`,
    );
  };

  const next = (): void => {
    if (closed || cycle || pending.length === 0) return;
    const paths = pending;
    const changedAt = firstChangeAt ?? performance.now();
    pending = [];
    firstChangeAt = undefined;
    cycle = runCycle(paths, changedAt)
      .catch((error: unknown) => {
        stderr.write(`${paint('red', 'error:')} ${(error as Error).message}\nWatching for changes (Ctrl-C to stop)\n`);
      })
      .finally(() => {
        cycle = undefined;
        // Changes made during the cycle get their own.
        next();
      });
  };

  const debouncer = new Debouncer<string>(debounceMs, (paths) => {
    pending.push(...paths.filter((p) => !pending.includes(p)));
    next();
  });
  const watcher = new SourceWatcher(projectDir, {
    ignore: isNoise,
    onChange: (path) => {
      firstChangeAt ??= performance.now();
      debouncer.add(path);
    },
    onError: (error) => {
      const limit = (error as NodeJS.ErrnoException).code === 'ENOSPC' ? ' (the system limit of inotify watches: raise fs.inotify.max_user_watches)' : '';
      stderr.write(`${paint('red', 'error:')} watching the project's files failed${limit}: ${error.message}\n`);
    },
  });
  watcher.start();
  stderr.write(`\nWatching ${projectDir} for changes (Ctrl-C to stop)\n`);

  return {
    close() {
      closed = true;
      debouncer.cancel();
      watcher.close();
    },
    idle: () => cycle ?? Promise.resolve(),
  };
}
