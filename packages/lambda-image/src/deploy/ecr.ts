// The project's ECR repository and the images in it.
import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  type ECRClient,
  type Repository,
} from '@aws-sdk/client-ecr';
import type { Manifest } from '../shared/manifest.ts';
import { DeployError } from '../shared/aws.ts';
import { PROJECT_TAG, parseRepository } from '../shared/names.ts';

/**
 * The repository name to use in `region` for `account`. A manifest may give a full URI; Lambda
 * only runs images from its own region's ECR, so a URI elsewhere is refused here rather than
 * after a build and a push.
 */
export function repositoryName(manifest: Pick<Manifest, 'repository'>, region: string, account: string): string {
  const ref = parseRepository(manifest.repository);
  if (ref.region && ref.region !== region) {
    throw new DeployError(
      `the repository ${manifest.repository} is in ${ref.region}, but the functions deploy to ${region}: ` +
        `Lambda only runs images from an ECR repository in the function's own region. ` +
        `Set "repository" in lambda-image.json to a plain name (ECR creates it in ${region}), or deploy to ${ref.region} (AWS_REGION=${ref.region}).`,
    );
  }
  if (ref.account && ref.account !== account) {
    throw new DeployError(
      `the repository ${manifest.repository} belongs to account ${ref.account}, but these credentials are for account ${account}: ` +
        'use credentials for that account, or set "repository" in lambda-image.json to a plain name',
    );
  }
  return ref.name;
}

export async function findRepository(ecr: ECRClient, name: string): Promise<Repository | undefined> {
  try {
    const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    return out.repositories?.[0];
  } catch (error) {
    if ((error as Error).name === 'RepositoryNotFoundException') return undefined;
    throw error;
  }
}

export interface RepositorySettings {
  name: string;
  project: string;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
}

/** Creates the repository, tagged as the project's: scan on push, the manifest's tag mutability (the lifecycle policy is lifecycle.ts's, on every deploy). */
export async function createRepository(ecr: ECRClient, settings: RepositorySettings): Promise<Repository> {
  let repository: Repository | undefined;
  try {
    const out = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: settings.name,
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: settings.imageTagMutability,
        tags: [{ Key: PROJECT_TAG, Value: settings.project }],
      }),
    );
    repository = out.repository;
  } catch (error) {
    // Another deploy created it in between: use it as is.
    if ((error as Error).name !== 'RepositoryAlreadyExistsException') throw error;
    repository = await findRepository(ecr, settings.name);
    if (repository) return repository;
    throw error;
  }
  if (!repository?.repositoryUri) throw new DeployError(`ECR created ${settings.name} but returned no repository URI`);
  return repository;
}

export interface RemoteImage {
  digest: string;
  /** ECR's (compressed) size of the image, when it says. */
  bytes?: number;
  /** The manifest's media type: an image manifest, or an index/manifest list (which Lambda refuses). */
  mediaType?: string;
}

/** The image tagged `tag` in the repository, or undefined. */
export async function findImage(ecr: ECRClient, repository: string, tag: string): Promise<RemoteImage | undefined> {
  try {
    const out = await ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }));
    const detail = out.imageDetails?.[0];
    if (!detail?.imageDigest) return undefined;
    return { digest: detail.imageDigest, bytes: detail.imageSizeInBytes, mediaType: detail.imageManifestMediaType };
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'ImageNotFoundException' || name === 'RepositoryNotFoundException') return undefined;
    throw error;
  }
}

export interface RegistryLogin {
  username: string;
  password: string;
  /** https://<account>.dkr.ecr.<region>.amazonaws.com */
  endpoint: string;
}

/** A docker login for the account's registry from ECR's GetAuthorizationToken (valid 12 hours). */
export async function registryLogin(ecr: ECRClient): Promise<RegistryLogin> {
  const out = await ecr.send(new GetAuthorizationTokenCommand({}));
  const data = out.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) throw new DeployError('ECR returned no authorization token for docker login');
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), endpoint: data.proxyEndpoint };
}

export async function deleteRepository(ecr: ECRClient, name: string): Promise<boolean> {
  try {
    await ecr.send(new DeleteRepositoryCommand({ repositoryName: name, force: true }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'RepositoryNotFoundException') return false;
    throw error;
  }
}

/** `<repositoryUri>@sha256:…`: what every function runs, so that all of them run exactly the pushed image. */
export const pinnedImageUri = (repositoryUri: string, digest: string) => `${repositoryUri}@${digest}`;
