// The cdk engine's `npm run deploy` and `npm run destroy`: the project's own aws-cdk CLI
// (a devDependency) on the app in cdk/app.ts (cdk.json says so). The CDK builds the image
// once, pushes it to the bootstrap's asset repository, and deploys the stack; it prints the
// outputs (each function's ARN) itself. lambda-image.json's repository, keepImages and
// imageTagMutability do not apply: the CDK's asset repository holds the image.
import { parseCommandArgs } from '../shared/args.ts';
import { execa } from 'execa';
import { stackName } from './stack.ts';
import { ManifestError, loadManifest } from '../shared/manifest.ts';

export const CDK_DEPLOY_USAGE = `Usage: npm run deploy -- [options]        (deploy engine: cdk)

Runs \`cdk deploy\` on the CDK app in cdk/app.ts: the image is built once and pushed once,
and the stack holds one Lambda function per handler in lambda-image.json, all running it.
The account and region must be bootstrapped once: npx cdk bootstrap

Options:
  --dry-run   show what would change (\`cdk diff\`); change nothing
  -h, --help  show this help

Anything after \`--\` goes to the cdk command as it is, e.g. npm run deploy -- -- --hotswap`;

export const CDK_DESTROY_USAGE = `Usage: npm run destroy -- [options]       (deploy engine: cdk)

Runs \`cdk destroy\` on the project's stack: its functions and the role it made.

Options:
  --yes       do not ask for confirmation (required when there is no terminal)
  -h, --help  show this help`;

const interactive = () => Boolean(process.stdin.isTTY && process.stdout.isTTY);

/** The cdk command line for a deploy (or a diff, for --dry-run). */
export function cdkDeployArguments(stack: string, dryRun: boolean, extra: string[], tty: boolean): string[] {
  if (dryRun) return ['diff', stack, ...extra];
  // With no terminal nobody can approve IAM changes: CI runs unattended by design.
  return ['deploy', stack, '--require-approval', tty ? 'broadening' : 'never', ...extra];
}

async function runCdk(dir: string, args: string[]): Promise<number> {
  const result = await execa('cdk', args, { cwd: dir, preferLocal: true, stdio: 'inherit', reject: false });
  if (result.code === 'ENOENT' || (result.exitCode === 127 && !result.signal)) {
    console.error('error: the aws-cdk CLI is not installed in this project: run `npm install` (it is in devDependencies) and deploy again');
    return 1;
  }
  return result.exitCode ?? 1;
}

function stackOf(dir: string): string | undefined {
  try {
    return stackName(loadManifest(dir));
  } catch (error) {
    if (error instanceof ManifestError) console.error(`error: ${error.message}`);
    else throw error;
    return undefined;
  }
}

export async function cdkDeployMain(argv: string[], dir: string): Promise<number> {
  let parsed: { values: { 'dry-run': boolean; help: boolean }; positionals: string[] };
  try {
    parsed = parseCommandArgs(argv, { 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } }, 'deploy', true);
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${CDK_DEPLOY_USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(CDK_DEPLOY_USAGE);
    return 0;
  }
  const dashes = argv.indexOf('--');
  const extra = dashes >= 0 ? argv.slice(dashes + 1) : [];
  if (parsed.positionals.length > extra.length) {
    console.error(`error: unexpected argument "${parsed.positionals[0]}"\n\n${CDK_DEPLOY_USAGE}`);
    return 2;
  }
  const stack = stackOf(dir);
  if (!stack) return 1;
  return runCdk(dir, cdkDeployArguments(stack, parsed.values['dry-run'], extra, interactive()));
}

export async function cdkDestroyMain(argv: string[], dir: string): Promise<number> {
  let values: { yes: boolean; help: boolean };
  try {
    values = parseCommandArgs(argv, { yes: { type: 'boolean', short: 'y', default: false }, help: { type: 'boolean', short: 'h', default: false } }, 'destroy').values;
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${CDK_DESTROY_USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(CDK_DESTROY_USAGE);
    return 0;
  }
  if (!values.yes && !interactive()) {
    console.error('error: there is no terminal to confirm the deletion on: run `npm run destroy -- --yes` to delete the stack');
    return 1;
  }
  const stack = stackOf(dir);
  if (!stack) return 1;
  return runCdk(dir, ['destroy', stack, ...(values.yes ? ['--force'] : [])]);
}
