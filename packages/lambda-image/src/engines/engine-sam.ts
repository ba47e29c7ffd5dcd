// The sam engine's `npm run deploy` and `npm run destroy`. The image is made as the sdk engine
// makes it (deploy-image.ts); the functions and their role are one CloudFormation stack,
// deployed from the plain rendering of lambda-image.json (engine-stack.ts) with the
// digest-pinned image as its ImageUri parameter. No SAM CLI and no aws CLI: the SAM
// transform is not needed for these resources, and template.yaml stays for those who use
// the SAM CLI.
//
// With a stack, CloudFormation owns the functions: a handler removed from lambda-image.json
// has its function deleted by the next deploy (the change set lists it first), so there is
// no --prune here.
import { parseCommandArgs } from '../shared/args.ts';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { createClients, explainAwsError, resolveRegion, whoAmI } from '../shared/aws.ts';
import { describeImagePlan, planImage, publishImage, timed } from '../deploy/deploy-image.ts';
import { type DeployState, type FunctionRow, functionTable, stepLine, table } from '../deploy/deploy-report.ts';
import { confirmDeletion, terminalConfirm } from '../deploy/destroy.ts';
import { newState, runDeploy, startDeploy } from '../deploy/deploy.ts';
import type { StopRequest } from '../deploy/interruption.ts';
import { checkDestroyOwnership, otherUsers, repositoryOwner } from '../deploy/ownership.ts';
import { releaseUnusedImages, removeOlderLocalImages } from '../deploy/after-deploy.ts';
import { deleteRepository, findRepository, pinnedImageUri, repositoryName } from '../deploy/ecr.ts';
import { deleteStack, deployStack, describeStack, type ResourceChangeRow } from './cloudformation.ts';
import { IMAGE_PARAMETER, type StackFunction, stackFunctions, stackName, stackTemplate } from './stack.ts';
import { ManifestError, loadManifest } from '../shared/manifest.ts';
import { PROJECT_TAG } from '../shared/names.ts';

export const SAM_DEPLOY_USAGE = `Usage: npm run deploy -- [options]        (deploy engine: sam)

Builds the image once, pushes it to ECR once, and deploys the project's CloudFormation stack:
one Lambda function per handler in lambda-image.json, all running that image (the resources
of template.yaml). A handler removed from lambda-image.json has its function deleted.

Options:
  --dry-run   show what the deploy would change (for an existing stack, through a change set
              that is then deleted); build, push and change nothing
  --rebuild   build and push even when the repository already has the image for these sources
  --allow-shared-repository
              deploy into an ECR repository that another project created (refused otherwise)
  -h, --help  show this help

Ctrl-C (or SIGTERM) stops at the next safe point and says what was done; run again to finish.

AWS credentials and region come from the usual places (AWS_PROFILE, AWS_ACCESS_KEY_ID…,
AWS_REGION); without a region, lambda-image.json's "region" is used.`;

export const SAM_DESTROY_USAGE = `Usage: npm run destroy -- [options]       (deploy engine: sam)

Deletes the project's CloudFormation stack: its functions and the execution role it made.

Options:
  --repository  also delete the ECR repository and every image in it (refused while another
                project's functions run images from it, unless --allow-shared-repository)
  -y, --yes     do not ask for confirmation (required when there is no terminal)
  --dry-run     show what would be deleted; delete nothing
  -h, --help    show this help`;

export interface SamDeployOptions {
  dir: string;
  dryRun?: boolean;
  rebuild?: boolean;
  allowSharedRepository?: boolean;
  out?: (line: string) => void;
  /** Ctrl-C / SIGTERM: stops before the stack is deployed; once CloudFormation has the change set, it finishes it (and rolls back on failure) whatever happens here. */
  stop?: StopRequest;
}

export function cloudFormationClient(region: string, credentials: ReturnType<typeof createClients>['sts']['config']['credentials']) {
  return new CloudFormationClient({ region, credentials });
}

const changeLines = (changes: ResourceChangeRow[]) =>
  table(
    ['ACTION', 'TYPE', 'RESOURCE'],
    changes.map((c) => [
      c.replacement === 'True' ? `${c.action} (replace)` : c.action,
      c.type,
      `${c.logicalId}${c.physicalId ? ` (${c.physicalId})` : ''}`,
    ]),
  ).map((l) => `  ${l}`);

/** The function rows of the result: CloudFormation's change per logical ID says created, updated or unchanged. */
function resultRows(
  manifest: Parameters<typeof stackFunctions>[0],
  changes: ResourceChangeRow[],
  arnOf: (fn: StackFunction) => string | undefined,
  planned: boolean,
): FunctionRow[] {
  const byId = new Map(changes.map((c) => [c.logicalId, c.action]));
  const words: Record<string, [string, string]> = { Add: ['create', 'created'], Modify: ['update', 'updated'] };
  return stackFunctions(manifest).map((fn) => {
    const pair = words[byId.get(fn.logicalId) ?? ''] ?? ['unchanged', 'unchanged'];
    return { name: fn.functionName, handler: fn.command, result: planned ? pair[0] : pair[1], arn: arnOf(fn) };
  });
}

export async function samDeploy(options: SamDeployOptions, state: DeployState = newState('')): Promise<DeployState> {
  const out = options.out ?? ((line: string) => console.log(line));
  const started = performance.now();
  const { manifest, region, source, clients } = await startDeploy(options.dir, state);
  const cfn = cloudFormationClient(region, clients.sts.config.credentials);
  const stack = stackName(manifest);

  const identity = await timed(state.steps, 'identity', () => whoAmI(clients));
  state.account = identity.account;
  out(
    `${options.dryRun ? 'Plan for' : 'Deploying'} ${manifest.name} as the CloudFormation stack ${stack}: account ${identity.account}, region ${region} (from ${source}), as ${identity.arn}`,
  );
  const image = await timed(state.steps, 'lookup', () => planImage(manifest, options.dir, clients, identity, options.rebuild ?? false, options.allowSharedRepository));
  const template = stackTemplate(manifest);
  const parameters = (uri: string) => ({ [IMAGE_PARAMETER]: uri });
  const tags = { [PROJECT_TAG]: manifest.name };

  if (options.dryRun) {
    out(`Repository  ${image.repository}: ${image.exists ? `exists (${image.repositoryUri})` : 'create'}`);
    out(describeImagePlan(image, manifest));
    const uri = image.digest ? pinnedImageUri(image.repositoryUri, image.digest) : `${image.repositoryUri}:${image.tag}`;
    const preview = await deployStack(cfn, { stackName: stack, template, parameters: parameters(uri), tags, out, preview: true });
    out(`Stack       ${stack}: ${preview.action === 'create' ? 'create' : preview.changes.length > 0 ? 'update' : 'no changes'}`);
    if (preview.changes.length > 0) for (const line of changeLines(preview.changes)) out(line);
    out('');
    // A new stack has no change set to read: every function is created.
    const changes =
      preview.action === 'create'
        ? stackFunctions(manifest).map((f) => ({ action: 'Add', logicalId: f.logicalId, type: 'AWS::Lambda::Function' }))
        : preview.changes;
    for (const line of functionTable(resultRows(manifest, changes, () => undefined, true), false)) out(line);
    out('');
    out('Dry run: nothing was changed.');
    return state;
  }

  state.functions = stackFunctions(manifest).map((f) => ({ name: f.functionName, handler: f.command, result: 'not reached' }));
  options.stop?.check();
  const published = await publishImage(manifest, options.dir, clients, image, state, { out, stop: options.stop });
  options.stop?.check();
  out(`Deploying the stack ${stack} (change set, then its events):`);
  const result = await timed(state.steps, 'stack', () =>
    deployStack(cfn, {
      stackName: stack,
      template,
      parameters: parameters(published.uri),
      tags,
      out,
      onChanges: (changes) => {
        for (const line of changeLines(changes)) out(line);
      },
      stop: options.stop,
    }),
  );
  if (result.action === 'unchanged') out(`  no changes: the stack already runs ${published.uri}`);
  // The stack's outputs hold the ARNs; a function's ARN is also fixed by its name, should an output be missing.
  const arnOf = (fn: StackFunction) =>
    result.outputs[fn.outputKey] ?? `arn:${identity.partition}:lambda:${region}:${identity.account}:function:${fn.functionName}`;
  state.functions = resultRows(manifest, result.changes, arnOf, false);
  // A signal during the stack's update stops here, the stack settled, with the summary.
  options.stop?.check();
  const removed = result.changes.filter((c) => c.action === 'Remove' && c.type === 'AWS::Lambda::Function');
  // The stack went through: every function it holds runs the new image.
  await releaseUnusedImages(clients, image.repository, manifest.name, published.digest, [], out);
  await removeOlderLocalImages(published.repositoryUri, published.tag);

  out('');
  for (const line of functionTable(state.functions, true)) out(line);
  if (removed.length > 0) {
    out('');
    out(`Deleted (handler no longer in lambda-image.json): ${removed.map((c) => c.physicalId ?? c.logicalId).join(', ')}`);
  }
  out('');
  out(stepLine(state.steps, (performance.now() - started) / 1000));
  return state;
}

export async function samDeployMain(argv: string[], dir: string): Promise<number> {
  let values: { 'dry-run': boolean; rebuild: boolean; 'allow-shared-repository': boolean; help: boolean };
  try {
    values = parseCommandArgs(argv, {
        'dry-run': { type: 'boolean', default: false },
        rebuild: { type: 'boolean', default: false },
        'allow-shared-repository': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      }, 'deploy').values;
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${SAM_DEPLOY_USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(SAM_DEPLOY_USAGE);
    return 0;
  }
  return runDeploy((state, stop) => samDeploy({ dir, dryRun: values['dry-run'], rebuild: values.rebuild, allowSharedRepository: values['allow-shared-repository'], stop }, state));
}

export interface SamDestroyOptions {
  dir: string;
  yes: boolean;
  repository: boolean;
  dryRun: boolean;
  allowSharedRepository?: boolean;
  out?: (line: string) => void;
  confirm?: (question: string) => Promise<boolean>;
}

export async function samDestroy(options: SamDestroyOptions): Promise<boolean> {
  const out = options.out ?? ((line: string) => console.log(line));
  const manifest = loadManifest(options.dir);
  const { region, source } = await resolveRegion(manifest);
  const clients = createClients(region);
  const cfn = cloudFormationClient(region, clients.sts.config.credentials);
  const identity = await whoAmI(clients);
  const name = stackName(manifest);
  out(`${manifest.name}: account ${identity.account}, region ${region} (from ${source})`);

  const targets: string[] = [];
  const stack = await describeStack(cfn, name);
  if (stack) targets.push(`stack      ${name} (${stack.StackStatus}): its functions and the role it made`);
  let repository: string | undefined;
  if (options.repository) {
    const repoName = repositoryName(manifest, region, identity.account);
    const repo = await findRepository(clients.ecr, repoName);
    if (repo?.repositoryArn) {
      if ((await repositoryOwner(clients.ecr, repo)) === manifest.name) {
        checkDestroyOwnership(repoName, await otherUsers(clients.lambda, repo.repositoryUri ?? '', manifest.name), options.allowSharedRepository ?? false);
        repository = repoName;
        targets.push(`repository ${repoName} (and every image in it)`);
      } else {
        out(`Note: the repository ${repoName} was not created by deploy (no ${PROJECT_TAG}=${manifest.name} tag): left in place`);
      }
    }
  }
  if (!(await confirmDeletion(targets, options, `Delete these in ${identity.account}/${region}?`, out))) return false;
  if (stack) {
    await deleteStack(cfn, name, out);
    out(`Deleted the stack ${name}`);
  }
  // The repository last: it holds the image the functions ran.
  if (repository) {
    await deleteRepository(clients.ecr, repository);
    out(`Deleted the repository ${repository}`);
  }
  return true;
}

export async function samDestroyMain(argv: string[], dir: string): Promise<number> {
  let values: { yes: boolean; repository: boolean; 'dry-run': boolean; 'allow-shared-repository': boolean; help: boolean };
  try {
    values = parseCommandArgs(argv, {
        yes: { type: 'boolean', short: 'y', default: false },
        repository: { type: 'boolean', default: false },
        'allow-shared-repository': { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      }, 'destroy').values;
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${SAM_DESTROY_USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(SAM_DESTROY_USAGE);
    return 0;
  }
  try {
    await samDestroy({
      dir,
      yes: values.yes,
      repository: values.repository,
      dryRun: values['dry-run'],
      allowSharedRepository: values['allow-shared-repository'],
      confirm: terminalConfirm(),
    });
    return 0;
  } catch (error) {
    console.error(`error: ${error instanceof ManifestError ? error.message : explainAwsError(error)}`);
    return 1;
  }
}
