// The extra CA certificates of a TLS-intercepting proxy reach a Dockerfile's build stage as the
// build argument EXTRA_CA_CERTS, from the file NODE_EXTRA_CA_CERTS names.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { buildArguments, extraCaCertsArg } from '../src/shared/docker.ts';

const dir = mkdtempSync(join(tmpdir(), 'build-ca-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

test('the PEM text of NODE_EXTRA_CA_CERTS becomes EXTRA_CA_CERTS; nothing else does', () => {
  expect(extraCaCertsArg({ NODE_EXTRA_CA_CERTS: file('proxy.pem', `${PEM}\n`) })).toEqual({ EXTRA_CA_CERTS: PEM });
  expect(extraCaCertsArg({})).toEqual({});
  expect(extraCaCertsArg({ NODE_EXTRA_CA_CERTS: join(dir, 'missing.pem') })).toEqual({});
  expect(extraCaCertsArg({ NODE_EXTRA_CA_CERTS: file('not-pem.txt', 'hello') })).toEqual({});
  // A whole system bundle would not fit in one argument of the docker process.
  expect(extraCaCertsArg({ NODE_EXTRA_CA_CERTS: file('bundle.pem', `${PEM}\n`.repeat(3000)) })).toEqual({});
});

test('it is passed as a build argument, which the classic builder takes as BuildKit does', () => {
  const options = { cwd: dir, tag: 'x:local', architecture: 'x86_64' as const, buildArgs: { EXTRA_CA_CERTS: PEM } };
  expect(buildArguments(options, false)).toContain(`EXTRA_CA_CERTS=${PEM}`);
  expect(buildArguments(options, true)).toContain(`EXTRA_CA_CERTS=${PEM}`);
});
