// Invoking the selected handlers through the running containers, one at a time, each
// reported as it comes: the body of every Docker run, and of every --watch cycle.
import { dispatcherPayload } from './emulator.ts';
import type { Reporter } from '../shared/output.ts';
import type { ContainerGroup } from './container-groups.ts';
import type { ContainerPool } from './container-pool.ts';
import type { Invocation } from './mode.ts';

/** What Ctrl-C needs to know of the run: the invocation in flight is reported as interrupted, not failed. */
export interface RunState {
  interrupted: boolean;
  inFlight?: { name: string; abort: AbortController };
  /** Where the interrupted invocation is reported (each --watch cycle has its own). */
  reporter: Reporter;
}

/**
 * Invokes the handlers one at a time through their containers and reports each on
 * `run.reporter`. Resolves to false when Ctrl-C interrupted it.
 */
export async function invokeHandlers(pool: ContainerPool, invocations: readonly Invocation[], run: RunState): Promise<boolean> {
  const { reporter } = run;
  /** Handlers whose container stopped or hangs: skipped, with the reason. */
  const skippedBecause = new Map<ContainerGroup, string>();
  for (const [index, { entry, event }] of invocations.entries()) {
    const group = pool.groupOf(entry.name)!;
    const stopped = skippedBecause.get(group);
    if (stopped) {
      reporter.skip([entry.name], `(${stopped})`);
      continue;
    }
    const abort = new AbortController();
    run.inFlight = { name: entry.name, abort };
    let result;
    try {
      result = await pool.invoke(entry.name, dispatcherPayload(entry.name, event), { abort: abort.signal });
    } catch (error) {
      if (run.interrupted) return false;
      throw error;
    } finally {
      run.inFlight = undefined;
    }
    if (run.interrupted) return false;
    if (result.retired) skippedBecause.set(group, result.retired);
    // Only when another handler of the same container follows does its restart matter.
    const more = invocations.slice(index + 1).some((i) => group.handlers.includes(i.entry.name));
    reporter.handler({
      name: entry.name,
      outcome: result.outcome,
      seconds: result.seconds,
      logs: result.log.lines,
      report: result.log.report,
      note: more ? result.note : undefined,
    });
  }
  return true;
}
