// Each handler's own settings and trigger, as lambda-image.json's handler entries hold them.
// A handler without a setting gets the project's (memory, timeout) or Lambda's default
// (ephemeral storage, no reserved concurrency); its environment is the project's with its own
// variables laid over it. Every engine reads a handler's values through effectiveSettings(),
// so that sdk, sam and cdk deploy the same function from the same entry.
//
// No third-party imports: the generator imports this file through lambda-image's index.
import { type EnvironmentValue, environmentValueProblem } from './env-values.ts';

/** Lambda's ranges, as its API documents them. */
export const LIMITS = {
  memory: [128, 10240],
  timeout: [1, 900],
  ephemeralStorage: [512, 10240],
  /** SQS event source mappings: standard queues take up to 10000 with a batch window, FIFO queues 10. */
  batchSize: [1, 10000],
  batchWindow: [0, 300],
  maxReceiveCount: [1, 1000],
  corsMaxAge: [0, 86400],
} as const satisfies Record<string, readonly [number, number]>;

export const TRIGGER_TYPES = ['schedule', 'url', 'sqs'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export interface ScheduleTrigger {
  type: 'schedule';
  /** `rate(5 minutes)` or `cron(0 6 * * ? *)`, as EventBridge Scheduler reads them. */
  expression: string;
  /** IANA time zone of a cron expression (`Europe/Paris`); UTC when absent. */
  timezone?: string;
}

export interface UrlCors {
  allowOrigins?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  allowCredentials?: boolean;
  maxAge?: number;
}

export interface UrlTrigger {
  type: 'url';
  /** AWS_IAM (the default): only signed requests of identities allowed lambda:InvokeFunctionUrl; NONE: public. */
  auth?: 'AWS_IAM' | 'NONE';
  cors?: UrlCors;
}

export interface SqsTrigger {
  type: 'sqs';
  /** An existing queue; absent: deploy creates `<project>-<handler>` and its dead-letter queue. */
  queueArn?: string;
  /** Records per invocation (default 10). */
  batchSize?: number;
  /** Seconds to gather a batch (default 0). */
  batchWindow?: number;
  /** Receives before a message of the created queue moves to its dead-letter queue (default 5). */
  maxReceiveCount?: number;
}

export type Trigger = ScheduleTrigger | UrlTrigger | SqsTrigger;

/** What a handler entry may set beyond name, handler and event. */
export interface HandlerSettings {
  memory?: number;
  timeout?: number;
  /** Laid over the project's deploy.environment. */
  environment?: Record<string, EnvironmentValue>;
  ephemeralStorage?: number;
  /** Concurrent executions reserved for this function (0 stops it from running). */
  reservedConcurrency?: number;
  description?: string;
  trigger?: Trigger;
}

export const SETTING_KEYS = ['memory', 'timeout', 'environment', 'ephemeralStorage', 'reservedConcurrency', 'description', 'trigger'] as const;

export const DEFAULT_BATCH_SIZE = 10;
export const DEFAULT_MAX_RECEIVE_COUNT = 5;
export const DEFAULT_EPHEMERAL_STORAGE = 512;

/** A function's values after the fallbacks: what every engine deploys. */
export interface EffectiveSettings {
  memory: number;
  timeout: number;
  /** Plain values and secret references (shared/env-values.ts). */
  environment: Record<string, EnvironmentValue>;
  ephemeralStorage: number;
  /** undefined: no reservation (the account's unreserved pool). */
  reservedConcurrency: number | undefined;
  description: string;
  trigger: Trigger | undefined;
}

interface ProjectDefaults {
  name: string;
  memory: number;
  timeout: number;
  deploy: { environment: Record<string, EnvironmentValue> };
}

export const defaultDescription = (project: string, handler: string) => `${project}: ${handler} (generator-lambda-image)`;

export function effectiveSettings(project: ProjectDefaults, entry: HandlerSettings & { name: string }): EffectiveSettings {
  return {
    memory: entry.memory ?? project.memory,
    timeout: entry.timeout ?? project.timeout,
    environment: { ...project.deploy.environment, ...entry.environment },
    ephemeralStorage: entry.ephemeralStorage ?? DEFAULT_EPHEMERAL_STORAGE,
    reservedConcurrency: entry.reservedConcurrency,
    description: entry.description ?? defaultDescription(project.name, entry.name),
    trigger: entry.trigger,
  };
}

// --- Checks ----------------------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isWhole = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;
// Field by field, the characters EventBridge's cron accepts (day names, month names, L, W, #).
const CRON_FIELDS: [string, RegExp][] = [
  ['minutes', /^[0-9,\-*/]+$/],
  ['hours', /^[0-9,\-*/]+$/],
  ['day-of-month', /^([0-9,\-*/?LW]+)$/],
  ['month', /^([0-9,\-*/]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)+$/i],
  ['day-of-week', /^([0-9,\-*/?L#]|SUN|MON|TUE|WED|THU|FRI|SAT)+$/i],
  ['year', /^[0-9,\-*/]+$/],
];

/** Why `expression` is not a schedule EventBridge Scheduler takes, or undefined. */
export function scheduleExpressionProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2]!;
    if (value < 1) return `the rate must be at least 1 ${unit.replace(/s$/, '')}`;
    if (value === 1 && unit.endsWith('s')) return `write rate(1 ${unit.slice(0, -1)}): a rate of 1 takes the singular`;
    if (value > 1 && !unit.endsWith('s')) return `write rate(${value} ${unit}s): a rate above 1 takes the plural`;
    return undefined;
  }
  if (expression.startsWith('rate(')) return 'a rate is rate(<whole number> <minute(s)|hour(s)|day(s)>), e.g. rate(5 minutes)';
  const cron = CRON.exec(expression);
  if (!cron) return 'must be rate(...) or cron(...), e.g. "rate(1 hour)" or "cron(0 6 * * ? *)"';
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6)
    return `a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}: e.g. cron(0 6 * * ? *)`;
  for (const [i, [name, pattern]] of CRON_FIELDS.entries()) {
    if (!pattern.test(fields[i]!)) return `the cron field ${name} ("${fields[i]}") is not valid`;
  }
  if ((fields[2] === '?') === (fields[4] === '?'))
    return 'in a cron expression exactly one of day-of-month and day-of-week must be "?", e.g. cron(0 6 * * ? *)';
  return undefined;
}

export function timezoneProblem(timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return undefined;
  } catch {
    return `"${timezone}" is not an IANA time zone such as UTC or Europe/Paris`;
  }
}

const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
const ENV_NAME = /^[a-zA-Z][a-zA-Z0-9_]+$/;
/** Lambda refuses these names: it sets them itself. */
export const RESERVED_ENV = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
];
const HTTP_METHODS = ['GET', 'PUT', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS', '*'];

function triggerProblems(trigger: unknown, at: string): string[] {
  if (!isObject(trigger)) return [`${at} must be an object with "type": ${TRIGGER_TYPES.map((t) => `"${t}"`).join(', ')}`];
  const problems: string[] = [];
  const allowed = (keys: string[]) => {
    for (const key of Object.keys(trigger)) {
      if (key !== 'type' && !keys.includes(key)) problems.push(`${at}.${key} is not a setting of a ${String(trigger.type)} trigger (it takes ${keys.join(', ')})`);
    }
  };
  const range = (key: string, [min, max]: readonly [number, number]) => {
    const v = trigger[key];
    if (v !== undefined && (!isWhole(v) || v < min || v > max)) problems.push(`${at}.${key} must be a whole number from ${min} to ${max}`);
  };
  switch (trigger.type) {
    case 'schedule': {
      allowed(['expression', 'timezone']);
      if (typeof trigger.expression !== 'string') problems.push(`${at}.expression must be a schedule such as "rate(1 hour)" or "cron(0 6 * * ? *)"`);
      else {
        const problem = scheduleExpressionProblem(trigger.expression);
        if (problem) problems.push(`${at}.expression "${trigger.expression}": ${problem}`);
      }
      if (trigger.timezone !== undefined) {
        const problem = typeof trigger.timezone === 'string' ? timezoneProblem(trigger.timezone) : 'must be a string';
        if (problem) problems.push(`${at}.timezone ${problem}`);
      }
      break;
    }
    case 'url': {
      allowed(['auth', 'cors']);
      if (trigger.auth !== undefined && trigger.auth !== 'AWS_IAM' && trigger.auth !== 'NONE')
        problems.push(`${at}.auth must be "AWS_IAM" (signed requests only, the default) or "NONE" (public)`);
      const cors = trigger.cors;
      if (cors !== undefined) {
        if (!isObject(cors)) problems.push(`${at}.cors must be an object`);
        else {
          const keys = ['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders', 'allowCredentials', 'maxAge'];
          for (const key of Object.keys(cors)) if (!keys.includes(key)) problems.push(`${at}.cors.${key} is not a CORS setting (${keys.join(', ')})`);
          for (const key of ['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders']) {
            const v = cors[key];
            if (v !== undefined && (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === '')))
              problems.push(`${at}.cors.${key} must be a list of strings`);
          }
          if (Array.isArray(cors.allowMethods)) {
            const bad = cors.allowMethods.filter((m) => typeof m === 'string' && !HTTP_METHODS.includes(m));
            if (bad.length > 0) problems.push(`${at}.cors.allowMethods: ${bad.join(', ')} not among ${HTTP_METHODS.join(', ')}`);
          }
          if (cors.allowCredentials !== undefined && typeof cors.allowCredentials !== 'boolean')
            problems.push(`${at}.cors.allowCredentials must be true or false`);
          const maxAge = cors.maxAge;
          if (maxAge !== undefined && (!isWhole(maxAge) || maxAge < LIMITS.corsMaxAge[0] || maxAge > LIMITS.corsMaxAge[1]))
            problems.push(`${at}.cors.maxAge must be a whole number of seconds from 0 to 86400`);
        }
      }
      break;
    }
    case 'sqs': {
      allowed(['queueArn', 'batchSize', 'batchWindow', 'maxReceiveCount']);
      const fifo = typeof trigger.queueArn === 'string' && trigger.queueArn.endsWith('.fifo');
      if (trigger.queueArn !== undefined && (typeof trigger.queueArn !== 'string' || !SQS_ARN.test(trigger.queueArn)))
        problems.push(`${at}.queueArn must be an SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>), or be left out for deploy to create the queue`);
      range('batchSize', fifo ? [1, 10] : LIMITS.batchSize);
      range('batchWindow', LIMITS.batchWindow);
      range('maxReceiveCount', LIMITS.maxReceiveCount);
      if (trigger.maxReceiveCount !== undefined && trigger.queueArn !== undefined)
        problems.push(`${at}.maxReceiveCount applies to the queue deploy creates: an existing queue keeps its own redrive policy`);
      if (isWhole(trigger.batchSize) && trigger.batchSize > 10 && !(isWhole(trigger.batchWindow) && trigger.batchWindow >= 1))
        problems.push(`${at}.batchSize above 10 needs a batchWindow of at least 1 second (Lambda's rule for standard queues)`);
      if (fifo && trigger.batchWindow !== undefined) problems.push(`${at}.batchWindow does not apply to a FIFO queue`);
      break;
    }
    default:
      problems.push(`${at}.type must be one of ${TRIGGER_TYPES.map((t) => `"${t}"`).join(', ')}, got ${JSON.stringify(trigger.type)}`);
  }
  return problems;
}

/** Every problem of one handler entry's settings; `at` names it (`handlers[0] ("ingest")`). */
export function handlerSettingsProblems(entry: Record<string, unknown>, at: string): string[] {
  const problems: string[] = [];
  const range = (key: string, [min, max]: readonly [number, number], unit = '') => {
    const v = entry[key];
    if (v !== undefined && (!isWhole(v) || v < min || v > max)) problems.push(`${at}.${key} must be a whole number${unit} from ${min} to ${max}`);
  };
  range('memory', LIMITS.memory, ' of MB');
  range('timeout', LIMITS.timeout, ' of seconds');
  range('ephemeralStorage', LIMITS.ephemeralStorage, ' of MB');
  const reserved = entry.reservedConcurrency;
  if (reserved !== undefined && (!isWhole(reserved) || reserved < 0))
    problems.push(`${at}.reservedConcurrency must be a whole number from 0 (0 stops the function)`);
  if (entry.description !== undefined && (typeof entry.description !== 'string' || entry.description.length > 256))
    problems.push(`${at}.description must be a string of at most 256 characters`);
  const env = entry.environment;
  if (env !== undefined) {
    if (!isObject(env)) problems.push(`${at}.environment must map names to string values`);
    else {
      for (const [name, value] of Object.entries(env)) {
        if (!ENV_NAME.test(name)) problems.push(`${at}.environment: "${name}" is not a variable name Lambda takes (a letter, then at least one letter, digit or _)`);
        else if (RESERVED_ENV.includes(name)) problems.push(`${at}.environment: ${name} is set by Lambda and cannot be given`);
        const problem = environmentValueProblem(value, `${at}.environment.${name}`);
        if (problem) problems.push(problem);
      }
    }
  }
  if (entry.trigger !== undefined && entry.trigger !== null)
    problems.push(...triggerProblems(entry.trigger, `${at}.trigger`));
  else if (entry.trigger === null) problems.push(`${at}.trigger must be an object, or be left out for no trigger`);
  return problems;
}

/** The summary of a trigger for tables and plans: `schedule rate(1 day)`, `url (AWS_IAM)`, `sqs <queue>`. */
export function describeTrigger(trigger: Trigger | undefined): string {
  if (!trigger) return '';
  switch (trigger.type) {
    case 'schedule':
      return `schedule ${trigger.expression}${trigger.timezone ? ` (${trigger.timezone})` : ''}`;
    case 'url':
      return `url (${trigger.auth ?? 'AWS_IAM'})`;
    case 'sqs':
      return `sqs ${trigger.queueArn ? trigger.queueArn.split(':').pop() : '(queue created)'}`;
  }
}
