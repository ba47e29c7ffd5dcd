// The AWS names deploy gives things. They must come out the same on every deploy and on
// every machine (that is how a re-run finds what the last one made), so they depend on the
// manifest only.
import { createHash } from 'node:crypto';

/** Tag on every function, role and repository deploy creates: how destroy and the orphan report find them. */
export const PROJECT_TAG = 'lambda-image:project';
/** Tag on every function: the manifest handler it runs. */
export const HANDLER_TAG = 'lambda-image:handler';

export const MAX_FUNCTION_NAME = 64;
export const MAX_ROLE_NAME = 64;

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/**
 * Fits `name` in `max` characters. A name that is too long keeps its beginning and ends with a
 * hash of the whole name, so that two long names that share a beginning stay distinct.
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const head = name.slice(0, max - 9).replace(/[-_.]+$/, '');
  return `${head}-${shortHash(name)}`;
}

/** Lambda function names allow letters, digits, hyphens and underscores. */
const lambdaSafe = (text: string) => text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');

/** `orders-svc` + `report_daily` -> `orders-svc-report_daily` (at most 64 characters). */
export function functionName(project: string, handler: string): string {
  return fitName(`${lambdaSafe(project)}-${lambdaSafe(handler)}`, MAX_FUNCTION_NAME);
}

/**
 * What every function name of the project starts with, including hash-shortened ones: a cheap
 * filter before the tag check when listing the account's functions.
 */
export function functionNamePrefix(project: string): string {
  return `${lambdaSafe(project)}-`.slice(0, MAX_FUNCTION_NAME - 9);
}

/** The execution role deploy creates when the manifest names none: `<name>-lambda-role`. */
export function roleName(project: string): string {
  return fitName(`${project.replace(/[^\w+=,.@-]+/g, '-').replace(/^-+|-+$/g, '')}-lambda-role`, MAX_ROLE_NAME);
}

export interface RepositoryRef {
  name: string;
  /** Set when the manifest gives a full repository URI rather than a name. */
  account?: string;
  region?: string;
}

const REPOSITORY_URI = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/;

/** The manifest's `repository`: a name (`orders-svc`) or a full ECR URI (`1234….dkr.ecr.<region>.amazonaws.com/orders-svc`). */
export function parseRepository(value: string): RepositoryRef {
  const match = REPOSITORY_URI.exec(value.replace(/^[a-z]+:\/\//, ''));
  if (!match) return { name: value };
  return { account: match[1]!, region: match[2]!, name: match[3]! };
}
