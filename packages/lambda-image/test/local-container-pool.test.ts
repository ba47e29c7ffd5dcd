// The pool's queueing: one invocation at a time per container (the real emulator crashes on a
// second concurrent one), oldest first, extra containers only when every one is busy and an
// invocation waits, waiting invocations dropped when their client leaves, a retired container
// replaced. The containers here are stand-ins that record what reaches them; the real ones are
// exercised by test/e2e/serve.test.ts.
import { describe, expect, it } from 'vitest';
import type { ContainerGroup } from '../src/local/container-groups.ts';
import { ContainerPool, type PoolContainer } from '../src/local/container-pool.ts';
import type { ContainerInvocation } from '../src/local/local-container.ts';

const group = (handlers: string[]): ContainerGroup => ({ handlers, timeout: 3, memory: 128, functionName: 'p', environment: {}, ownTimeout: false });

class FakeContainer implements PoolContainer {
  static all: FakeContainer[] = [];
  retired: string | undefined;
  onIdle: (() => void) | undefined;
  inFlight = 0;
  maxInFlight = 0;
  seen: unknown[] = [];
  private busy = false;
  readonly name: string;
  readonly group: ContainerGroup;
  constructor(name: string, g: ContainerGroup) {
    this.name = name;
    this.group = g;
    FakeContainer.all.push(this);
  }
  get idle() {
    return !this.busy && !this.retired;
  }
  async invoke(_handler: string, payload: unknown): Promise<ContainerInvocation> {
    if (this.busy) throw new Error('two invocations at once');
    this.busy = true;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.seen.push(payload);
    const { ms = 10, retire } = payload as { ms?: number; retire?: boolean };
    await new Promise((r) => setTimeout(r, ms));
    this.inFlight--;
    this.busy = false;
    if (retire) this.retired = 'the container stopped';
    this.onIdle?.();
    return { outcome: { ok: true, value: payload }, seconds: ms / 1000, status: 200, log: { lines: [], initialised: false }, retired: this.retired };
  }
  detach() {}
}

function pool(groups: ContainerGroup[], concurrency: number, startMs = 5) {
  FakeContainer.all = [];
  let n = 0;
  return new ContainerPool<FakeContainer>({
    recipe: { image: 'x', project: 'p', runId: 'r', keep: true },
    groups,
    concurrency,
    namePrefix: 'p',
    startContainer: async (_recipe, g, name) => {
      await new Promise((r) => setTimeout(r, startMs));
      n++;
      return new FakeContainer(`${name}-${n}`, g);
    },
  });
}

describe('ContainerPool', () => {
  it('with one container, runs 20 concurrent invocations one at a time, oldest first', async () => {
    const p = pool([group(['a', 'b'])], 1);
    await p.start();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => p.invoke(i % 2 ? 'a' : 'b', { i, ms: 2 })));
    expect(results.map((r) => (r.outcome as { value: { i: number } }).value.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(FakeContainer.all).toHaveLength(1);
    expect(FakeContainer.all[0]!.maxInFlight).toBe(1);
    expect(FakeContainer.all[0]!.seen.map((s) => (s as { i: number }).i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('starts a second container only when the first is busy and an invocation waits, and never more than --concurrency', async () => {
    const p = pool([group(['a'])], 2);
    await p.start();
    expect(FakeContainer.all).toHaveLength(1);
    await p.invoke('a', { ms: 1 });
    expect(FakeContainer.all).toHaveLength(1);
    await Promise.all(Array.from({ length: 10 }, () => p.invoke('a', { ms: 20 })));
    expect(FakeContainer.all).toHaveLength(2);
    for (const c of FakeContainer.all) expect(c.maxInFlight).toBe(1);
    expect(FakeContainer.all.every((c) => c.seen.length > 1)).toBe(true);
  });

  it('routes each handler to its own group’s containers, in parallel across groups', async () => {
    const p = pool([group(['a']), group(['b'])], 1);
    await p.start();
    const started = performance.now();
    await Promise.all([p.invoke('a', { ms: 100 }), p.invoke('b', { ms: 100 })]);
    expect(performance.now() - started).toBeLessThan(190);
    expect(FakeContainer.all.map((c) => c.seen.length)).toEqual([1, 1]);
    await expect(p.invoke('c', {})).rejects.toThrow('unknown handler "c"');
  });

  it('drops a waiting invocation whose client left; the running one finishes', async () => {
    const p = pool([group(['a'])], 1);
    await p.start();
    const cancel = new AbortController();
    const running = p.invoke('a', { n: 1, ms: 50 }, { cancel: cancel.signal });
    const waiting = p.invoke('a', { n: 2 }, { cancel: cancel.signal });
    cancel.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
    await expect(running).resolves.toMatchObject({ outcome: { ok: true } });
    expect(FakeContainer.all[0]!.seen).toEqual([{ n: 1, ms: 50 }]);
  });

  it('replaces a retired container for the next invocation', async () => {
    const p = pool([group(['a'])], 1);
    await p.start();
    const first = await p.invoke('a', { retire: true });
    expect(first.retired).toBe('the container stopped');
    const next = await p.invoke('a', { n: 2 });
    expect(next.container).not.toBe(first.container);
    expect(FakeContainer.all).toHaveLength(2);
  });

  it('fails waiting invocations once closed', async () => {
    const p = pool([group(['a'])], 1);
    await p.start();
    const running = p.invoke('a', { ms: 30 });
    const waiting = p.invoke('a', {});
    await p.close(true);
    await expect(waiting).rejects.toThrow('the containers are being removed');
    await running;
    await expect(p.invoke('a', {})).rejects.toThrow('the containers are being removed');
  });
});
