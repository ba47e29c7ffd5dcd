// The files of a generated project that are composed rather than templated:
// the manifest and package.json. Both merge over what is already there, so a
// re-run keeps the user's own keys.
import type { DeployEngine, Manifest } from 'lambda-image';
import { baseImage, type RuntimeSpec } from './catalogue.ts';
import type { ProjectNames } from './names.ts';
import type { Answers } from './questions.ts';
import type { PlannedHandler } from './handlers.ts';
import { toolingDependencies, toolingScripts } from './tooling.ts';

export function buildManifest(
  answers: Answers,
  runtime: RuntimeSpec,
  names: ProjectNames,
  handlers: readonly PlannedHandler[],
  existing?: Partial<Manifest>,
): Manifest {
  return {
    ...existing,
    version: 1,
    name: answers.name,
    runtime: runtime.id,
    runtimeVersion: answers.runtimeVersion,
    baseImage: baseImage(runtime, answers.runtimeVersion),
    architecture: answers.arch as Manifest['architecture'],
    region: answers.region,
    repository: answers.repository,
    memory: Number(answers.memory),
    timeout: Number(answers.timeout),
    dispatcher: runtime.dispatcher(names),
    handlers: handlers.map(({ name, handler, event }) => ({ name, handler, event })),
    deploy: {
      roleArn: null,
      imageTagMutability: 'MUTABLE',
      keepImages: 10,
      environment: {},
      ...existing?.deploy,
      engine: answers.deploy as DeployEngine,
    },
  };
}

/** The keys of package.json the generator manages; everything else is the user's. */
export function packageJsonPatch(runtime: RuntimeSpec, names: ProjectNames, engine: DeployEngine, existing: boolean): Record<string, unknown> {
  const managed = {
    scripts: { test: runtime.testCommand, ...toolingScripts() },
    devDependencies: toolingDependencies(),
    // lambda-image runs on every supported Node.js; a CDK app in TypeScript needs type stripping.
    engines: { node: engine === 'cdk' ? '>=22.18.0' : '>=22' },
  };
  if (existing) return managed;
  return {
    name: names.name,
    version: '0.1.0',
    private: true,
    description: `${names.name}: AWS Lambda functions shipped as one container image`,
    type: 'module',
    ...managed,
    dependencies: {},
  };
}
