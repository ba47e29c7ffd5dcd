// The environment Lambda gives a function, as far as handlers read it, for the local
// container and for --native.
import type { Manifest } from '../shared/manifest.ts';
import { functionName } from '../shared/names.ts';
import { type EnvironmentValue, plainEnvironment } from '../shared/env-values.ts';

/**
 * AWS_LAMBDA_FUNCTION_NAME of the local runtime. Deployed, each handler is its own function
 * (`<project>-<handler>`); locally one runtime (a container, or a --native process) serves every
 * handler of a group of equal settings through the dispatcher, and a process has one environment. So: the deployed function's name when one handler is invoked,
 * and the project's name (what every function name starts with) when several are.
 */
export function localFunctionName(manifest: Pick<Manifest, 'name'>, handlers: readonly string[]): string {
  return handlers.length === 1 ? functionName(manifest.name, handlers[0]!) : manifest.name;
}

/** The settings a runtime's environment is made of: the project's, or one handler's (shared/handler-settings.ts). */
export interface RuntimeSettings {
  memory: number;
  timeout: number;
  environment: Record<string, EnvironmentValue>;
}

/** The variables Lambda sets (memory, timeout, region...), over the manifest's environment (or `settings`'). */
export function lambdaEnvironment(
  manifest: Manifest,
  taskRoot: string,
  name: string = manifest.name,
  settings: RuntimeSettings = { memory: manifest.memory, timeout: manifest.timeout, environment: manifest.deploy.environment },
): Record<string, string> {
  return {
    // Secret references ({"ssm"}/{"secret"}) are resolved in AWS at deploy; locally, give their values with --env-file.
    ...plainEnvironment(settings.environment),
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(settings.memory),
    // The emulator ends an invocation that runs longer, as Lambda does.
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(settings.timeout),
    AWS_REGION: manifest.region,
    AWS_DEFAULT_REGION: manifest.region,
    LAMBDA_TASK_ROOT: taskRoot,
  };
}
