import { describe, expect, it } from 'vitest';
import { BuildProgress } from '../src/shared/build-progress.ts';
import type { BuildStep } from '../src/shared/build-progress.ts';
import { buildArguments } from '../src/shared/docker.ts';

function feed(lines: string[], failed: boolean, times: number[] = []) {
  const steps: BuildStep[] = [];
  let t = 0;
  const progress = new BuildProgress({ onStep: (s) => steps.push(s), now: () => (times.length ? (t = times.shift()!) : t) });
  for (const line of lines) progress.line(line);
  progress.finish(failed);
  return { steps, progress };
}

// Output captured from the classic builder (docker 28 client without buildx, daemon 20.10).
const CLASSIC_OK = [
  'Sending build context to Docker daemon  1.988MB',
  'Step 1/3 : FROM plt-base:1',
  ' ---> b778925c7ea8',
  'Step 2/3 : RUN echo hi',
  ' ---> Running in d1a826e3bfdd',
  'hi',
  'Removing intermediate container d1a826e3bfdd',
  ' ---> c7df9eb83074',
  'Step 3/3 : COPY x /x',
  ' ---> Using cache',
  ' ---> fe613b9ae2dc',
  'Successfully built fe613b9ae2dc',
  'Successfully tagged plt:1',
  'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.',
];
const CLASSIC_FAIL = [
  'Step 1/4 : FROM plt-base:1',
  ' ---> b778925c7ea8',
  'Step 2/4 : RUN echo hi',
  ' ---> Using cache',
  ' ---> c7df9eb83074',
  'Step 3/4 : RUN echo out; false',
  ' ---> Running in 5f0e',
  'out',
  "The command '/bin/sh -c echo out; false' returned a non-zero code: 1",
];
// BuildKit's plain progress (docker 20.10 client, DOCKER_BUILDKIT=1).
const BUILDKIT_FAIL = [
  '#1 [internal] load build definition from Dockerfile',
  '#1 sha256:e209ccb0054272b27f989735aa1e5a4ca774600552b487c6a7041f73a19282a4',
  '#1 transferring dockerfile: 95B done',
  '#1 DONE 0.0s',
  '',
  '#8 [1/4] FROM docker.io/library/plt-base:1',
  '#8 DONE 0.0s',
  '#4 [2/4] RUN echo hi',
  '#4 CACHED',
  '#5 [3/4] RUN echo out; false',
  '#5 sha256:57279b731df70bf880f2ff9918d0e554ed8ff0e3b764e3c3e0fa04d74e53927f',
  '#5 0.153 out',
  '#5 ERROR: executor failed running [/bin/sh -c echo out; false]: exit code: 1',
  '------',
  ' > [3/4] RUN echo out; false:',
  '------',
  'executor failed running [/bin/sh -c echo out; false]: exit code: 1',
];

describe('BuildProgress', () => {
  it('times the classic builder’s steps and sees its cache hits', () => {
    const { steps } = feed(CLASSIC_OK, false, [0, 0, 1000, 3500, 4000]);
    expect(steps.map((s) => [s.position, s.instruction, s.cached, s.output])).toEqual([
      ['1/3', 'FROM plt-base:1', false, []],
      ['2/3', 'RUN echo hi', false, ['hi']],
      ['3/3', 'COPY x /x', true, []],
    ]);
    expect(steps[1]!.seconds).toBe(2.5); // performance.now() counts milliseconds
  });

  it('names the classic builder’s failing step and keeps its output', () => {
    const { progress } = feed(CLASSIC_FAIL, true);
    expect(progress.failedStep()).toMatchObject({
      position: '3/4',
      instruction: 'RUN echo out; false',
      failed: true,
      output: ['out', "The command '/bin/sh -c echo out; false' returned a non-zero code: 1"],
    });
  });

  it('reads BuildKit’s plain progress: its times, CACHED, ERROR, and hides its internal steps', () => {
    const { steps, progress } = feed(BUILDKIT_FAIL, true);
    expect(steps.map((s) => [s.position, s.cached, s.failed])).toEqual([
      ['1/4', false, false],
      ['2/4', true, false],
      ['3/4', false, true],
    ]);
    expect(progress.failedStep()!.output).toEqual(['out', 'executor failed running [/bin/sh -c echo out; false]: exit code: 1']);
  });
});

describe('docker build arguments', () => {
  const options = { cwd: '.', tag: 'orders-svc:local', architecture: 'arm64' as const };
  it('uses buildx without attestations (Lambda refuses image indexes) and never --pull', () => {
    const args = buildArguments(options, true);
    expect(args.slice(0, 6)).toEqual(['buildx', 'build', '--load', '--provenance=false', '--sbom=false', '--progress=plain']);
    expect(args).toContain('linux/arm64');
    expect(args).not.toContain('--pull');
  });
  it('falls back to plain docker build with the platform, removing the containers of failed steps', () => {
    expect(buildArguments({ ...options, architecture: 'x86_64', buildArgs: { BASE_IMAGE: 'mirror/python:3.13' } }, false)).toEqual([
      'build', '--force-rm', '--platform', 'linux/amd64', '--tag', 'orders-svc:local', '--build-arg', 'BASE_IMAGE=mirror/python:3.13', '.',
    ]);
  });
});
