// Environment values in lambda-image.json: a plain string, or a reference to a secret kept in
// AWS, `{"ssm": "/path"}` (SSM Parameter Store) or `{"secret": "name"}` (Secrets Manager), so that
// the value is in no file of the project, no template and no argv. The sam and cdk engines write
// CloudFormation dynamic references (CloudFormation resolves them when it deploys the stack); the
// sdk engine resolves them itself at deploy time (deploy/secrets.ts). No third-party imports: the
// generator imports this file to render template.yaml.

export type SecretRef = { ssm: string } | { secret: string };
export type EnvironmentValue = string | SecretRef;

export function isSecretRef(value: unknown): value is SecretRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1) return false;
  const v = (value as Record<string, unknown>)[keys[0]!];
  return (keys[0] === 'ssm' || keys[0] === 'secret') && typeof v === 'string' && v !== '';
}

/** Why `value` is not an environment value, or undefined when it is one. */
export function environmentValueProblem(value: unknown, at: string): string | undefined {
  if (typeof value === 'string' || isSecretRef(value)) return undefined;
  return `${at} must be a string, {"ssm": "<parameter name>"} or {"secret": "<Secrets Manager secret name or ARN>"}`;
}

/**
 * The value as CloudFormation takes it: a reference becomes a dynamic reference, resolved by
 * CloudFormation when the stack deploys. (CloudFormation's `ssm` references read String
 * parameters; keep a SecureString's value in Secrets Manager for the sam and cdk engines.)
 */
export function cloudFormationValue(value: EnvironmentValue): string {
  if (typeof value === 'string') return value;
  return 'ssm' in value ? `{{resolve:ssm:${value.ssm}}}` : `{{resolve:secretsmanager:${value.secret}}}`;
}

export function cloudFormationEnvironment(environment: Record<string, EnvironmentValue>): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, cloudFormationValue(value)]));
}

/** The plain values only; references are left out (they are resolved in AWS, not here). */
export function plainEnvironment(environment: Record<string, EnvironmentValue>): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
