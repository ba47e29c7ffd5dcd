// `npm run local -- --serve`: build, start a container per group of handlers, and answer HTTP
// on 127.0.0.1 until Ctrl-C, which stops the server and removes every container (exit 130).
// Invocations that time out or crash the runtime are answered as failures; the emulator
// starts the runtime again, and a container that stops is replaced for the next request.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Cleanup } from '../shared/cleanup.ts';
import type { HandlerEntry } from '../shared/manifest.ts';
import type { Painter } from '../shared/output.ts';
import type { ModeInput } from './mode.ts';
import { containerGroups } from './container-groups.ts';
import { ContainerPool } from './container-pool.ts';
import { ContainerStartError } from './local-container.ts';
import { prepareImage } from './local-image.ts';
import { runNames, startedLine, TASK_ROOT } from './local-docker.ts';
import { createServeServer } from './serve-server.ts';
import { routeList } from './serve-routes.ts';
import { routesOf, watchServing } from './serve-watch.ts';
import { mountVolumes, watchMounts } from './watch-docker.ts';

export type ServeInput = Omit<ModeInput, 'invocations' | 'reporter'> & {
  entries: HandlerEntry[];
  /** Colours for the request lines on stdout. */
  stdoutPaint: Painter;
};

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Serves until a signal; resolves to the exit code (130/143 after Ctrl-C/SIGTERM, 1 when it cannot start). */
export async function runServeMode(input: ServeInput): Promise<number> {
  const { manifest, entries, options, context, paint, fail, environment } = input;
  const { stderr } = context;
  const cleanup = new Cleanup();
  let stopping: ((code: number) => void) | undefined;
  const stopped = new Promise<number>((resolve) => (stopping = resolve));
  const exit = context.exit ?? ((code: number) => process.exit(code));
  const uninstall = cleanup.handleSignals(
    context.signals ?? process,
    (code) => {
      stopping?.(code);
      exit(code);
    },
    (signal) => stderr.write(`\n${paint('yellow', `${signal}:`)} stopping the server and removing the containers...\n`),
  );
  try {
    const image = await prepareImage(input, entries.length);
    if (typeof image === 'number') return image;
    // --watch waits after a failed first build; a server has nothing to serve meanwhile.
    if (image.buildFailed) return 1;

    const groups = containerGroups(manifest, entries, TASK_ROOT, environment);
    const { runId, namePrefix } = runNames(image.tag);
    const mounts = options.watch ? watchMounts(manifest, context.projectDir) : undefined;
    const recipe = { image: image.tag, project: manifest.name, runId, keep: false, ...(image.rie ? { rie: image.rie } : {}), ...(mounts ? { volumes: mountVolumes(mounts) } : {}) };
    const pool = new ContainerPool({
      recipe,
      groups,
      concurrency: options.concurrency,
      namePrefix,
      onStarted: (container, seconds) => {
        stderr.write(startedLine(container, seconds, groups.length > 1 || options.concurrency > 1));
        // --watch restarts the runtime through a shell opened ahead, so the first restart is as fast as the next.
        if (options.watch) container.prepareRestarts();
      },
      onRetired: (container) => stderr.write(`${paint('yellow', 'Replacing')} ${container.name} on its next request: ${container.retired}\n`),
    });
    cleanup.add(() => pool.close());
    const routes = routesOf(manifest, entries);
    const server = createServeServer({ pool, routes, out: context.stdout, paint: input.stdoutPaint, quiet: options.quiet });
    cleanup.add(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );

    let port: number;
    try {
      port = await listen(server, options.port);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') return fail(`port ${options.port} on 127.0.0.1 is in use: choose another with --port <n>, or --port 0 for any free one`);
      if (code === 'EACCES') return fail(`port ${options.port} on 127.0.0.1 needs privileges: choose one above 1023 with --port <n>, or --port 0`);
      throw error;
    }
    try {
      await pool.start();
    } catch (error) {
      if (error instanceof ContainerStartError) return fail(error.message);
      throw error;
    }
    const base = `http://127.0.0.1:${port}`;
    const more = options.concurrency > 1 ? `, up to ${options.concurrency} containers per group (started as requests wait)` : ', one invocation at a time per container';
    stderr.write(`Serving on ${base}${more}\n${routeList(routes, base).map((l) => `  ${l}\n`).join('')}Ctrl-C stops the server and removes the containers.\n`);
    if (options.watch) {
      const watching = watchServing({ input, entries, pool, routes, recipe, mounts });
      // Added last, so it runs first (the cleanup runs in reverse): no reload starts while the containers go.
      cleanup.add(() => watching.close());
    }
    return await stopped;
  } finally {
    await cleanup.run();
    uninstall();
  }
}
