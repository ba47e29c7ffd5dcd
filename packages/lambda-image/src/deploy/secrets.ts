// The sdk engine's side of secret references in lambda-image.json (shared/env-values.ts): each
// `{"ssm": …}` / `{"secret": …}` is read from SSM Parameter Store (decrypted: SecureString works)
// or Secrets Manager at deploy time, held in memory only, and given to Lambda in the function's
// configuration. It is never printed, written or passed in an argv.
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeployError, type AwsClients } from '../shared/aws.ts';
import { type EnvironmentValue, type SecretRef, isSecretRef } from '../shared/env-values.ts';
import type { Manifest } from '../shared/manifest.ts';

export type SecretValues = Map<string, string>;

const keyOf = (ref: SecretRef) => ('ssm' in ref ? `ssm:${ref.ssm}` : `secret:${ref.secret}`);
const describe = (ref: SecretRef) => ('ssm' in ref ? `the SSM parameter ${ref.ssm}` : `the Secrets Manager secret ${ref.secret}`);

/** Every reference the manifest's environments hold, once each. */
export function secretRefs(manifest: Pick<Manifest, 'deploy' | 'handlers'>): SecretRef[] {
  const all = [manifest.deploy.environment, ...manifest.handlers.map((h) => h.environment ?? {})].flatMap((env) => Object.values(env));
  const refs = new Map<string, SecretRef>();
  for (const value of all) if (isSecretRef(value)) refs.set(keyOf(value), value);
  return [...refs.values()];
}

/** Reads every referenced value (read-only calls: a dry run does it too, to compare). */
export async function resolveSecrets(manifest: Pick<Manifest, 'deploy' | 'handlers'>, clients: AwsClients): Promise<SecretValues> {
  const refs = secretRefs(manifest);
  const values: SecretValues = new Map();
  if (refs.length === 0) return values;
  const shared = { region: clients.region, credentials: clients.sts.config.credentials };
  const ssm = new SSMClient(shared);
  const secrets = new SecretsManagerClient(shared);
  await Promise.all(
    refs.map(async (ref) => {
      try {
        const value =
          'ssm' in ref
            ? (await ssm.send(new GetParameterCommand({ Name: ref.ssm, WithDecryption: true }))).Parameter?.Value
            : (await secrets.send(new GetSecretValueCommand({ SecretId: ref.secret }))).SecretString;
        if (value === undefined) throw new DeployError(`${describe(ref)} has no text value (a binary secret cannot be an environment variable)`);
        values.set(keyOf(ref), value);
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'ParameterNotFound' || name === 'ResourceNotFoundException') {
          throw new DeployError(`lambda-image.json refers to ${describe(ref)}, which does not exist in ${clients.region}: create it, or fix the reference`);
        }
        if (/AccessDenied/.test(name)) {
          throw new DeployError(
            `access denied reading ${describe(ref)}: grant ${'ssm' in ref ? 'ssm:GetParameter' : 'secretsmanager:GetSecretValue'} (and kms:Decrypt for its key) to the identity deploying`,
          );
        }
        throw error;
      }
    }),
  );
  return values;
}

/** The environment with every reference replaced by its value. */
export function resolveEnvironment(environment: Record<string, EnvironmentValue>, values: SecretValues): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      const resolved = values.get(keyOf(value));
      if (resolved === undefined) throw new DeployError(`${describe(value)} (environment variable ${name}) was not read before the deploy`);
      return [name, resolved];
    }),
  );
}
