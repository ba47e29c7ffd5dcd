// The Docker half of `npm run local`: build, start the containers (one per group of handlers
// with equal settings; one in all when no handler has settings of its own), invoke every
// handler one at a time, report, and remove the containers whatever happens.
import { randomBytes } from 'node:crypto';
import { INVOKE_PATH, dispatcherPayload } from './emulator.ts';
import { Cleanup } from '../shared/cleanup.ts';
import { EXIT, formatSeconds } from '../shared/output.ts';
import type { ModeInput } from './mode.ts';
import { invokeHandlers, type RunState } from './invoke-handlers.ts';
import { mountVolumes, watchInDocker, watchMounts } from './watch-docker.ts';
import { containerGroups } from './container-groups.ts';
import { ContainerPool } from './container-pool.ts';
import { ContainerStartError, type LocalContainer } from './local-container.ts';
import { imageTag, prepareImage } from './local-image.ts';

export { imageTag, removeOrphans } from './local-image.ts';
export { PROJECT_LABEL } from './local-container.ts';

/** LAMBDA_TASK_ROOT of the base images. */
export const TASK_ROOT = '/var/task';

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The command that invokes one handler in a kept container. */
export function curlCommand(port: number, payload: unknown): string {
  return `curl -s -X POST http://127.0.0.1:${port}${INVOKE_PATH} -d ${shellQuote(JSON.stringify(payload))}`;
}

/** "Started <name> on 127.0.0.1:<port> in 0.52 s", with the group's handlers and settings when there are several groups. */
export function startedLine(container: LocalContainer, seconds: number, several: boolean): string {
  const { group } = container;
  const detail = several ? ` (${group.handlers.join(', ')}: timeout ${group.timeout} s, memory ${group.memory} MB)` : '';
  return `Started ${container.name} on 127.0.0.1:${container.port} in ${formatSeconds(seconds)}${detail}\n`;
}

/** A unique run id and the prefix of this run's container names. */
export function runNames(tag: string): { runId: string; namePrefix: string } {
  const suffix = randomBytes(3).toString('hex');
  return { runId: `${process.pid}-${suffix}`, namePrefix: `${tag.replace(/:local$/, '')}-local-${suffix}` };
}

export async function runDockerMode(input: ModeInput): Promise<number> {
  const { manifest, invocations, options, context, reporter, paint, fail, environment } = input;
  const { stderr } = context;
  const phases: [string, number][] = [];
  const cleanup = new Cleanup();
  const run: RunState = { interrupted: false, reporter };
  const uninstall = cleanup.handleSignals(
    context.signals ?? process,
    context.exit ?? ((code) => process.exit(code)),
    (signal) => {
      run.interrupted = true;
      if (run.inFlight) {
        run.reporter.interrupt(run.inFlight.name, signal);
        run.inFlight.abort.abort();
      }
      stderr.write(`\n${paint('yellow', `${signal}:`)} stopping and removing the container...\n`);
    },
  );
  try {
    const image = await prepareImage(input, invocations.length);
    if (typeof image === 'number') return image;
    if (image.buildFailed) return await watchInDocker({ input, image, pool: undefined, mounts: undefined, run, cleanup });
    if (image.buildSeconds !== undefined) phases.push(['build', image.buildSeconds]);

    const groups = containerGroups(manifest, invocations.map((i) => i.entry), TASK_ROOT, environment);
    const { runId, namePrefix } = runNames(image.tag);
    const mounts = options.watch ? watchMounts(manifest, context.projectDir) : undefined;
    const pool = new ContainerPool({
      recipe: { image: image.tag, project: manifest.name, runId, keep: options.keep, ...(image.rie ? { rie: image.rie } : {}), ...(mounts ? { volumes: mountVolumes(mounts) } : {}) },
      groups,
      concurrency: 1,
      firstPort: options.port,
      namePrefix,
      onStarted: (container, seconds) => stderr.write(startedLine(container, seconds, groups.length > 1)),
    });
    cleanup.add(() => pool.close(options.keep));

    const startedAt = performance.now();
    try {
      await pool.start();
    } catch (error) {
      if (!(error instanceof ContainerStartError)) throw error;
      const code = fail(error.message);
      if (!options.watch) return code;
      // As after a failed build: the next change builds and starts again.
      await pool.close();
      return await watchInDocker({ input, image, pool: undefined, mounts: undefined, run, cleanup });
    }
    phases.push(['start', (performance.now() - startedAt) / 1000]);

    const invokeStarted = performance.now();
    if (!(await invokeHandlers(pool, invocations, run))) return EXIT.failed; // interrupted: the signal handler reports, cleans up and exits
    if (options.verbose) {
      for (const container of pool.containers) {
        if (container.logs.emulator.length > 0) stderr.write(`The emulator's log (${container.name}):\n${container.logs.emulator.map((l) => `  │ ${l}`).join('\n')}\n`);
      }
    }
    phases.push(['invoke', (performance.now() - invokeStarted) / 1000]);
    const code = reporter.summary(phases);

    if (options.keep) {
      const containers = pool.containers;
      stderr.write(`\nThe container${containers.length === 1 ? ' keeps' : 's keep'} running. Invoke a handler:\n`);
      for (const container of containers) {
        const first = invocations.find((i) => container.group.handlers.includes(i.entry.name))!;
        stderr.write(`  ${curlCommand(container.port, dispatcherPayload(first.entry.name, first.event))}\n`);
      }
      stderr.write(`Remove ${containers.length === 1 ? 'it' : 'them'} when done:\n  docker rm -f ${containers.map((c) => c.name).join(' ')}\n`);
    }
    if (options.watch) {
      return await watchInDocker({ input, image, pool, mounts, run, cleanup });
    }
    return code;
  } finally {
    await cleanup.run();
    uninstall();
  }
}
