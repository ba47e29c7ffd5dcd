// `--base-image <image>`: the third way, another image with AWS's runtime interface client in
// it. The manifest records it, the Dockerfile is the language's base-image variant (client
// as ENTRYPOINT, dispatcher as CMD), and the README says what the user takes on.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { appOptions, APP, generateProject } from '../support/generate.ts';
import helpers from 'yeoman-test';

const tmp = (what: string) => mkdtempSync(join(tmpdir(), `lig-base-${what}-`));
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

/** The Dockerfile's instructions, comments and blank lines left out. */
const instructions = (dockerfile: string) =>
  dockerfile.replace(/\\\n\s*/g, '').split('\n').filter((l) => l.trim() && !l.startsWith('#'));

describe('--base-image', () => {
  test.each([
    ['python', 'python:3.13-slim', '["python3", "-m", "awslambdaric"]', 'CMD ["lambda_function.lambda_handler"]', /pip install .*awslambdaric==4\.2\.2/],
    ['nodejs', 'node:24-slim', '["node", "/opt/aws-lambda-ric/node_modules/aws-lambda-ric/index.mjs"]', 'CMD ["lambda_function.handler"]', /npm install .*aws-lambda-ric@4\.0\.2/],
    ['java', 'eclipse-temurin:25-jre', '"com.amazonaws.services.lambda.runtime.api.client.AWSLambda"]', 'CMD ["com.example.anysvc.LambdaFunction::handleRequest"]', /aws-lambda-java-runtime-interface-client<\/artifactId><version>2\.10\.1/],
    ['go', 'gcr.io/distroless/static-debian12', '["/var/task/bootstrap"]', 'CMD ["Dispatch"]', /go build/],
  ])('%s on %s: the client in a build stage, the image as the final stage, ENTRYPOINT the client, CMD the dispatcher', async (runtime, image, entrypoint, cmd, install) => {
    const dir = await generateProject(join(tmp(runtime), 'any-svc'), { runtime, baseImage: image, handlers: 'ingest' });
    const manifest = json(join(dir, 'lambda-image.json'));
    expect(manifest).toMatchObject({ baseImage: image, awsBaseImage: false, runtime });
    expect(json(join(dir, '.yo-rc.json'))['generator-lambda-image'].baseImage).toBe(image);
    const lines = instructions(read(dir, 'Dockerfile'));
    expect(lines).toContain(`ARG BASE_IMAGE=${image}`);
    expect(lines.filter((l) => l.startsWith('FROM '))).toEqual([expect.stringMatching(/^FROM \$\{BUILDER_IMAGE\} AS build$/), 'FROM ${BASE_IMAGE}']);
    // The final stage runs nothing: a distroless image without a shell serves.
    const final = lines.slice(lines.indexOf('FROM ${BASE_IMAGE}'));
    expect(final.filter((l) => l.startsWith('RUN'))).toEqual([]);
    expect(lines.find((l) => install.test(l))).toBeDefined();
    expect(final.find((l) => l.startsWith('ENTRYPOINT'))).toContain(entrypoint);
    expect(final.at(-1)).toBe(cmd);
    // Each function's command is a handler string the client resolves, as on an AWS base image.
    expect(manifest.handlers[0].handler).not.toBe(manifest.dispatcher);
    const readme = read(dir, 'README.md');
    expect(readme).toContain(`## The base image\n\nThis project builds on \`${image}\``);
    expect(readme).toMatch(/\*\*Patching is yours\.\*\*/);
  });

  test('Node.js 20 gets the 3.x client, which takes the handler as its argument', async () => {
    const dir = await generateProject(join(tmp('node20'), 'old-svc'), { runtime: 'nodejs', runtimeVersion: '20', baseImage: 'node:20-slim' });
    const dockerfile = read(dir, 'Dockerfile');
    expect(dockerfile).toContain('aws-lambda-ric@3.3.0');
    expect(dockerfile).toContain('aws-lambda-ric/bin/index.mjs"]');
  });

  test('without it (or with `aws`) the project is on the AWS base image, as before', async () => {
    for (const baseImage of [undefined, 'aws']) {
      const dir = await generateProject(join(tmp('aws'), 'aws-svc'), { runtime: 'python', ...(baseImage ? { baseImage } : {}) });
      const manifest = json(join(dir, 'lambda-image.json'));
      expect(manifest.baseImage).toBe('public.ecr.aws/lambda/python:3.14');
      expect(manifest).not.toHaveProperty('awsBaseImage');
      expect(read(dir, 'Dockerfile')).not.toContain('ENTRYPOINT');
      expect(read(dir, 'README.md')).not.toContain('## The base image');
    }
  });

  test('a re-run keeps the image; --base-image aws (with the Dockerfile removed) goes back to the AWS base image', async () => {
    const dir = await generateProject(join(tmp('rerun'), 'back-svc'), { runtime: 'python', baseImage: 'python:3.14-slim' });
    const rerun = await helpers.run(APP, { cwd: dir, tmpdir: false, autoCleanup: false }).withOptions(appOptions({ skipInstall: true })).withAnswers({});
    expect(rerun.askedQuestions).toEqual([]);
    expect(json(join(dir, 'lambda-image.json'))).toMatchObject({ baseImage: 'python:3.14-slim', awsBaseImage: false });

    rmSync(join(dir, 'Dockerfile'));
    await helpers.run(APP, { cwd: dir, tmpdir: false, autoCleanup: false }).withOptions(appOptions({ skipInstall: true, yes: true, baseImage: 'aws' }));
    const manifest = json(join(dir, 'lambda-image.json'));
    expect(manifest.baseImage).toBe('public.ecr.aws/lambda/python:3.14');
    expect(manifest).not.toHaveProperty('awsBaseImage');
    expect(read(dir, 'Dockerfile')).toContain('ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.14');
  });

  test.each([
    ['an image name in capitals', { runtime: 'python', baseImage: 'Python:3.14' }, /"Python:3\.14" is not a Docker image reference/],
    ['a tag with a space', { runtime: 'python', baseImage: 'python:3 slim' }, /is not a Docker image reference/],
    ['an AWS Lambda base image', { runtime: 'nodejs', baseImage: 'public.ecr.aws/lambda/nodejs:24' }, /is an AWS Lambda base image: leave --base-image out/],
    ['a runtime without a client from its registry', { runtime: 'ruby', baseImage: 'ruby:3.4-slim' }, /--base-image is for python, nodejs, java, go: Ruby projects build on the AWS base image/],
  ])('%s is refused, nothing written', async (_what, options, message) => {
    const dir = tmp('bad');
    await expect(generateProject(dir, options)).rejects.toThrow(message);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('accepts registries with ports, paths and digests', async () => {
    const image = `registry.example.com:5000/base/python:3.14-slim@sha256:${'a'.repeat(64)}`;
    const dir = await generateProject(join(tmp('digest'), 'pin-svc'), { runtime: 'python', baseImage: image });
    expect(read(dir, 'Dockerfile')).toContain(`ARG BASE_IMAGE=${image}`);
  });

  test('interactively: "AWS base image (recommended)" or another image, then its name', async () => {
    const base = { name: 'ask-svc', runtime: 'python', runtimeVersion: '3.13', handlers: 'one', arch: 'x86_64', region: 'us-east-1', repository: 'ask-svc', memory: '512', timeout: '30', deploy: 'sdk' };
    const choices: Array<{ name: string; value: string }> = [];
    const other = await helpers
      .run(APP)
      .withOptions(appOptions({ skipInstall: true }))
      .withAnswers({ ...base, baseImageKind: 'other', baseImage: 'python:3.13-slim' }, {
        callback: (answer, { question }) => {
          if (question.name === 'baseImageKind') {
            const list = (question as unknown as { choices: (answers: unknown) => Array<{ name: string; value: string }> }).choices;
            choices.push(...(typeof list === 'function' ? list(base) : list));
          }
          return answer;
        },
      });
    expect(other.askedQuestions.map((q) => q.name)).toContain('baseImageKind');
    expect(other.askedQuestions.map((q) => q.name)).toContain('baseImage');
    other.assertJsonFileContent('lambda-image.json', { baseImage: 'python:3.13-slim', awsBaseImage: false });
    expect(choices.map((c) => c.value)).toEqual(['aws', 'other']);
    expect(choices[0]!.name).toBe('AWS base image (recommended): public.ecr.aws/lambda/python:3.13, patched by AWS');

    const aws = await helpers.run(APP).withOptions(appOptions({ skipInstall: true })).withAnswers({ ...base, baseImageKind: 'aws' });
    expect(aws.askedQuestions.map((q) => q.name)).toContain('baseImageKind');
    expect(aws.askedQuestions.map((q) => q.name)).not.toContain('baseImage');
    aws.assertJsonFileContent('lambda-image.json', { baseImage: 'public.ecr.aws/lambda/python:3.13' });
  });
});
