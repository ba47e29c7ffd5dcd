// The builder images of the generated Dockerfiles' build stages, assembled offline (test infrastructure).
//
// The Java and Go Dockerfiles compile in a stage FROM `ARG BUILDER_IMAGE`, by default a public image a
// user pulls (Docker's maven and golang images, mirrored on public.ecr.aws); neither Docker Hub nor
// public.ecr.aws is reachable here. So, as test/support/baseimages.ts does for the Lambda base images,
// this module builds stand-ins from real parts and tags them under those default names (so that
// `npm run local` builds the generated Dockerfile unmodified) and under a local name of their own
// (which the tests pass with --build-arg BUILDER_IMAGE=..., as a user with a mirror would):
// - maven: Debian's OpenJDK of the tag and Debian's Maven 3.9 (trixie);
// - golang: the Go distribution this machine runs (`go env GOROOT`), on Debian's busybox.
//
// Maven and Go inside these images download from Maven Central and the Go module proxy like the real
// images do. This machine reaches them through a TLS-intercepting proxy whose CA the host trusts: the
// builder images carry the host's trust stores (its CA bundle, and its JDK's cacerts), which is what a
// user behind such a proxy does with their own builder image. The CA stays in the build stage: the
// function's image (FROM the base image) never has it, and the generated Dockerfile has no seam for it.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { DebianSuite, debianRootfs } from './debian.ts';

export const BUILDER_LABEL = 'lambda-image.builder';

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = process.env.LAMBDA_BASE_IMAGE_CACHE ?? join(homedir(), '.cache', 'lambda-base-images');
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const HOST_JAVA_CACERTS = '/etc/ssl/certs/java/cacerts';

export type BuilderRuntime = 'java' | 'go';

interface Builder {
  /** The generated Dockerfile's default BUILDER_IMAGE, which this image stands in for. */
  publicName: string;
  /** What goes into the hash besides this file and debian.ts. */
  inputs: () => Promise<string[]>;
  /** Fills the root file system; returns the Dockerfile lines that configure the image. */
  assemble: (root: string) => Promise<string[]>;
}

const JDK = '25';
const JAVA_HOME = `/usr/lib/jvm/java-${JDK}-openjdk-amd64`;

const BUILDERS: Record<BuilderRuntime, Builder> = {
  java: {
    publicName: `public.ecr.aws/docker/library/maven:3.9-amazoncorretto-${JDK}`,
    inputs: async () => [`openjdk-${JDK}-jdk-headless maven trixie`, digest(HOST_JAVA_CACERTS)],
    async assemble(root) {
      const suite = new DebianSuite('trixie', CACHE);
      await debianRootfs(root, suite, [`openjdk-${JDK}-jdk-headless`, 'maven'], join(CACHE, 'debs'));
      // Maven's dependency on default-jre-headless brings trixie's JDK 21 too; Maven runs on JAVA_HOME's.
      for (const jvm of readdirSync(join(root, 'usr/lib/jvm'))) {
        if (jvm.startsWith('java-') && !jvm.startsWith(`java-${JDK}-`)) rmSync(join(root, 'usr/lib/jvm', jvm), { recursive: true, force: true });
      }
      // What update-alternatives (a postinst, not run by dpkg-deb -x) would link.
      if (!existsSync(join(root, 'usr/bin/mvn'))) symlinkSync('../share/maven/bin/mvn', join(root, 'usr/bin/mvn'));
      // The JDK's lib/security/cacerts points here; ca-certificates-java (a postinst) would write it.
      mkdirSync(join(root, 'etc/ssl/certs/java'), { recursive: true });
      cpSync(HOST_JAVA_CACERTS, join(root, 'etc/ssl/certs/java/cacerts'));
      return [
        `ENV JAVA_HOME=${JAVA_HOME}`,
        `ENV PATH=${JAVA_HOME}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        'ENV MAVEN_HOME=/usr/share/maven',
        'ENV LANG=C.UTF-8',
      ];
    },
  },
  go: {
    publicName: 'public.ecr.aws/docker/library/golang:1.27',
    inputs: async () => [(await execa('go', ['version'])).stdout, digest(HOST_CA_BUNDLE)],
    async assemble(root) {
      await debianRootfs(root, new DebianSuite('bookworm', CACHE), [], join(CACHE, 'debs'));
      const goroot = (await execa('go', ['env', 'GOROOT'])).stdout.trim();
      // The toolchain without its own tests and docs (what `go build` never reads).
      cpSync(goroot, join(root, 'usr/local/go'), { recursive: true, filter: (s) => !/^\/(test|doc|api|misc)(\/|$)/.test(s.slice(goroot.length)) });
      mkdirSync(join(root, 'go'), { recursive: true });
      mkdirSync(join(root, 'etc/ssl/certs'), { recursive: true });
      cpSync(HOST_CA_BUNDLE, join(root, 'etc/ssl/certs/ca-certificates.crt'));
      return [
        'ENV GOPATH=/go',
        'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        // As the golang images: the toolchain in the image is the one that builds.
        'ENV GOTOOLCHAIN=local',
        'WORKDIR /go',
      ];
    },
  },
};

function digest(file: string): string {
  return `${file} ${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
}

async function builderHash(runtime: BuilderRuntime): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [fileURLToPath(import.meta.url), join(HERE, 'debian.ts')]) hash.update(readFileSync(file)).update('\0');
  hash.update(JSON.stringify([runtime, ...(await BUILDERS[runtime].inputs())]));
  return hash.digest('hex').slice(0, 16);
}

async function label(image: string): Promise<string | undefined> {
  const result = await execa('docker', ['image', 'inspect', '--format', `{{ index .Config.Labels "${BUILDER_LABEL}" }}`, image], { reject: false });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

export interface BuilderImage {
  /** The generated Dockerfile's default, tagged on this image. */
  publicName: string;
  /** This image's own name, for --build-arg BUILDER_IMAGE=... */
  localName: string;
}

/** Builds (once per hash of its inputs) the builder image for a Java or Go project; cheap when up to date. */
export async function ensureBuilderImage(runtime: BuilderRuntime): Promise<BuilderImage> {
  const builder = BUILDERS[runtime];
  const hash = await builderHash(runtime);
  const localName = `lambda-image-test/builder-${runtime}:${hash}`;
  const image = { publicName: builder.publicName, localName };
  if ((await label(localName)) === hash && (await label(builder.publicName)) === hash) return image;
  if ((await label(localName)) !== hash) {
    const root = join(CACHE, `rootfs-builder-${runtime}-${process.pid}`);
    try {
      const config = await builder.assemble(root);
      const rootImage = `lambda-image-rootfs:builder-${runtime}-${hash}`;
      const tar = execa('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-c', '.'], { buffer: { stdout: false } });
      await tar.pipe('docker', ['import', '-', rootImage]);
      try {
        const dockerfile = [`FROM ${rootImage}`, ...config, `LABEL ${BUILDER_LABEL}=${JSON.stringify(hash)}`, ''].join('\n');
        await execa('docker', ['build', '--quiet', '--tag', localName, '-'], { input: dockerfile });
      } finally {
        await execa('docker', ['image', 'rm', rootImage], { reject: false });
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  await execa('docker', ['tag', localName, builder.publicName]);
  // Builder images of earlier inputs are dead weight.
  const { stdout } = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', `lambda-image-test/builder-${runtime}`]);
  const stale = stdout.split('\n').filter((name) => name && name !== localName);
  if (stale.length > 0) await execa('docker', ['image', 'rm', ...stale], { reject: false });
  return image;
}

// `node test/support/builderimages.ts java go`: builds them ahead of the tests (.ci/run does).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const runtimes = process.argv.slice(2) as BuilderRuntime[];
  if (runtimes.length === 0 || runtimes.some((r) => !(r in BUILDERS))) throw new Error('usage: node test/support/builderimages.ts java|go...');
  for (const runtime of runtimes) {
    const { publicName, localName } = await ensureBuilderImage(runtime);
    console.log(`${publicName}  (${localName})`);
  }
  console.log(`builder images ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
