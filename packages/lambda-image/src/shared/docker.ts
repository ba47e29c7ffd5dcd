// Everything the tooling asks of Docker goes through the `docker` CLI (found on PATH,
// honouring DOCKER_HOST and the user's contexts), so that what works in their shell
// works here, and every failure is turned into a message that says what to do.
import { existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import type { Architecture } from './manifest.ts';
import { BuildProgress } from './build-progress.ts';
import type { BuildStep } from './build-progress.ts';

export class DockerError extends Error {
  override name = 'DockerError';
}

/** A failed `docker build`: the step that broke and what it printed. */
export class DockerBuildError extends DockerError {
  override name = 'DockerBuildError';
  readonly step: BuildStep | undefined;
  readonly output: string[];
  constructor(message: string, step: BuildStep | undefined, output: string[]) {
    super(message);
    this.step = step;
    this.output = output;
  }
}

/** The container stopped before it could be used (its port cannot be read once it has exited). */
export class ContainerExited extends DockerError {
  override name = 'ContainerExited';
  readonly exitCode: number;
  constructor(container: string, exitCode: number) {
    super(`container ${container} exited (exit code ${exitCode})`);
    this.exitCode = exitCode;
  }
}

const DOCKER = 'docker';

export function platformOf(architecture: Architecture): string {
  return architecture === 'arm64' ? 'linux/arm64' : 'linux/amd64';
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}

/** Throws a DockerError that names the fix when docker is missing or its daemon does not answer. */
export async function ensureDocker(): Promise<void> {
  const result = await execa(DOCKER, ['version', '--format', '{{.Server.Version}}'], {
    reject: false,
    timeout: 30_000,
    stdin: 'ignore',
  });
  if (result.exitCode === 0) return;
  if (result.code === 'ENOENT') {
    throw new DockerError(
      'Docker is not installed: no `docker` command on PATH. Install Docker (https://docs.docker.com/get-docker/) and run again.',
    );
  }
  const detail = firstLine(result.stderr) || firstLine(result.stdout) || (result.shortMessage ?? '');
  if (result.timedOut) {
    throw new DockerError(`the Docker daemon did not answer within 30 s: check that Docker is running (docker info), then run again`);
  }
  if (/permission denied/i.test(detail)) {
    throw new DockerError(
      `cannot talk to the Docker daemon: ${detail}\nAdd your user to the "docker" group (then log in again), or use a rootless/Desktop Docker, and run again.`,
    );
  }
  throw new DockerError(
    `the Docker daemon is not running (${detail})\nStart it (Docker Desktop, or \`sudo systemctl start docker\`) and run again.`,
  );
}

let buildxAvailable: Promise<boolean> | undefined;

/** Whether this docker client has the buildx plugin (BuildKit with --load and attestation control). */
export function hasBuildx(): Promise<boolean> {
  buildxAvailable ??= execa(DOCKER, ['buildx', 'version'], { reject: false, stdin: 'ignore', timeout: 30_000 }).then(
    (r) => r.exitCode === 0,
  );
  return buildxAvailable;
}

export interface DockerBuildOptions {
  /** Build context: the project root, where the Dockerfile is. */
  cwd: string;
  tag: string;
  architecture: Architecture;
  /** Every line the build prints, as it prints it. */
  onLine?: (line: string) => void;
  /** Each build step once it has finished, with its duration. */
  onStep?: (step: BuildStep) => void;
  /** Each build step as it starts, and each line of its output: for a live display. */
  onStepStart?: (step: BuildStep) => void;
  onStepOutput?: (step: BuildStep, line: string) => void;
  /** --build-arg NAME=value pairs. */
  buildArgs?: Record<string, string>;
  /** --label NAME=value pairs on the image (the project label: what cleanup finds it by). */
  labels?: Record<string, string>;
}

/** Longer than this, a build argument would not fit in one argument of the docker process (Linux caps each at 128 KiB). */
const MAX_CA_ARG = 100_000;

/**
 * The extra CA certificates NODE_EXTRA_CA_CERTS names (the file Node.js itself trusts), as
 * the build argument EXTRA_CA_CERTS: behind a TLS-intercepting proxy, the pip, npm, go and
 * mvn steps of Dockerfiles that declare it trust them in their build stage, and the image
 * never holds them. Certificates are public: an argument is no leak. Build arguments work
 * with the classic builder as with BuildKit (a secret mount would need BuildKit).
 */
export function extraCaCertsArg(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file || !existsSync(file)) return {};
  const pem = readFileSync(file, 'utf8').trim();
  return pem.includes('-----BEGIN CERTIFICATE-----') && pem.length <= MAX_CA_ARG ? { EXTRA_CA_CERTS: pem } : {};
}

/** The docker CLI arguments for a build; never --pull, so a cached base image is enough. */
export function buildArguments(options: DockerBuildOptions, buildx: boolean): string[] {
  const args = buildx
    ? // Lambda refuses image indexes, which provenance and SBOM attestations would turn the image into.
      ['buildx', 'build', '--load', '--provenance=false', '--sbom=false', '--progress=plain']
    : // --force-rm: the classic builder otherwise keeps the container of a failed RUN step.
      ['build', '--force-rm'];
  args.push('--platform', platformOf(options.architecture), '--tag', options.tag);
  for (const [name, value] of Object.entries(options.buildArgs ?? {})) args.push('--build-arg', `${name}=${value}`);
  for (const [name, value] of Object.entries(options.labels ?? {})) args.push('--label', `${name}=${value}`);
  args.push('.');
  return args;
}

/** Builds the image in `cwd`; a failure throws DockerBuildError with the failing step and its output. */
export async function dockerBuild(options: DockerBuildOptions): Promise<{ seconds: number }> {
  const started = performance.now();
  const progress = new BuildProgress({ onStep: options.onStep, onStart: options.onStepStart, onOutput: options.onStepOutput });
  const all: string[] = [];
  const subprocess = execa(DOCKER, buildArguments({ ...options, buildArgs: { ...extraCaCertsArg(), ...options.buildArgs } }, await hasBuildx()), {
    cwd: options.cwd,
    all: true,
    reject: false,
    stdin: 'ignore',
    buffer: false,
  });
  for await (const line of subprocess.iterable({ from: 'all' })) {
    all.push(line);
    progress.line(line);
    options.onLine?.(line);
  }
  const result = await subprocess;
  const failed = result.exitCode !== 0;
  progress.finish(failed);
  if (result.code === 'ENOENT') throw new DockerError('Docker is not installed: no `docker` command on PATH.');
  if (failed) {
    const step = progress.failedStep();
    const where = step
      ? `step ${step.position ? `${step.position} ` : ''}\`${step.instruction}\` failed`
      : `docker build failed (${result.signal ? `signal ${result.signal}` : `exit code ${result.exitCode}`})`;
    const output = step ? step.output : progress.loose.length > 0 ? progress.loose : all;
    throw new DockerBuildError(where, step, output);
  }
  return { seconds: (performance.now() - started) / 1000 };
}

/** Whether an image with this tag exists locally. */
export async function imageExists(tag: string): Promise<boolean> {
  const result = await execa(DOCKER, ['image', 'inspect', '--format', '{{.Id}}', tag], { reject: false, stdin: 'ignore' });
  return result.exitCode === 0;
}

/** The image's ID (sha256:...), or undefined when there is no such image. */
export async function imageId(tag: string): Promise<string | undefined> {
  const result = await execa(DOCKER, ['image', 'inspect', '--format', '{{.Id}}', tag], { reject: false, stdin: 'ignore' });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/**
 * Removes an image by ID unless a tag still names it or a container uses it; says whether it went.
 * Without --force, Docker refuses both cases itself, which is exactly the rule wanted.
 */
export async function removeImageIfUnused(id: string): Promise<boolean> {
  const { stdout } = await execa(DOCKER, ['image', 'inspect', '--format', '{{len .RepoTags}}', id], { reject: false, stdin: 'ignore' });
  if (stdout.trim() !== '0') return false;
  const result = await execa(DOCKER, ['image', 'rm', id], { reject: false, stdin: 'ignore' });
  return result.exitCode === 0;
}

/** The image's size in bytes, from `docker image inspect`. */
export async function imageSize(tag: string): Promise<number> {
  const result = await execa(DOCKER, ['image', 'inspect', '--format', '{{.Size}}', tag], { stdin: 'ignore' });
  return Number(result.stdout.trim());
}

/** The image's ENTRYPOINT followed by its CMD: what a container of it runs. */
export async function imageCommand(tag: string): Promise<string[]> {
  const result = await execa(DOCKER, ['image', 'inspect', '--format', '{{json .Config}}', tag], { reject: false, stdin: 'ignore' });
  if (result.exitCode !== 0) throw new DockerError(`cannot inspect image ${tag}: ${firstLine(result.stderr)}`);
  const config = JSON.parse(result.stdout) as { Entrypoint?: string[] | null; Cmd?: string[] | null };
  return [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
}

export interface RunOptions {
  image: string;
  name: string;
  /** Host port for the container's 8080; 0 lets Docker choose a free one (no race with other programs). */
  hostPort: number;
  /**
   * The container's environment. Values reach `docker run` through its own environment
   * (`--env NAME` without a value), never its arguments: `ps` shows arguments to every user.
   */
  env: Record<string, string>;
  labels: Record<string, string>;
  /** --volume host:container[:ro] bind mounts. */
  volumes?: string[];
  /** The image's CMD override; the image's own CMD when omitted. */
  command?: string[];
  /** Replaces the image's ENTRYPOINT. */
  entrypoint?: string;
  /** Host files or folders bound into the container, read-only. */
  readOnlyMounts?: Array<{ source: string; target: string }>;
}

/** A container that is running, and the host port its 8080 is published on. */
export interface StartedContainer {
  id: string;
  name: string;
  port: number;
}

/** `docker run -d`; the container is named so that it can be removed even if this call is interrupted. */
export async function runContainer(options: RunOptions): Promise<StartedContainer> {
  const args = ['run', '--detach', '--name', options.name, '--publish', `127.0.0.1:${options.hostPort || ''}:8080`];
  for (const [key, value] of Object.entries(options.labels)) args.push('--label', `${key}=${value}`);
  const { args: envArgs, env } = environmentArguments(options.env);
  args.push(...envArgs);
  for (const volume of options.volumes ?? []) args.push('--volume', volume);
  for (const { source, target } of options.readOnlyMounts ?? []) args.push('--mount', `type=bind,source=${source},target=${target},readonly`);
  if (options.entrypoint !== undefined) args.push('--entrypoint', options.entrypoint);
  args.push(options.image, ...(options.command ?? []));
  const result = await execa(DOCKER, args, { reject: false, stdin: 'ignore', env, extendEnv: true });
  if (result.exitCode !== 0) {
    const detail = result.stderr.trim() || (result.shortMessage ?? 'unknown error');
    if (/port is already allocated|address already in use|bind/i.test(detail)) {
      throw new DockerError(
        `cannot bind host port ${options.hostPort || '(any)'} for the container: ${firstLine(detail)}\nChoose another port with --port, or omit --port to let Docker pick a free one.`,
      );
    }
    throw new DockerError(`docker run failed: ${detail}`);
  }
  const id = result.stdout.trim();
  try {
    return { id, name: options.name, port: await publishedPort(id) };
  } catch (error) {
    const state = await containerState(id);
    if (state && !state.running) throw new ContainerExited(options.name, state.exitCode);
    throw error;
  }
}

/**
 * Names the docker client itself reads: giving them the container's values would change how
 * `docker` runs (where it is found, which daemon it talks to), so they go as NAME=value.
 */
const CLIENT_VARIABLES = /^(PATH|HOME|DOCKER_.*|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy|TMPDIR|XDG_.*)$/;

/** `--env NAME` arguments and the environment that carries their values to the docker client. */
export function environmentArguments(values: Record<string, string>): { args: string[]; env: Record<string, string> } {
  const args: string[] = [];
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (CLIENT_VARIABLES.test(name)) {
      args.push('--env', `${name}=${value}`);
    } else {
      args.push('--env', name);
      env[name] = value;
    }
  }
  return { args, env };
}

async function publishedPort(container: string): Promise<number> {
  const result = await execa(DOCKER, ['port', container, '8080/tcp'], { reject: false, stdin: 'ignore' });
  // One line per address family, e.g. "127.0.0.1:49153".
  const port = Number(/:(\d+)\s*$/m.exec(result.stdout)?.[1]);
  if (result.exitCode !== 0 || !Number.isInteger(port) || port <= 0) {
    throw new DockerError(`could not read the host port of container ${container}: ${firstLine(result.stderr) || result.stdout}`);
  }
  return port;
}

export interface ContainerState {
  running: boolean;
  exitCode: number;
}

/** The container's state, or undefined when it does not exist (any more). */
export async function containerState(container: string): Promise<ContainerState | undefined> {
  const result = await execa(DOCKER, ['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', container], {
    reject: false,
    stdin: 'ignore',
  });
  if (result.exitCode !== 0) return undefined;
  const [running, code] = result.stdout.trim().split(' ');
  return { running: running === 'true', exitCode: Number(code) };
}

/** Everything the container wrote to stdout and stderr so far. */
export async function containerLogs(container: string): Promise<string> {
  const result = await execa(DOCKER, ['logs', container], { reject: false, stdin: 'ignore', all: true });
  return (result.all ?? '').trimEnd();
}

/** Stops and removes the container; quiet when it is already gone. */
export async function removeContainer(container: string): Promise<void> {
  await execa(DOCKER, ['rm', '--force', '--volumes', container], { reject: false, stdin: 'ignore', timeout: 60_000 });
}

/** IDs of the containers carrying this label (running or not). */
export async function containersWithLabel(label: string): Promise<string[]> {
  const result = await execa(DOCKER, ['ps', '--all', '--quiet', '--filter', `label=${label}`], { stdin: 'ignore' });
  return result.stdout.split('\n').filter((l) => l.trim() !== '');
}

/** The containers carrying `label`, each with the value of `field` (another label). */
export async function containersWithLabels(label: string, field: string): Promise<{ id: string; value: string }[]> {
  const result = await execa(DOCKER, ['ps', '--all', '--filter', `label=${label}`, '--format', `{{.ID}} {{.Label "${field}"}}`], {
    stdin: 'ignore',
  });
  return result.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const line = l.trim();
      const space = line.indexOf(' ');
      return space < 0 ? { id: line, value: '' } : { id: line.slice(0, space), value: line.slice(space + 1) };
    });
}

/** `docker logs --follow`: every line the container writes, from its start, until it is removed or `stop` is called. */
export function followLogs(container: string, onLine: (line: string) => void): { stop: () => void; done: Promise<void> } {
  const subprocess = execa(DOCKER, ['logs', '--follow', container], { reject: false, stdin: 'ignore', buffer: false, all: true });
  const done = (async () => {
    for await (const line of subprocess.iterable({ from: 'all' })) onLine(line);
    await subprocess;
  })().catch(() => {});
  return { stop: () => subprocess.kill(), done };
}
