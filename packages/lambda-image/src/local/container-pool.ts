// The containers of one `npm run local` run: per group of handlers with equal settings
// (container-groups.ts), up to `concurrency` containers, each taking one invocation at a time
// (the real emulator crashes on a second concurrent one). Invocations wait in their group's
// queue; an idle container takes the oldest. A group's first container is started by
// start(); further ones lazily, when every container of the group is busy and an invocation
// waits. A retired container (stopped, hung) is removed and replaced on demand.
import { randomBytes } from 'node:crypto';
import { removeContainer } from '../shared/docker.ts';
import type { ContainerGroup } from './container-groups.ts';
import { type ContainerInvocation, type ContainerRecipe, ContainerStartError, LocalContainer, removeRunContainers } from './local-container.ts';

/** What the pool needs of a container (LocalContainer; the unit tests give their own). */
export interface PoolContainer {
  readonly name: string;
  readonly group: ContainerGroup;
  /** Neither invoking nor retired. */
  readonly idle: boolean;
  retired: string | undefined;
  onIdle: (() => void) | undefined;
  invoke(handler: string, payload: unknown, signal?: AbortSignal): Promise<ContainerInvocation>;
  detach(): void;
}

export type StartContainer<C extends PoolContainer> = (recipe: ContainerRecipe, group: ContainerGroup, name: string, hostPort: number) => Promise<C>;

export interface PoolOptions<C extends PoolContainer = LocalContainer> {
  recipe: ContainerRecipe;
  groups: ContainerGroup[];
  /** Containers per group at most (1: every invocation of a group goes through one emulator). */
  concurrency: number;
  /** Host port of the first group's first container; 0 or absent: any free one. */
  firstPort?: number;
  /** Prefix of container names, e.g. `orders-svc-local`. */
  namePrefix: string;
  onStarted?: (container: C, seconds: number) => void;
  onRetired?: (container: C) => void;
  /** How a container starts: LocalContainer.start unless given. */
  startContainer?: StartContainer<C>;
}

interface Job<C extends PoolContainer> {
  handler: string;
  payload: unknown;
  signal: AbortSignal | undefined;
  resolve: (result: PooledInvocation<C>) => void;
  reject: (error: unknown) => void;
}

interface GroupState<C extends PoolContainer> {
  group: ContainerGroup;
  containers: C[];
  starting: number;
  queue: Job<C>[];
}

export type PooledInvocation<C extends PoolContainer = LocalContainer> = ContainerInvocation & { container: C };

export class PoolClosed extends Error {
  override name = 'PoolClosed';
}

export class UnknownHandler extends Error {
  override name = 'UnknownHandler';
}

export class ContainerPool<C extends PoolContainer = LocalContainer> {
  private readonly groups: GroupState<C>[];
  private readonly byHandler = new Map<string, GroupState<C>>();
  /** Every name ever given, so that removal reaches containers still being created. */
  private readonly names: string[] = [];
  private closed = false;
  private readonly removals: Promise<void>[] = [];
  private readonly options: PoolOptions<C>;
  private readonly startContainer: StartContainer<C>;

  constructor(options: PoolOptions<C>) {
    this.startContainer = options.startContainer ?? (LocalContainer.start as unknown as StartContainer<C>);
    this.options = options;
    this.groups = options.groups.map((group) => ({ group, containers: [], starting: 0, queue: [] }));
    for (const state of this.groups) for (const handler of state.group.handlers) this.byHandler.set(handler, state);
  }

  groupOf(handler: string): ContainerGroup | undefined {
    return this.byHandler.get(handler)?.group;
  }

  get handlers(): string[] {
    return [...this.byHandler.keys()];
  }

  /** The containers running now. */
  get containers(): C[] {
    return this.groups.flatMap((g) => g.containers);
  }

  /** Starts one container per group, in parallel; throws ContainerStartError when one cannot start. */
  async start(): Promise<void> {
    const results = await Promise.allSettled(this.groups.map((state, i) => this.startOne(state, i === 0 ? (this.options.firstPort ?? 0) : 0)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Queues one invocation on the handler's group; resolves once its container answered and its
   * log is read. `cancel` drops it while it waits (its client left) and never reaches a running
   * invocation; `abort` also cuts a running one short (Ctrl-C), retiring its container, whose
   * runtime may still be busy.
   */
  invoke(handler: string, payload: unknown, signals: { cancel?: AbortSignal; abort?: AbortSignal } = {}): Promise<PooledInvocation<C>> {
    const state = this.byHandler.get(handler);
    if (!state) return Promise.reject(new UnknownHandler(`unknown handler "${handler}"`));
    if (this.closed) return Promise.reject(new PoolClosed('the containers are being removed'));
    return new Promise((resolve, reject) => {
      const job: Job<C> = { handler, payload, signal: signals.abort, resolve, reject };
      state.queue.push(job);
      for (const signal of [signals.cancel, signals.abort]) {
        signal?.addEventListener('abort', () => {
          const at = state.queue.indexOf(job);
          if (at >= 0) state.queue.splice(at, 1)[0]!.reject(signal.reason);
        });
      }
      this.dispatch(state);
    });
  }

  /** Invocations waiting for a container, per group. */
  get waiting(): number {
    return this.groups.reduce((n, g) => n + g.queue.length, 0);
  }

  /** Removes every container (unless `keep`), including any still being created. */
  async close(keep = false): Promise<void> {
    this.closed = true;
    for (const state of this.groups) {
      for (const job of state.queue.splice(0)) job.reject(new PoolClosed('the containers are being removed'));
      for (const c of state.containers) c.detach();
    }
    // A retired container's removal still running: a second `docker rm` of it fails while the
    // first goes on, and exiting before the first ends can leave the container behind.
    await Promise.all(this.removals);
    if (!keep) await removeRunContainers(this.names, this.options.recipe.runId);
  }

  private dispatch(state: GroupState<C>): void {
    if (this.closed) return;
    for (const container of state.containers) {
      if (state.queue.length === 0) return;
      if (container.idle) this.run(state, container, state.queue.shift()!);
    }
    if (state.queue.length > 0 && state.containers.length + state.starting < this.options.concurrency) {
      this.startOne(state, 0).catch((error) => {
        // Nothing left to serve the queue: its invocations fail with the reason.
        if (state.containers.length === 0 && state.starting === 0) for (const job of state.queue.splice(0)) job.reject(error);
      });
    }
  }

  private run(state: GroupState<C>, container: C, job: Job<C>): void {
    container
      .invoke(job.handler, job.payload, job.signal)
      .then((result) => {
        if (result.retired) this.retire(state, container);
        job.resolve({ ...result, container });
      }, (error) => {
        if (container.retired) this.retire(state, container);
        job.reject(error);
      });
  }

  private retire(state: GroupState<C>, container: C): void {
    const at = state.containers.indexOf(container);
    if (at < 0) return;
    state.containers.splice(at, 1);
    container.detach();
    this.options.onRetired?.(container);
    if (this.options.recipe.keep) this.dispatch(state);
    else if (!this.closed) {
      const removal = removeContainer(container.name);
      this.removals.push(removal);
      void removal.then(() => this.dispatch(state));
    }
  }

  private async startOne(state: GroupState<C>, hostPort: number): Promise<C> {
    const name = `${this.options.namePrefix}-${randomBytes(3).toString('hex')}`;
    this.names.push(name);
    state.starting++;
    const started = performance.now();
    try {
      const container = await this.startContainer(this.options.recipe, state.group, name, hostPort);
      if (this.closed) throw new ContainerStartError('the containers are being removed');
      container.onIdle = () => queueMicrotask(() => this.dispatch(state));
      state.containers.push(container);
      this.options.onStarted?.(container, (performance.now() - started) / 1000);
      state.starting--;
      this.dispatch(state);
      return container;
    } catch (error) {
      state.starting--;
      throw error;
    }
  }
}
