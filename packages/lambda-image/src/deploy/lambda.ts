// One Lambda function per manifest handler, all running the same image: created when missing,
// updated when something differs, left alone otherwise.
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  paginateListFunctions,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type FunctionConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import pLimit from 'p-limit';
import { DeployError } from '../shared/aws.ts';
import type { Architecture } from '../shared/manifest.ts';
import { HANDLER_TAG, PROJECT_TAG, functionNamePrefix } from '../shared/names.ts';

export interface FunctionSpec {
  name: string;
  /** The manifest handler's name. */
  handlerName: string;
  /** The handler string: ImageConfig.Command. */
  command: string;
  /** The digest-pinned image URI. */
  imageUri: string;
  role: string;
  memory: number;
  timeout: number;
  architecture: Architecture;
  environment: Record<string, string>;
  ephemeralStorage: number;
  /** undefined: no reservation. */
  reservedConcurrency: number | undefined;
  description: string;
  project: string;
}

export interface ExistingFunction {
  config: FunctionConfiguration;
  imageUri?: string;
  resolvedImageUri?: string;
  tags: Record<string, string>;
  reservedConcurrency?: number;
}

export type FunctionAction = 'create' | 'update' | 'unchanged';

export interface FunctionDiff {
  action: FunctionAction;
  /** UpdateFunctionCode is needed (image or architecture). */
  code: boolean;
  /** UpdateFunctionConfiguration is needed (command, role, memory, timeout, environment, storage, description). */
  config: boolean;
  /** The reserved concurrency is to be put or removed. */
  concurrency: boolean;
  /** What differs, for the plan: "image", "memory 512 -> 1024", … */
  changes: string[];
}

export async function getFunction(lambda: LambdaClient, name: string): Promise<ExistingFunction | undefined> {
  try {
    const out = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    return {
      config: out.Configuration ?? {},
      imageUri: out.Code?.ImageUri,
      resolvedImageUri: out.Code?.ResolvedImageUri,
      tags: out.Tags ?? {},
      reservedConcurrency: out.Concurrency?.ReservedConcurrentExecutions,
    };
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

const sameList = (a: readonly string[] | undefined, b: readonly string[]) =>
  (a ?? []).length === b.length && b.every((v, i) => a?.[i] === v);

const sameRecord = (a: Record<string, string> | undefined, b: Record<string, string>) => {
  const left = Object.entries(a ?? {}).sort(([x], [y]) => x.localeCompare(y));
  const right = Object.entries(b).sort(([x], [y]) => x.localeCompare(y));
  return JSON.stringify(left) === JSON.stringify(right);
};

/**
 * What deploying `spec` does to the function as it is now. Refuses, with the reason, a function
 * that has the name but is not this project's (another tool's, or a .zip function): deploy never
 * takes over something it did not make.
 */
export function diffFunction(existing: ExistingFunction | undefined, spec: FunctionSpec, region: string): FunctionDiff {
  if (!existing) return { action: 'create', code: true, config: true, concurrency: spec.reservedConcurrency !== undefined, changes: [] };
  const owner = existing.tags[PROJECT_TAG];
  if (owner !== spec.project) {
    throw new DeployError(
      `a function named ${spec.name} already exists in ${region} and is not this project's ` +
        `(its ${PROJECT_TAG} tag is ${owner === undefined ? 'missing' : `"${owner}"`}): delete or rename that function, or rename the project in lambda-image.json`,
    );
  }
  if (existing.config.PackageType !== 'Image') {
    throw new DeployError(
      `the function ${spec.name} is a ${existing.config.PackageType ?? 'Zip'} function; Lambda cannot turn it into a container-image function: delete it (npm run destroy) and deploy again`,
    );
  }
  const changes: string[] = [];
  const c = existing.config;
  const codeChanges: string[] = [];
  if (existing.imageUri !== spec.imageUri && existing.resolvedImageUri !== spec.imageUri) codeChanges.push('image');
  if (!sameList(c.Architectures, [spec.architecture])) codeChanges.push(`architecture ${c.Architectures?.[0] ?? '?'} -> ${spec.architecture}`);
  const configChanges: string[] = [];
  if (!sameList(c.ImageConfigResponse?.ImageConfig?.Command, [spec.command])) configChanges.push(`command -> ${spec.command}`);
  if (c.Role !== spec.role) configChanges.push('role');
  if (c.MemorySize !== spec.memory) configChanges.push(`memory ${c.MemorySize ?? '?'} -> ${spec.memory}`);
  if (c.Timeout !== spec.timeout) configChanges.push(`timeout ${c.Timeout ?? '?'} -> ${spec.timeout}`);
  if (!sameRecord(c.Environment?.Variables, spec.environment)) configChanges.push('environment');
  if ((c.EphemeralStorage?.Size ?? 512) !== spec.ephemeralStorage)
    configChanges.push(`ephemeral storage ${c.EphemeralStorage?.Size ?? 512} -> ${spec.ephemeralStorage}`);
  if ((c.Description ?? '') !== spec.description) configChanges.push('description');
  const concurrency = existing.reservedConcurrency !== spec.reservedConcurrency;
  if (concurrency) changes.push(`reserved concurrency ${existing.reservedConcurrency ?? 'none'} -> ${spec.reservedConcurrency ?? 'none'}`);
  changes.push(...codeChanges, ...configChanges);
  const code = codeChanges.length > 0;
  const config = configChanges.length > 0;
  return { action: code || config || concurrency ? 'update' : 'unchanged', code, config, concurrency, changes };
}

export interface WaitOptions {
  /** Longest wait for a function to settle; image functions can take minutes to become Active. */
  maxWaitSeconds?: number;
}

/** Why a function did not settle, from its configuration. */
async function settleFailure(lambda: LambdaClient, name: string, waited: string): Promise<DeployError> {
  let config: FunctionConfiguration | undefined;
  try {
    config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  } catch {
    // Report what we know.
  }
  if (config?.State === 'Failed') {
    return new DeployError(
      `the function ${name} is in state Failed: ${config.StateReason ?? 'no reason given'}${config.StateReasonCode ? ` (${config.StateReasonCode})` : ''}`,
    );
  }
  if (config?.LastUpdateStatus === 'Failed') {
    return new DeployError(
      `the update of ${name} failed: ${config.LastUpdateStatusReason ?? 'no reason given'}${config.LastUpdateStatusReasonCode ? ` (${config.LastUpdateStatusReasonCode})` : ''}`,
    );
  }
  return new DeployError(
    `the function ${name} did not become ${waited} in time (State ${config?.State ?? '?'}, LastUpdateStatus ${config?.LastUpdateStatus ?? '?'}): look at it in the Lambda console, then deploy again`,
  );
}

async function waitActive(lambda: LambdaClient, name: string, options: WaitOptions): Promise<void> {
  try {
    await waitUntilFunctionActiveV2(
      { client: lambda, maxWaitTime: options.maxWaitSeconds ?? 900, minDelay: 1, maxDelay: 5 },
      { FunctionName: name },
    );
  } catch {
    throw await settleFailure(lambda, name, 'Active');
  }
}

async function waitUpdated(lambda: LambdaClient, name: string, options: WaitOptions): Promise<void> {
  try {
    await waitUntilFunctionUpdatedV2(
      { client: lambda, maxWaitTime: options.maxWaitSeconds ?? 900, minDelay: 1, maxDelay: 5 },
      { FunctionName: name },
    );
  } catch {
    throw await settleFailure(lambda, name, 'updated');
  }
}

/** IAM roles take seconds to be usable by Lambda after creation; Lambda says so with this error. */
export function isRoleNotReady(error: unknown): boolean {
  return (
    (error as Error | undefined)?.name === 'InvalidParameterValueException' &&
    /role.*cannot be assumed|cannot be assumed by lambda/i.test((error as Error).message)
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ApplyOptions extends WaitOptions {
  /** How long to keep retrying CreateFunction while a new role propagates. */
  roleWaitSeconds?: number;
  onRoleWait?: () => void;
}

export interface Applied {
  action: FunctionAction;
  arn: string;
  seconds: number;
}

async function create(lambda: LambdaClient, spec: FunctionSpec, options: ApplyOptions): Promise<string> {
  const deadline = Date.now() + (options.roleWaitSeconds ?? 90) * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: spec.name,
          Description: spec.description,
          PackageType: 'Image',
          Code: { ImageUri: spec.imageUri },
          ImageConfig: { Command: [spec.command] },
          Role: spec.role,
          Architectures: [spec.architecture],
          MemorySize: spec.memory,
          Timeout: spec.timeout,
          Environment: { Variables: spec.environment },
          EphemeralStorage: { Size: spec.ephemeralStorage },
          Tags: { [PROJECT_TAG]: spec.project, [HANDLER_TAG]: spec.handlerName },
        }),
      );
      return out.FunctionArn ?? '';
    } catch (error) {
      if (!isRoleNotReady(error) || Date.now() > deadline) throw error;
      if (attempt === 1) options.onRoleWait?.();
      await sleep(Math.min(1000 * attempt, 5000));
    }
  }
}

/** Brings one function to `spec`: create, or update its code and/or configuration, then waits until it is ready. */
export async function applyFunction(
  lambda: LambdaClient,
  spec: FunctionSpec,
  existing: ExistingFunction | undefined,
  diff: FunctionDiff,
  options: ApplyOptions = {},
): Promise<Applied> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  if (diff.action === 'unchanged') return { action: 'unchanged', arn: existing?.config.FunctionArn ?? '', seconds: seconds() };
  if (diff.action === 'create') {
    const arn = await create(lambda, spec, options);
    await waitActive(lambda, spec.name, options);
    if (diff.concurrency) await applyConcurrency(lambda, spec);
    return { action: 'create', arn, seconds: seconds() };
  }
  // A function still settling from an interrupted deploy takes no new update until it is done.
  if (existing?.config.State === 'Pending') await waitActive(lambda, spec.name, options);
  if (existing?.config.LastUpdateStatus === 'InProgress') await waitUpdated(lambda, spec.name, options);
  if (diff.code) {
    await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: spec.name, ImageUri: spec.imageUri, Architectures: [spec.architecture] }),
    );
    await waitUpdated(lambda, spec.name, options);
  }
  if (diff.config) {
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: spec.name,
        Role: spec.role,
        MemorySize: spec.memory,
        Timeout: spec.timeout,
        Environment: { Variables: spec.environment },
        EphemeralStorage: { Size: spec.ephemeralStorage },
        Description: spec.description,
        ImageConfig: { Command: [spec.command] },
      }),
    );
    await waitUpdated(lambda, spec.name, options);
  }
  if (diff.concurrency) await applyConcurrency(lambda, spec);
  return { action: 'update', arn: existing?.config.FunctionArn ?? '', seconds: seconds() };
}

/** Reserved concurrency is not part of the configuration: it has calls of its own. */
async function applyConcurrency(lambda: LambdaClient, spec: FunctionSpec): Promise<void> {
  if (spec.reservedConcurrency === undefined) await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: spec.name }));
  else await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: spec.name, ReservedConcurrentExecutions: spec.reservedConcurrency }));
}

export interface ProjectFunction {
  name: string;
  arn: string;
  /** The manifest handler it was deployed for (its lambda-image:handler tag). */
  handlerName?: string;
}

/** Every function in the region tagged as this project's: the ones deploy made, whatever the manifest says now. */
export async function listProjectFunctions(lambda: LambdaClient, project: string, concurrency = 8): Promise<ProjectFunction[]> {
  const prefix = functionNamePrefix(project);
  const candidates: FunctionConfiguration[] = [];
  for await (const page of paginateListFunctions({ client: lambda }, {})) {
    for (const fn of page.Functions ?? []) if (fn.FunctionName?.startsWith(prefix)) candidates.push(fn);
  }
  const limit = pLimit(concurrency);
  const tagged = await Promise.all(
    candidates.map((fn) =>
      limit(async (): Promise<ProjectFunction | undefined> => {
        const tags = (await lambda.send(new ListTagsCommand({ Resource: fn.FunctionArn }))).Tags ?? {};
        if (tags[PROJECT_TAG] !== project) return undefined;
        return { name: fn.FunctionName ?? '', arn: fn.FunctionArn ?? '', handlerName: tags[HANDLER_TAG] };
      }),
    ),
  );
  return tagged.filter((f): f is ProjectFunction => f !== undefined).sort((a, b) => a.name.localeCompare(b.name));
}

export async function deleteFunction(lambda: LambdaClient, name: string): Promise<boolean> {
  try {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}
