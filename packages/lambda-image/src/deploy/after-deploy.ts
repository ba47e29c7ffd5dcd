// Housekeeping once every function runs the new image: images none of the project's functions
// runs any more lose their live tag (ECR's lifecycle policy then treats them as any older build),
// and the local docker images of older builds of the project go. Neither can make a deploy that
// succeeded fail: a problem here is reported as a note.
import { execa } from 'execa';
import { explainAwsError, type AwsClients } from '../shared/aws.ts';
import { getFunction } from './lambda.ts';
import { digestOf, releaseImages } from './lifecycle.ts';

/**
 * Releases the project's images other than `current` (and those `otherFunctions`, still
 * deployed, run). When the image of one of those cannot be told, nothing is released.
 */
export async function releaseUnusedImages(
  clients: AwsClients,
  repository: string,
  project: string,
  current: string,
  otherFunctions: string[],
  out: (line: string) => void,
): Promise<void> {
  try {
    const inUse = new Set([current]);
    for (const name of otherFunctions) {
      const fn = await getFunction(clients.lambda, name);
      if (!fn) continue;
      const digest = digestOf(fn.resolvedImageUri) ?? digestOf(fn.imageUri);
      if (!digest) return;
      inUse.add(digest);
    }
    const released = await releaseImages(clients.ecr, repository, project, inUse);
    if (released.length > 0) {
      out(`Released ${released.length} older image${released.length === 1 ? '' : 's'} no function runs any more (live tag removed: ${released.join(', ')})`);
    }
  } catch (error) {
    out(`Note: the live tags of older images could not be removed (${explainAwsError(error)}); they stay protected until a later deploy removes them.`);
  }
}

/**
 * Removes this machine's docker images of the repository other than `keepTag`: every deploy that
 * builds leaves one (hundreds of MB each), and only the current one can speed up the next build.
 */
export async function removeOlderLocalImages(repositoryUri: string, keepTag: string): Promise<string[]> {
  const listed = await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', repositoryUri], { reject: false, stdin: 'ignore' });
  if (listed.exitCode !== 0) return [];
  const rows = listed.stdout.split('\n').filter(Boolean).map((row) => row.split(' ') as [string, string]);
  const keepId = rows.find(([ref]) => ref === `${repositoryUri}:${keepTag}`)?.[1];
  // An image whose tag moved to a newer build is listed as <none>, which only its ID names.
  const refs = [...new Set(rows.filter(([ref, id]) => ref !== `${repositoryUri}:${keepTag}` && id !== keepId).map(([ref, id]) => (ref.endsWith(':<none>') ? id : ref)))];
  const removed: string[] = [];
  for (const ref of refs) {
    // No --force: an image a container still uses stays.
    const result = await execa('docker', ['image', 'rm', ref], { reject: false, stdin: 'ignore' });
    if (result.exitCode === 0) removed.push(ref);
  }
  return removed;
}
