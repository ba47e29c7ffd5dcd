// `npm run deploy`: one image, built once and pushed once, run by one Lambda function per
// handler in lambda-image.json (ImageConfig.Command = that handler).
import { parseCommandArgs } from '../shared/args.ts';
import pLimit from 'p-limit';
import { DeployError, createClients, explainAwsError, resolveRegion, whoAmI, type AwsClients, type Identity } from '../shared/aws.ts';
import { type ImagePlan, type PublishedImage, describeImagePlan, planImage, publishImage, timed } from './deploy-image.ts';
import { releaseUnusedImages, removeOlderLocalImages } from './after-deploy.ts';
import { type SecretValues, resolveEnvironment, resolveSecrets } from './secrets.ts';
import { type DeployState, type FunctionRow, functionTable, partialState, stepLine } from './deploy-report.ts';
import { DockerBuildError, DockerError } from '../shared/docker.ts';
import { pinnedImageUri } from './ecr.ts';
import { ensureRole, findRole } from './iam.ts';
import {
  applyFunction,
  deleteFunction,
  diffFunction,
  getFunction,
  listProjectFunctions,
  type ExistingFunction,
  type FunctionDiff,
  type FunctionSpec,
  type ProjectFunction,
} from './lambda.ts';
import { type Manifest, ManifestError, loadManifest } from '../shared/manifest.ts';
import { describeTrigger, effectiveSettings } from '../shared/handler-settings.ts';
import { applyTriggers, removeMappings, triggerTable } from './triggers.ts';
import { functionName, roleName } from '../shared/names.ts';
import { Interrupted, StopRequest } from './interruption.ts';

/**
 * How many functions are created or updated at once. Lambda's control plane allows about 15
 * write requests a second per region and the waiters poll with GetFunction (not counted), so 8
 * keeps a 20-handler deploy to three short waves without being throttled.
 */
export const FUNCTION_CONCURRENCY = 8;

export const DEPLOY_USAGE = `Usage: npm run deploy -- [options]

Builds the image once, pushes it to ECR once, and creates or updates one Lambda function per
handler in lambda-image.json, all running that image.

Options:
  --dry-run   show what would be created, updated or deleted; change nothing
  --prune     delete this project's functions whose handler is no longer in lambda-image.json,
              and the queues deploy created that no sqs trigger uses any more
  --rebuild   build and push even when the repository already has the image for these sources
              (to pick up a newer base image)
  --allow-shared-repository
              deploy into an ECR repository that another project created (refused otherwise)
  -h, --help  show this help

Ctrl-C (or SIGTERM) stops at the next safe point and says what was done; run again to finish.

AWS credentials and region come from the usual places (AWS_PROFILE, AWS_ACCESS_KEY_ID…,
AWS_REGION); without a region, lambda-image.json's "region" is used.`;

export interface DeployArgs {
  dryRun: boolean;
  prune: boolean;
  rebuild: boolean;
  allowSharedRepository: boolean;
  help: boolean;
}

export function parseDeployArgs(argv: string[]): DeployArgs {
  try {
    const { values } = parseCommandArgs(argv, {
        'dry-run': { type: 'boolean', default: false },
        prune: { type: 'boolean', default: false },
        rebuild: { type: 'boolean', default: false },
        'allow-shared-repository': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      }, 'deploy');
    return {
      dryRun: values['dry-run'],
      prune: values.prune,
      rebuild: values.rebuild,
      allowSharedRepository: values['allow-shared-repository'],
      help: values.help,
    };
  } catch (error) {
    throw new DeployError(`${(error as Error).message}\n\n${DEPLOY_USAGE}`);
  }
}

export interface DeployOptions {
  dir: string;
  dryRun?: boolean;
  prune?: boolean;
  rebuild?: boolean;
  allowSharedRepository?: boolean;
  out?: (line: string) => void;
  concurrency?: number;
  /** Ctrl-C / SIGTERM: the deploy stops at its next safe point. */
  stop?: StopRequest;
}

export interface FunctionPlan {
  spec: FunctionSpec;
  existing: ExistingFunction | undefined;
  diff: FunctionDiff;
}

export interface Plan {
  identity: Identity;
  region: string;
  regionSource: string;
  image: ImagePlan;
  role: { name?: string; arn: string; exists: boolean; fromManifest: boolean };
  functions: FunctionPlan[];
  orphans: ProjectFunction[];
}

/** Placeholder digest for the plan of an image not built yet: it differs from every deployed one. */
const NEW_IMAGE = '<new image>';

export function functionSpecs(manifest: Manifest, imageUri: string, role: string, secrets: SecretValues = new Map()): FunctionSpec[] {
  const specs = manifest.handlers.map((h) => {
    const settings = effectiveSettings(manifest, h);
    return {
      name: functionName(manifest.name, h.name),
      handlerName: h.name,
      command: h.handler,
      imageUri,
      role,
      memory: settings.memory,
      timeout: settings.timeout,
      architecture: manifest.architecture,
      environment: resolveEnvironment(settings.environment, secrets),
      ephemeralStorage: settings.ephemeralStorage,
      reservedConcurrency: settings.reservedConcurrency,
      description: settings.description,
      project: manifest.name,
    };
  });
  const seen = new Map<string, string>();
  for (const s of specs) {
    const other = seen.get(s.name);
    if (other) {
      throw new ManifestError(
        `handlers "${other}" and "${s.handlerName}" would both deploy as the function ${s.name}: rename one of them`,
      );
    }
    seen.set(s.name, s.handlerName);
  }
  return specs;
}

/** Looks at the account (read-only) and works out what a deploy would do. */
export async function planDeploy(
  manifest: Manifest,
  dir: string,
  clients: AwsClients,
  state: DeployState,
  options: { rebuild?: boolean; concurrency?: number; regionSource: string; allowSharedRepository?: boolean; secrets?: SecretValues },
): Promise<Plan> {
  const identity = await timed(state.steps, 'identity', () => whoAmI(clients));
  state.account = identity.account;
  const managedRole = manifest.deploy.roleArn ? undefined : roleName(manifest.name);
  const limit = pLimit(options.concurrency ?? FUNCTION_CONCURRENCY);

  return timed(state.steps, 'lookup', async () => {
    const names = manifest.handlers.map((h) => functionName(manifest.name, h.name));
    const [image, role, existing, projectFunctions] = await Promise.all([
      planImage(manifest, dir, clients, identity, options.rebuild ?? false, options.allowSharedRepository),
      managedRole ? findRole(clients.iam, managedRole) : Promise.resolve(undefined),
      Promise.all(names.map((name) => limit(() => getFunction(clients.lambda, name)))),
      listProjectFunctions(clients.lambda, manifest.name),
    ]);
    const roleArn =
      manifest.deploy.roleArn ?? role?.Arn ?? `arn:${identity.partition}:iam::${identity.account}:role/${managedRole}`;
    const imageUri = pinnedImageUri(image.repositoryUri, image.digest ?? NEW_IMAGE);
    const specs = functionSpecs(manifest, imageUri, roleArn, options.secrets);
    const functions = specs.map((spec, i) => {
      const current = existing[i];
      return { spec, existing: current, diff: diffFunction(current, spec, clients.region) };
    });
    return {
      identity,
      region: clients.region,
      regionSource: options.regionSource,
      image,
      role: { name: managedRole, arn: roleArn, exists: manifest.deploy.roleArn !== null || role !== undefined, fromManifest: manifest.deploy.roleArn !== null },
      functions,
      orphans: projectFunctions.filter((f) => !names.includes(f.name)),
    };
  });
}

const describeDiff = (d: FunctionDiff) => (d.action === 'update' ? d.changes.join(', ') : '');

export function formatPlan(plan: Plan, manifest: Manifest, prune: boolean): string[] {
  const lines: string[] = [];
  lines.push(
    `Repository  ${plan.image.repository}: ${
      plan.image.exists
        ? `exists (${plan.image.repositoryUri})`
        : `create (scan on push, ${manifest.deploy.imageTagMutability} tags, keep the last ${manifest.deploy.keepImages} images)`
    }`,
  );
  lines.push(describeImagePlan(plan.image, manifest));
  lines.push(
    `Role        ${
      plan.role.fromManifest ? `${plan.role.arn} (deploy.roleArn)` : plan.role.exists ? `${plan.role.arn}: exists` : `${plan.role.name}: create (AWSLambdaBasicExecutionRole only)`
    }`,
  );
  lines.push('');
  lines.push(
    ...functionTable(
      plan.functions.map((f) => ({ name: f.spec.name, handler: f.spec.command, result: f.diff.action, detail: describeDiff(f.diff) })),
      false,
    ),
  );
  const triggers = manifest.handlers.filter((h) => h.trigger);
  if (triggers.length > 0) {
    lines.push('');
    lines.push('Triggers (created or updated to match, after the functions):');
    for (const h of triggers) lines.push(`  ${functionName(manifest.name, h.name)}: ${describeTrigger(h.trigger)}`);
  }
  if (plan.orphans.length > 0) {
    lines.push('');
    lines.push(
      `Orphaned functions (their handler is no longer in lambda-image.json): ${prune ? 'will be deleted (--prune)' : 'kept; delete them with --prune'}`,
    );
    for (const o of plan.orphans) lines.push(`  ${o.name}${o.handlerName ? ` (was ${o.handlerName})` : ''}`);
  }
  return lines;
}

/** Where every engine's deploy starts: the manifest, the region (and where it came from), the AWS clients. */
export async function startDeploy(dir: string, state: DeployState) {
  const manifest = loadManifest(dir);
  state.project = manifest.name;
  const { region, source } = await resolveRegion(manifest);
  state.region = region;
  return { manifest, region, source, clients: createClients(region) };
}

export interface DeployResult {
  state: DeployState;
  plan: Plan;
}

/**
 * Deploys the project in `options.dir`. On failure it throws, and `state` (passed in) holds what
 * had been done: the caller reports it.
 */
export async function deploy(options: DeployOptions, state: DeployState = newState('')): Promise<DeployResult> {
  const out = options.out ?? ((line: string) => console.log(line));
  const started = performance.now();
  const { manifest, region, source, clients } = await startDeploy(options.dir, state);
  const concurrency = options.concurrency ?? FUNCTION_CONCURRENCY;

  const secrets = await timed(state.steps, 'secrets', () => resolveSecrets(manifest, clients));
  const plan = await planDeploy(manifest, options.dir, clients, state, {
    rebuild: options.rebuild,
    concurrency,
    regionSource: source,
    allowSharedRepository: options.allowSharedRepository,
    secrets,
  });
  const regionNote =
    source === 'lambda-image.json' ? 'from lambda-image.json' : `from ${source}${region !== manifest.region ? `; lambda-image.json says ${manifest.region}` : ''}`;
  out(`${options.dryRun ? 'Plan for' : 'Deploying'} ${manifest.name}: account ${plan.identity.account}, region ${region} (${regionNote}), as ${plan.identity.arn}`);

  if (options.dryRun) {
    out('');
    for (const line of formatPlan(plan, manifest, options.prune ?? false)) out(line);
    out('');
    out('Dry run: nothing was changed.');
    return { state, plan };
  }
  const stop = options.stop ?? new StopRequest();
  // Listed from the start, so that a deploy stopped before the functions says they were not reached.
  state.functions = plan.functions.map((f) => ({ name: f.spec.name, handler: f.spec.command, result: 'not reached' }));
  stop.check();

  // The role is made while the image builds: a new role takes seconds before Lambda can assume
  // it, and this way that wait overlaps the build instead of following it. It starts once the
  // repository exists, after the docker check, so that a deploy that cannot build changes nothing.
  const needRole = !plan.role.exists && plan.role.name !== undefined;
  let rolePromise: ReturnType<typeof ensureRole> | undefined;
  const startRole = () => {
    rolePromise = timed(state.steps, 'role', () => ensureRole(clients.iam, plan.role.name!, manifest.name, plan.identity.partition)).then(
      (role) => {
        state.role = { arn: role.arn, created: role.created };
        return role;
      },
    );
    // Awaited below; until then a failure of the image steps must not leave it unobserved.
    rolePromise.catch(() => {});
  };

  let published: PublishedImage;
  try {
    published = await publishImage(manifest, options.dir, clients, plan.image, state, { out, afterRepository: needRole ? startRole : undefined, stop });
  } catch (error) {
    // So that the partial state says whether the role was made.
    await rolePromise?.catch(() => {});
    throw error;
  }
  const imageUri = published.uri;

  let roleArn = plan.role.arn;
  if (rolePromise) {
    const role = await rolePromise;
    roleArn = role.arn;
    if (role.created) out(`Created the execution role ${role.arn} (AWSLambdaBasicExecutionRole)`);
  } else {
    state.role = { arn: roleArn, created: false };
  }

  // The plan's specs held placeholders for a new image or role; the real ones decide the actions now.
  const specs = functionSpecs(manifest, imageUri, roleArn, secrets);
  state.functions = specs.map((s) => ({ name: s.name, handler: s.command, result: 'not reached' }));
  const limit = pLimit(concurrency);
  let roleWaitShown = false;
  await timed(state.steps, 'functions', async () => {
    const outcomes = await Promise.allSettled(
      specs.map((spec, i) =>
        limit(async () => {
          const row = state.functions[i]!;
          // Between two functions: one that was started is finished, the next is not begun.
          stop.check();
          const existing = plan.functions[i]!.existing;
          const diff = diffFunction(existing, spec, region);
          try {
            const applied = await applyFunction(clients.lambda, spec, existing, diff, {
              onRoleWait: () => {
                if (!roleWaitShown) out('Waiting for the new execution role to become usable by Lambda…');
                roleWaitShown = true;
              },
            });
            Object.assign(row, {
              result: applied.action === 'create' ? 'created' : applied.action === 'update' ? 'updated' : 'unchanged',
              arn: applied.arn,
              seconds: applied.seconds,
            });
          } catch (error) {
            Object.assign(row, { result: 'failed', detail: explainAwsError(error) });
            throw error;
          }
        }),
      ),
    );
    stop.check();
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed.length === 1) throw failed[0]!.reason;
    if (failed.length > 1) throw new DeployError(groupFailures(state.functions));
  });

  if (stop.signal && manifest.handlers.some((h) => h.trigger)) (state.notDone ??= []).push('the triggers (not reached)');
  stop.check();
  const triggers = await timed(state.steps, 'triggers', () =>
    applyTriggers(
      clients,
      { project: manifest.name, account: plan.identity.account, partition: plan.identity.partition, region, managedRole: plan.role.name },
      specs.map((spec, i) => ({
        handlerName: spec.handlerName,
        functionName: spec.name,
        functionArn: state.functions[i]!.arn ?? '',
        timeout: spec.timeout,
        trigger: manifest.handlers[i]!.trigger,
      })),
      { prune: options.prune ?? false },
    ),
  );
  state.triggers = triggers.rows;

  state.orphans = plan.orphans.map((o) => ({ name: o.name, handlerName: o.handlerName, deleted: false }));
  if (options.prune && plan.orphans.length > 0) {
    stop.check();
    await timed(state.steps, 'prune', async () => {
      for (const orphan of state.orphans) {
        await removeMappings(clients.lambda, orphan.name);
        await deleteFunction(clients.lambda, orphan.name);
        orphan.deleted = true;
      }
    });
  }

  await releaseUnusedImages(clients, plan.image.repository, manifest.name, published.digest, state.orphans.filter((o) => !o.deleted).map((o) => o.name), out);
  await removeOlderLocalImages(published.repositoryUri, published.tag);

  out('');
  for (const line of functionTable(state.functions, true)) out(line);
  if (triggers.rows.length > 0) {
    out('');
    for (const line of triggerTable(triggers.rows)) out(line);
  }
  const orphanQueues = triggers.orphanQueues;
  if (orphanQueues.length > 0) {
    out('');
    out(
      options.prune
        ? `Deleted queues no trigger uses any more: ${orphanQueues.map((q) => q.name).join(', ')}`
        : `Queues no trigger uses any more (kept: they may hold messages): ${orphanQueues.map((q) => q.name).join(', ')}; delete them with \`npm run deploy -- --prune\``,
    );
  }
  if (state.orphans.length > 0) {
    out('');
    out(
      options.prune
        ? `Deleted orphaned functions: ${state.orphans.map((o) => o.name).join(', ')}`
        : `Orphaned functions (handler no longer in lambda-image.json): ${state.orphans.map((o) => o.name).join(', ')}; delete them with \`npm run deploy -- --prune\``,
    );
  }
  out('');
  out(stepLine(state.steps, (performance.now() - started) / 1000));
  return { state, plan };
}

/** Several functions failing usually fail for one reason: say it once, with the functions it hit. */
export function groupFailures(rows: FunctionRow[]): string {
  const byReason = new Map<string, string[]>();
  for (const row of rows) {
    if (row.result !== 'failed') continue;
    const reason = row.detail ?? 'unknown error';
    byReason.set(reason, [...(byReason.get(reason) ?? []), row.name]);
  }
  const failed = [...byReason.values()].reduce((n, names) => n + names.length, 0);
  return `${failed} functions failed:\n${[...byReason].map(([reason, names]) => `  - ${names.join(', ')}: ${reason}`).join('\n')}`;
}

export function newState(project: string): DeployState {
  return { project, functions: [], orphans: [], steps: [] };
}

/** One message for any failure of deploy, destroy or invoke. */
export function explainFailure(error: unknown): string[] {
  if (error instanceof DockerBuildError) {
    return [
      `error: the image build failed: ${error.message}`,
      ...error.output.slice(-30).map((l) => `  │ ${l}`),
    ];
  }
  if (error instanceof DockerError || error instanceof ManifestError) return [`error: ${error.message}`];
  return [`error: ${explainAwsError(error)}`];
}

/**
 * Runs one engine's deploy and returns the exit code; on failure it says why and what had been
 * done by then. SIGINT and SIGTERM stop it at its next safe point (interruption.ts), with the same
 * report and the signal's exit code.
 */
export async function runDeploy(
  work: (state: DeployState, stop: StopRequest) => Promise<unknown>,
  signals: { source: NodeJS.Process; exit: (code: number) => void } = { source: process, exit: (code) => process.exit(code) },
): Promise<number> {
  const state = newState('');
  const stop = new StopRequest();
  const stopListening = stop.listen(
    signals.source,
    (signal) => console.error(`\n${signal}: stopping at the next safe point (calls already sent to AWS finish first; ${signal} again to quit at once)…`),
    signals.exit,
  );
  try {
    await work(state, stop);
    return 0;
  } catch (error) {
    // Once a stop was asked for, whatever failed after it (a docker child that got the
    // terminal's Ctrl-C too) is the interruption.
    if (stop.signal || error instanceof Interrupted) {
      const interrupted = error instanceof Interrupted ? error : new Interrupted(stop.signal!);
      console.error(`Stopped by ${interrupted.signal}.`);
      console.error('');
      for (const line of partialState(state, true)) console.error(line);
      return interrupted.exitCode;
    }
    for (const line of explainFailure(error)) console.error(line);
    console.error('');
    for (const line of partialState(state)) console.error(line);
    return 1;
  } finally {
    stopListening();
  }
}

/** The `npm run deploy` command: returns the exit code. */
export async function main(argv: string[], dir: string = process.cwd()): Promise<number> {
  let args: DeployArgs;
  try {
    args = parseDeployArgs(argv);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 2;
  }
  if (args.help) {
    console.log(DEPLOY_USAGE);
    return 0;
  }
  return runDeploy((state, stop) => deploy({ dir, dryRun: args.dryRun, prune: args.prune, rebuild: args.rebuild, allowSharedRepository: args.allowSharedRepository, stop }, state));
}

