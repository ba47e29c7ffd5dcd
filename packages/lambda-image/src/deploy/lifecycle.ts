// What ECR keeps, as part of the desired state: the lifecycle policy is written (or corrected)
// on every deploy, and the image the functions run carries a tag that protects it.
//
// ECR's rules, in the words of its documentation: rules apply by rulePriority, lowest first; an
// image that matches the tagging requirements of a rule cannot be expired by a rule with a lower
// priority, and a rule with tagPrefixList selects an image when one of its tags starts with the
// prefix. So an image a function runs, which also has its content tag (ctx-…), would be counted by
// a "keep the last N ctx- images" rule and expired once N newer builds were pushed (by CI, by a
// deploy that failed after its push, by another project): what a single `tagStatus: any` count
// rule did. Instead, rule 1 selects the live tags (lambda-image-live-…) and, with a count no
// repository reaches, never expires one: every image a function runs is claimed by it and no
// later rule can touch it. Rule 2 keeps the newest `keepImages` content-tagged builds; rule 3
// expires untagged images (an overwritten tag's old image) after a day. Tags of your own
// (neither ctx- nor lambda-image-) are not selected by any rule.
//
// The live tag is per project and per image (`lambda-image-live-<project hash>-<digest>`): it is
// added to the new image before any function is pointed at it, and removed from images none of
// the project's functions runs any more only after a deploy that succeeded. That works in
// IMMUTABLE repositories too (a new tag, never a moved one), and two projects sharing a
// repository (--allow-shared-repository) never remove each other's.
import { createHash } from 'node:crypto';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  GetLifecyclePolicyCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  paginateDescribeImages,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { DeployError } from '../shared/aws.ts';

export const CONTENT_TAG_PREFIX = 'ctx-';
export const LIVE_TAG_PREFIX = 'lambda-image-live-';
/** A count no repository reaches: the rule claims the live images without ever expiring one. */
export const NEVER = 9999;
/** Untagged images (a tag moved away from them) go after this many days. */
export const UNTAGGED_DAYS = 1;

/** The tag that protects `digest` while a function of `project` runs it. */
export function liveTag(project: string, digest: string): string {
  return `${liveTagPrefix(project)}${digest.replace(/^sha256:/, '').slice(0, 16)}`;
}

export function liveTagPrefix(project: string): string {
  return `${LIVE_TAG_PREFIX}${createHash('sha256').update(project).digest('hex').slice(0, 8)}-`;
}

export interface LifecycleRule {
  rulePriority: number;
  description: string;
  selection: {
    tagStatus: 'tagged' | 'untagged' | 'any';
    tagPrefixList?: string[];
    tagPatternList?: string[];
    countType: 'imageCountMoreThan' | 'sinceImagePushed';
    countUnit?: 'days';
    countNumber: number;
  };
  action: { type: 'expire' };
}

/** The policy every deploy writes (see the top of this file). */
export function lifecyclePolicy(keepImages: number): { rules: LifecycleRule[] } {
  return {
    rules: [
      {
        rulePriority: 1,
        description: 'never expire an image a function runs: deploy tags it lambda-image-live-*',
        selection: { tagStatus: 'tagged', tagPrefixList: [LIVE_TAG_PREFIX], countType: 'imageCountMoreThan', countNumber: NEVER },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: `keep the last ${keepImages} builds (ctx-* tags; lambda-image.json deploy.keepImages)`,
        selection: { tagStatus: 'tagged', tagPrefixList: [CONTENT_TAG_PREFIX], countType: 'imageCountMoreThan', countNumber: keepImages },
        action: { type: 'expire' },
      },
      {
        rulePriority: 3,
        description: `expire untagged images after ${UNTAGGED_DAYS} day`,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: UNTAGGED_DAYS },
        action: { type: 'expire' },
      },
    ],
  };
}

/** JSON with sorted keys: ECR gives the policy back reformatted. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export type PolicyResult = 'set' | 'corrected' | 'unchanged';

/** Writes the policy unless the repository already has exactly it; says what it did. */
export async function ensureLifecyclePolicy(ecr: ECRClient, repository: string, keepImages: number): Promise<PolicyResult> {
  const desired = lifecyclePolicy(keepImages);
  let current: string | undefined;
  try {
    current = (await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: repository }))).lifecyclePolicyText;
  } catch (error) {
    if ((error as Error).name !== 'LifecyclePolicyNotFoundException') throw error;
  }
  let same = false;
  try {
    same = current !== undefined && canonical(JSON.parse(current)) === canonical(desired);
  } catch {
    // Not JSON: replaced below.
  }
  if (same) return 'unchanged';
  await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: repository, lifecyclePolicyText: JSON.stringify(desired) }));
  return current === undefined ? 'set' : 'corrected';
}

/** Adds the project's live tag to the image `digest` (before any function is pointed at it). */
export async function protectImage(ecr: ECRClient, repository: string, project: string, digest: string): Promise<string> {
  const tag = liveTag(project, digest);
  const got = await ecr.send(
    new BatchGetImageCommand({
      repositoryName: repository,
      imageIds: [{ imageDigest: digest }],
      acceptedMediaTypes: [
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'application/vnd.oci.image.index.v1+json',
      ],
    }),
  );
  const image = got.images?.[0];
  if (!image?.imageManifest) throw new DeployError(`ECR returned no manifest for ${repository}@${digest}, so it could not be tagged ${tag}`);
  try {
    await ecr.send(
      new PutImageCommand({
        repositoryName: repository,
        imageManifest: image.imageManifest,
        imageManifestMediaType: image.imageManifestMediaType,
        imageTag: tag,
        imageDigest: digest,
      }),
    );
  } catch (error) {
    // Already tagged so: a re-run.
    if ((error as Error).name !== 'ImageAlreadyExistsException') throw error;
  }
  return tag;
}

/**
 * Removes the project's live tags from images none of its functions runs any more (`inUse`: the
 * digests they run). An image that had no other tag goes with it, as the policy would have let it.
 * Returns the tags removed.
 */
export async function releaseImages(ecr: ECRClient, repository: string, project: string, inUse: Set<string>): Promise<string[]> {
  const prefix = liveTagPrefix(project);
  const stale: string[] = [];
  for await (const page of paginateDescribeImages({ client: ecr }, { repositoryName: repository, filter: { tagStatus: 'TAGGED' } })) {
    for (const image of page.imageDetails ?? []) {
      if (image.imageDigest && inUse.has(image.imageDigest)) continue;
      for (const tag of image.imageTags ?? []) if (tag.startsWith(prefix)) stale.push(tag);
    }
  }
  for (let i = 0; i < stale.length; i += 100) {
    await ecr.send(new BatchDeleteImageCommand({ repositoryName: repository, imageIds: stale.slice(i, i + 100).map((imageTag) => ({ imageTag })) }));
  }
  return stale;
}

/** `repo@sha256:…` -> `sha256:…` */
export const digestOf = (imageUri: string | undefined): string | undefined => /@(sha256:[0-9a-f]{64})$/.exec(imageUri ?? '')?.[1];
