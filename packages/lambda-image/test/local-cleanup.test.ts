import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Cleanup } from '../src/shared/cleanup.ts';

const tick = () => new Promise((r) => setTimeout(r, 10));

describe('Cleanup', () => {
  it('runs every step once, latest first, even when one fails', async () => {
    const cleanup = new Cleanup();
    const ran: string[] = [];
    cleanup.add(() => void ran.push('container'));
    cleanup.add(() => {
      ran.push('failing');
      throw new Error('x');
    });
    cleanup.add(async () => void ran.push('last'));
    await Promise.all([cleanup.run(), cleanup.run()]);
    await cleanup.run();
    expect(ran).toEqual(['last', 'failing', 'container']);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('on %s: says so, cleans up, then exits %i', async (signal, code) => {
    const source = new EventEmitter();
    const cleanup = new Cleanup();
    const events: string[] = [];
    cleanup.add(async () => {
      await tick();
      events.push('removed');
    });
    cleanup.handleSignals(source, (c) => events.push(`exit ${c}`), (s) => events.push(`signal ${s}`));
    source.emit(signal);
    await tick();
    await tick();
    expect(events).toEqual([`signal ${signal}`, 'removed', `exit ${code}`]);
  });

  it('exits at once on a second signal, and uninstalls its listeners', async () => {
    const source = new EventEmitter();
    const cleanup = new Cleanup();
    const exits: number[] = [];
    cleanup.add(() => new Promise(() => {})); // never finishes
    const uninstall = cleanup.handleSignals(source, (c) => exits.push(c));
    source.emit('SIGINT');
    source.emit('SIGINT');
    expect(exits).toEqual([130]);
    uninstall();
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
  });
});
