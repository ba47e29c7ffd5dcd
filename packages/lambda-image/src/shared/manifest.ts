// lambda-image.json is the project's single source of truth: the local and deploy
// tooling read nothing else, and `yo lambda-image:handler` is the only writer of
// its handler list besides you.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../version.ts';
import { type EnvironmentValue, environmentValueProblem } from './env-values.ts';
import { type HandlerSettings, handlerSettingsProblems } from './handler-settings.ts';

export const MANIFEST_FILE = 'lambda-image.json';

// --- The format version -------------------------------------------------------------------
// lambda-image.json is a public contract, documented by the JSON Schema the package ships
// (schema/lambda-image.schema.json, `lambda-image/schema.json`). Its "version" changes only
// when an older lambda-image would misread a newer file. This package reads every earlier
// version (an upgrade step per version, applied in memory, goes beside MANIFEST_VERSION when
// there is one) and refuses a later one with the release that reads it.

/** The format version this package writes and reads. Format 1 is the first there has been. */
export const MANIFEST_VERSION = 1;

/** `$schema` of a generated manifest: the schema of the lambda-image installed in the project, so editors check the file against the version that reads it. */
export const MANIFEST_SCHEMA_REF = './node_modules/lambda-image/schema/lambda-image.schema.json';

/** Why the manifest's "version" cannot be read by this package, or undefined when it can. */
export function versionProblem(version: unknown): string | undefined {
  if (version === undefined) return `"version" is missing: add "version": ${MANIFEST_VERSION} (the format every lambda-image.json written so far has)`;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    return `"version" must be a format version, a whole number from 1 (this lambda-image reads up to ${MANIFEST_VERSION}), got ${JSON.stringify(version)}`;
  if (version > MANIFEST_VERSION)
    return `"version" is ${version}: this file was written for a newer lambda-image than this one (${VERSION}, which reads format ${MANIFEST_VERSION} and earlier); upgrade it: npm install --save-dev lambda-image@latest`;
  return undefined;
}

const newerFormat = (version: unknown): boolean => typeof version === 'number' && version > MANIFEST_VERSION;

export type Architecture = 'x86_64' | 'arm64';

/** A handler's own settings (memory, trigger, …) fall back to the project's: see handler-settings.ts. */
export interface HandlerEntry extends HandlerSettings {
  /** The user's name: the dispatcher key, the event file and the function name use it. */
  name: string;
  /** The runtime's handler string: what ImageConfig.Command holds for this function. */
  handler: string;
  /** Sample event, relative to the project root. */
  event: string;
}

export interface DeploySettings {
  /** Execution role to use; when null, deploy creates `<name>-lambda-role` with AWSLambdaBasicExecutionRole only. */
  roleArn: string | null;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  /** The ECR lifecycle policy keeps this many images. */
  keepImages: number;
  /** Environment variables given to every function. */
  environment: Record<string, EnvironmentValue>;
  /** How `npm run deploy` deploys (`yo lambda-image --deploy`); absent means "sdk", as before engines existed. */
  engine?: DeployEngine;
}

/** sdk: the SDK script; sam: a CloudFormation stack (template.yaml); cdk: the CDK app in cdk/. */
export const DEPLOY_ENGINES = ['sdk', 'sam', 'cdk'] as const;
export type DeployEngine = (typeof DEPLOY_ENGINES)[number];

export interface Manifest {
  /** The JSON Schema editors check the file against (MANIFEST_SCHEMA_REF). */
  $schema?: string;
  /** Format version of this file. */
  version: typeof MANIFEST_VERSION;
  /** The project name (npm rules); function names derive from it. */
  name: string;
  runtime: string;
  runtimeVersion: string;
  /** The Dockerfile's default BASE_IMAGE. */
  baseImage: string;
  /**
   * false: baseImage is not an AWS Lambda base image but another one with the runtime interface
   * client installed (`yo lambda-image --base-image`); `lambda-image local` then brings the
   * Runtime Interface Emulator from outside the image. Absent means true.
   */
  awsBaseImage?: boolean;
  architecture: Architecture;
  region: string;
  repository: string;
  memory: number;
  timeout: number;
  /** Handler string of the dispatcher: the image's CMD, which serves every handler locally. */
  dispatcher: string;
  handlers: HandlerEntry[];
  deploy: DeploySettings;
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the shape of a parsed manifest; returns every problem found, empty when valid. */
export function manifestProblems(data: unknown): string[] {
  if (!isObject(data)) return ['the manifest must be a JSON object'];
  const problems: string[] = [];
  const str = (key: string) => {
    if (typeof data[key] !== 'string' || data[key] === '') problems.push(`"${key}" must be a non-empty string`);
  };
  const int = (key: string, min: number, max: number) => {
    const v = data[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      problems.push(`"${key}" must be a whole number from ${min} to ${max}`);
  };
  const version = versionProblem(data.version);
  // A newer format may differ anywhere: checking it as this one would only mislead.
  if (version && newerFormat(data.version)) return [version];
  if (version) problems.push(version);
  if (data.$schema !== undefined && typeof data.$schema !== 'string') problems.push('"$schema" must be the path or URL of lambda-image\'s JSON Schema');
  for (const key of ['name', 'runtime', 'runtimeVersion', 'baseImage', 'region', 'repository', 'dispatcher']) str(key);
  if (data.awsBaseImage !== undefined && typeof data.awsBaseImage !== 'boolean')
    problems.push('"awsBaseImage" must be true or false (false: "baseImage" is another image with the runtime interface client in it)');
  if (data.architecture !== 'x86_64' && data.architecture !== 'arm64') problems.push('"architecture" must be "x86_64" or "arm64"');
  int('memory', 128, 10240);
  int('timeout', 1, 900);
  if (!Array.isArray(data.handlers) || data.handlers.length === 0) {
    problems.push('"handlers" must be a non-empty array');
  } else {
    const seen = new Set<string>();
    data.handlers.forEach((h: unknown, i: number) => {
      if (!isObject(h) || typeof h.name !== 'string' || typeof h.handler !== 'string' || typeof h.event !== 'string') {
        problems.push(`handlers[${i}] must have string "name", "handler" and "event"`);
        return;
      }
      if (seen.has(h.name)) problems.push(`handler "${h.name}" is listed twice`);
      seen.add(h.name);
      problems.push(...handlerSettingsProblems(h, `handlers[${i}] ("${h.name}")`));
    });
  }
  const deploy = data.deploy;
  if (!isObject(deploy)) {
    problems.push('"deploy" must be an object');
  } else {
    if (deploy.roleArn !== null && typeof deploy.roleArn !== 'string') problems.push('"deploy.roleArn" must be a role ARN or null');
    if (deploy.imageTagMutability !== 'MUTABLE' && deploy.imageTagMutability !== 'IMMUTABLE')
      problems.push('"deploy.imageTagMutability" must be "MUTABLE" or "IMMUTABLE"');
    if (typeof deploy.keepImages !== 'number' || !Number.isInteger(deploy.keepImages) || deploy.keepImages < 1)
      problems.push('"deploy.keepImages" must be a whole number of at least 1');
    if (!isObject(deploy.environment)) problems.push('"deploy.environment" must map names to values');
    else
      for (const [name, value] of Object.entries(deploy.environment)) {
        const problem = environmentValueProblem(value, `"deploy.environment.${name}"`);
        if (problem) problems.push(problem);
      }
    if (deploy.engine !== undefined && !(DEPLOY_ENGINES as readonly unknown[]).includes(deploy.engine))
      problems.push(`"deploy.engine" must be one of ${DEPLOY_ENGINES.map((e) => `"${e}"`).join(', ')} (absent means "sdk")`);
  }
  return problems;
}

/** Reads and checks lambda-image.json in `dir`; throws a ManifestError that says what to fix. */
export function loadManifest(dir: string = process.cwd()): Manifest {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ManifestError(
      `no ${MANIFEST_FILE} in ${dir}: run this from the root of a project generated by \`yo lambda-image\``,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${path} is not valid JSON (${(error as Error).message}): fix the syntax and run again`);
  }
  const problems = manifestProblems(data);
  if (isObject(data) && newerFormat(data.version)) throw new ManifestError(`${path}: ${problems.join('')}`);
  if (problems.length > 0) {
    throw new ManifestError(`${path} is not a valid manifest:\n  - ${problems.join('\n  - ')}`);
  }
  return data as Manifest;
}

/** The handler entry called `name`, or a ManifestError that lists the valid ones. */
export function findHandler(manifest: Manifest, name: string): HandlerEntry {
  const entry = manifest.handlers.find((h) => h.name === name);
  if (!entry) {
    throw new ManifestError(
      `unknown handler "${name}": valid handlers are ${manifest.handlers.map((h) => h.name).join(', ')}`,
    );
  }
  return entry;
}
