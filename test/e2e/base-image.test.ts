// The third way, for real: a project generated with `--base-image` on a stand-in of a public
// image (test/support/public-images.ts: Debian packages with the language, under the public
// name), its Dockerfile built with the REAL runtime interface client from its registry (PyPI,
// npm, Maven Central; Go's aws-lambda-go through the Go module proxy), and `npm run local`
// running every handler through the REAL Runtime Interface Emulator (built with `go install`,
// given by --rie) in front of that client. Each must answer as the same project on the AWS
// base image (the test base image of the real Lambda parts) does, and each function's own
// command (ImageConfig.Command) must select its handler as on AWS.
//
// The machine's extra CA certificates (a TLS-intercepting proxy's) reach the build stage
// through NODE_EXTRA_CA_CERTS -> the build argument EXTRA_CA_CERTS; the test checks that the
// built image holds none of them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProject } from '../support/generate.ts';
import { installProject } from '../support/install.ts';
import { ensureBaseImages } from '../support/baseimages.ts';
import { ensureBuilderImage, type BuilderRuntime } from '../support/builderimages.ts';
import { emulatorBinary, ensurePublicImages, extraCaFile, type StandInName } from '../support/public-images.ts';

const work = mkdtempSync(join(tmpdir(), 'base-image-e2e-'));
const extraCa = extraCaFile(work);
const PROJECT_LABEL = 'lambda-image.project';

interface Case {
  runtime: string;
  /** The image given to --base-image (a stand-in under its public name). */
  image: string;
  /** Every stand-in the build needs: the image, and the builder the Dockerfile defaults to. */
  standIns: StandInName[];
  /** The AWS base image project to compare with (a test base image of the real parts). */
  aws: string;
  /** The builder image the Dockerfile defaults to, when langs' stand-in provides it (test/support/builderimages.ts). */
  builder?: BuilderRuntime;
}

const CASES: Case[] = [
  { runtime: 'python', image: 'python:3.13-slim', standIns: ['python:3.13-slim'], aws: 'python' },
  // The builder the Dockerfile defaults to (node:24-bookworm) compiles aws-lambda-ric's native addon.
  { runtime: 'nodejs', image: 'node:24-slim', standIns: ['node:24-slim', 'node:24-bookworm'], aws: 'nodejs' },
  // aws-lambda-go is its own client: the static binary on plain Debian.
  { runtime: 'go', image: 'debian:trixie-slim', standIns: ['debian:trixie-slim'], aws: 'go', builder: 'go' },
  { runtime: 'java', image: 'eclipse-temurin:25-jre', standIns: ['eclipse-temurin:25-jre'], aws: 'java', builder: 'java' },
];

const local = (dir: string, args: string[] = []) =>
  execa('npm', ['run', '--silent', 'local', '--', ...args], {
    cwd: dir,
    reject: false,
    env: { NO_COLOR: '1', ...(extraCa ? { NODE_EXTRA_CA_CERTS: extraCa } : {}) },
  });

/** The handler lines and their results, without timings and the function's log lines: what must be alike on both images. */
const results = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => /^[✔✘] |^ {4}\S/.test(l) && !l.includes(' │ '))
    .map((l) => l.replace(/ {2,}\d+(\.\d+)? m?s$/, ''));

let rie: string;
const projects: string[] = [];

beforeAll(async () => {
  rie = await emulatorBinary();
  await ensureBaseImages([...new Set(CASES.map((c) => c.aws))]);
  await ensurePublicImages([...new Set(CASES.flatMap((c) => c.standIns))]);
  for (const c of CASES) if (c.builder) await ensureBuilderImage(c.builder);
}, 1_200_000);

afterAll(async () => {
  for (const name of projects) {
    const { stdout } = await execa('docker', ['ps', '--all', '--quiet', '--filter', `label=${PROJECT_LABEL}=${name}`]);
    const left = stdout.split('\n').filter(Boolean);
    if (left.length) await execa('docker', ['rm', '-f', ...left]);
    await execa('docker', ['image', 'rm', '-f', `${name}:local`], { reject: false });
  }
  rmSync(work, { recursive: true, force: true });
});

describe.each(CASES)('$runtime on $image', { timeout: 900_000 }, ({ runtime, image, aws }) => {
  const name = `base-${runtime}-${process.pid}`;
  const awsName = `aws-${runtime}-${process.pid}`;
  let dir: string;
  let awsDir: string;
  beforeAll(async () => {
    projects.push(name, awsName);
    // One after the other: yeoman-test runs a generator in the process's working directory.
    dir = await generateProject(join(work, runtime), { name, runtime, baseImage: image, handlers: 'ingest,report_daily' });
    awsDir = await generateProject(join(work, `${runtime}-aws`), { name: awsName, runtime, runtimeVersion: aws.split(':')[1], handlers: 'ingest,report_daily' });
    await installProject(dir);
    await installProject(awsDir);
  }, 300_000);

  it('npm run local builds it with the real client and runs every handler through the real emulator, as on the AWS base image', async () => {
    const other = await local(dir, ['--rie', rie]);
    expect(other.stderr).toContain(`Emulator: ${rie} (--rie)`);
    expect(other.stdout, other.stderr).toMatch(/^PASS 2 handlers: 2 ok, 0 failed/m);
    expect(other.exitCode).toBe(0);

    const onAws = await local(awsDir);
    expect(onAws.exitCode, onAws.stderr).toBe(0);
    expect(results(other.stdout)).toEqual(results(onAws.stdout));
    expect(results(other.stdout)).toHaveLength(4);

    // The proxy's certificates served the build stage only.
    const history = await execa('docker', ['history', '--no-trunc', '--format', '{{.CreatedBy}}', `${name}:local`]);
    const config = await execa('docker', ['image', 'inspect', `${name}:local`]);
    expect(`${history.stdout}${config.stdout}`).not.toContain('BEGIN CERTIFICATE');
  });

  it("each function's own command (ImageConfig.Command) selects its handler, as on AWS", async () => {
    const { stdout } = await execa('docker', ['image', 'inspect', '--format', '{{json .Config.Entrypoint}}', `${name}:local`]);
    const entrypoint = JSON.parse(stdout) as string[];
    const manifest = JSON.parse(readFileSync(join(dir, 'lambda-image.json'), 'utf8')) as { handlers: Array<{ name: string; handler: string }> };
    const oneHandler = manifest.handlers.find((h) => h.name === 'report_daily')!.handler;
    const container = `${name}-command`;
    await execa('docker', [
      'run', '--detach', '--name', container, '--label', `${PROJECT_LABEL}=${name}`, '--publish', '127.0.0.1::8080',
      '--mount', `type=bind,source=${rie},target=/aws-lambda/aws-lambda-rie,readonly`, '--entrypoint', '/aws-lambda/aws-lambda-rie',
      `${name}:local`, ...entrypoint, oneHandler,
    ]);
    try {
      const port = /:(\d+)$/m.exec((await execa('docker', ['port', container, '8080/tcp'])).stdout)![1];
      const event = readFileSync(join(dir, 'events', 'report_daily.json'), 'utf8');
      let answer = '';
      for (let i = 0; i < 100 && !answer; i++) {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/2015-03-31/functions/function/invocations`, { method: 'POST', body: event });
          answer = await response.text();
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      expect(JSON.parse(answer)).toEqual({ handler: 'report_daily', count: 2, total: 19.75 });
    } finally {
      await execa('docker', ['rm', '-f', container], { reject: false });
    }
  });
});
