// The containers of one `npm run local` run: per group of handlers with equal settings
// (container-groups.ts), up to `concurrency` containers, each taking one invocation at a time
// (the real emulator crashes on a second concurrent one). Invocations wait in their group's
// queue; an idle container takes the oldest. A group's first container is started by
// start(); further ones lazily, when every container of the group is busy and an invocation
// waits. A retired container (stopped, hung) is removed and replaced on demand.
// exclusive() holds the queues until every container is idle (--serve --watch restarts the
// runtimes then), and replace() swaps in containers of a new image or new groups.
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
  private groups: GroupState<C>[];
  private byHandler = new Map<string, GroupState<C>>();
  private recipe: ContainerRecipe;
  /** Set while exclusive() holds the queues: nothing is dispatched, no container starts. */
  private paused = false;
  /** Called once every container is idle and none is starting, while paused. */
  private onQuiet: (() => void) | undefined;
  /** The exclusive() section under way, if any: the next one waits for it. */
  private exclusiveTail: Promise<unknown> = Promise.resolve();
  /** Every name ever given, so that removal reaches containers still being created. */
  private readonly names: string[] = [];
  private closed = false;
  private readonly removals: Promise<void>[] = [];
  private readonly options: PoolOptions<C>;
  private readonly startContainer: StartContainer<C>;

  constructor(options: PoolOptions<C>) {
    this.startContainer = options.startContainer ?? (LocalContainer.start as unknown as StartContainer<C>);
    this.options = options;
    this.recipe = options.recipe;
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
          // Wherever it waits now: replace() moves waiting jobs to the new groups.
          for (const g of this.groups) {
            const at = g.queue.indexOf(job);
            if (at >= 0) g.queue.splice(at, 1)[0]!.reject(signal.reason);
          }
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
    if (!keep) await removeRunContainers(this.names, this.recipe.runId);
  }

  /**
   * Runs `work` once no container is invoking or starting, holding every invocation that
   * arrives or waits meanwhile; they are dispatched when it ends, in their order. The real
   * emulator must never see an invocation while its runtime is being restarted.
   */
  async exclusive<T>(work: (containers: C[]) => Promise<T>): Promise<T> {
    const previous = this.exclusiveTail;
    let release!: () => void;
    this.exclusiveTail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.paused = true;
    try {
      await new Promise<void>((resolve) => {
        this.onQuiet = resolve;
        this.checkQuiet();
      });
      return await work(this.containers);
    } finally {
      this.paused = false;
      release();
      for (const state of this.groups) this.dispatch(state);
    }
  }

  /**
   * Starts one container per group of `groups` from `recipe` (its runId is kept) while the
   * current ones go on serving; once every one has started, holds the queues (exclusive()) and
   * swaps them in: the current containers are removed (awaited by `removed`) and waiting
   * invocations move to their handler's new group (UnknownHandler when it is gone). `held`:
   * how long the queues were held, in seconds. When one cannot start, the new ones are
   * removed, the current ones stay, and the ContainerStartError is thrown.
   */
  async replace(recipe: Omit<ContainerRecipe, 'runId'>, groups: ContainerGroup[]): Promise<{ removed: Promise<void>; held: number }> {
    if (this.closed) throw new PoolClosed('the containers are being removed');
    const nextRecipe = { ...recipe, runId: this.recipe.runId };
    const states: GroupState<C>[] = groups.map((group) => ({ group, containers: [], starting: 0, queue: [] }));
    const results = await Promise.allSettled(states.map((state) => this.startOne(state, 0, nextRecipe)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed || this.closed) {
      for (const c of states.flatMap((s) => s.containers)) {
        c.detach();
        if (!nextRecipe.keep) this.removals.push(removeContainer(c.name));
      }
      throw failed ? failed.reason : new PoolClosed('the containers are being removed');
    }
    const holding = performance.now();
    return this.exclusive(async () => {
      const removed = this.swap(nextRecipe, states);
      return { removed, held: (performance.now() - holding) / 1000 };
    });
  }

  private swap(recipe: ContainerRecipe, states: GroupState<C>[]): Promise<void> {
    const previousGroups = this.groups;
    this.recipe = recipe;
    this.groups = states;
    this.byHandler = new Map(states.flatMap((state) => state.group.handlers.map((handler) => [handler, state] as const)));
    const old = previousGroups.flatMap((s) => s.containers);
    for (const job of previousGroups.flatMap((s) => s.queue.splice(0))) {
      const state = this.byHandler.get(job.handler);
      if (state) state.queue.push(job);
      else job.reject(new UnknownHandler(`unknown handler "${job.handler}": it is no longer in lambda-image.json`));
    }
    for (const s of previousGroups) s.containers.length = 0;
    for (const c of old) c.detach();
    const removed = this.recipe.keep ? Promise.resolve() : Promise.all(old.map((c) => removeContainer(c.name))).then(() => undefined);
    this.removals.push(removed);
    return removed;
  }

  private checkQuiet(): void {
    if (!this.onQuiet) return;
    if (this.groups.every((g) => g.starting === 0 && g.containers.every((c) => c.idle || c.retired))) {
      const quiet = this.onQuiet;
      this.onQuiet = undefined;
      quiet();
    }
  }

  private dispatch(state: GroupState<C>): void {
    if (this.closed) return;
    if (this.paused) {
      this.checkQuiet();
      return;
    }
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
    if (this.recipe.keep) this.dispatch(state);
    else if (!this.closed) {
      const removal = removeContainer(container.name);
      this.removals.push(removal);
      void removal.then(() => this.dispatch(state));
    }
  }

  private async startOne(state: GroupState<C>, hostPort: number, recipe = this.recipe): Promise<C> {
    const name = `${this.options.namePrefix}-${randomBytes(3).toString('hex')}`;
    this.names.push(name);
    state.starting++;
    const started = performance.now();
    try {
      const container = await this.startContainer(recipe, state.group, name, hostPort);
      if (this.closed) throw new ContainerStartError('the containers are being removed');

      container.onIdle = () => queueMicrotask(() => this.dispatch(state));
      state.containers.push(container);
      this.options.onStarted?.(container, (performance.now() - started) / 1000);
      state.starting--;
      this.dispatch(state);
      return container;
    } catch (error) {
      state.starting--;
      this.checkQuiet();
      throw error;
    }
  }
}
