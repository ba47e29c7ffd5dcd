// `npm run destroy`: deletes the project's functions. The repository (with every image in it)
// and the execution role go only when asked for by flag, and only when deploy made them.
import { createInterface } from 'node:readline/promises';
import { parseCommandArgs } from '../shared/args.ts';
import pLimit from 'p-limit';
import { DeployError, createClients, explainAwsError, resolveRegion, whoAmI } from '../shared/aws.ts';
import { deleteRepository, findRepository, repositoryName } from './ecr.ts';
import { deleteRole, findRole, isProjectRole } from './iam.ts';
import { checkDestroyOwnership, otherUsers, repositoryOwner } from './ownership.ts';
import { deleteFunction, listProjectFunctions } from './lambda.ts';
import { destroyTriggerResources, listTriggerResources, removeMappings } from './triggers.ts';
import { ManifestError, loadManifest } from '../shared/manifest.ts';
import { PROJECT_TAG, roleName } from '../shared/names.ts';

export const DESTROY_USAGE = `Usage: npm run destroy -- [options]

Deletes this project's Lambda functions (every function tagged ${PROJECT_TAG}=<name>,
including orphaned ones) and their triggers: SQS mappings, the queues deploy created, the
schedules, their schedule group and the scheduler's role.

Options:
  --repository  also delete the ECR repository and every image in it (refused while another
                project's functions run images from it, unless --allow-shared-repository)
  --role        also delete the execution role deploy created
  -y, --yes     do not ask for confirmation (required when there is no terminal)
  --dry-run     list what would be deleted; delete nothing
  -h, --help    show this help`;

export interface DestroyArgs {
  yes: boolean;
  repository: boolean;
  role: boolean;
  dryRun: boolean;
  allowSharedRepository: boolean;
  help: boolean;
}

export function parseDestroyArgs(argv: string[]): DestroyArgs {
  try {
    const { values } = parseCommandArgs(argv, {
        yes: { type: 'boolean', short: 'y', default: false },
        repository: { type: 'boolean', default: false },
        role: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        'allow-shared-repository': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      }, 'destroy');
    return {
      yes: values.yes,
      repository: values.repository,
      role: values.role,
      dryRun: values['dry-run'],
      allowSharedRepository: values['allow-shared-repository'],
      help: values.help,
    };
  } catch (error) {
    throw new DeployError(`${(error as Error).message}\n\n${DESTROY_USAGE}`);
  }
}

export interface DestroyOptions extends Omit<DestroyArgs, 'help' | 'allowSharedRepository'> {
  allowSharedRepository?: boolean;
  dir: string;
  out?: (line: string) => void;
  /** Asks the user; undefined when there is no terminal to ask on. */
  confirm?: (question: string) => Promise<boolean>;
}

export interface DestroyResult {
  functions: string[];
  repository?: string;
  role?: string;
  deleted: boolean;
}

async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export const terminalConfirm = () => (process.stdin.isTTY && process.stdout.isTTY ? askOnTerminal : undefined);

/**
 * Lists what is to be deleted and says whether to go ahead: not when there is nothing, on a dry
 * run, or when the user declines. With neither --yes nor a terminal to ask on, it refuses.
 */
export async function confirmDeletion(
  targets: string[],
  options: { dryRun: boolean; yes: boolean; confirm?: (question: string) => Promise<boolean> },
  question: string,
  out: (line: string) => void,
): Promise<boolean> {
  if (targets.length === 0) {
    out('Nothing to delete.');
    return false;
  }
  out(options.dryRun ? 'Would delete:' : 'To delete:');
  for (const t of targets) out(`  ${t}`);
  if (options.dryRun) {
    out('Dry run: nothing was deleted.');
    return false;
  }
  if (!options.yes) {
    if (!options.confirm) {
      throw new DeployError('there is no terminal to confirm the deletion on: run `npm run destroy -- --yes` to delete the above');
    }
    if (!(await options.confirm(question))) {
      out('Cancelled: nothing was deleted.');
      return false;
    }
  }
  return true;
}

export async function destroy(options: DestroyOptions): Promise<DestroyResult> {
  const out = options.out ?? ((line: string) => console.log(line));
  const manifest = loadManifest(options.dir);
  const { region, source } = await resolveRegion(manifest);
  const clients = createClients(region);
  const identity = await whoAmI(clients);
  out(`${manifest.name}: account ${identity.account}, region ${region} (from ${source})`);

  const functions = (await listProjectFunctions(clients.lambda, manifest.name)).map((f) => f.name);
  const triggerContext = { project: manifest.name, account: identity.account, partition: identity.partition, region, managedRole: undefined };
  const triggers = await listTriggerResources(clients, triggerContext);
  const result: DestroyResult = { functions, deleted: false };
  const refusals: string[] = [];

  if (options.repository) {
    const name = repositoryName(manifest, region, identity.account);
    const repo = await findRepository(clients.ecr, name);
    if (repo?.repositoryArn) {
      if ((await repositoryOwner(clients.ecr, repo)) === manifest.name) {
        checkDestroyOwnership(name, await otherUsers(clients.lambda, repo.repositoryUri ?? '', manifest.name), options.allowSharedRepository ?? false);
        result.repository = name;
      } else refusals.push(`the repository ${name} was not created by deploy (no ${PROJECT_TAG}=${manifest.name} tag): left in place`);
    }
  }
  if (options.role) {
    if (manifest.deploy.roleArn) {
      refusals.push(`the role ${manifest.deploy.roleArn} comes from deploy.roleArn, not from deploy: left in place`);
    } else {
      const name = roleName(manifest.name);
      const role = await findRole(clients.iam, name);
      if (role && isProjectRole(role, manifest.name)) result.role = name;
      else if (role) refusals.push(`the role ${name} was not created by deploy (no ${PROJECT_TAG}=${manifest.name} tag): left in place`);
    }
  }

  for (const refusal of refusals) out(`Note: ${refusal}`);
  const targets = [
    ...functions.map((f) => `function   ${f}`),
    ...(triggers.group ? [`schedules  ${triggers.group} (the schedule group and every schedule in it)`] : []),
    ...(triggers.schedulerRole ? [`role       ${triggers.schedulerRole} (the scheduler's)`] : []),
    ...triggers.queues.map((q) => `queue      ${q.name} (and the messages in it)`),
    ...(result.repository ? [`repository ${result.repository} (and every image in it)`] : []),
    ...(result.role ? [`role       ${result.role}`] : []),
  ];
  if (!(await confirmDeletion(targets, options, `Delete these ${targets.length} resources in ${identity.account}/${region}?`, out))) {
    return result;
  }

  const done: string[] = [];
  try {
    const limit = pLimit(8);
    await Promise.all(
      functions.map((f) =>
        limit(async () => {
          await removeMappings(clients.lambda, f);
          await deleteFunction(clients.lambda, f);
          done.push(`function ${f}`);
        }),
      ),
    );
    done.push(...(await destroyTriggerResources(clients, triggerContext, triggers)));
    // The role after the functions that use it; the repository last, since it holds their image.
    if (result.role) {
      await deleteRole(clients.iam, result.role);
      done.push(`role ${result.role}`);
    }
    if (result.repository) {
      await deleteRepository(clients.ecr, result.repository);
      done.push(`repository ${result.repository}`);
    }
  } catch (error) {
    throw new DeployError(
      `${explainAwsError(error)}\n${done.length > 0 ? `Deleted before it stopped: ${done.join(', ')}` : 'Nothing was deleted.'}\nRun \`npm run destroy\` again once fixed.`,
    );
  }
  for (const d of done.sort()) out(`Deleted ${d}`);
  result.deleted = true;
  return result;
}

export async function main(argv: string[], dir: string = process.cwd()): Promise<number> {
  let args: DestroyArgs;
  try {
    args = parseDestroyArgs(argv);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 2;
  }
  if (args.help) {
    console.log(DESTROY_USAGE);
    return 0;
  }
  try {
    await destroy({ ...args, dir, confirm: terminalConfirm() });
    return 0;
  } catch (error) {
    console.error(`error: ${error instanceof ManifestError ? error.message : explainAwsError(error)}`);
    return 1;
  }
}
