// docker.ts against the real daemon, with images that need no base image (FROM scratch).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerBuildError, dockerBuild, ensureDocker, imageExists } from '../src/shared/docker.ts';
import type { BuildStep } from '../src/shared/build-progress.ts';

const dir = mkdtempSync(join(tmpdir(), 'local-docker-'));
const tag = `local-docker-test-${process.pid}:local`;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await execa('docker', ['image', 'rm', '--force', tag], { reject: false });
});

describe('docker.ts', () => {
  it('finds the daemon', async () => {
    await expect(ensureDocker()).resolves.toBeUndefined();
  });

  it('builds, reporting each step', async () => {
    writeFileSync(join(dir, 'a.txt'), `${Date.now()}`);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY a.txt /a.txt\nCMD ["x"]\n');
    const steps: BuildStep[] = [];
    const { seconds } = await dockerBuild({ cwd: dir, tag, architecture: 'x86_64', onStep: (s) => steps.push(s) });
    expect(seconds).toBeGreaterThan(0);
    expect(steps.map((s) => s.instruction)).toEqual(expect.arrayContaining(['COPY a.txt /a.txt', 'CMD ["x"]']));
    expect(await imageExists(tag)).toBe(true);
  });

  it('names the failing step and keeps its output', async () => {
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY a.txt /a.txt\nCOPY missing.txt /m\n');
    const error = await dockerBuild({ cwd: dir, tag, architecture: 'x86_64' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerBuildError);
    const failure = error as DockerBuildError;
    expect(failure.message).toMatch(/step (3\/3 )?`COPY missing\.txt \/m` failed$/);
    expect(failure.output.join('\n')).toMatch(/missing\.txt/);
  });
});
