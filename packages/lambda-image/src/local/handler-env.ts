// What the handlers get beyond the variables Lambda sets: --env-file (dotenv) and, only when
// asked with --aws-credentials, this machine's AWS credentials. The values are read here and
// handed to the container through the docker client's environment (shared/docker.ts), so
// they never appear in a process's arguments or in a file we write.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

export class HandlerEnvError extends Error {
  override name = 'HandlerEnvError';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The variables of a dotenv file (NAME=value lines, # comments, quotes, `export`). */
export function readEnvFile(path: string, cwd: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HandlerEnvError(`--env-file ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const values = parseEnv(text) as Record<string, string>;
  const bad = Object.keys(values).filter((name) => !NAME.test(name));
  if (bad.length > 0) throw new HandlerEnvError(`--env-file ${path}: not a variable name: ${bad.join(', ')} (names are letters, digits and _)`);
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (Object.keys(values).length === 0 && lines.length > 0) {
    throw new HandlerEnvError(`--env-file ${path}: no NAME=value line found (dotenv format, e.g. TABLE_NAME=orders)`);
  }
  return values;
}

/**
 * The host's AWS credentials from the SDK's default chain (environment, AWS_PROFILE and the
 * shared files, SSO, process, container and instance roles), as the variables Lambda sets.
 */
export async function awsCredentialEnvironment(): Promise<Record<string, string>> {
  // Loaded on demand: most runs do not ask for credentials.
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  let credentials;
  try {
    credentials = await defaultProvider()();
  } catch (error) {
    throw new HandlerEnvError(
      `--aws-credentials: no AWS credentials found by the standard chain (${(error as Error).message}). Set AWS_PROFILE, run \`aws sso login\`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or drop --aws-credentials`,
    );
  }
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
  };
}

/** --env-file's variables, then the credentials when asked for. */
export async function handlerEnvironment(options: { envFile?: string; awsCredentials: boolean }, cwd: string): Promise<Record<string, string>> {
  return {
    ...(options.envFile !== undefined ? readEnvFile(options.envFile, cwd) : {}),
    ...(options.awsCredentials ? await awsCredentialEnvironment() : {}),
  };
}
