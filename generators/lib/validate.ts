// Validation of every answer, shared by the options (checked before anything is
// asked or written) and the prompts (checked as each answer is typed). Each check
// returns undefined when the value is fine, or a message that names the problem
// and the fix.
import validateNpmName from 'validate-npm-package-name';
import { ARCHITECTURES, RUNTIME_IDS, findRuntime, type RuntimeSpec } from './catalogue.ts';
import { projectNames } from './names.ts';

export type Problem = string | undefined;

/** `handler` is the subgenerator's name on the command line (`npx generator-lambda-image handler <name>`). */
export const RESERVED_PROJECT_NAMES = new Set(['handler']);

export function checkProjectName(name: string, runtime?: RuntimeSpec): Problem {
  if (!name) return 'the project name is empty: pass one, e.g. `yo lambda-image orders-svc`';
  if (RESERVED_PROJECT_NAMES.has(name))
    return `"${name}" is the name of the handler subgenerator, so it cannot name a project: choose another name, e.g. "${name}-svc"`;
  const npm = validateNpmName(name);
  if (!npm.validForNewPackages) {
    const why = [...(npm.errors ?? []), ...(npm.warnings ?? [])].join('; ');
    return `"${name}" is not a valid npm package name (${why}): use lowercase letters, digits and hyphens, e.g. "orders-svc"`;
  }
  if (!/^[a-z][a-z0-9-]*[a-z0-9]$/.test(name) || name.includes('--'))
    return `"${name}" must start with a letter and use only lowercase letters, digits and single hyphens (it names the package, the image repository and the functions): e.g. "orders-svc"`;
  if (name.length > 40) return `"${name}" is ${name.length} characters long: use at most 40 (function names are "<project>-<handler>", at most 64)`;
  const problem = runtime?.projectNameProblem?.(projectNames(name));
  if (problem) return `"${name}" cannot be used with ${runtime?.label}: ${problem}; choose another name`;
  return undefined;
}

export function checkRuntime(id: string): Problem {
  const runtime = findRuntime(id);
  if (!runtime) return `unknown runtime "${id}": choose one of ${RUNTIME_IDS.join(', ')}`;
  return undefined;
}

export function checkRuntimeVersion(tag: string, runtime: RuntimeSpec): Problem {
  if (runtime.tags.some((t) => t.tag === tag)) return undefined;
  return `"${tag}" is not a supported ${runtime.label} base image tag: choose one of ${runtime.tags.map((t) => t.tag).join(', ')}`;
}

export const HANDLER_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
export const MAX_HANDLER_NAME = 40;

/** One handler name, on its own (not against the others). */
export function checkHandlerName(name: string, runtime: RuntimeSpec): Problem {
  if (!HANDLER_NAME.test(name)) {
    const hint = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^[^A-Za-z]+/, '');
    return `handler name "${name}" is not valid: start with a letter and use only letters, digits and underscores${hint ? ` (e.g. "${hint}")` : ''}`;
  }
  if (name.length > MAX_HANDLER_NAME) return `handler name "${name}" is longer than ${MAX_HANDLER_NAME} characters: shorten it`;
  const identifier = runtime.identifier(name);
  if (runtime.reserved.has(identifier) || runtime.reserved.has(name))
    return `handler name "${name}" is reserved in ${runtime.label} (a keyword, a builtin or a name the entry module uses): choose another, e.g. "${name}_handler"`;
  return undefined;
}

/** A list of handler names: each valid, none twice (also after mapping to the language's identifiers). */
export function checkHandlerNames(names: readonly string[], runtime: RuntimeSpec, existing: readonly string[] = []): Problem {
  if (names.length === 0) return 'no handler names given: pass at least one, e.g. --handlers ingest,report_daily';
  // Every name a handler declares, with the handler that declares it.
  const taken = new Map<string, string>();
  const declared = (name: string) => {
    const identifier = runtime.identifier(name);
    return [identifier, ...(runtime.companions?.(identifier) ?? [])];
  };
  for (const name of existing) for (const n of declared(name)) taken.set(n, name);
  for (const name of names) {
    const problem = checkHandlerName(name, runtime);
    if (problem) return problem;
    for (const declaredName of declared(name)) {
      const other = taken.get(declaredName);
      if (other === undefined) continue;
      if (other === name)
        return `handler "${name}" is given twice${existing.includes(name) ? ' (the project already has it)' : ''}: each handler name must be unique`;
      return declaredName === runtime.identifier(name) && declaredName === runtime.identifier(other)
        ? `handlers "${other}" and "${name}" would both be "${declaredName}" in ${runtime.label}: rename one`
        : `handlers "${other}" and "${name}" would both declare "${declaredName}" in ${runtime.label}'s code: rename one`;
    }
    for (const n of declared(name)) taken.set(n, name);
  }
  return undefined;
}

export function parseHandlerList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function checkArchitecture(value: string): Problem {
  return (ARCHITECTURES as readonly string[]).includes(value)
    ? undefined
    : `unknown architecture "${value}": choose ${ARCHITECTURES.join(' or ')}`;
}

// Partition-aware: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-5, us-isob-east-1.
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export function checkRegion(value: string): Problem {
  return REGION.test(value) ? undefined : `"${value}" is not an AWS region name: use one like us-east-1 or eu-west-2`;
}

// ECR's own rule for repository names.
const ECR_REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export function checkRepository(value: string): Problem {
  if (value.length < 2 || value.length > 256 || !ECR_REPOSITORY.test(value))
    return `"${value}" is not a valid ECR repository name: use 2-256 lowercase letters, digits and . _ - / separators, e.g. "team/orders-svc"`;
  return undefined;
}

function checkWhole(value: string, what: string, min: number, max: number, unit: string): Problem {
  const n = Number(value);
  if (!/^\d+$/.test(String(value).trim()) || !Number.isInteger(n) || n < min || n > max)
    return `${what} "${value}" is out of range: give a whole number of ${unit} from ${min} to ${max}`;
  return undefined;
}
export const checkMemory = (value: string): Problem => checkWhole(value, 'memory', 128, 10240, 'MB');
export const checkTimeout = (value: string): Problem => checkWhole(value, 'timeout', 1, 900, 'seconds');

// A Java package: dot-separated identifiers, none a keyword (the entry class's handler
// strings and the source folders are made of it).
const JAVA_SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
export function checkJavaPackage(value: string, keywords: ReadonlySet<string>): Problem {
  const segments = value.split('.');
  const bad = segments.find((s) => !JAVA_SEGMENT.test(s));
  if (bad !== undefined)
    return `"${value}" is not a Java package name: use dot-separated identifiers of letters, digits and underscores, e.g. "com.acme.orders"`;
  const keyword = segments.find((s) => keywords.has(s));
  if (keyword) return `the Java package "${value}" has the keyword "${keyword}" as a segment: choose another, e.g. "${value.replace(keyword, `${keyword}s`)}"`;
  return undefined;
}

// A Go module path as `go mod init` takes it: slash-separated elements of letters, digits
// and . _ ~ -, none starting or ending with a dot.
const GO_ELEMENT = /^[A-Za-z0-9_~-](?:[A-Za-z0-9._~-]*[A-Za-z0-9_~-])?$/;
export function checkGoModule(value: string): Problem {
  if (!value.split('/').every((e) => GO_ELEMENT.test(e)))
    return `"${value}" is not a Go module path: use slash-separated elements of letters, digits and . _ ~ -, e.g. "github.com/acme/orders-svc"`;
  return undefined;
}

// A Docker image reference as `docker build` takes it in FROM: [registry[:port]/]path[:tag][@digest].
const IMAGE_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?';
const IMAGE_REFERENCE = new RegExp(
  `^(?:${IMAGE_DOMAIN}/)?${IMAGE_COMPONENT}(?:/${IMAGE_COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);
export function checkBaseImage(value: string): Problem {
  if (/^public\.ecr\.aws\/lambda\//.test(value))
    return `"${value}" is an AWS Lambda base image: leave --base-image out (or give --base-image aws) and choose its tag with --runtime-version`;
  if (value.length > 255 || !IMAGE_REFERENCE.test(value))
    return `"${value}" is not a Docker image reference: use [registry/]name[:tag][@sha256:digest] in lowercase, e.g. "python:3.14-slim" or "registry.example.com/base/python:3.14"`;
  return undefined;
}
