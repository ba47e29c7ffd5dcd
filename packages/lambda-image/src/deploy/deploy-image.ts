// The image, for every engine that pushes it itself (sdk and sam; the CDK makes its own asset):
// the repository (created with scan on push, the tag mutability and the lifecycle policy when
// missing), a content tag, one build for the manifest's architecture, one push, and the digest
// read back from ECR. A tag already in the repository is neither rebuilt nor pushed.
import { DeployError, type AwsClients, type Identity } from '../shared/aws.ts';
import { contentTag } from './deploy-context.ts';
import type { DeployState, StepTime } from './deploy-report.ts';
import { dockerBuild, ensureDocker, imageSize, platformOf } from '../shared/docker.ts';
import { createRepository, findImage, findRepository, pinnedImageUri, registryLogin, repositoryName } from './ecr.ts';
import type { Manifest } from '../shared/manifest.ts';
import { checkImageSize, checkManifestType, pushImage } from './registry.ts';
import type { StopRequest } from './interruption.ts';
import { CONTENT_TAG_PREFIX, ensureLifecyclePolicy, protectImage } from './lifecycle.ts';
import { checkDeployOwnership, repositoryOwner } from './ownership.ts';

/** Runs one step of a deploy and records how long it took, whether it succeeded or not. */
export async function timed<T>(steps: StepTime[], step: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    steps.push({ step, seconds: (performance.now() - started) / 1000 });
  }
}

export interface ImagePlan {
  repository: string;
  exists: boolean;
  /** The repository's URI; for one not created yet, the URI ECR will give it. */
  repositoryUri: string;
  tag: string;
  /** The digest already in the repository under this tag; undefined means build and push. */
  digest?: string;
  mediaType?: string;
  /** The project the repository belongs to (its lambda-image:project tag), when it exists and has one. */
  owner?: string;
}

/** ECR's URI for a repository (its China regions are under amazonaws.com.cn). */
const ecrRepositoryUri = (account: string, region: string, name: string) =>
  `${account}.dkr.ecr.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}/${name}`;

/** What publishing would do (read-only). */
export async function planImage(
  manifest: Manifest,
  dir: string,
  clients: AwsClients,
  identity: Identity,
  rebuild: boolean,
  allowSharedRepository = false,
): Promise<ImagePlan> {
  const repository = repositoryName(manifest, clients.region, identity.account);
  const [repo, tag] = await Promise.all([findRepository(clients.ecr, repository), contentTag(dir, manifest.architecture)]);
  const owner = repo ? await repositoryOwner(clients.ecr, repo) : undefined;
  checkDeployOwnership(repository, owner, manifest.name, allowSharedRepository);
  const existing = repo && !rebuild ? await findImage(clients.ecr, repository, tag) : undefined;
  return {
    owner,
    repository,
    exists: repo !== undefined,
    repositoryUri: repo?.repositoryUri ?? ecrRepositoryUri(identity.account, clients.region, repository),
    tag,
    digest: existing?.digest,
    mediaType: existing?.mediaType,
  };
}

/** The plan's `Image` line: the tag, and whether it is built and pushed. */
export function describeImagePlan(plan: ImagePlan, manifest: Pick<Manifest, 'architecture'>): string {
  return `Image       ${plan.repositoryUri}:${plan.tag}: ${
    plan.digest === undefined
      ? `build for ${platformOf(manifest.architecture)} and push`
      : `already in the repository (${plan.digest}), no build, no push`
  }`;
}

export interface PublishedImage {
  repositoryUri: string;
  tag: string;
  digest: string;
  /** `repository@sha256:…`: what every function runs. */
  uri: string;
}

export interface PublishOptions {
  out: (line: string) => void;
  /**
   * Called once the repository exists, before the build: work started here (the sdk engine's
   * execution role, which takes seconds to become usable) overlaps the build and the push
   * instead of following them.
   */
  afterRepository?: () => void;
  /** Ctrl-C / SIGTERM: checked between the steps; cancels a running push. */
  stop?: StopRequest;
}

/** Makes sure the repository holds the image for these sources; returns its digest-pinned URI. */
export async function publishImage(
  manifest: Manifest,
  dir: string,
  clients: AwsClients,
  plan: ImagePlan,
  state: DeployState,
  { out, afterRepository, stop }: PublishOptions,
): Promise<PublishedImage> {
  const build = plan.digest === undefined;
  // Fail before changing anything when the build cannot happen.
  if (build) await timed(state.steps, 'docker', () => ensureDocker());
  stop?.check();

  let repositoryUri = plan.repositoryUri;
  if (!plan.exists) {
    const repo = await timed(state.steps, 'repository', () =>
      createRepository(clients.ecr, {
        name: plan.repository,
        project: manifest.name,
        imageTagMutability: manifest.deploy.imageTagMutability,
      }),
    );
    repositoryUri = repo.repositoryUri ?? repositoryUri;
    state.repository = { name: plan.repository, uri: repositoryUri, created: true };
    out(`Created the ECR repository ${repositoryUri} (scan on push, ${manifest.deploy.imageTagMutability} tags)`);
  } else {
    state.repository = { name: plan.repository, uri: repositoryUri, created: false };
    if (plan.owner === undefined) out(`Note: the ECR repository ${plan.repository} was not created by deploy: it is used, and never deleted by destroy`);
  }
  const keep = manifest.deploy.keepImages;
  const policyWords = `keeps the last ${keep} builds (${CONTENT_TAG_PREFIX}*) and every image a function runs`;
  try {
    const policy = await timed(state.steps, 'lifecycle', () => ensureLifecyclePolicy(clients.ecr, plan.repository, keep));
    if (policy !== 'unchanged') {
      (state.changes ??= []).push(`${policy} the lifecycle policy of ${plan.repository} (${policyWords})`);
      out(`${policy === 'set' ? 'Set' : 'Corrected'} the lifecycle policy of ${plan.repository}: ${policyWords}`);
    }
  } catch (error) {
    (state.notDone ??= []).push(`the lifecycle policy of ${plan.repository} was not set (${(error as Error).name})`);
    throw error;
  }
  afterRepository?.();

  const imageRef = `${repositoryUri}:${plan.tag}`;
  let digest = plan.digest;
  state.image = { uri: imageRef, digest, built: false, pushed: false };
  if (build) {
    out(`Building ${imageRef} for ${platformOf(manifest.architecture)}`);
    await timed(state.steps, 'build', () =>
      dockerBuild({
        cwd: dir,
        tag: imageRef,
        architecture: manifest.architecture,
        onStep: (s) => out(`  ${s.position ? `${s.position} ` : ''}${s.instruction}${s.cached ? ' (cached)' : ` ${s.seconds.toFixed(1)} s`}`),
      }),
    );
    state.image.built = true;
    checkImageSize(await imageSize(imageRef), imageRef);
    stop?.check();
    out(`Pushing ${imageRef}`);
    const pushed = await timed(state.steps, 'push', async () =>
      pushImage(await registryLogin(clients.ecr), imageRef, { cancel: stop?.abortSignal }),
    );
    // ECR is the authority on what the tag now points to; docker's own report is the fallback.
    const remote = await findImage(clients.ecr, plan.repository, plan.tag);
    digest = remote?.digest ?? pushed.digest;
    if (!digest) throw new DeployError(`pushed ${imageRef}, but neither docker nor ECR reported its digest`);
    state.image = { uri: imageRef, digest, built: true, pushed: true };
    out(`Pushed ${imageRef} (${digest})`);
    checkManifestType(remote?.mediaType, imageRef);
  } else {
    out(`Image ${imageRef} is already in the repository (${digest}): no build, no push`);
    checkManifestType(plan.mediaType, imageRef);
  }
  // Before any function runs it: from now on no lifecycle rule can expire it (lifecycle.ts).
  stop?.check();
  const live = await timed(state.steps, 'protect', () => protectImage(clients.ecr, plan.repository, manifest.name, digest!));
  state.image.liveTag = live;
  return { repositoryUri, tag: plan.tag, digest: digest!, uri: pinnedImageUri(repositoryUri, digest!) };
}
