// The deploy engines (`yo lambda-image --deploy sdk|sam|cdk`, lambda-image.json's
// deploy.engine) and the files each one needs beside lambda-image, plus the CI workflow every
// project gets. Three kinds of file, as in scaffold.ts:
// - derived (template.yaml): rendered from the manifest and rewritten on every run of the app
//   or handler generator, with no conflict question: it must follow lambda-image.json;
// - managed (cdk/app.ts, cdk.json): the same on every run; rewritten when the user has not
//   changed them, kept (and said so) when they have;
// - samples (.github/workflows/ci.yml): written once, then the user's.
// A file of another engine is left alone when the engine changes: it is the user's to delete.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ejs from 'ejs';
import type Generator from 'yeoman-generator';
import {
  BASIC_EXECUTION_POLICY,
  DEPLOY_ENGINES,
  EXECUTION_ROLE,
  HANDLER_TAG,
  IMAGE_PARAMETER,
  PROJECT_TAG,
  SCHEDULE_INPUT_SUB,
  cloudFormationValue,
  SQS_CONSUMER_ACTIONS,
  queueVisibilityTimeout,
  stackFunctions,
  type UrlTrigger,
  type DeployEngine,
  type Manifest,
} from 'lambda-image';
import { findRuntime } from './catalogue.ts';
import { TEMPLATES } from './paths.ts';
import { forceWrites } from './scaffold.ts';

export const ENGINES_TEMPLATES = join(TEMPLATES, 'engines');

export const ENGINE_DESCRIPTIONS: Record<DeployEngine, string> = {
  sdk: 'sdk: a script on the AWS SDK, no other tool',
  sam: 'sam: a CloudFormation stack (template.yaml, also usable with the SAM CLI)',
  cdk: 'cdk: a CDK app in TypeScript (cdk/app.ts)',
};

export function checkEngine(value: string): string | undefined {
  return (DEPLOY_ENGINES as readonly string[]).includes(value)
    ? undefined
    : `unknown deploy engine "${value}": choose one of ${DEPLOY_ENGINES.join(', ')}`;
}

/** The manifest's engine; manifests written before engines existed mean the sdk script. */
export const engineOf = (manifest: Pick<Manifest, 'deploy'>): DeployEngine => manifest.deploy?.engine ?? 'sdk';

/**
 * What a cdk project adds to its devDependencies. Pinned to the versions the synth test in
 * test/engines ran against. The CLI stays on 2.x: the registry's aws-cdk 3.0.0 reads cloud
 * assemblies only up to schema 43, and aws-cdk-lib 2.276 writes schema 55.
 */
export const CDK_DEPENDENCIES: Record<string, string> = {
  'aws-cdk': '^2.1148.1',
  'aws-cdk-lib': '^2.276.0',
  constructs: '^10.8.1',
};

export const SAM_TEMPLATE = 'template.yaml';
export const CDK_APP = 'cdk/app.ts';
export const CDK_JSON = 'cdk.json';
export const CI_WORKFLOW = '.github/workflows/ci.yml';

export type EngineFileKind = 'derived' | 'managed' | 'sample';

export interface EngineFile {
  path: string;
  content: string;
  kind: EngineFileKind;
}

const render = (template: string, data: Record<string, unknown>) =>
  ejs.render(readFileSync(join(ENGINES_TEMPLATES, template), 'utf8'), data, { filename: join(ENGINES_TEMPLATES, template) });

/** A YAML double-quoted scalar: JSON's string syntax is a subset of YAML's. */
const q = (value: string) => JSON.stringify(value);

export function samTemplate(manifest: Manifest): string {
  return render('sam/template.yaml.ejs', {
    q,
    // A secret reference becomes a CloudFormation dynamic reference: the template holds no value.
    envValue: cloudFormationValue,
    description: `${manifest.name}: AWS Lambda functions shipped as one container image (generator-lambda-image)`,
    project: manifest.name,
    imageParameter: IMAGE_PARAMETER,
    executionRole: EXECUTION_ROLE,
    basicExecutionPolicy: BASIC_EXECUTION_POLICY,
    // One tag for all: SAM CLI's build of one function serves every function.
    dockerTag: 'latest',
    functions: stackFunctions(manifest),
    architecture: manifest.architecture,
    roleArn: manifest.deploy.roleArn,
    ...samTriggerData(manifest),
    projectTag: PROJECT_TAG,
    handlerTag: HANDLER_TAG,
  });
}

/** What template.yaml's triggers need: the queues the role reads, the schedule's event, CORS as CloudFormation spells it. */
function samTriggerData(manifest: Manifest) {
  const functions = stackFunctions(manifest);
  return {
    queueArns: functions.flatMap((f) => {
      const t = f.settings.trigger;
      return t?.type === 'sqs' ? [t.queueArn ? q(t.queueArn) : `!GetAtt ${f.ids.queue}.Arn`] : [];
    }),
    sqsActions: SQS_CONSUMER_ACTIONS,
    scheduleInput: SCHEDULE_INPUT_SUB,
    visibilityTimeout: queueVisibilityTimeout,
    defaultBatchSize: 10,
    defaultMaxReceiveCount: 5,
    cors: (c: NonNullable<UrlTrigger['cors']>) =>
      JSON.parse(
        JSON.stringify({ AllowOrigins: c.allowOrigins, AllowMethods: c.allowMethods, AllowHeaders: c.allowHeaders, ExposeHeaders: c.exposeHeaders, AllowCredentials: c.allowCredentials, MaxAge: c.maxAge }),
      ),
  };
}

export function cdkApp(): string {
  return readFileSync(join(ENGINES_TEMPLATES, 'cdk', 'app.ts'), 'utf8');
}

export function cdkJson(): string {
  return readFileSync(join(ENGINES_TEMPLATES, 'cdk', 'cdk.json'), 'utf8');
}

/** The tooling needs Node 22.18 or later; a Node.js project tests on its own runtime version when that is newer. */
function ciNodeVersion(manifest: Manifest): string {
  const major = Number.parseInt(manifest.runtimeVersion, 10);
  return manifest.runtime === 'nodejs' && major > 22 ? String(major) : '22';
}

export function ciWorkflow(manifest: Manifest): string {
  return render('github/ci.yml.ejs', {
    name: manifest.name,
    runtime: manifest.runtime,
    runtimeLabel: findRuntime(manifest.runtime)?.label ?? manifest.runtime,
    runtimeVersion: manifest.runtimeVersion,
    nodeVersion: ciNodeVersion(manifest),
    arch: manifest.architecture,
    platform: manifest.architecture === 'arm64' ? 'linux/arm64' : 'linux/amd64',
    region: manifest.region,
  });
}

/** Every file the manifest's engine needs, and the CI workflow. */
export function engineFiles(manifest: Manifest): EngineFile[] {
  const files: EngineFile[] = [{ path: CI_WORKFLOW, content: ciWorkflow(manifest), kind: 'sample' }];
  const engine = engineOf(manifest);
  if (engine === 'sam') files.push({ path: SAM_TEMPLATE, content: samTemplate(manifest), kind: 'derived' });
  if (engine === 'cdk') {
    files.push({ path: CDK_APP, content: cdkApp(), kind: 'managed' }, { path: CDK_JSON, content: cdkJson(), kind: 'managed' });
  }
  return files;
}

export interface EngineWriteOptions {
  /**
   * Only the derived files: what the handler subgenerator asks for, since a handler changes
   * nothing else (no sample appears, package.json stays as it is).
   */
  derivedOnly?: boolean;
}

/**
 * Writes the engine's files for `manifest` (the one being written in this run). Called by the
 * app generator and by the handler subgenerator, so a handler added anywhere shows up in
 * template.yaml at once; the CDK app reads the manifest itself.
 */
export function writeEngineFiles(generator: Generator, manifest: Manifest, options: EngineWriteOptions = {}): void {
  const forced: string[] = [];
  for (const file of engineFiles(manifest)) {
    if (options.derivedOnly && file.kind !== 'derived') continue;
    const exists = generator.existsDestination(file.path);
    if (file.kind === 'sample' && exists) continue;
    if (file.kind === 'managed' && exists && generator.readDestination(file.path) !== file.content) {
      generator.log(`Kept your changed ${file.path} (the generator's version differs; delete the file and run again to get it).`);
      continue;
    }
    generator.writeDestination(file.path, file.content);
    if (file.kind === 'derived') forced.push(file.path);
  }
  if (engineOf(manifest) === 'cdk' && !options.derivedOnly) {
    // Only what is missing: a version the user has moved on to stays.
    const current = (generator.packageJson.get('devDependencies') ?? {}) as Record<string, string>;
    const missing = Object.fromEntries(Object.entries(CDK_DEPENDENCIES).filter(([name]) => !(name in current)));
    if (Object.keys(missing).length > 0) {
      generator.packageJson.merge({ devDependencies: missing });
      forced.push('package.json');
    }
  }
  forceWrites(generator, forced);
}
