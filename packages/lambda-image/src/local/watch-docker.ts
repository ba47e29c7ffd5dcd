// --watch in Docker mode: what each cycle of watch.ts does to the image and the containers.
// Interpreted runtimes (Python, Node.js, Ruby) run with their code bound read-only over the
// image's (code-mounts.ts), so a code change restarts the runtime in place
// (runtime-restart.ts); anything else rebuilds (the layer cache keeps the dependency layer)
// and replaces the containers.
import { removeImageIfUnused, imageCommand } from '../shared/docker.ts';
import type { Cleanup } from '../shared/cleanup.ts';
import { findHandler, loadManifest, ManifestError, type Manifest } from '../shared/manifest.ts';
import { painterFor, Reporter } from '../shared/output.ts';
import { RESTARTABLE_RUNTIMES } from './change-kind.ts';
import { codeMounts, mountsCover, type CodeMount } from './code-mounts.ts';
import { containerGroups } from './container-groups.ts';
import { ContainerPool } from './container-pool.ts';
import { projectCopies, TASK_ROOT } from './dockerfile-copies.ts';
import { EventError, eventsFor } from './events.ts';
import { invokeHandlers, type RunState } from './invoke-handlers.ts';
import { checkEventSize, EventTooLarge } from './limits.ts';
import { ContainerStartError } from './local-container.ts';
import { buildImage, imageTag, type PreparedImage } from './local-image.ts';
import type { Invocation, ModeInput } from './mode.ts';
import { RuntimeRestartError } from './runtime-restart.ts';
import { startWatching, type WatchTarget } from './watch.ts';
import { randomBytes } from 'node:crypto';

/** The code to bind into the containers, for a runtime that reads it at start; undefined: rebuild on every code change. */
export function watchMounts(manifest: Manifest, projectDir: string): CodeMount[] | undefined {
  if (!RESTARTABLE_RUNTIMES.has(manifest.runtime)) return undefined;
  return codeMounts(projectDir, projectCopies(projectDir));
}

/** `docker run --volume` values: read-only, the handler cannot change the project's files. */
export function mountVolumes(mounts: readonly CodeMount[]): string[] {
  return mounts.map((m) => `${m.source}:${m.target}:ro`);
}

export interface WatchInDockerInput {
  input: ModeInput;
  image: PreparedImage;
  /** The containers of the first run, started with `mounts`; none when its build or their start failed. */
  pool: ContainerPool | undefined;
  mounts: CodeMount[] | undefined;
  run: RunState;
  cleanup: Cleanup;
}

/** Watches until Ctrl-C, whose handler removes everything and exits: the promise never settles. */
export async function watchInDocker({ input, image, pool: firstPool, mounts: firstMounts, run, cleanup }: WatchInDockerInput): Promise<number> {
  const { options, context, paint, fail, environment } = input;
  const { projectDir, stderr, stdout } = context;
  let manifest = input.manifest;
  let invocations: Invocation[] = input.invocations;
  let pool = firstPool;
  let mounts = firstMounts;
  let rie = image.rie;
  /** The phases of the cycle under way, for its summary line. */
  let phases: [string, number][] = [];
  const since = (started: number) => (performance.now() - started) / 1000;

  const prepare = (p: ContainerPool | undefined) => {
    if (mounts && p) for (const container of p.containers) container.prepareRestarts();
  };
  prepare(pool);

  /** Removes the containers and starts new ones from the image as it now is, with the code bound as it now is. */
  const replaceContainers = async (previousImage?: string): Promise<boolean> => {
    await pool?.close();
    const tag = imageTag(manifest);
    mounts = watchMounts(manifest, projectDir);
    if (rie) rie = { ...rie, command: await imageCommand(tag) };
    const suffix = randomBytes(3).toString('hex');
    const groups = containerGroups(manifest, invocations.map((i) => i.entry), TASK_ROOT, environment);
    const next = new ContainerPool({
      recipe: { image: tag, project: manifest.name, runId: `${process.pid}-${suffix}`, keep: false, ...(rie ? { rie } : {}), ...(mounts ? { volumes: mountVolumes(mounts) } : {}) },
      groups,
      concurrency: 1,
      firstPort: options.port,
      namePrefix: `${tag.replace(/:local$/, '')}-local-${suffix}`,
      onStarted: (container) => stderr.write(`Started ${container.name} on 127.0.0.1:${container.port}\n`),
    });
    pool = next;
    const started = performance.now();
    try {
      await next.start();
    } catch (error) {
      if (error instanceof ContainerStartError) {
        fail(error.message);
        phases = [];
        return false;
      }
      throw error;
    }
    phases.push(['start', since(started)]);
    prepare(next);
    // Only now: the old containers held the previous image.
    if (previousImage) await removeImageIfUnused(previousImage);
    return true;
  };

  const rebuild = async (): Promise<boolean> => {
    const built = await buildImage({ manifest, options, context, paint, fail }, imageTag(manifest));
    if (typeof built === 'number') {
      phases = [];
      return false;
    }
    phases.push(['build', built.seconds]);
    return replaceContainers(built.previous);
  };

  const target: WatchTarget = {
    files: () => ({ copies: projectCopies(projectDir), events: manifest.handlers.map((h) => h.event) }),
    canRestart: (codePaths) => mounts !== undefined && (pool?.containers.length ?? 0) > 0 && mountsCover(projectDir, mounts, codePaths),
    async restart() {
      const started = performance.now();
      try {
        await Promise.all((pool?.containers ?? []).map((c) => c.restartRuntime()));
      } catch (error) {
        if (!(error instanceof RuntimeRestartError)) throw error;
        stderr.write(`${paint('yellow', 'The runtime could not restart in place')} (${error.message}): rebuilding instead\n`);
        return false;
      }
      phases.push(['restart', since(started)]);
      return true;
    },
    rebuild,
    async reload() {
      try {
        manifest = loadManifest(projectDir);
        const entries = options.handler ? [findHandler(manifest, options.handler)] : manifest.handlers;
        invocations = entries.map((entry) => ({ entry, event: undefined }));
      } catch (error) {
        if (error instanceof ManifestError) {
          fail(error.message);
          return false;
        }
        throw error;
      }
      return rebuild();
    },
    async invoke() {
      // The events are read again each time: a change to one is a reason to invoke.
      try {
        invocations = eventsFor(projectDir, invocations.map((i) => i.entry), options.event, context.userDir ?? projectDir);
        for (const { entry, event } of invocations) checkEventSize(entry.name, event);
      } catch (error) {
        if (error instanceof EventError || error instanceof EventTooLarge) {
          fail(error.message);
          return;
        }
        throw error;
      }
      const reporter = new Reporter(stdout, painterFor(stdout, context.color), invocations.map((i) => i.entry.name), options.quiet);
      run.reporter = reporter;
      // No containers yet (the first build or start failed): whatever changed, a build comes first.
      if (!pool && !(await rebuild())) return;
      if (!pool) return;
      const started = performance.now();
      if (!(await invokeHandlers(pool, invocations, run))) return;
      phases.push(['invoke', since(started)]);
      reporter.summary(phases);
      phases = [];
    },
  };

  // The containers of the latest cycle; the first run's are removed by its own cleanup step.
  cleanup.add(() => pool?.close());
  const watching = startWatching({ projectDir, stderr, paint, target });
  // Added last, so it runs first (the cleanup runs in reverse): no cycle starts while the containers go.
  cleanup.add(() => watching.close());
  return new Promise<number>(() => {});
}
