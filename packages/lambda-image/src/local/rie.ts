// The Runtime Interface Emulator for projects on another base image than AWS's
// (lambda-image.json "awsBaseImage": false): such an image has the runtime interface client
// but no emulator, so `npm run local` brings one from outside and runs it in front of the
// client. Where it comes from, first match wins:
//   1. `--rie <path>`, then 2. LAMBDA_IMAGE_RIE=<path> (offline machines, a build of your own);
//   3. the released binary in the user's cache ($XDG_CACHE_HOME or ~/.cache, /lambda-image/rie),
//      downloaded once from the GitHub release and checked against the SHA-256 digest GitHub
//      publishes for the asset (the release ships no checksum file of its own).
// GITHUB_API_URL (GitHub Enterprise, a mirror of the API) is honoured as GitHub's tools do.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Architecture } from '../shared/manifest.ts';

/** The release `npm run local` downloads. */
export const RIE_RELEASE = 'v1.37';
const RIE_REPOSITORY = 'aws/aws-lambda-runtime-interface-emulator';
export const RIE_ENV = 'LAMBDA_IMAGE_RIE';
/** Where the binary is mounted in the container (read-only), and run as its entrypoint. */
export const RIE_MOUNT = '/aws-lambda/aws-lambda-rie';

export class RieError extends Error {
  override name = 'RieError';
}

/** The release asset for the image's architecture. */
export const rieAsset = (architecture: Architecture): string => `aws-lambda-rie-${architecture === 'arm64' ? 'arm64' : 'x86_64'}`;

/** ELF e_machine of each architecture: a macOS build or the other architecture's fails here, not as "exec format error" in the container. */
const ELF_MACHINE: Record<Architecture, number> = { x86_64: 0x3e, arm64: 0xb7 };

/** Why `path` cannot be the emulator of an image of this architecture, or undefined. */
export function binaryProblem(path: string, architecture: Architecture): string | undefined {
  let header: Buffer;
  try {
    if (!statSync(path).isFile()) return `${path} is not a file`;
    const fd = openSync(path, 'r');
    try {
      header = Buffer.alloc(20);
      readSync(fd, header, 0, 20, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  if (header.readUInt32BE(0) !== 0x7f454c46) return `${path} is not a Linux executable (no ELF header): the emulator runs inside the Linux container`;
  const machine = header.readUInt16LE(18);
  if (machine !== ELF_MACHINE[architecture]) {
    const other = (Object.keys(ELF_MACHINE) as Architecture[]).find((a) => ELF_MACHINE[a] === machine);
    return `${path} is built for ${other ?? `ELF machine ${machine}`}, but the image is ${architecture}: use ${rieAsset(architecture)}`;
  }
  return undefined;
}

export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored.
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'lambda-image');
}

export interface RieSource {
  path: string;
  /** How it was found, for the one line the user sees. */
  origin: string;
}

export interface ProvideRieOptions {
  architecture: Architecture;
  /** `--rie <path>`, relative to `cwd`. */
  flag?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines (the download). */
  log?: (line: string) => void;
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** The emulator's path on this machine, given, cached or downloaded (verified) into the cache. */
export async function provideRie(options: ProvideRieOptions): Promise<RieSource> {
  const env = options.env ?? process.env;
  const { architecture } = options;
  const given = options.flag !== undefined ? { path: options.flag, origin: '--rie' } : env[RIE_ENV] ? { path: env[RIE_ENV], origin: RIE_ENV } : undefined;
  if (given) {
    const path = resolve(options.cwd ?? process.cwd(), given.path);
    const problem = binaryProblem(path, architecture);
    if (problem) throw new RieError(`the emulator given by ${given.origin} cannot be used: ${problem}`);
    return { path, origin: given.origin };
  }

  const dir = join(userCacheDir(env), 'rie', RIE_RELEASE);
  const asset = rieAsset(architecture);
  const path = join(dir, asset);
  const recorded = join(dir, `${asset}.sha256`);
  if (existsSync(path) && existsSync(recorded)) {
    // A cached copy is re-hashed on every use: a damaged or replaced file is fetched again, not run.
    if (sha256(readFileSync(path)) === readFileSync(recorded, 'utf8').trim()) return { path, origin: `the cache (${RIE_RELEASE})` };
    options.log?.(`The cached ${asset} does not match its recorded SHA-256: downloading it again`);
  }
  await download(asset, dir, env, options.log);
  return { path, origin: `downloaded ${RIE_RELEASE}` };
}

interface ReleaseAsset {
  name: string;
  digest?: string | null;
  browser_download_url: string;
}

const offlineHint = `or give a local copy with --rie <path> or ${RIE_ENV}=<path> (build one with \`go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@latest\`)`;

async function get(url: string, what: string, accept?: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { headers: accept ? { accept } : {}, redirect: 'follow', signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new RieError(`cannot download ${what} from ${url} (${cause}): check the network, ${offlineHint}`);
  }
  if (!response.ok) throw new RieError(`cannot download ${what}: ${url} answered HTTP ${response.status}; ${offlineHint}`);
  return response;
}

async function download(asset: string, dir: string, env: NodeJS.ProcessEnv, log?: (line: string) => void): Promise<void> {
  const api = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
  const releaseUrl = `${api}/repos/${RIE_REPOSITORY}/releases/tags/${RIE_RELEASE}`;
  const release = (await (await get(releaseUrl, `the ${RIE_RELEASE} release of the emulator`, 'application/vnd.github+json')).json().catch(() => {
    throw new RieError(`${releaseUrl} did not answer with a release (not JSON); ${offlineHint}`);
  })) as { assets?: ReleaseAsset[] };
  const entry = release.assets?.find((a) => a.name === asset);
  if (!entry) throw new RieError(`the emulator's ${RIE_RELEASE} release has no ${asset} (${releaseUrl}); ${offlineHint}`);
  const expected = /^sha256:([0-9a-f]{64})$/.exec(entry.digest ?? '')?.[1];
  if (!expected) throw new RieError(`the ${RIE_RELEASE} release publishes no SHA-256 digest for ${asset}, so a download cannot be verified; ${offlineHint}`);

  log?.(`Downloading ${asset} ${RIE_RELEASE} (the Runtime Interface Emulator) into ${dir}`);
  const body = Buffer.from(await (await get(entry.browser_download_url, asset)).arrayBuffer());
  const actual = sha256(body);
  if (actual !== expected) {
    throw new RieError(
      `the downloaded ${asset} does not match the release's SHA-256 (expected ${expected}, got ${actual}): it was not kept. Try again later, ${offlineHint}`,
    );
  }
  mkdirSync(dir, { recursive: true });
  // Written under a temporary name and renamed: a run interrupted mid-download leaves no half binary behind.
  const temp = join(dir, `.${asset}.${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(temp, body, { mode: 0o755 });
    chmodSync(temp, 0o755);
    writeFileSync(`${temp}.sha256`, `${actual}\n`);
    renameSync(temp, join(dir, asset));
    renameSync(`${temp}.sha256`, join(dir, `${asset}.sha256`));
  } finally {
    rmSync(temp, { force: true });
    rmSync(`${temp}.sha256`, { force: true });
  }
  log?.(`Verified ${asset}: sha256 ${actual}`);
}
