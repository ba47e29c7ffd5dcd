// The questions of `yo lambda-image`, each answerable by an option of the same
// meaning (the vscode-generator-code way). One list drives the CLI options, their
// --help text, the prompts, the defaults and the validation.
import { basename } from 'node:path';
import {
  ARCHITECTURES,
  RUNTIMES,
  baseImage,
  defaultTag,
  findRuntime,
  hostArchitecture,
  type RuntimeSpec,
} from './catalogue.ts';
import {
  checkArchitecture,
  checkHandlerNames,
  checkMemory,
  checkProjectName,
  checkRegion,
  checkRepository,
  checkRuntime,
  checkRuntimeVersion,
  checkTimeout,
  parseHandlerList,
  type Problem,
} from './validate.ts';
import { snakeCase } from './names.ts';
import { ENGINE_DESCRIPTIONS, checkEngine } from './engines.ts';

export interface Answers {
  name: string;
  runtime: string;
  runtimeVersion: string;
  handlers: string;
  arch: string;
  region: string;
  repository: string;
  memory: string;
  timeout: string;
  deploy: string;
}
export type Key = keyof Answers;

export interface Choice {
  name: string;
  value: string;
}

export interface Question {
  key: Key;
  /** The CLI option (the project name is the positional argument instead). */
  option?: string;
  description: string;
  message: string;
  /** Fixed choices make a list prompt; otherwise free input. */
  choices?(answers: Partial<Answers>): Choice[];
  default(answers: Partial<Answers>, env: DefaultsEnv): string;
  check(value: string, answers: Partial<Answers>): Problem;
  /** Keys this question's default or check reads. */
  needs: Key[];
}

export interface DefaultsEnv {
  /** The folder the project is written to. */
  cwd: string;
  /** Region from the AWS environment, if any. */
  awsRegion?: string;
}

const runtimeOf = (answers: Partial<Answers>): RuntimeSpec => {
  const runtime = findRuntime(answers.runtime ?? '');
  if (!runtime) throw new Error('the runtime must be answered before this question');
  return runtime;
};

/** A project name from a folder name: "My Orders_Svc" -> "my-orders-svc". */
export function nameFromFolder(folder: string): string {
  const name = snakeCase(basename(folder)).replace(/_/g, '-').replace(/^[^a-z]+/, '');
  return name || 'lambda-image-app';
}

export const QUESTIONS: readonly Question[] = [
  {
    key: 'name',
    description: 'Project name (npm rules); names the core library, the image repository and the functions',
    message: 'Project name',
    needs: [],
    default: (_a, env) => nameFromFolder(env.cwd),
    check: (value) => checkProjectName(value),
  },
  {
    key: 'runtime',
    option: 'runtime',
    description: `Runtime language: ${RUNTIMES.map((r) => r.id).join('|')}`,
    message: 'Runtime language',
    needs: [],
    choices: () =>
      RUNTIMES.map((r) => ({ name: r.label, value: r.id })),
    default: () => 'python',
    check: (value) => checkRuntime(value),
  },
  {
    key: 'runtimeVersion',
    option: 'runtime-version',
    description: "The base image's tag: 3.13, 22, 21, al2023, 8, 3.4, ... (default: the newest supported)",
    message: 'Base image version',
    needs: ['runtime'],
    choices: (a) =>
      runtimeOf(a).tags.map((t) => ({
        name: `${baseImage(runtimeOf(a), t.tag)}${t.deprecated ? `  (deprecated ${t.deprecated})` : ''}`,
        value: t.tag,
      })),
    default: (a) => defaultTag(runtimeOf(a)),
    check: (value, a) => checkRuntimeVersion(value, runtimeOf(a)),
  },
  {
    key: 'handlers',
    option: 'handlers',
    description: 'Comma-separated handler names, e.g. ingest,report_daily (default: handler_1,handler_2,handler_3)',
    message: 'Handler names (comma-separated)',
    needs: ['runtime'],
    default: () => 'handler_1,handler_2,handler_3',
    check: (value, a) => checkHandlerNames(parseHandlerList(value), runtimeOf(a)),
  },
  {
    key: 'arch',
    option: 'arch',
    description: `CPU architecture: ${ARCHITECTURES.join('|')} (default: this machine's, so local builds run natively)`,
    message: 'Architecture',
    needs: [],
    choices: () => ARCHITECTURES.map((a) => ({ name: a, value: a })),
    default: () => hostArchitecture(),
    check: (value) => checkArchitecture(value),
  },
  {
    key: 'region',
    option: 'region',
    description: 'AWS region (default: AWS_REGION or AWS_DEFAULT_REGION, else us-east-1)',
    message: 'AWS region',
    needs: [],
    default: (_a, env) => env.awsRegion ?? 'us-east-1',
    check: (value) => checkRegion(value),
  },
  {
    key: 'repository',
    option: 'repository',
    description: 'ECR repository name (default: the project name)',
    message: 'ECR repository',
    needs: ['name'],
    default: (a) => a.name ?? '',
    check: (value) => checkRepository(value),
  },
  {
    key: 'memory',
    option: 'memory',
    description: 'Memory of each function in MB, 128-10240 (default: 512)',
    message: 'Memory (MB)',
    needs: [],
    default: () => '512',
    check: (value) => checkMemory(value),
  },
  {
    key: 'timeout',
    option: 'timeout',
    description: 'Timeout of each function in seconds, 1-900 (default: 30)',
    message: 'Timeout (seconds)',
    needs: [],
    default: () => '30',
    check: (value) => checkTimeout(value),
  },
  {
    key: 'deploy',
    option: 'deploy',
    description: 'How `npm run deploy` deploys: sdk (a script on the AWS SDK) | sam (a CloudFormation stack, template.yaml) | cdk (a CDK app) (default: sdk)',
    message: 'Deploy engine',
    needs: [],
    choices: () => Object.entries(ENGINE_DESCRIPTIONS).map(([value, name]) => ({ name, value })),
    default: () => 'sdk',
    check: (value) => checkEngine(value),
  },
];
