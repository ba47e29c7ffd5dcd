// One container of `npm run local`: the image behind the Runtime Interface Emulator, labelled
// so that nothing is left behind, its log cut per invocation. It takes one invocation at a
// time: the real emulator crashes on a second concurrent one (callers queue; see
// container-pool.ts). An emulator that hangs or a container that stops retires the container.
import { hostname } from 'node:os';
import {
  ContainerExited,
  containerLogs,
  containersWithLabel,
  containerState,
  DockerError,
  followLogs,
  removeContainer,
  runContainer,
} from '../shared/docker.ts';
import type { Outcome } from '../shared/outcome.ts';
import { EmulatorNotReady, InvocationTimeout, invokeEmulator, waitForEmulator } from './emulator.ts';
import { type InvocationLog, InvocationLogs } from './invocation-logs.ts';
import type { ContainerGroup } from './container-groups.ts';
import { RIE_MOUNT } from './rie.ts';
import { RuntimeRestarter } from './runtime-restart.ts';

/** Every container this tooling starts carries this label, with the project name as value. */
export const PROJECT_LABEL = 'lambda-image.project';
/** Unique per run: finds a container whose creation raced with an interruption. */
export const RUN_LABEL = 'lambda-image.run';
/** `<host> <pid>` of the run that owns the container: a later run removes it once that process is gone. */
export const OWNER_LABEL = 'lambda-image.owner';
/** On containers started with --keep: the user owns them, no later run removes them. */
export const KEEP_LABEL = 'lambda-image.keep';
/** How long to wait for an invocation's REPORT line after its answer (a dead runtime gets none). */
const LOG_WAIT_MS = 400;
/** Extra time on top of the function's timeout for an invocation: the first one also loads the code. */
const INVOKE_MARGIN_MS = 10_000;
const READY_TIMEOUT_MS = 30_000;

export class ContainerStartError extends Error {
  override name = 'ContainerStartError';
}

/** How a container is run: the same for every container of a run but its group. */
export interface ContainerRecipe {
  image: string;
  project: string;
  runId: string;
  keep: boolean;
  /** The emulator to mount and the image's own command to run behind it (not an AWS base image). */
  rie?: { path: string; command: string[] };
  /** --volume host:container[:ro] bind mounts (--watch mounts the code over the image's). */
  volumes?: string[];
}

export interface ContainerInvocation {
  outcome: Outcome;
  seconds: number;
  /** The emulator's HTTP status (502: the runtime ended). */
  status: number;
  log: InvocationLog;
  /** Set when the container cannot take another invocation (it stopped, or its emulator hangs). */
  retired?: string;
  /** A line about the runtime after this invocation (it is started again). */
  note?: string;
}

export function indentLogs(logs: string): string {
  return logs ? logs.replace(/^/gm, '  │ ') : '  (no output)';
}

function restartNote(status: number, outcome: Outcome): string | undefined {
  if (outcome.ok) return undefined;
  if (outcome.errorType === 'Sandbox.Timedout') return 'the emulator stopped the runtime; it re-initialises it (a cold start) for the next invocation';
  if (status === 502) return 'the runtime ended; the emulator re-initialises it (a cold start) for the next invocation';
  return undefined;
}

export class LocalContainer {
  readonly logs = new InvocationLogs();
  /** Set once it can take no more invocations; the reason. */
  retired: string | undefined;
  /** Called when the emulator has answered: the container may take the next invocation while this one's log is read. */
  onIdle: (() => void) | undefined;
  private invocations = 0;
  private busy = false;
  private follower: { stop: () => void } | undefined;
  private restarter: RuntimeRestarter | undefined;

  readonly name: string;
  readonly port: number;
  readonly group: ContainerGroup;

  private constructor(name: string, port: number, group: ContainerGroup) {
    this.name = name;
    this.port = port;
    this.group = group;
  }

  /**
   * Starts a container for `group` and waits for its emulator. `name` is chosen by the caller
   * before the container exists, so that an interruption during `docker run` can still remove it.
   */
  static async start(recipe: ContainerRecipe, group: ContainerGroup, name: string, hostPort: number): Promise<LocalContainer> {
    try {
      const started = await runContainer({
        ...(recipe.rie ? { readOnlyMounts: [{ source: recipe.rie.path, target: RIE_MOUNT }], entrypoint: RIE_MOUNT, command: recipe.rie.command } : {}),
        image: recipe.image,
        ...(recipe.volumes ? { volumes: recipe.volumes } : {}),
        name,
        hostPort,
        env: group.environment,
        labels: {
          [PROJECT_LABEL]: recipe.project,
          [RUN_LABEL]: recipe.runId,
          [OWNER_LABEL]: `${hostname()} ${process.pid}`,
          ...(recipe.keep ? { [KEEP_LABEL]: 'true' } : {}),
        },
      });
      await waitForEmulator(started.port, {
        timeoutMs: READY_TIMEOUT_MS,
        intervalMs: 20,
        alive: async () => (await containerState(name))?.running ?? false,
      });
      const container = new LocalContainer(name, started.port, group);
      container.follower = followLogs(name, (line) => container.logs.line(line));
      return container;
    } catch (error) {
      if (error instanceof EmulatorNotReady || error instanceof ContainerExited) {
        const state = await containerState(name);
        const why =
          state && !state.running
            ? `the container exited early (exit code ${state.exitCode})`
            : `the emulator in the container did not answer: ${error.message}`;
        throw new ContainerStartError(`${why}. Its logs:\n${indentLogs(await containerLogs(name))}`);
      }
      if (error instanceof DockerError) throw new ContainerStartError(error.message);
      throw error;
    }
  }

  /**
   * Sends one dispatcher payload and waits for its answer and its log. Throws when called while
   * another invocation is in flight (the emulator would crash) or after retirement. `signal`
   * aborts the wait (Ctrl-C); the runtime may still be running, so the container is retired.
   */
  async invoke(handler: string, payload: unknown, signal?: AbortSignal): Promise<ContainerInvocation> {
    if (this.busy) throw new Error(`container ${this.name} is already invoking: the emulator takes one invocation at a time`);
    if (this.retired) throw new Error(`container ${this.name} is retired: ${this.retired}`);
    this.busy = true;
    const index = this.invocations++;
    // The emulator ends a handler at the function's timeout; this only catches an emulator that hangs.
    const timeoutMs = this.group.timeout * 1000 + INVOKE_MARGIN_MS;
    let outcome: Outcome;
    let seconds = 0;
    let status = 200;
    try {
      ({ outcome, seconds, status } = await invokeEmulator(this.port, payload, timeoutMs, signal));
    } catch (error) {
      if (signal?.aborted) {
        this.retired = 'interrupted';
        throw error;
      }
      if (error instanceof InvocationTimeout) {
        this.retired = `the emulator stopped answering during ${handler}`;
        outcome = {
          ok: false,
          errorType: 'Sandbox.Timedout',
          errorMessage: `the emulator gave no answer within ${Math.round(timeoutMs / 1000)} s (the function's timeout, ${this.group.timeout} s, and a margin)`,
          stackTrace: [],
        };
        seconds = timeoutMs / 1000;
      } else {
        const state = await containerState(this.name);
        if (state?.running) throw error;
        this.retired = 'the container stopped';
        outcome = {
          ok: false,
          errorType: 'Runtime.ExitError',
          errorMessage: `the container stopped during the invocation (exit code ${state?.exitCode ?? '?'}). Its logs:\n${indentLogs(await containerLogs(this.name))}`,
          stackTrace: [],
        };
      }
    } finally {
      this.busy = false;
      this.onIdle?.();
    }
    if (!outcome.ok && outcome.errorType === 'Sandbox.Timedout' && !this.retired) {
      const where = this.group.ownTimeout ? `"timeout": ${this.group.timeout} of handler "${handler}"` : `"timeout": ${this.group.timeout}`;
      outcome = { ...outcome, errorMessage: `${outcome.errorMessage} (the function's timeout: ${where} in lambda-image.json)` };
    }
    const log = await this.logs.take(index, this.retired ? 0 : LOG_WAIT_MS);
    return { outcome, seconds, status, log, retired: this.retired, note: this.retired ? undefined : restartNote(status, outcome) };
  }

  /**
   * Opens what restartRuntime() uses ahead of time (--watch), so the first restart is as fast
   * as the others.
   */
  prepareRestarts(): void {
    this.restarter ??= new RuntimeRestarter(this.name, this.port);
    this.restarter.open();
  }

  /**
   * Restarts the runtime in place (--watch, runtime-restart.ts): its next invocation starts a
   * new one, which loads the code as it now is. Throws RuntimeRestartError when it cannot.
   */
  async restartRuntime(): Promise<void> {
    if (this.busy) throw new Error(`container ${this.name} is invoking: its runtime cannot restart now`);
    this.busy = true;
    try {
      this.prepareRestarts();
      const throwaways = await this.restarter!.restart(this.group.timeout * 1000 + INVOKE_MARGIN_MS);
      // Each throwaway invocation has a START in the log: its piece is not the next handler's.
      for (let i = 0; i < throwaways; i++) await this.logs.take(this.invocations++, 0);
    } finally {
      this.busy = false;
      this.onIdle?.();
    }
  }

  get idle(): boolean {
    return !this.busy && !this.retired;
  }

  /** Stops following its log; the container itself stays (--keep). */
  detach(): void {
    this.follower?.stop();
    this.restarter?.close();
  }
}

/** Removes a container by name, and any container of this run the daemon created after an interrupted `docker run`. */
export async function removeRunContainers(names: readonly string[], runId: string): Promise<void> {
  await Promise.all(names.map((name) => removeContainer(name)));
  const late = await containersWithLabel(`${RUN_LABEL}=${runId}`).catch(() => []);
  await Promise.all(late.map((id) => removeContainer(id)));
}
