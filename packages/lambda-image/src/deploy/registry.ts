// docker login and docker push against the account's ECR registry.
//
// The login goes into a private, temporary docker config directory that is deleted after the
// push: ECR's password never reaches the terminal, the project, or the user's ~/.docker (where it
// would sit unencrypted, or clash with a configured credential helper), and the push still goes
// through the user's own docker daemon (DOCKER_HOST and friends are honoured).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { DeployError } from '../shared/aws.ts';
import type { RegistryLogin } from './ecr.ts';

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

async function docker(config: string, args: string[], input: string | undefined, onLine?: (line: string) => void) {
  const subprocess = execa('docker', ['--config', config, ...args], {
    ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
    all: true,
    reject: false,
  });
  if (onLine) for await (const line of subprocess.iterable({ from: 'all' })) onLine(line);
  return subprocess;
}

/** Logs docker in to the registry with ECR's token (through stdin), pushes `image` once, logs out. */
export async function pushImage(login: RegistryLogin, image: string, onLine?: (line: string) => void): Promise<PushResult> {
  const started = performance.now();
  const config = await mkdtemp(join(tmpdir(), 'lambda-image-docker-'));
  try {
    const auth = await docker(config, ['login', '--username', login.username, '--password-stdin', login.endpoint], login.password);
    if (auth.exitCode !== 0) {
      if (auth.code === 'ENOENT') throw new DeployError('Docker is not installed: no `docker` command on PATH.');
      throw new DeployError(`docker login to ${login.endpoint} failed:\n  ${lastLines(String(auth.all ?? ''))}`);
    }
    const push = await docker(config, ['push', image], undefined, onLine);
    const output = String(push.all ?? '');
    if (push.exitCode !== 0) throw new DeployError(explainPushFailure(output, image));
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(output)?.[1];
    return { digest, seconds: (performance.now() - started) / 1000 };
  } finally {
    await rm(config, { recursive: true, force: true });
  }
}
