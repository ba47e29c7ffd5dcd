// `npm run local -- --serve --watch`: the server keeps serving while the project changes. Each
// batch of changes costs what it costs under --watch (change-kind.ts, watch.ts), applied to the
// pool behind the server: a code change of Python, Node.js or Ruby restarts the runtime of
// every container in place once the pool holds them all idle (ContainerPool.exclusive);
// anything else builds while the old containers go on serving, then swaps in new containers
// (ContainerPool.replace). Requests that arrive meanwhile wait in the queues and are answered
// by the new code. A failed build or start leaves the old containers serving.
import { removeImageIfUnused, imageCommand } from '../shared/docker.ts';
import { findHandler, loadManifest, ManifestError, type HandlerEntry, type Manifest } from '../shared/manifest.ts';
import { formatSeconds, type Painter } from '../shared/output.ts';
import { containerGroups } from './container-groups.ts';
import type { ContainerPool } from './container-pool.ts';
import { mountsCover, type CodeMount } from './code-mounts.ts';
import { projectCopies, TASK_ROOT } from './dockerfile-copies.ts';
import { ContainerStartError, type ContainerRecipe } from './local-container.ts';
import { buildImage, imageTag } from './local-image.ts';
import type { ModeInput } from './mode.ts';
import { RuntimeRestartError } from './runtime-restart.ts';
import type { RouteTable } from './serve-routes.ts';
import { describePaths, startWatching, type Watching, type WatchTarget } from './watch.ts';
import { mountVolumes, watchMounts } from './watch-docker.ts';

export interface ServeWatchInput {
  input: Omit<ModeInput, 'invocations' | 'reporter'>;
  entries: HandlerEntry[];
  pool: ContainerPool;
  /** The server's routes: changed in place when lambda-image.json changes its handlers. */
  routes: { -readonly [K in keyof RouteTable]: RouteTable[K] };
  /** The recipe the pool's containers were started from (with the code mounts, if any). */
  recipe: ContainerRecipe;
  mounts: CodeMount[] | undefined;
}

/** The routes of these handlers. */
export function routesOf(manifest: Manifest, entries: readonly HandlerEntry[]): RouteTable {
  return {
    project: manifest.name,
    region: manifest.region,
    handlers: entries.map((e) => e.name),
    urlHandlers: entries.filter((e) => e.trigger?.type === 'url').map((e) => e.name),
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Starts watching; close() stops it (the pool stays the caller's). */
export function watchServing({ input, entries: firstEntries, pool, routes, recipe: firstRecipe, mounts: firstMounts }: ServeWatchInput): Watching {
  const { options, context, paint, fail, environment } = input;
  const { projectDir, stderr } = context;
  let manifest = input.manifest;
  let entries = firstEntries;
  let recipe = firstRecipe;
  let mounts = firstMounts;
  /** What the cycle under way did, for its line. */
  let done: string[] = [];

  /** Builds, then swaps new containers in; false (after printing why) when the build or a start failed. */
  const rebuild = async (): Promise<boolean> => {
    const tag = imageTag(manifest);
    const built = await buildImage({ manifest, options, context, paint, fail }, tag);
    if (typeof built === 'number') {
      done.push('the build failed, the previous containers keep serving');
      return false;
    }
    done.push(`built in ${formatSeconds(built.seconds)}`);
    const nextMounts = watchMounts(manifest, projectDir);
    const { volumes: _, ...rest } = recipe;
    const next = {
      ...rest,
      image: tag,
      project: manifest.name,
      ...(recipe.rie ? { rie: { ...recipe.rie, command: await imageCommand(tag) } } : {}),
      ...(nextMounts ? { volumes: mountVolumes(nextMounts) } : {}),
    };
    const groups = containerGroups(manifest, entries, TASK_ROOT, environment);
    let removed: Promise<void>;
    let held: number;
    try {
      // The new containers start while the old ones serve; the queues are held for the swap only.
      ({ removed, held } = await pool.replace(next, groups));
    } catch (error) {
      if (!(error instanceof ContainerStartError)) throw error;
      fail(error.message);
      done.push('a new container could not start, the previous containers keep serving');
      return false;
    }
    recipe = next;
    mounts = nextMounts;
    if (mounts) for (const container of pool.containers) container.prepareRestarts();
    done.push(`swapped in ${plural(pool.containers.length, 'new container')} (requests held ${formatSeconds(held)})`);
    // The old containers held the previous image: it can go once they are gone.
    await removed;
    if (built.previous) await removeImageIfUnused(built.previous);
    return true;
  };

  const target: WatchTarget = {
    files: () => ({ copies: projectCopies(projectDir), events: [] }),
    canRestart: (codePaths) => mounts !== undefined && mountsCover(projectDir, mounts, codePaths),
    async restart() {
      const started = performance.now();
      let count = 0;
      try {
        await pool.exclusive(async (containers) => {
          count = containers.length;
          await Promise.all(containers.map((c) => c.restartRuntime()));
        });
      } catch (error) {
        if (!(error instanceof RuntimeRestartError)) throw error;
        stderr.write(`${paint('yellow', 'The runtime could not restart in place')} (${error.message}): rebuilding instead\n`);
        return false;
      }
      done.push(`restarted the runtime in ${plural(count, 'container')}, no build (requests held ${formatSeconds((performance.now() - started) / 1000)})`);
      return true;
    },
    rebuild,
    async reload() {
      try {
        manifest = loadManifest(projectDir);
        entries = options.handler ? [findHandler(manifest, options.handler)] : manifest.handlers;
      } catch (error) {
        if (error instanceof ManifestError) {
          fail(error.message);
          done.push('lambda-image.json is not valid, the previous containers keep serving');
          return false;
        }
        throw error;
      }
      const before = routes.handlers;
      if (!(await rebuild())) return false;
      const next = routesOf(manifest, entries);
      const added = next.handlers.filter((h) => !before.includes(h));
      const gone = before.filter((h) => !next.handlers.includes(h));
      Object.assign(routes, next);
      done.unshift(`reloaded lambda-image.json${added.length ? `, new: ${added.join(', ')}` : ''}${gone.length ? `, gone: ${gone.join(', ')}` : ''}`);
      return true;
    },
    // Requests invoke; a change does not.
    async invoke() {},
  };

  return startWatching({
    projectDir,
    stderr,
    paint,
    target,
    onCycle: ({ paths, ok, seconds }) => {
      stderr.write(reloadLine(paths, done, ok, seconds, paint));
      done = [];
    },
  });
}

/** "↻ wpy/core.py changed: restarted the runtime in 1 container, no build (...) in 85 ms" */
export function reloadLine(paths: readonly string[], done: readonly string[], ok: boolean, seconds: number, paint: Painter): string {
  const what = done.length ? done.join(', ') : 'nothing to do';
  return `${paint(ok ? 'cyan' : 'red', '↻')} ${paint('bold', describePaths(paths))} changed: ${what}; ${paint('dim', `${formatSeconds(seconds)} after the change`)}\n`;
}
