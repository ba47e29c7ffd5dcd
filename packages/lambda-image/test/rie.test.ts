// The emulator for projects on another base image: given by path, or downloaded once from a
// release (here a release layout served on 127.0.0.1 through GITHUB_API_URL, the variable
// GitHub's own tools read) with the published SHA-256 checked, and kept in the user's cache.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { binaryProblem, provideRie, RIE_RELEASE, RieError, rieAsset, userCacheDir } from '../src/local/rie.ts';
import { parseLocalArgs, UsageError } from '../src/local/local-args.ts';

/** The first bytes of a Linux executable for this machine kind (ELF, e_machine at 18), and a body. */
function elf(machine: number, body = 'the emulator'): Buffer {
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header.writeUInt16LE(machine, 18);
  return Buffer.concat([header, Buffer.from(body)]);
}
const X86 = elf(0x3e, 'x86_64 build');
const ARM = elf(0xb7, 'arm64 build');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Release {
  /** What the release says each asset's digest is. */
  digests: Record<string, string | null>;
  /** What the download serves. */
  files: Record<string, Buffer>;
  status?: number;
}
let release: Release;
const requests: string[] = [];
let server: Server;
let api: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (release.status) return void res.writeHead(release.status).end();
    const tag = `/repos/aws/aws-lambda-runtime-interface-emulator/releases/tags/${RIE_RELEASE}`;
    if (req.url === tag) {
      const assets = Object.keys(release.files).map((name) => ({
        name,
        digest: release.digests[name],
        browser_download_url: `${api}/download/${RIE_RELEASE}/${name}`,
      }));
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tag_name: RIE_RELEASE, assets }));
    }
    const file = /^\/download\/[^/]+\/(.+)$/.exec(req.url ?? '')?.[1];
    if (file && release.files[file]) return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(release.files[file]);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let cache: string;
const env = () => ({ XDG_CACHE_HOME: cache, GITHUB_API_URL: api, HOME: '/nonexistent' });
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), 'rie-cache-'));
  requests.length = 0;
  release = {
    files: { [rieAsset('x86_64')]: X86, [rieAsset('arm64')]: ARM, 'aws-lambda-rie': X86 },
    digests: { [rieAsset('x86_64')]: `sha256:${sha(X86)}`, [rieAsset('arm64')]: `sha256:${sha(ARM)}`, 'aws-lambda-rie': `sha256:${sha(X86)}` },
  };
});

describe('the released emulator', () => {
  test('is downloaded once per architecture into the XDG cache, verified and executable; later runs use the cache', async () => {
    const lines: string[] = [];
    const first = await provideRie({ architecture: 'x86_64', env: env(), log: (l) => lines.push(l) });
    expect(first.path).toBe(join(cache, 'lambda-image', 'rie', RIE_RELEASE, 'aws-lambda-rie-x86_64'));
    expect(readFileSync(first.path)).toEqual(X86);
    expect(statSync(first.path).mode & 0o111).toBe(0o111);
    expect(lines.join('\n')).toMatch(new RegExp(`Verified aws-lambda-rie-x86_64: sha256 ${sha(X86)}`));
    expect(requests).toHaveLength(2);

    const again = await provideRie({ architecture: 'x86_64', env: env() });
    expect(again).toEqual({ path: first.path, origin: `the cache (${RIE_RELEASE})` });
    expect(requests).toHaveLength(2);

    const arm = await provideRie({ architecture: 'arm64', env: env() });
    expect(readFileSync(arm.path)).toEqual(ARM);
    expect(arm.path.endsWith('aws-lambda-rie-arm64')).toBe(true);
  });

  test('a download that does not match the published SHA-256 is refused and nothing is kept', async () => {
    release.files['aws-lambda-rie-x86_64'] = elf(0x3e, 'tampered');
    const refused = provideRie({ architecture: 'x86_64', env: env() });
    await expect(refused).rejects.toThrow(RieError);
    await expect(refused).rejects.toThrow(/does not match the release's SHA-256 \(expected [0-9a-f]{64}, got [0-9a-f]{64}\): it was not kept/);
    const dir = join(cache, 'lambda-image', 'rie', RIE_RELEASE);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  test('a release without a digest for the asset is refused: an unverifiable binary is not run', async () => {
    release.digests['aws-lambda-rie-x86_64'] = null;
    await expect(provideRie({ architecture: 'x86_64', env: env() })).rejects.toThrow(/publishes no SHA-256 digest for aws-lambda-rie-x86_64/);
  });

  test('a damaged cached copy is fetched again', async () => {
    const { path } = await provideRie({ architecture: 'x86_64', env: env() });
    writeFileSync(path, 'damaged');
    const lines: string[] = [];
    await provideRie({ architecture: 'x86_64', env: env(), log: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/does not match its recorded SHA-256: downloading it again/);
    expect(readFileSync(path)).toEqual(X86);
  });

  test('an unreachable or failing release names the offline way out', async () => {
    release.status = 503;
    await expect(provideRie({ architecture: 'x86_64', env: env() })).rejects.toThrow(/answered HTTP 503; or give a local copy with --rie <path> or LAMBDA_IMAGE_RIE=<path>/);
    await expect(provideRie({ architecture: 'x86_64', env: { ...env(), GITHUB_API_URL: 'http://127.0.0.1:1' } })).rejects.toThrow(/cannot download .* --rie <path>/);
  });
});

describe('an emulator given by path', () => {
  const file = (content: Buffer | string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'rie-given-')), 'aws-lambda-rie');
    writeFileSync(path, content);
    chmodSync(path, 0o755);
    return path;
  };

  test('--rie wins over LAMBDA_IMAGE_RIE, which wins over the cache; neither downloads', async () => {
    const flag = file(X86);
    const fromEnv = file(X86);
    expect(await provideRie({ architecture: 'x86_64', flag, env: { ...env(), LAMBDA_IMAGE_RIE: fromEnv } })).toEqual({ path: flag, origin: '--rie' });
    expect(await provideRie({ architecture: 'x86_64', env: { ...env(), LAMBDA_IMAGE_RIE: fromEnv } })).toEqual({ path: fromEnv, origin: 'LAMBDA_IMAGE_RIE' });
    expect(requests).toEqual([]);
  });

  test('a relative --rie is read from where the command was typed', async () => {
    const path = file(X86);
    const given = await provideRie({ architecture: 'x86_64', flag: 'aws-lambda-rie', cwd: join(path, '..'), env: env() });
    expect(given.path).toBe(path);
  });

  test.each([
    ['a missing file', () => '/nonexistent/aws-lambda-rie', /LAMBDA_IMAGE_RIE cannot be used: \/nonexistent\/aws-lambda-rie cannot be read \(ENOENT\)/],
    ['a script', () => file('#!/bin/sh\n'), /is not a Linux executable \(no ELF header\)/],
    ['the other architecture', () => file(ARM), /is built for arm64, but the image is x86_64: use aws-lambda-rie-x86_64/],
    ['a folder', () => tmpdir(), /is not a file/],
  ])('%s is refused with the reason', async (_what, path, message) => {
    await expect(provideRie({ architecture: 'x86_64', env: { ...env(), LAMBDA_IMAGE_RIE: path() } })).rejects.toThrow(message);
    expect(binaryProblem(path(), 'x86_64')).toBeDefined();
  });

  test('npm run local takes --rie, not with --native, and not empty', () => {
    expect(parseLocalArgs(['--rie', './rie']).rie).toBe('./rie');
    expect(parseLocalArgs([]).rie).toBeUndefined();
    expect(() => parseLocalArgs(['--native', '--rie', './rie'])).toThrow(/--native runs without Docker, so --rie cannot apply/);
    expect(() => parseLocalArgs(['--rie', ''])).toThrow(UsageError);
  });
});

test('the cache follows XDG_CACHE_HOME when it is absolute, else ~/.cache', () => {
  expect(userCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/lambda-image');
  expect(userCacheDir({ XDG_CACHE_HOME: 'relative' })).toMatch(/\.cache\/lambda-image$/);
});
