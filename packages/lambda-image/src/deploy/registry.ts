// docker push to the account's ECR registry, without the registry password ever reaching a file.
//
// `docker login` would write the password into a config.json (base64, i.e. in the clear), and a
// kill at the wrong moment would leave it there. Instead, the push runs with a docker config
// directory of its own that holds only `{"credHelpers": {"<registry>": "lambda-image"}}` and, beside
// it, the credential helper `docker-credential-lambda-image`: a shell script that answers docker's
// `get` with the username and password it reads from its own environment, which it inherits from
// the docker CLI, which inherits it from us. Nothing in that directory is secret, so whatever ends
// the deploy (even SIGKILL) leaves nothing to steal; the password is in no argv either (`printf`
// is a shell builtin). The user's ~/.docker is neither read for credentials nor written; their
// docker context (DOCKER_HOST, or the current context and its definitions) still applies.
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { DeployError } from '../shared/aws.ts';
import type { RegistryLogin } from './ecr.ts';
import { Interrupted } from './interruption.ts';

/** docker runs `docker-credential-<this>` for the registry named in credHelpers. */
export const CREDENTIAL_HELPER = 'lambda-image';

const HELPER_SCRIPT = `#!/bin/sh
# docker-credential-${CREDENTIAL_HELPER}: written by lambda-image deploy for one docker push and
# removed after it. It holds no credential: it answers docker with the ones in its environment.
case "$1" in
  get)
    cat >/dev/null
    if [ -z "$LAMBDA_IMAGE_REGISTRY_SECRET" ]; then
      echo "credentials not found in native keychain"
      exit 1
    fi
    printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "$LAMBDA_IMAGE_REGISTRY_URL" "$LAMBDA_IMAGE_REGISTRY_USERNAME" "$LAMBDA_IMAGE_REGISTRY_SECRET"
    ;;
  store|erase)
    cat >/dev/null
    ;;
  list)
    echo "{}"
    ;;
  *)
    exit 1
    ;;
esac
`;

/** A string's JSON escaping without the quotes: the helper prints it between quotes as it is. */
const jsonInner = (value: string) => JSON.stringify(value).slice(1, -1);

/** The user's docker config directory, as the docker CLI finds it. */
const userDockerConfig = (env: NodeJS.ProcessEnv) => env.DOCKER_CONFIG || join(homedir(), '.docker');

/** The user's current docker context, when their config names one (only its name is read). */
function currentContext(dir: string): string | undefined {
  try {
    const value = (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { currentContext?: unknown }).currentContext;
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface PushSession {
  /** The docker config directory: config.json (credHelpers only) and the helper. */
  dir: string;
  /** The environment of the docker child: the helper on PATH and the credential for it. */
  env: NodeJS.ProcessEnv;
}

/** Prepares the config directory for one push to `login.endpoint`; `dispose` removes it. */
export async function pushSession(login: RegistryLogin, env: NodeJS.ProcessEnv = process.env): Promise<PushSession> {
  const host = new URL(login.endpoint.includes('://') ? login.endpoint : `https://${login.endpoint}`).host;
  const dir = await mkdtemp(join(tmpdir(), 'lambda-image-docker-'));
  const user = userDockerConfig(env);
  const context = currentContext(user);
  await writeFile(
    join(dir, 'config.json'),
    `${JSON.stringify({ credHelpers: { [host]: CREDENTIAL_HELPER }, ...(context ? { currentContext: context } : {}) }, null, 2)}\n`,
    { mode: 0o600 },
  );
  // The context definitions live in the config directory: linked, not copied.
  if (context && existsSync(join(user, 'contexts'))) await symlink(join(user, 'contexts'), join(dir, 'contexts'));
  const helper = join(dir, `docker-credential-${CREDENTIAL_HELPER}`);
  await writeFile(helper, HELPER_SCRIPT, { mode: 0o700 });
  await chmod(helper, 0o700);
  return {
    dir,
    env: {
      ...env,
      DOCKER_CONFIG: dir,
      PATH: `${dir}${delimiter}${env.PATH ?? ''}`,
      LAMBDA_IMAGE_REGISTRY_URL: jsonInner(login.endpoint),
      LAMBDA_IMAGE_REGISTRY_USERNAME: jsonInner(login.username),
      LAMBDA_IMAGE_REGISTRY_SECRET: jsonInner(login.password),
    },
  };
}

/** Lambda's limit on a container image: 10 GB uncompressed, all layers included. */
export const LAMBDA_IMAGE_LIMIT_BYTES = 10 * 1024 ** 3;

export function checkImageSize(bytes: number, image: string): void {
  if (bytes > LAMBDA_IMAGE_LIMIT_BYTES) {
    const gb = (bytes / 1024 ** 3).toFixed(1);
    throw new DeployError(
      `the image ${image} is ${gb} GB uncompressed, over Lambda's 10 GB limit for container images: ` +
        'slim it down (smaller base or dependencies, a multi-stage build, a stricter .dockerignore) and deploy again. Nothing was pushed.',
    );
  }
}

/**
 * Lambda runs single-platform image manifests only: an image index or manifest list (what
 * provenance/SBOM attestations or a multi-platform build produce) fails at CreateFunction with
 * "The image manifest, config or layer media type ... is not supported". Caught here, before any
 * function is touched.
 */
export function checkManifestType(mediaType: string | undefined, image: string): void {
  if (mediaType && /index|manifest\.list/i.test(mediaType)) {
    throw new DeployError(
      `${image} is an image index (${mediaType}), which Lambda cannot run: it needs a single-platform image manifest. ` +
        'Build without attestations for one platform (deploy does: --provenance=false --sbom=false --platform linux/<arch>); ' +
        "if Docker's containerd image store is on, push with it off, then deploy again with --rebuild.",
    );
  }
}

const lastLines = (text: string, n = 5) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join('\n  ');

/** A failed push, in the user's terms, from docker's output. */
export function explainPushFailure(output: string, image: string): string {
  const detail = lastLines(output);
  if (/cannot connect to the docker daemon|is the docker daemon running/i.test(output)) {
    return `pushing ${image} failed: the Docker daemon is not running. Start it and deploy again.\n  ${detail}`;
  }
  if (/tag invalid|immutable/i.test(output)) {
    return `pushing ${image} failed: the tag already exists in an IMMUTABLE repository with a different image.\n  ${detail}`;
  }
  if (/name unknown|does not exist/i.test(output)) {
    return `pushing ${image} failed: ECR has no such repository (deleted during the deploy?). Deploy again to create it.\n  ${detail}`;
  }
  if (/denied|unauthorized|no basic auth credentials|authentication required/i.test(output)) {
    return `pushing ${image} failed: the registry refused these credentials (they need ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage and ecr:BatchCheckLayerAvailability).\n  ${detail}`;
  }
  return `pushing ${image} failed:\n  ${detail}`;
}

export interface PushResult {
  /** The digest docker reported for the pushed manifest, when it printed one. */
  digest?: string;
  seconds: number;
}

export interface PushOptions {
  onLine?: (line: string) => void;
  /** Cancels the push (Ctrl-C, SIGTERM): docker is stopped and Interrupted is thrown. */
  cancel?: AbortSignal;
}

/** Pushes `image` once with ECR's credential, handed to docker through the helper (see the top of this file). */
export async function pushImage(login: RegistryLogin, image: string, { onLine, cancel }: PushOptions = {}): Promise<PushResult> {
  const started = performance.now();
  const session = await pushSession(login);
  try {
    const subprocess = execa('docker', ['push', image], {
      env: session.env,
      extendEnv: false,
      stdin: 'ignore',
      all: true,
      reject: false,
      ...(cancel ? { cancelSignal: cancel } : {}),
    });
    if (onLine) for await (const line of subprocess.iterable({ from: 'all' })) onLine(line);
    const push = await subprocess;
    // A Ctrl-C at the terminal reaches docker too: let our own signal listener run before judging its exit.
    if (push.exitCode !== 0) await new Promise((resolve) => setImmediate(resolve));
    if (cancel?.aborted) throw cancel.reason instanceof Interrupted ? cancel.reason : new DeployError('the push was cancelled');
    if (push.code === 'ENOENT') throw new DeployError('Docker is not installed: no `docker` command on PATH.');
    const output = String(push.all ?? '');
    if (push.exitCode !== 0) throw new DeployError(explainPushFailure(output, image));
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(output)?.[1];
    return { digest, seconds: (performance.now() - started) / 1000 };
  } finally {
    await rm(session.dir, { recursive: true, force: true });
  }
}
