// The pool's queueing: one invocation at a time per container (the real emulator crashes on a
// second concurrent one), oldest first, extra containers only when every one is busy and an
// invocation waits, waiting invocations dropped when their client leaves, a retired container
// replaced. The containers here are stand-ins that record what reaches them; the real ones are
// exercised by test/e2e/serve.test.ts.
import { describe, expect, it } from 'vitest';
import type { ContainerGroup } from '../src/local/container-groups.ts';
import { ContainerPool, type PoolContainer } from '../src/local/container-pool.ts';
import { type ContainerInvocation, ContainerStartError } from '../src/local/local-container.ts';

const group = (handlers: string[]): ContainerGroup => ({ handlers, timeout: 3, memory: 128, functionName: 'p', environment: {}, ownTimeout: false });

class FakeContainer implements PoolContainer {
  static all: FakeContainer[] = [];
  retired: string | undefined;
  onIdle: (() => void) | undefined;
  inFlight = 0;
  maxInFlight = 0;
  seen: unknown[] = [];
  static events: string[] = [];
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
    FakeContainer.events.push(`start ${JSON.stringify(payload)}`);
    const { ms = 10, retire } = payload as { ms?: number; retire?: boolean };
    await new Promise((r) => setTimeout(r, ms));
    this.inFlight--;
    FakeContainer.events.push(`end ${JSON.stringify(payload)}`);
    this.busy = false;
    if (retire) this.retired = 'the container stopped';
    this.onIdle?.();
    return { outcome: { ok: true, value: payload }, seconds: ms / 1000, status: 200, log: { lines: [], initialised: false }, retired: this.retired };
  }
  detach() {}
}

function pool(groups: ContainerGroup[], concurrency: number, startMs = 5) {
  FakeContainer.all = [];
  FakeContainer.events = [];
  let n = 0;
  return new ContainerPool<FakeContainer>({
    recipe: { image: 'x', project: 'p', runId: 'r', keep: true },
    groups,
    concurrency,
    namePrefix: 'p',
    startContainer: async (recipe, g, name) => {
      await new Promise((r) => setTimeout(r, startMs));
      if (recipe.image === 'broken') throw new ContainerStartError('the container exited early (exit code 1)');
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

  describe('reloads (--serve --watch)', () => {
    const ids = (events: string[]) => events.map((e) => e.replace(/,"ms":\d+/, '').replace(/[{}"]/g, ''));

    it('exclusive() waits for the invocation in flight, holds the queue during the work, then serves it in order', async () => {
      const p = pool([group(['a'])], 2);
      await p.start();
      const first = Array.from({ length: 4 }, (_, n) => p.invoke('a', { n, ms: 30 }));
      await new Promise((r) => setTimeout(r, 5));
      // One or two containers are busy now (the second starts as the queue waits).
      const reload = p.exclusive(async (containers) => {
        FakeContainer.events.push(`restart ${containers.length}`);
        expect(containers.every((c) => c.idle)).toBe(true);
        await new Promise((r) => setTimeout(r, 40));
        FakeContainer.events.push('restarted');
      });
      // Requests that arrive during the reload wait for it.
      await new Promise((r) => setTimeout(r, 50));
      const during = Array.from({ length: 4 }, (_, n) => p.invoke('a', { n: n + 10, ms: 5 }));
      await reload;
      const results = await Promise.all([...first, ...during]);
      expect(results.every((r) => r.outcome.ok)).toBe(true);
      const events = ids(FakeContainer.events);
      const begin = events.findIndex((e) => e.startsWith('restart '));
      const end = events.indexOf('restarted');
      expect(end).toBe(begin + 1);
      // Every invocation that started before the reload ended before it; the rest started after it.
      const before = events.slice(0, begin);
      expect(before.filter((e) => e.startsWith('start')).length).toBe(before.filter((e) => e.startsWith('end')).length);
      const after = events.slice(end + 1).filter((e) => e.startsWith('start '));
      // Held ones first, oldest first, then those that came during the reload.
      const held = ['start n:0', 'start n:1', 'start n:2', 'start n:3'].filter((e) => !before.includes(e));
      expect(held.length).toBeGreaterThan(0);
      expect(after).toEqual([...held, 'start n:10', 'start n:11', 'start n:12', 'start n:13']);
      for (const c of FakeContainer.all) expect(c.maxInFlight).toBe(1);
    });

    it('replace() swaps in new containers and groups; waiting invocations go to the new ones, a removed handler’s are refused', async () => {
      const p = pool([group(['a', 'b'])], 1);
      await p.start();
      const [old] = FakeContainer.all;
      const running = p.invoke('a', { n: 1, ms: 100 });
      const reload = p.replace({ image: 'next', project: 'p', keep: true }, [group(['a']), group(['c'])]);
      // Arrives while the new containers start: the old one (busy) would take it next; the swap comes first.
      const waitingA = p.invoke('a', { n: 2 });
      const refusedB = expect(p.invoke('b', { n: 3 })).rejects.toThrow('unknown handler "b"');
      await reload;
      expect((await running).container).toBe(old);
      expect((await waitingA).container).not.toBe(old);
      await refusedB;
      expect(p.handlers.sort()).toEqual(['a', 'c']);
      expect(p.containers).toHaveLength(2);
      expect(p.containers).not.toContain(old);
      expect((await p.invoke('c', { n: 4 })).container.group.handlers).toEqual(['c']);
    });

    it('a replacement that cannot start leaves the current containers serving', async () => {
      const p = pool([group(['a'])], 1);
      await p.start();
      const [old] = FakeContainer.all;
      const reload = p.replace({ image: 'broken', project: 'p', keep: true }, [group(['a'])]);
      const waiting = p.invoke('a', { n: 1 });
      await expect(reload).rejects.toThrow(ContainerStartError);
      expect((await waiting).container).toBe(old);
      expect(p.containers).toEqual([old]);
    });
  });
});
