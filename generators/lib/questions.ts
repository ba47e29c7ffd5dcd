// The one typed map between the questions of `yo lambda-image`, its command-line options,
// .yo-rc.json and the manifest's fields (the vscode-generator-code way: every question is an
// option of the same meaning). Every source gives text; `parse` turns it into a typed value
// or a problem, so an option, an answer, a stored value and a manifest field are checked
// alike. A field's `manifest` says where it lives in lambda-image.json in both directions.
import { basename } from 'node:path';
import { DEPLOY_ENGINES, type Architecture, type DeployEngine, type Manifest } from 'lambda-image';
import {
  ARCHITECTURES,
  RUNTIMES,
  RUNTIME_IDS,
  baseImage,
  defaultTag,
  findRuntime,
  hostArchitecture,
  tagDates,
  type RuntimeSpec,
} from './catalogue.ts';
import {
  checkArchitecture,
  checkBaseImage,
  checkGoModule,
  checkHandlerNames,
  checkJavaPackage,
  checkMemory,
  checkProjectName,
  checkRegion,
  checkRepository,
  checkRuntime,
  checkRuntimeVersion,
  checkTimeout,
  type Problem,
} from './validate.ts';
import { OTHER_IMAGE_RUNTIMES, otherImageExample } from './base-image.ts';
import { defaultGoModule, defaultJavaPackage, snakeCase } from './names.ts';
import { parseHandlerSpecs, withTriggers } from './triggers.ts';
import { ENGINE_DESCRIPTIONS, checkEngine } from './engines.ts';
import { JAVA_KEYWORDS } from './runtimes/java.ts';

/** Every setting of a project, typed. */
export interface Settings {
  name: string;
  runtime: RuntimeSpec;
  runtimeVersion: string;
  javaPackage: string;
  goModule: string;
  handlers: string[];
  arch: Architecture;
  region: string;
  repository: string;
  memory: number;
  timeout: number;
  deploy: DeployEngine;
  /** Another image to build on (the runtime interface client goes in); '' for the AWS base image. */
  baseImage: string;
}
export type Key = keyof Settings;
export type Known = Partial<Settings>;

export type Parsed<T> = { value: T; problem?: undefined } | { value?: undefined; problem: string };

export interface Choice {
  name: string;
  value: string;
}

export interface DefaultsEnv {
  /** The folder the project is written to. */
  cwd: string;
  /** Region from the AWS environment, if any. */
  awsRegion?: string;
}

export interface Field<K extends Key> {
  key: K;
  /** The CLI option (the project name is the positional argument instead). */
  option?: string;
  /** One line of --help. */
  description: string;
  /** The prompt. */
  message: string;
  /** Only for these runtimes (a language's own option); otherwise for all. */
  runtimes?: readonly string[];
  /** Keys this field's default, choices or check read. */
  needs: Key[];
  /** Fixed choices make a list prompt; otherwise free input. */
  choices?(known: Known): Choice[];
  default(known: Known, env: DefaultsEnv): Settings[K];
  parse(text: string, known: Known): Parsed<Settings[K]>;
  /** The text form: what .yo-rc.json stores and a prompt shows. */
  show(value: Settings[K]): string;
  /** Where the manifest keeps it: its text form there, and the manifest fields it sets. */
  manifest?: {
    /** Its name in lambda-image.json, for messages. */
    field: string;
    read(manifest: Manifest): string | undefined;
    write(value: Settings[K], manifest: Manifest): void;
  };
}

const checked = <T>(value: T, problem: Problem): Parsed<T> => (problem ? { problem } : { value });

const runtimeOf = (known: Known): RuntimeSpec => {
  if (!known.runtime) throw new Error('the runtime must be known before this field');
  return known.runtime;
};

/** A project name from a folder name: "My Orders_Svc" -> "my-orders-svc". */
export function nameFromFolder(folder: string): string {
  const name = snakeCase(basename(folder)).replace(/_/g, '-').replace(/^[^a-z]+/, '');
  return name || 'lambda-image-app';
}

const text = (value: string) => value;
const whole = (value: string, check: (v: string) => Problem): Parsed<number> => checked(Number(value), check(value));

export const FIELDS: { readonly [K in Key]: Field<K> } = {
  name: {
    key: 'name',
    description: 'Project name (npm rules); names the core library, the image repository and the functions',
    message: 'Project name',
    needs: [],
    default: (_k, env) => nameFromFolder(env.cwd),
    parse: (value) => checked(value, checkProjectName(value)),
    show: text,
    manifest: {
      field: 'name', read: (m) => m.name, write: (v, m) => void (m.name = v) },
  },
  runtime: {
    key: 'runtime',
    option: 'runtime',
    description: `Runtime language: ${RUNTIME_IDS.join(' | ')}`,
    message: 'Runtime language',
    needs: [],
    choices: () => RUNTIMES.map((r) => ({ name: r.label, value: r.id })),
    default: () => RUNTIMES[0]!,
    parse: (value) => {
      const runtime = findRuntime(value);
      return runtime ? { value: runtime } : { problem: checkRuntime(value) ?? `unknown runtime "${value}"` };
    },
    show: (runtime) => runtime.id,
    manifest: {
      field: 'runtime', read: (m) => m.runtime, write: (v, m) => void (m.runtime = v.id) },
  },
  runtimeVersion: {
    key: 'runtimeVersion',
    option: 'runtime-version',
    description: "The base image's tag (default: the newest)",
    message: 'Base image version',
    needs: ['runtime'],
    choices: (k) =>
      runtimeOf(k).tags.map((t) => ({
        name: `${baseImage(runtimeOf(k), t.tag)}${tagDates(t) ? `  (${tagDates(t)})` : ''}`,
        value: t.tag,
      })),
    default: (k) => defaultTag(runtimeOf(k)),
    parse: (value, k) => checked(value, checkRuntimeVersion(value, runtimeOf(k))),
    show: text,
    manifest: {
      field: 'runtimeVersion',
      read: (m) => m.runtimeVersion,
      write: (v, m) => {
        m.runtimeVersion = v;
        const runtime = findRuntime(m.runtime);
        if (runtime) m.baseImage = baseImage(runtime, v);
      },
    },
  },
  baseImage: {
    key: 'baseImage',
    option: 'base-image',
    description: `Build on another image instead of the AWS base image (${OTHER_IMAGE_RUNTIMES.join(', ')}): the runtime interface client goes into it, and you own its patching; \`aws\` for the AWS base image (default)`,
    message: 'Base image',
    runtimes: OTHER_IMAGE_RUNTIMES,
    needs: ['runtime', 'runtimeVersion'],
    default: () => '',
    // '' stands for the AWS base image of the runtime and version; `aws` is its text form.
    parse: (value) => (value === 'aws' || value === '' ? { value: '' } : checked(value, checkBaseImage(value))),
    show: (value) => value || 'aws',
    manifest: {
      field: 'baseImage',
      read: (m) => (m.awsBaseImage === false ? m.baseImage : 'aws'),
      write: (value, m) => {
        if (value) {
          m.baseImage = value;
          m.awsBaseImage = false;
        } else delete m.awsBaseImage;
      },
    },
  },
  javaPackage: {
    key: 'javaPackage',
    option: 'java-package',
    description: 'The Java package of the entry and core classes (default: com.example.<name without hyphens>)',
    message: 'Java package',
    runtimes: ['java'],
    needs: ['name'],
    default: (k) => defaultJavaPackage(k.name ?? ''),
    parse: (value) => checked(value, checkJavaPackage(value, JAVA_KEYWORDS)),
    show: text,
    // The dispatcher's handler string names the package: <package>.LambdaFunction::handleRequest.
    manifest: {
      field: 'dispatcher',
      read: (m) => (m.runtime === 'java' ? /^(.+)\.LambdaFunction::handleRequest$/.exec(m.dispatcher)?.[1] : undefined),
      write: () => undefined,
    },
  },
  goModule: {
    key: 'goModule',
    option: 'go-module',
    description: 'The Go module path, as `go mod init` takes it (default: example.com/<name>)',
    message: 'Go module path',
    runtimes: ['go'],
    needs: ['name'],
    default: (k) => defaultGoModule(k.name ?? ''),
    parse: (value) => checked(value, checkGoModule(value)),
    show: text,
  },
  handlers: {
    key: 'handlers',
    option: 'handlers',
    description:
      'Comma-separated handler names, each with an optional trigger (schedule, url, sqs), e.g. ingest:sqs,report_daily:schedule,api:url (default: handler_1,handler_2,handler_3)',
    message: 'Handler names (comma-separated; name:schedule, name:url or name:sqs gives one a trigger)',
    needs: ['runtime'],
    default: () => ['handler_1', 'handler_2', 'handler_3'],
    parse: (value, k) => {
      // `name:trigger` gives a new handler its trigger (triggers.ts); the settings keep the names.
      const { specs, problem } = parseHandlerSpecs(value);
      if (problem) return { problem };
      const names = withTriggers(specs);
      return checked(names, checkHandlerNames(names, runtimeOf(k)));
    },
    show: (names) => names.join(','),
    // The manifest's handler entries are written from the handler plan (handlers.ts), not from here.
    manifest: {
      field: 'handlers', read: (m) => (Array.isArray(m.handlers) ? m.handlers.map((h) => h.name).join(',') : undefined), write: () => undefined },
  },
  arch: {
    key: 'arch',
    option: 'arch',
    description: `CPU architecture: ${ARCHITECTURES.join(' | ')} (default: this machine's, so local builds run natively)`,
    message: 'Architecture',
    needs: [],
    choices: () => ARCHITECTURES.map((a) => ({ name: a, value: a })),
    default: () => hostArchitecture(),
    parse: (value) => {
      const arch = ARCHITECTURES.find((a) => a === value);
      return arch ? { value: arch } : { problem: checkArchitecture(value) ?? `unknown architecture "${value}"` };
    },
    show: text,
    manifest: {
      field: 'architecture', read: (m) => m.architecture, write: (v, m) => void (m.architecture = v) },
  },
  region: {
    key: 'region',
    option: 'region',
    description: 'AWS region (default: AWS_REGION or AWS_DEFAULT_REGION, else us-east-1)',
    message: 'AWS region',
    needs: [],
    default: (_k, env) => env.awsRegion ?? 'us-east-1',
    parse: (value) => checked(value, checkRegion(value)),
    show: text,
    manifest: {
      field: 'region', read: (m) => m.region, write: (v, m) => void (m.region = v) },
  },
  repository: {
    key: 'repository',
    option: 'repository',
    description: 'ECR repository name (default: the project name)',
    message: 'ECR repository',
    needs: ['name'],
    default: (k) => k.name ?? '',
    parse: (value) => checked(value, checkRepository(value)),
    show: text,
    manifest: {
      field: 'repository', read: (m) => m.repository, write: (v, m) => void (m.repository = v) },
  },
  memory: {
    key: 'memory',
    option: 'memory',
    description: 'Memory of each function in MB, 128-10240 (default: 512)',
    message: 'Memory (MB)',
    needs: [],
    default: () => 512,
    parse: (value) => whole(value, checkMemory),
    show: String,
    manifest: {
      field: 'memory', read: (m) => (m.memory === undefined ? undefined : String(m.memory)), write: (v, m) => void (m.memory = v) },
  },
  timeout: {
    key: 'timeout',
    option: 'timeout',
    description: 'Timeout of each function in seconds, 1-900 (default: 30)',
    message: 'Timeout (seconds)',
    needs: [],
    default: () => 30,
    parse: (value) => whole(value, checkTimeout),
    show: String,
    manifest: {
      field: 'timeout', read: (m) => (m.timeout === undefined ? undefined : String(m.timeout)), write: (v, m) => void (m.timeout = v) },
  },
  deploy: {
    key: 'deploy',
    option: 'deploy',
    description: `How \`npm run deploy\` deploys: ${DEPLOY_ENGINES.join(' | ')} (default: sdk)`,
    message: 'Deploy engine',
    needs: [],
    choices: () => DEPLOY_ENGINES.map((value) => ({ name: ENGINE_DESCRIPTIONS[value], value })),
    default: () => 'sdk',
    parse: (value) => {
      const engine = DEPLOY_ENGINES.find((e) => e === value);
      return engine ? { value: engine } : { problem: checkEngine(value) ?? `unknown deploy engine "${value}"` };
    },
    show: text,
    manifest: {
      field: 'deploy.engine',
      read: (m) => m.deploy?.engine,
      write: (v, m) => void (m.deploy = { ...m.deploy, engine: v }),
    },
  },
};

/** The order of the questions (and of --help). */
export const KEYS: readonly Key[] = [
  'name',
  'runtime',
  'runtimeVersion',
  'baseImage',
  'javaPackage',
  'goModule',
  'handlers',
  'arch',
  'region',
  'repository',
  'memory',
  'timeout',
  'deploy',
];

/** Whether a field applies to a project of this runtime (a language's own option or not). */
export function applies(key: Key, runtime: RuntimeSpec | undefined): boolean {
  const { runtimes } = FIELDS[key];
  return !runtimes || (runtime !== undefined && runtimes.includes(runtime.id));
}

/** The field's option name as the command line spells it. */
export const optionOf = (key: Key): string | undefined => FIELDS[key].option;
