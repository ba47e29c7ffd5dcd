// The Docker half of `npm run local`: build, start one container, invoke every
// handler one at a time, report, and remove the container whatever happens.
import { randomBytes } from 'node:crypto';
import type { Manifest } from '../shared/manifest.ts';
import { hostname } from 'node:os';
import {
  ContainerExited,
  containerLogs,
  containersWithLabel,
  containersWithLabels,
  containerState,
  followLogs,
  imageId,
  removeImageIfUnused,
  DockerBuildError,
  dockerBuild,
  DockerError,
  ensureDocker,
  hasBuildx,
  imageCommand,
  imageExists,
  platformOf,
  removeContainer,
  runContainer,
} from '../shared/docker.ts';
import type { StartedContainer } from '../shared/docker.ts';
import { dispatcherPayload, EmulatorNotReady, INVOKE_PATH, InvocationTimeout, invokeEmulator, waitForEmulator } from './emulator.ts';
import type { Outcome } from '../shared/outcome.ts';
import { EXIT, formatBuildFailure, formatSeconds } from '../shared/output.ts';
import { Cleanup } from '../shared/cleanup.ts';
import { BuildDisplay } from '../shared/build-display.ts';
import { lambdaEnvironment, localFunctionName } from './function-env.ts';
import { InvocationLogs } from './invocation-logs.ts';
import { headline, type ModeInput } from './mode.ts';
import { provideRie, RIE_MOUNT, RieError, type RieSource } from './rie.ts';

/** Every container this tooling starts carries this label, with the project name as value. */
export const PROJECT_LABEL = 'lambda-image.project';
/** Unique per run: finds a container whose creation raced with an interruption. */
const RUN_LABEL = 'lambda-image.run';
/** `<host> <pid>` of the run that owns the container: a later run removes it once that process is gone. */
const OWNER_LABEL = 'lambda-image.owner';
/** On containers started with --keep: the user owns them, no later run removes them. */
const KEEP_LABEL = 'lambda-image.keep';
/** How long to wait for an invocation's REPORT line after its answer (a dead runtime gets none). */
const LOG_WAIT_MS = 400;
/** LAMBDA_TASK_ROOT of the base images. */
const TASK_ROOT = '/var/task';
/** Extra time on top of the function's timeout for an invocation: the first one also loads the code. */
const INVOKE_MARGIN_MS = 10_000;
const READY_TIMEOUT_MS = 30_000;

/** The local image's tag: a Docker-valid form of the project name. */
export function imageTag(manifest: Pick<Manifest, 'name'>): string {
  const repo =
    manifest.name
      .toLowerCase()
      .replace(/^@/, '')
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+/, '') || 'lambda';
  return `${repo}:local`;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The command that invokes one handler in a kept container. */
export function curlCommand(port: number, payload: unknown): string {
  return `curl -s -X POST http://127.0.0.1:${port}${INVOKE_PATH} -d ${shellQuote(JSON.stringify(payload))}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the project's containers whose run is gone (a SIGKILLed or hung-up run never
 * cleaned up): those of this host whose owning process no longer exists. Kept containers
 * (--keep) and other hosts' are left alone. Returns how many went.
 */
export async function removeOrphans(project: string): Promise<number> {
  const host = hostname();
  const candidates = await containersWithLabels(`${PROJECT_LABEL}=${project}`, OWNER_LABEL).catch(() => []);
  const keep = new Set(await containersWithLabel(`${KEEP_LABEL}=true`).catch(() => []));
  let removed = 0;
  for (const { id, value } of candidates) {
    const [ownerHost, pid] = value.split(' ');
    if (keep.has(id) || ownerHost !== host || !pid || processAlive(Number(pid))) continue;
    await removeContainer(id);
    removed++;
  }
  return removed;
}

/** "RequestId: ..." already stripped: the runtime's end, as the emulator reports it. */
function restartNote(status: number, outcome: Outcome): string | undefined {
  if (outcome.ok) return undefined;
  if (outcome.errorType === 'Sandbox.Timedout') return 'the emulator stopped the runtime; it re-initialises it (a cold start) for the next invocation';
  if (status === 502) return 'the runtime ended; the emulator re-initialises it (a cold start) for the next invocation';
  return undefined;
}

function indentLogs(logs: string): string {
  return logs ? logs.replace(/^/gm, '  │ ') : '  (no output)';
}

export async function runDockerMode({ manifest, invocations, options, context, reporter, paint, fail, environment }: ModeInput): Promise<number> {
  const { stderr } = context;
  const tag = imageTag(manifest);
  const phases: [string, number][] = [];
  const cleanup = new Cleanup();
  /** The invocation in flight, for Ctrl-C to report as interrupted rather than failed. */
  let inFlight: { name: string; abort: AbortController } | undefined;
  let interrupted = false;
  const uninstall = cleanup.handleSignals(
    context.signals ?? process,
    context.exit ?? ((code) => process.exit(code)),
    (signal) => {
      interrupted = true;
      if (inFlight) {
        reporter.interrupt(inFlight.name, signal);
        inFlight.abort.abort();
      }
      stderr.write(`\n${paint('yellow', `${signal}:`)} stopping and removing the container...\n`);
    },
  );
  try {
    // Both probes at once: every run pays for them.
    void hasBuildx();
    try {
      await ensureDocker();
    } catch (error) {
      if (error instanceof DockerError) return fail(`${error.message}\n(\`npm run local -- --native\` runs the handlers without Docker.)`);
      throw error;
    }
    stderr.write(headline(manifest, invocations.length, `${manifest.runtime} ${manifest.runtimeVersion}, ${platformOf(manifest.architecture)}`, paint));
    const orphans = await removeOrphans(manifest.name);
    if (orphans > 0) stderr.write(`Removed ${orphans} container${orphans === 1 ? '' : 's'} left running by an earlier run that was killed\n`);

    // On another base image than AWS's the image has the runtime client but no emulator: one is
    // found (or downloaded) before the build, so that a missing one fails fast.
    let rie: RieSource | undefined;
    if (manifest.awsBaseImage === false) {
      try {
        rie = await provideRie({
          architecture: manifest.architecture,
          flag: options.rie,
          cwd: context.userDir ?? context.projectDir,
          log: (line) => stderr.write(`${line}\n`),
        });
      } catch (error) {
        if (error instanceof RieError) return fail(error.message);
        throw error;
      }
      stderr.write(`Emulator: ${rie.path} (${rie.origin})\n`);
    } else if (options.rie !== undefined) {
      return fail(`--rie is for projects on another base image than AWS's (lambda-image.json "awsBaseImage": false); ${manifest.baseImage} runs its own emulator`, EXIT.usage);
    }

    if (options.build) {
      stderr.write(`Building ${tag}\n`);
      const previous = await imageId(tag);
      const display = new BuildDisplay(stderr, paint);
      try {
        const { seconds } = await dockerBuild({
          cwd: context.projectDir,
          tag,
          architecture: manifest.architecture,
          labels: { [PROJECT_LABEL]: manifest.name },
          onStep: options.verbose ? undefined : display.step,
          onStepStart: options.verbose ? undefined : display.start,
          onStepOutput: options.verbose ? undefined : display.output,
          onLine: options.verbose ? (line) => stderr.write(`  ${line}\n`) : undefined,
        }).finally(() => display.stop());
        phases.push(['build', seconds]);
        stderr.write(`Built ${tag} in ${formatSeconds(seconds)}\n`);
        // The image the tag named before: untagged now, unless another tag or a container holds it.
        if (previous && previous !== (await imageId(tag))) await removeImageIfUnused(previous);
      } catch (error) {
        if (error instanceof DockerBuildError) return fail(formatBuildFailure(error.message, error.output, paint));
        if (error instanceof DockerError) return fail(error.message);
        throw error;
      }
    } else if (!(await imageExists(tag))) {
      return fail(`there is no image ${tag} to run: run \`npm run local\` once without --no-build`, EXIT.usage);
    }

    // Named before it exists, so that an interruption during `docker run` can still remove it.
    const suffix = randomBytes(3).toString('hex');
    const name = `${tag.replace(/:local$/, '')}-local-${suffix}`;
    const runId = `${process.pid}-${suffix}`;
    const handlerNames = invocations.map((i) => i.entry.name);
    let keep = false;
    let logFollower: { stop: () => void; done: Promise<void> } | undefined;
    let starting: Promise<StartedContainer> | undefined;
    cleanup.add(async () => {
      logFollower?.stop();
      if (keep) return;
      await starting?.catch(() => {});
      await removeContainer(name);
      // A container the daemon finished creating after the removal above.
      for (const id of await containersWithLabel(`${RUN_LABEL}=${runId}`).catch(() => [])) await removeContainer(id);
    });

    const startedAt = performance.now();
    let container: StartedContainer;
    try {
      // The emulator, mounted read-only, runs the image's own entrypoint and command behind it.
      const behindRie = rie
        ? { readOnlyMounts: [{ source: rie.path, target: RIE_MOUNT }], entrypoint: RIE_MOUNT, command: await imageCommand(tag) }
        : {};
      starting = runContainer({
        ...behindRie,
        image: tag,
        name,
        hostPort: options.port,
        env: { ...lambdaEnvironment(manifest, TASK_ROOT, localFunctionName(manifest, handlerNames)), ...environment },
        labels: {
          [PROJECT_LABEL]: manifest.name,
          [RUN_LABEL]: runId,
          [OWNER_LABEL]: `${hostname()} ${process.pid}`,
          ...(options.keep ? { [KEEP_LABEL]: 'true' } : {}),
        },
      });
      container = await starting;
      await waitForEmulator(container.port, {
        timeoutMs: READY_TIMEOUT_MS,
        intervalMs: 20,
        alive: async () => (await containerState(name))?.running ?? false,
      });
    } catch (error) {
      if (error instanceof EmulatorNotReady || error instanceof ContainerExited) {
        const state = await containerState(name);
        const why =
          state && !state.running
            ? `the container exited early (exit code ${state.exitCode})`
            : `the emulator in the container did not answer: ${error.message}`;
        return fail(`${why}. Its logs:\n${indentLogs(await containerLogs(name))}`);
      }
      if (error instanceof DockerError) return fail(error.message);
      throw error;
    }
    const startSeconds = (performance.now() - startedAt) / 1000;
    phases.push(['start', startSeconds]);
    stderr.write(`Started ${name} on 127.0.0.1:${container.port} in ${formatSeconds(startSeconds)}\n`);

    const logs = new InvocationLogs();
    logFollower = followLogs(name, (line) => logs.line(line));
    const invokeStarted = performance.now();
    // The emulator ends a handler at the function's timeout; this only catches an emulator that hangs.
    const timeoutMs = manifest.timeout * 1000 + INVOKE_MARGIN_MS;
    for (const [index, { entry, event }] of invocations.entries()) {
      let outcome: Outcome;
      let seconds = 0;
      let status = 200;
      let stop: string | undefined;
      const abort = new AbortController();
      inFlight = { name: entry.name, abort };
      try {
        ({ outcome, seconds, status } = await invokeEmulator(container.port, dispatcherPayload(entry.name, event), timeoutMs, abort.signal));
      } catch (error) {
        if (interrupted) return EXIT.failed; // the signal handler reports, cleans up and exits
        if (error instanceof InvocationTimeout) {
          outcome = {
            ok: false,
            errorType: 'Sandbox.Timedout',
            errorMessage: `the emulator gave no answer within ${Math.round(timeoutMs / 1000)} s (the function's timeout, ${manifest.timeout} s, and a margin)`,
            stackTrace: [],
          };
          seconds = timeoutMs / 1000;
          stop = `the emulator stopped answering during ${entry.name}`;
        } else {
          const state = await containerState(name);
          if (state?.running) throw error;
          outcome = {
            ok: false,
            errorType: 'Runtime.ExitError',
            errorMessage: `the container stopped during the invocation (exit code ${state?.exitCode ?? '?'}). Its logs:\n${indentLogs(await containerLogs(name))}`,
            stackTrace: [],
          };
          stop = 'the container stopped';
        }
      } finally {
        inFlight = undefined;
      }
      if (interrupted) return EXIT.failed;
      if (!outcome.ok && outcome.errorType === 'Sandbox.Timedout' && !stop) {
        outcome = { ...outcome, errorMessage: `${outcome.errorMessage} (the function's timeout: "timeout": ${manifest.timeout} in lambda-image.json)` };
      }
      const log = await logs.take(index, stop ? 0 : LOG_WAIT_MS);
      const more = index < invocations.length - 1 && !stop;
      reporter.handler({
        name: entry.name,
        outcome,
        seconds,
        logs: log.lines,
        report: log.report,
        note: more ? restartNote(status, outcome) : undefined,
      });
      if (stop) {
        reporter.skip(invocations.slice(index + 1).map((i) => i.entry.name), `(${stop})`);
        break;
      }
    }
    if (options.verbose && logs.emulator.length > 0) stderr.write(`The emulator's log:\n${indentLogs(logs.emulator.join('\n'))}\n`);
    phases.push(['invoke', (performance.now() - invokeStarted) / 1000]);
    const code = reporter.summary(phases);

    if (options.keep) {
      keep = true;
      const first = invocations[0]!;
      stderr.write(
        `\nThe container keeps running. Invoke a handler:\n  ${curlCommand(container.port, dispatcherPayload(first.entry.name, first.event))}\nRemove it when done:\n  docker rm -f ${name}\n`,
      );
    }
    return code;
  } finally {
    await cleanup.run();
    uninstall();
  }
}
