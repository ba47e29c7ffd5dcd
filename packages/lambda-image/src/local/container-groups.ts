// Which handlers can share a container. A runtime process has one environment, and the
// emulator enforces one AWS_LAMBDA_FUNCTION_TIMEOUT: handlers whose effective timeout, memory
// and environment (lambda-image.json's per-handler settings over the project's) are equal run
// in one container; a handler with settings of its own gets a container of its own, so that it
// runs under exactly the values its deployed function has. Without per-handler settings every
// handler lands in one group: one container, as before.
import { effectiveSettings } from '../shared/handler-settings.ts';
import type { HandlerEntry, Manifest } from '../shared/manifest.ts';
import { plainEnvironment } from '../shared/env-values.ts';
import { lambdaEnvironment, localFunctionName } from './function-env.ts';

export interface ContainerGroup {
  /** The handlers served by this group's containers, in manifest order. */
  handlers: string[];
  timeout: number;
  memory: number;
  /** AWS_LAMBDA_FUNCTION_NAME: `<project>-<handler>` for a group of one handler, else the project's name. */
  functionName: string;
  /** The whole container environment: Lambda's variables, the manifest's, the handler's, then `extra`. */
  environment: Record<string, string>;
  /** Whether a handler of the group has a timeout of its own (for the timeout message). */
  ownTimeout: boolean;
}

/**
 * Groups `entries` by their effective (timeout, memory, environment), first appearance first.
 * `extra` (--env-file, --aws-credentials) goes over every group's environment.
 */
export function containerGroups(manifest: Manifest, entries: readonly HandlerEntry[], taskRoot: string, extra: Record<string, string> = {}): ContainerGroup[] {
  const byKey = new Map<string, { entries: HandlerEntry[]; settings: ReturnType<typeof effectiveSettings> }>();
  for (const entry of entries) {
    const settings = effectiveSettings(manifest, entry);
    const environment = Object.entries(plainEnvironment(settings.environment)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const key = JSON.stringify([settings.timeout, settings.memory, environment]);
    const group = byKey.get(key);
    if (group) group.entries.push(entry);
    else byKey.set(key, { entries: [entry], settings });
  }
  return [...byKey.values()].map(({ entries: members, settings }) => {
    const handlers = members.map((e) => e.name);
    const functionName = localFunctionName(manifest, handlers);
    return {
      handlers,
      timeout: settings.timeout,
      memory: settings.memory,
      functionName,
      environment: { ...lambdaEnvironment(manifest, taskRoot, functionName, settings), ...extra },
      ownTimeout: members.some((e) => e.timeout !== undefined),
    };
  });
}
