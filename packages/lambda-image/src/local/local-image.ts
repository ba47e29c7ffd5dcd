// What every Docker run of `npm run local` does before a container starts: check Docker,
// remove the containers of runs that were killed, find the emulator for a project on another
// base image than AWS's, and build the image (or check that --no-build has one).
import { hostname } from 'node:os';
import type { Manifest } from '../shared/manifest.ts';
import {
  containersWithLabel,
  containersWithLabels,
  DockerBuildError,
  dockerBuild,
  DockerError,
  ensureDocker,
  hasBuildx,
  imageCommand,
  imageExists,
  imageId,
  platformOf,
  removeContainer,
  removeImageIfUnused,
} from '../shared/docker.ts';
import { BuildDisplay } from '../shared/build-display.ts';
import { EXIT, formatBuildFailure, formatSeconds } from '../shared/output.ts';
import { headline, type ModeInput } from './mode.ts';
import { KEEP_LABEL, OWNER_LABEL, PROJECT_LABEL } from './local-container.ts';
import { provideRie, RieError } from './rie.ts';

/** The local image's tag: a Docker-valid form of the project name. */
export function imageTag(manifest: Pick<Manifest, 'name'>): string {
  const repo =
    manifest.name
      .toLowerCase()
      .replace(/^@/, '')
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+/, '') || 'lambda';
  return `${repo}:local`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the project's containers whose run is gone (a SIGKILLed or hung-up run never
 * cleaned up): those of this host whose owning process no longer exists. Kept containers
 * (--keep) and other hosts' are left alone. Returns how many went.
 */
export async function removeOrphans(project: string): Promise<number> {
  const host = hostname();
  const candidates = await containersWithLabels(`${PROJECT_LABEL}=${project}`, OWNER_LABEL).catch(() => []);
  const keep = new Set(await containersWithLabel(`${KEEP_LABEL}=true`).catch(() => []));
  let removed = 0;
  for (const { id, value } of candidates) {
    const [ownerHost, pid] = value.split(' ');
    if (keep.has(id) || ownerHost !== host || !pid || processAlive(Number(pid))) continue;
    await removeContainer(id);
    removed++;
  }
  return removed;
}

export interface PreparedImage {
  tag: string;
  /** The emulator to mount and the image's command to run behind it, for an image without one. */
  rie?: { path: string; command: string[] };
  /** The build's duration, when there was one. */
  buildSeconds?: number;
  /** --watch only: the build failed (and said why); nothing can run until a change builds again. */
  buildFailed?: true;
}

/**
 * Everything up to a runnable image; prints its progress on stderr. Returns the image, or the
 * exit code after printing why not (through `fail`).
 */
export async function prepareImage(
  { manifest, options, context, paint, fail }: Pick<ModeInput, 'manifest' | 'options' | 'context' | 'paint' | 'fail'>,
  count: number,
): Promise<PreparedImage | number> {
  const { stderr } = context;
  const tag = imageTag(manifest);
  // Both probes at once: every run pays for them.
  void hasBuildx();
  try {
    await ensureDocker();
  } catch (error) {
    if (error instanceof DockerError) return fail(`${error.message}\n(\`npm run local -- --native\` runs the handlers without Docker.)`);
    throw error;
  }
  stderr.write(headline(manifest, count, `${manifest.runtime} ${manifest.runtimeVersion}, ${platformOf(manifest.architecture)}`, paint));
  const orphans = await removeOrphans(manifest.name);
  if (orphans > 0) stderr.write(`Removed ${orphans} container${orphans === 1 ? '' : 's'} left running by an earlier run that was killed\n`);

  // On another base image than AWS's the image has the runtime client but no emulator: one is
  // found (or downloaded) before the build, so that a missing one fails fast.
  let riePath: string | undefined;
  if (manifest.awsBaseImage === false) {
    try {
      const rie = await provideRie({
        architecture: manifest.architecture,
        flag: options.rie,
        cwd: context.userDir ?? context.projectDir,
        log: (line) => stderr.write(`${line}\n`),
      });
      riePath = rie.path;
      stderr.write(`Emulator: ${rie.path} (${rie.origin})\n`);
    } catch (error) {
      if (error instanceof RieError) return fail(error.message);
      throw error;
    }
  } else if (options.rie !== undefined) {
    return fail(`--rie is for projects on another base image than AWS's (lambda-image.json "awsBaseImage": false); ${manifest.baseImage} runs its own emulator`, EXIT.usage);
  }

  let buildSeconds: number | undefined;
  if (options.build) {
    const built = await buildImage({ manifest, options, context, paint, fail }, tag);
    // --watch waits for the fix instead of ending: its next change builds again.
    if (typeof built === 'number') return options.watch ? { tag, buildFailed: true, ...(riePath !== undefined ? { rie: { path: riePath, command: [] } } : {}) } : built;
    buildSeconds = built.seconds;
    // The image the tag named before: untagged now, unless another tag or a container holds it.
    if (built.previous) await removeImageIfUnused(built.previous);
  } else if (!(await imageExists(tag))) {
    return fail(`there is no image ${tag} to run: run \`npm run local\` once without --no-build`, EXIT.usage);
  }
  let rie: PreparedImage['rie'];
  if (riePath !== undefined) {
    try {
      rie = { path: riePath, command: await imageCommand(tag) };
    } catch (error) {
      if (error instanceof DockerError) return fail(error.message);
      throw error;
    }
  }
  return { tag, ...(rie ? { rie } : {}), ...(buildSeconds !== undefined ? { buildSeconds } : {}) };
}

/**
 * `docker build` of the project with its progress on stderr. Resolves to its duration and the
 * image the tag named before, if another (the caller removes it once no container of its own
 * uses it), or to the exit code after printing the failure.
 */
export async function buildImage(
  { manifest, options, context, paint, fail }: Pick<ModeInput, 'manifest' | 'options' | 'context' | 'paint' | 'fail'>,
  tag: string,
): Promise<{ seconds: number; previous?: string } | number> {
  const { stderr } = context;
  stderr.write(`Building ${tag}\n`);
  const previous = await imageId(tag);
  const display = new BuildDisplay(stderr, paint);
  try {
    const { seconds } = await dockerBuild({
      cwd: context.projectDir,
      tag,
      architecture: manifest.architecture,
      labels: { [PROJECT_LABEL]: manifest.name },
      onStep: options.verbose ? undefined : display.step,
      onStepStart: options.verbose ? undefined : display.start,
      onStepOutput: options.verbose ? undefined : display.output,
      onLine: options.verbose ? (line) => stderr.write(`  ${line}\n`) : undefined,
    }).finally(() => display.stop());
    stderr.write(`Built ${tag} in ${formatSeconds(seconds)}\n`);
    const now = await imageId(tag);
    return { seconds, ...(previous && previous !== now ? { previous } : {}) };
  } catch (error) {
    if (error instanceof DockerBuildError) return fail(formatBuildFailure(error.message, error.output, paint));
    if (error instanceof DockerError) return fail(error.message);
    throw error;
  }
}
