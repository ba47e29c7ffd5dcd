// A repository belongs to the project that created it (its lambda-image:project tag). Another
// project deploying into it would count its builds against the owner's keepImages and make
// `destroy --repository` of either delete the other's images, so both are refused unless asked
// for by flag.
import { ListTagsForResourceCommand, type ECRClient, type Repository } from '@aws-sdk/client-ecr';
import { GetFunctionCommand, paginateListFunctions, type LambdaClient } from '@aws-sdk/client-lambda';
import pLimit from 'p-limit';
import { DeployError } from '../shared/aws.ts';
import { PROJECT_TAG } from '../shared/names.ts';

export const SHARED_REPOSITORY_FLAG = '--allow-shared-repository';

/** The project that owns the repository (its lambda-image:project tag), or undefined when none does. */
export async function repositoryOwner(ecr: ECRClient, repository: Repository): Promise<string | undefined> {
  if (!repository.repositoryArn) return undefined;
  const tags = (await ecr.send(new ListTagsForResourceCommand({ resourceArn: repository.repositoryArn }))).tags ?? [];
  return tags.find((t) => t.Key === PROJECT_TAG)?.Value;
}

/** Refuses a deploy of `project` into a repository another project owns, unless `allowShared`. */
export function checkDeployOwnership(repository: string, owner: string | undefined, project: string, allowShared: boolean): void {
  if (owner === undefined || owner === project || allowShared) return;
  throw new DeployError(
    `the ECR repository ${repository} belongs to the project "${owner}" (its ${PROJECT_TAG} tag), not to ${project}: ` +
      `its lifecycle policy counts ${owner}'s builds, and destroying either project's repository would delete the other's images. ` +
      `Set "repository" in lambda-image.json to a repository of this project's own, or deploy into it anyway with ${SHARED_REPOSITORY_FLAG}. Nothing was changed.`,
  );
}

export interface RepositoryUser {
  function: string;
  /** The function's lambda-image:project tag, when it has one. */
  project?: string;
}

/** The functions in the region, other than `project`'s, whose image is in the repository at `repositoryUri`. */
export async function otherUsers(lambda: LambdaClient, repositoryUri: string, project: string, concurrency = 8): Promise<RepositoryUser[]> {
  const images: string[] = [];
  for await (const page of paginateListFunctions({ client: lambda }, {})) {
    for (const fn of page.Functions ?? []) if (fn.PackageType === 'Image' && fn.FunctionName) images.push(fn.FunctionName);
  }
  const limit = pLimit(concurrency);
  const users = await Promise.all(
    images.map((name) =>
      limit(async (): Promise<RepositoryUser | undefined> => {
        const fn = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
        const uri = fn.Code?.ImageUri ?? '';
        if (!uri.startsWith(`${repositoryUri}@`) && !uri.startsWith(`${repositoryUri}:`)) return undefined;
        const owner = fn.Tags?.[PROJECT_TAG];
        return owner === project ? undefined : { function: name, project: owner };
      }),
    ),
  );
  return users.filter((u): u is RepositoryUser => u !== undefined).sort((a, b) => a.function.localeCompare(b.function));
}

/** Refuses `destroy --repository` while other projects' functions run images from it, unless `allowShared`. */
export function checkDestroyOwnership(repository: string, users: RepositoryUser[], allowShared: boolean): void {
  if (users.length === 0 || allowShared) return;
  const owners = [...new Set(users.map((u) => (u.project ? `the project "${u.project}"` : 'no lambda-image project')))];
  throw new DeployError(
    `the ECR repository ${repository} holds images that functions of ${owners.join(' and ')} run: ${users.map((u) => u.function).join(', ')}. ` +
      `Deleting it would break them. Destroy those first, or delete the repository anyway with ${SHARED_REPOSITORY_FLAG}. Nothing was deleted.`,
  );
}
