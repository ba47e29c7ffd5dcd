// The files of a generated project that are composed rather than templated: the manifest
// and package.json. Both merge over what is already there: a re-run keeps the user's keys.
import { MANIFEST_SCHEMA_REF, type DeployEngine, type Manifest } from 'lambda-image';
import { baseImage } from './catalogue.ts';
import type { ProjectNames } from './names.ts';
import { FIELDS, KEYS, type Key, type Settings } from './questions.ts';
import { manifestEntry, type PlannedHandler } from './handlers.ts';
import { toolingDependencies, toolingScripts } from './tooling.ts';

function writeField<K extends Key>(key: K, settings: Settings, manifest: Manifest): void {
  FIELDS[key].manifest?.write(settings[key], manifest);
}

/** The manifest for `settings`: the existing one's other keys kept, every field written through its entry in FIELDS. */
export function buildManifest(settings: Settings, names: ProjectNames, handlers: readonly PlannedHandler[], existing?: Manifest): Manifest {
  const manifest: Manifest = {
    $schema: MANIFEST_SCHEMA_REF,
    ...existing,
    version: 1,
    name: settings.name,
    runtime: settings.runtime.id,
    runtimeVersion: settings.runtimeVersion,
    baseImage: baseImage(settings.runtime, settings.runtimeVersion),
    architecture: settings.arch,
    region: settings.region,
    repository: settings.repository,
    memory: settings.memory,
    timeout: settings.timeout,
    dispatcher: settings.runtime.dispatcher(names),
    handlers: handlers.map(manifestEntry),
    deploy: { roleArn: null, imageTagMutability: 'MUTABLE', keepImages: 10, environment: {}, ...existing?.deploy },
  };
  for (const key of KEYS) writeField(key, settings, manifest);
  return manifest;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The keys of package.json the generator manages; everything else is the user's. */
export function packageJsonOfProject(settings: Settings, names: ProjectNames, engine: DeployEngine): JsonObject {
  return {
    name: names.name,
    version: '0.1.0',
    private: true,
    description: `${names.name}: AWS Lambda functions shipped as one container image`,
    type: 'module',
    scripts: { test: settings.runtime.testCommand, ...toolingScripts() },
    devDependencies: toolingDependencies(),
    // lambda-image runs on every supported Node.js; a CDK app in TypeScript needs type stripping.
    engines: { node: engine === 'cdk' ? '>=22.18.0' : '>=22' },
    dependencies: {},
  };
}

/** What a re-run needs in an existing package.json: the scripts, the tooling and the engines (not the name or version). */
const MANAGED_ON_RERUN = ['scripts', 'devDependencies', 'engines'];

export interface KeptValue {
  /** Dotted path: scripts.test. */
  key: string;
  yours: Json;
  ours: Json;
}

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Our package.json merged into the user's: every key we manage that is missing is added; a key
 * that is there with another value is the user's choice and is kept, and listed.
 */
export function mergePackageJson(current: JsonObject | undefined, ours: JsonObject): { merged: JsonObject; kept: KeptValue[] } {
  if (!current) return { merged: ours, kept: [] };
  const kept: KeptValue[] = [];
  const merge = (into: JsonObject, from: JsonObject, prefix: string): JsonObject => {
    const result: JsonObject = { ...into };
    for (const [key, value] of Object.entries(from)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const theirs = into[key];
      if (theirs === undefined) result[key] = value;
      else if (isObject(theirs) && isObject(value)) result[key] = merge(theirs, value, path);
      else if (JSON.stringify(theirs) !== JSON.stringify(value)) kept.push({ key: path, yours: theirs, ours: value });
    }
    return result;
  };
  const managed = Object.fromEntries(Object.entries(ours).filter(([key]) => MANAGED_ON_RERUN.includes(key)));
  return { merged: merge(current, managed, ''), kept };
}
