// Image sizes of the three ways, per language: the same generated project (3 handlers) built
// on the AWS base image and with `--base-image` on the (stand-in) public image, with
// `lambda-image local` (which builds, then runs every handler: both must pass). The size is
// the whole image as Lambda pulls it (what counts against the 10 GB limit and the cold start),
// and, for --base-image, what the runtime interface client and the code add above the image.
//   node bench/base-image.ts [runtimes=python,nodejs,go,java]
// Needs the stand-ins (test/support/public-images.ts) and the test base images; the proxy CA
// (if the machine has one) reaches the build stage as the tests give it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { generateProject } from '../test/support/generate.ts';
import { startRegistry } from '../test/support/registry.ts';
import { ensureBaseImages } from '../test/support/baseimages.ts';
import { ensureBuilderImage, type BuilderRuntime } from '../test/support/builderimages.ts';
import { emulatorBinary, ensurePublicImages, extraCaFile, type StandInName } from '../test/support/public-images.ts';

const CASES: Record<string, { image: string; standIns: StandInName[]; awsImage: string; builder?: BuilderRuntime }> = {
  python: { image: 'python:3.13-slim', standIns: ['python:3.13-slim'], awsImage: 'public.ecr.aws/lambda/python:3.14' },
  nodejs: { image: 'node:24-slim', standIns: ['node:24-slim', 'node:24-bookworm'], awsImage: 'public.ecr.aws/lambda/nodejs:24' },
  go: { image: 'debian:trixie-slim', standIns: ['debian:trixie-slim'], awsImage: 'public.ecr.aws/lambda/provided:al2023', builder: 'go' },
  java: { image: 'eclipse-temurin:25-jre', standIns: ['eclipse-temurin:25-jre'], awsImage: 'public.ecr.aws/lambda/java:25', builder: 'java' },
};
const runtimes = (process.argv[2] ?? 'python,nodejs,go,java').split(',');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const size = async (tag: string) => Number((await execa('docker', ['image', 'inspect', '--format', '{{.Size}}', tag])).stdout.trim());

const work = mkdtempSync(join(tmpdir(), 'lambda-image-bench-base-'));
const extraCa = extraCaFile(work);
const rie = await emulatorBinary();
const registry = await startRegistry();
const rows: string[] = [];
try {
  for (const runtime of runtimes) {
    const c = CASES[runtime];
    if (!c) throw new Error(`no case for ${runtime}: ${Object.keys(CASES).join(', ')}`);
    await ensureBaseImages([runtime]);
    await ensurePublicImages(c.standIns);
    if (c.builder) await ensureBuilderImage(c.builder);
    const built: Record<string, number> = {};
    for (const [way, baseImage] of [['aws', undefined], ['other', c.image]] as const) {
      const name = `bench-base-${way}-${runtime}`;
      const dir = await generateProject(join(work, `${runtime}-${way}`), { name, runtime, handlers: 'ingest,report_daily,notify', ...(baseImage ? { baseImage } : {}) });
      await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env: { npm_config_registry: registry.url } });
      const result = await execa('node_modules/.bin/lambda-image', ['local', ...(baseImage ? ['--rie', rie] : [])], {
        cwd: dir,
        reject: false,
        env: { NO_COLOR: '1', ...(extraCa ? { NODE_EXTRA_CA_CERTS: extraCa } : {}) },
      });
      if (result.exitCode !== 0) throw new Error(`${name}: lambda-image local failed:\n${result.stdout}\n${result.stderr}`);
      built[way] = await size(`${name}:local`);
      await execa('docker', ['image', 'rm', '-f', `${name}:local`], { reject: false });
    }
    const [aws, other, base] = [built.aws!, built.other!, await size(c.image)];
    rows.push(`| ${runtime} | \`${c.awsImage}\`: ${mb(aws)} | \`${c.image}\` (stand-in): ${mb(other)}, of which ${mb(other - base)} above the image | ${(other / aws).toFixed(2)} |`);
  }
} finally {
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log('| language | on the AWS base image | with --base-image | other / AWS |');
console.log('| --- | --- | --- | --- |');
for (const row of rows) console.log(row);
