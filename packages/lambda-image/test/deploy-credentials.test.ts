// The registry credential reaches docker through our credential helper and its environment,
// never through a file: what the push's config directory holds, what the helper answers, and
// that the directory is gone after the push, whichever way it ends.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { CREDENTIAL_HELPER, pushImage, pushSession } from '../src/deploy/registry.ts';
import { Interrupted, StopRequest } from '../src/deploy/interruption.ts';
import { withEnv } from './env.ts';

const login = { username: 'AWS', password: 'pa"ss\\word-0123456789', endpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com' };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambda-image-cred-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const filesUnder = (root: string): string[] =>
  readdirSync(root, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));

describe('the push session', () => {
  test('config.json names only our helper for the registry; no file holds the password; the helper answers docker from its environment', async () => {
    const session = await pushSession(login, { PATH: process.env.PATH, DOCKER_CONFIG: join(dir, 'none') });
    try {
      expect(JSON.parse(readFileSync(join(session.dir, 'config.json'), 'utf8'))).toEqual({
        credHelpers: { '123456789012.dkr.ecr.eu-west-1.amazonaws.com': CREDENTIAL_HELPER },
      });
      for (const file of filesUnder(session.dir)) {
        const text = readFileSync(file, 'utf8');
        expect(text).not.toContain('0123456789');
        expect(text).not.toContain(Buffer.from(`AWS:${login.password}`).toString('base64'));
      }
      expect(session.env.DOCKER_CONFIG).toBe(session.dir);
      // docker finds the helper on PATH, as docker-credential-<name>.
      const answer = await execa(`docker-credential-${CREDENTIAL_HELPER}`, ['get'], {
        env: session.env,
        extendEnv: false,
        input: '123456789012.dkr.ecr.eu-west-1.amazonaws.com\n',
      });
      expect(JSON.parse(answer.stdout)).toEqual({ ServerURL: login.endpoint, Username: 'AWS', Secret: login.password });
      // Without the credential in its environment it says "not found", as docker expects.
      const none = await execa(join(session.dir, `docker-credential-${CREDENTIAL_HELPER}`), ['get'], { input: 'x', reject: false, env: { PATH: '/usr/bin:/bin' }, extendEnv: false });
      expect(none.exitCode).toBe(1);
      expect(none.stdout).toMatch(/credentials not found/);
    } finally {
      rmSync(session.dir, { recursive: true, force: true });
    }
  });

  test("the user's current docker context is kept (its name, and the definitions linked)", async () => {
    const user = join(dir, 'user-docker');
    rmSync(user, { recursive: true, force: true });
    await execa('mkdir', ['-p', join(user, 'contexts', 'meta')]);
    writeFileSync(join(user, 'config.json'), JSON.stringify({ currentContext: 'remote', auths: { 'x.io': { auth: 'c2VjcmV0' } } }));
    const session = await pushSession(login, { PATH: process.env.PATH, DOCKER_CONFIG: user });
    try {
      const config = JSON.parse(readFileSync(join(session.dir, 'config.json'), 'utf8'));
      expect(config.currentContext).toBe('remote');
      expect(config.auths).toBeUndefined();
      expect(existsSync(join(session.dir, 'contexts', 'meta'))).toBe(true);
    } finally {
      rmSync(session.dir, { recursive: true, force: true });
    }
  });
});

describe('pushImage', () => {
  /** A stand-in `docker` that asks the helper for the credential, as the docker CLI does, and records what it got. */
  const fakeDocker = (behaviour: string) => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    const record = join(bin, 'record');
    writeFileSync(
      join(bin, 'docker'),
      `#!/bin/sh\necho "$DOCKER_CONFIG" > ${record}.config\nprintf '%s' "$1" | docker-credential-${CREDENTIAL_HELPER} get > ${record}\n${behaviour}\n`,
    );
    chmodSync(join(bin, 'docker'), 0o755);
    return { bin, record };
  };

  test('docker gets the credential from the helper; the directory is removed after the push', async () => {
    const { bin, record } = fakeDocker('echo "latest: digest: sha256:' + 'a'.repeat(64) + ' size: 1"');
    const result = await withEnv({ PATH: `${bin}:${process.env.PATH}` }, () => pushImage(login, 'img:tag'));
    expect(result.digest).toBe(`sha256:${'a'.repeat(64)}`);
    expect(JSON.parse(readFileSync(record, 'utf8')).Secret).toBe(login.password);
    expect(existsSync(readFileSync(`${record}.config`, 'utf8').trim())).toBe(false);
  });

  test('a stop request cancels the push: Interrupted, and the directory is removed', async () => {
    const { bin, record } = fakeDocker('exec sleep 30');
    const stop = new StopRequest();
    const pushing = withEnv({ PATH: `${bin}:${process.env.PATH}` }, () => pushImage(login, 'img:tag', { cancel: stop.abortSignal }));
    for (let i = 0; i < 100 && !existsSync(`${record}.config`); i++) await new Promise((r) => setTimeout(r, 50));
    stop.request('SIGTERM');
    await expect(pushing).rejects.toBeInstanceOf(Interrupted);
    expect(existsSync(readFileSync(`${record}.config`, 'utf8').trim())).toBe(false);
  });
});

describe('StopRequest', () => {
  test('the first signal asks for a stop at the next safe point, the second exits at once with its code', () => {
    const listeners = new Map<string, () => void>();
    const source = { on: (s: string, l: () => void) => listeners.set(s, l), removeListener: (s: string) => listeners.delete(s) };
    const stop = new StopRequest();
    const told: string[] = [];
    const exits: number[] = [];
    const unlisten = stop.listen(source as never, (s) => told.push(s), (c) => exits.push(c));
    expect(() => stop.check()).not.toThrow();
    listeners.get('SIGTERM')!();
    expect(told).toEqual(['SIGTERM']);
    expect(stop.abortSignal.aborted).toBe(true);
    expect(() => stop.check()).toThrow(Interrupted);
    try {
      stop.check();
    } catch (error) {
      expect((error as Interrupted).exitCode).toBe(143);
    }
    expect(exits).toEqual([]);
    listeners.get('SIGINT')!();
    expect(exits).toEqual([130]);
    unlisten();
    expect(listeners.size).toBe(0);
  });
});
