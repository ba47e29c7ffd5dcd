// The AWS clients of deploy, destroy and invoke, and what their failures mean.
//
// Credentials, region and endpoints come from the SDK's standard chain, exactly as for any
// other AWS tool on this machine: AWS_PROFILE (SSO, assume-role, credential_process),
// AWS_ACCESS_KEY_ID…, instance and container roles, AWS_REGION, AWS_ENDPOINT_URL(_<SERVICE>).
// The one addition is the region's last fallback: when neither AWS_REGION nor the profile
// names one, lambda-image.json's region is used, so a fresh machine deploys where the
// project says rather than failing.
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Manifest } from './manifest.ts';

/** A failure the user can act on: the message says what went wrong and what to do. */
export class DeployError extends Error {
  override name = 'DeployError';
}

export interface RegionChoice {
  region: string;
  /** Where it came from, for the summary line: "AWS_REGION", "profile dev", "lambda-image.json". */
  source: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function checkRegion(choice: RegionChoice): RegionChoice {
  if (!REGION.test(choice.region)) {
    throw new DeployError(
      `${JSON.stringify(choice.region)} (from ${choice.source}) is not an AWS region name such as us-east-1 or eu-west-1: fix ${choice.source} and run again`,
    );
  }
  return choice;
}

/**
 * The region, in the order the AWS CLI and the SDKs' shared chain use: AWS_REGION, then
 * AWS_DEFAULT_REGION (which the JavaScript SDK alone ignores, though every other AWS tool reads
 * it), then the profile's; else the manifest's. The environment is read and checked here first:
 * the SDK rejects a malformed AWS_REGION with an error that would otherwise look like "no
 * region" and send the deploy to the manifest's region without a word.
 */
export async function resolveRegion(manifest: Pick<Manifest, 'region'>, env: NodeJS.ProcessEnv = process.env): Promise<RegionChoice> {
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const value = env[name];
    if (value !== undefined && value !== '') return checkRegion({ region: value, source: name });
  }
  const profile = `profile ${env.AWS_PROFILE || 'default'}`;
  let fromProfile: string | undefined;
  try {
    fromProfile = await new STSClient({}).config.region();
  } catch (error) {
    // "Region is missing" means the profile names none; anything else is a region the SDK refused.
    if (!/region is missing/i.test((error as Error).message)) {
      throw new DeployError(`the region of ${profile} is not usable (${(error as Error).message}): fix it (aws configure set region <region>) and run again`);
    }
  }
  if (fromProfile) return checkRegion({ region: fromProfile, source: profile });
  if (manifest.region) return checkRegion({ region: manifest.region, source: 'lambda-image.json' });
  throw new DeployError(
    'no AWS region: set "region" in lambda-image.json, or AWS_REGION, or a region in your AWS profile (aws configure set region <region>)',
  );
}

export interface AwsClients {
  region: string;
  sts: STSClient;
  ecr: ECRClient;
  lambda: LambdaClient;
  iam: IAMClient;
  sqs: SQSClient;
  scheduler: SchedulerClient;
}

const actionOf = new WeakMap<object, string>();

/** The IAM action (`lambda:CreateFunction`) whose call failed with `error`, when it came from one of our clients. */
export function failedAction(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? actionOf.get(error) : undefined;
}

const SERVICE_PREFIX: Record<string, string> = {
  STSClient: 'sts',
  ECRClient: 'ecr',
  LambdaClient: 'lambda',
  IAMClient: 'iam',
  SQSClient: 'sqs',
  SchedulerClient: 'scheduler',
};

type AnyClient = STSClient | ECRClient | LambdaClient | IAMClient | SQSClient | SchedulerClient;

/** Remembers which call an error came from, so an AccessDenied can name the action to grant. */
function recordActions<C extends AnyClient>(client: C): C {
  (client.middlewareStack as STSClient['middlewareStack']).add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (typeof error === 'object' && error !== null && !actionOf.has(error)) {
          const prefix = SERVICE_PREFIX[context.clientName ?? ''] ?? 'aws';
          actionOf.set(error, `${prefix}:${String(context.commandName ?? '').replace(/Command$/, '')}`);
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'lambdaImageRecordAction' },
  );
  return client;
}

export function createClients(region: string): AwsClients {
  const sts = recordActions(new STSClient({ region }));
  // One credential provider for all four clients: an SSO or assume-role profile resolves once.
  const shared = { region, credentials: sts.config.credentials };
  return {
    region,
    sts,
    ecr: recordActions(new ECRClient(shared)),
    lambda: recordActions(new LambdaClient(shared)),
    iam: recordActions(new IAMClient(shared)),
    sqs: recordActions(new SQSClient(shared)),
    scheduler: recordActions(new SchedulerClient(shared)),
  };
}

export interface Identity {
  account: string;
  arn: string;
  /** aws, aws-cn, aws-us-gov: ARNs we build must use the caller's. */
  partition: string;
}

export async function whoAmI(clients: AwsClients): Promise<Identity> {
  const out = await clients.sts.send(new GetCallerIdentityCommand({}));
  const arn = out.Arn ?? '';
  return { account: out.Account ?? '', arn, partition: arn.split(':')[1] || 'aws' };
}

const CREDENTIALS_HELP =
  'configure them the usual way: `aws configure` (or `aws sso login` with AWS_PROFILE set), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment';

/** The name of an AWS error as the service spells it (`AccessDeniedException`, `AccessDenied`). */
const errorName = (error: unknown): string => (error instanceof Error ? error.name : '');
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const httpStatus = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;

export function isAccessDenied(error: unknown): boolean {
  const name = errorName(error);
  return (
    /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnauthorizedException)$/.test(name) ||
    /not authorized to perform/i.test(errorMessage(error)) ||
    // A 403 whose body the SDK could not read (an HTML page from a proxy, or the wrong protocol) is still a refusal.
    (httpStatus(error) === 403 && /Deserialization error/i.test(errorMessage(error)))
  );
}

/**
 * One message for a failed AWS call: what happened in the user's terms, and what to do. Errors
 * that are not AWS errors come back as their own message.
 */
export function explainAwsError(error: unknown): string {
  if (error instanceof DeployError) return error.message;
  const name = errorName(error);
  const message = errorMessage(error);
  const action = failedAction(error);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return `no AWS credentials found (${message.split('\n')[0]}): ${CREDENTIALS_HELP}`;
  }
  if (/^(ExpiredToken|ExpiredTokenException|TokenRefreshRequired)$/.test(name) || /(token|session).*expired/i.test(message)) {
    return `your AWS credentials have expired (${message}): refresh them (for SSO: aws sso login) and run again`;
  }
  if (/^(InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch|InvalidSignatureException|IncompleteSignature)$/.test(name)) {
    return `AWS rejected the credentials (${name}: ${message}): check the access key and secret, or the profile in AWS_PROFILE; ${CREDENTIALS_HELP}`;
  }
  if (isAccessDenied(error)) {
    // AWS messages usually name the action ("... is not authorized to perform: ecr:CreateRepository on ...").
    const named = /perform:?\s+([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message)?.[1] ?? action ?? 'an AWS action';
    const detail = /Deserialization error/i.test(message) ? 'HTTP 403 Forbidden' : message;
    return `access denied: these credentials may not call ${named} (${detail}). Grant ${named} to the identity in IAM, or use credentials that have it`;
  }
  if (/Region is missing/i.test(message)) {
    return 'no AWS region: set "region" in lambda-image.json, or AWS_REGION, or a region in your AWS profile';
  }
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || name === 'TimeoutError') {
    return `cannot reach AWS${action ? ` for ${action}` : ''} (${code ?? name}: ${message}): check the network, proxy settings and AWS_ENDPOINT_URL`;
  }
  return action ? `${action} failed: ${name ? `${name}: ` : ''}${message}` : message;
}
