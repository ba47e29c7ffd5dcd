import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  DeployError,
  createClients,
  explainAwsError,
  failedAction,
  isAccessDenied,
  resolveRegion,
} from '../src/shared/aws.ts';
import { explainFailure } from '../src/deploy/deploy.ts';
import { DockerBuildError, DockerError } from '../src/shared/docker.ts';
import { ManifestError } from '../src/shared/manifest.ts';
import { LAMBDA_IMAGE_LIMIT_BYTES, checkImageSize, checkManifestType, explainPushFailure } from '../src/deploy/registry.ts';
import { withEnv } from './env.ts';

const awsError = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...extra });


describe('AWS errors in the user\'s terms', () => {
  test('no credentials', () => {
    expect(explainAwsError(awsError('CredentialsProviderError', 'Could not load credentials from any providers'))).toMatch(
      /^no AWS credentials found .*aws configure.*AWS_ACCESS_KEY_ID/,
    );
  });

  test('expired and rejected credentials', () => {
    expect(explainAwsError(awsError('ExpiredToken', 'The security token included in the request is expired'))).toMatch(
      /credentials have expired.*aws sso login/,
    );
    expect(explainAwsError(awsError('InvalidClientTokenId', 'The security token included in the request is invalid.'))).toMatch(
      /^AWS rejected the credentials \(InvalidClientTokenId/,
    );
  });

  test('AccessDenied names the action from the message', () => {
    const error = awsError(
      'AccessDeniedException',
      'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:us-east-1:123456789012:repository/orders-svc',
    );
    expect(isAccessDenied(error)).toBe(true);
    expect(explainAwsError(error)).toMatch(/^access denied: these credentials may not call ecr:CreateRepository .*Grant ecr:CreateRepository/);
  });

  test('an unreadable 403 is a refusal too', () => {
    const error = awsError('SyntaxError', 'Unexpected token \'<\'\n  Deserialization error: to see the raw response...', {
      $metadata: { httpStatusCode: 403 },
    });
    expect(explainAwsError(error)).toMatch(/^access denied: these credentials may not call an AWS action \(HTTP 403 Forbidden\)/);
  });

  test('our own messages pass through; unknown errors keep name and message', () => {
    expect(explainAwsError(new DeployError('do this'))).toBe('do this');
    expect(explainAwsError(awsError('ThrottlingException', 'Rate exceeded'))).toBe('Rate exceeded');
    expect(explainAwsError(awsError('Error', 'Region is missing'))).toMatch(/^no AWS region/);
  });

  test('failures of docker, the build and the manifest keep their own message', () => {
    expect(explainFailure(new DockerError('the Docker daemon is not running'))).toEqual(['error: the Docker daemon is not running']);
    expect(explainFailure(new ManifestError('bad manifest'))).toEqual(['error: bad manifest']);
    const build = new DockerBuildError('step 4/7 `RUN pip install` failed (exit code 1)', undefined, ['ERROR: No matching distribution']);
    expect(explainFailure(build)).toEqual(['error: the image build failed: step 4/7 `RUN pip install` failed (exit code 1)', '  │ ERROR: No matching distribution']);
  });
});

describe('the action that failed, recorded by our clients', () => {
  let server: http.Server;
  let endpoint: string;
  beforeAll(async () => {
    // A Lambda endpoint that refuses everything the way AWS does (rest-json, x-amzn-errortype).
    server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' });
      res.end(JSON.stringify({ Message: 'denied by an explicit deny in a service control policy' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const fakeKeys = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined };

  test('AccessDenied without the action in its message still names it', async () => {
    const error = await withEnv({ ...fakeKeys, AWS_ENDPOINT_URL: endpoint }, async () =>
      createClients('us-east-1').lambda.send(new GetFunctionCommand({ FunctionName: 'f' })).catch((e: unknown) => e),
    );
    expect((error as Error).name).toBe('AccessDeniedException');
    expect(failedAction(error)).toBe('lambda:GetFunction');
    expect(explainAwsError(error)).toMatch(/^access denied: these credentials may not call lambda:GetFunction \(denied by an explicit deny/);
  });

  test('an endpoint that does not answer', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const error = await withEnv({ ...fakeKeys, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_MAX_ATTEMPTS: '1' }, async () =>
      createClients('us-east-1').sts.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e),
    );
    expect(failedAction(error)).toBe('sts:GetCallerIdentity');
    expect(explainAwsError(error)).toMatch(/^cannot reach AWS for sts:GetCallerIdentity \(ECONNREFUSED/);
  });
});

describe('region', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-image-region-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  /** A fresh AWS config file each time: the SDK caches what it read per path. */
  const configFile = (text: string) => {
    const file = join(dir, `config-${++n}`);
    writeFileSync(file, text);
    return file;
  };
  const isolated = (vars: Record<string, string | undefined>) => ({
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: configFile(''),
    ...vars,
  });

  test('AWS_REGION first', async () => {
    await withEnv(isolated({ AWS_REGION: 'eu-west-1' }), async () => {
      expect(await resolveRegion({ region: 'us-east-1' })).toEqual({ region: 'eu-west-1', source: 'AWS_REGION' });
    });
  });

  test('then AWS_DEFAULT_REGION, as the AWS CLI and the other SDKs read it; AWS_REGION wins over it', async () => {
    await withEnv(isolated({ AWS_DEFAULT_REGION: 'eu-central-1' }), async () => {
      expect(await resolveRegion({ region: 'us-east-1' })).toEqual({ region: 'eu-central-1', source: 'AWS_DEFAULT_REGION' });
    });
    await withEnv(isolated({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-central-1' }), async () => {
      expect(await resolveRegion({ region: 'us-east-1' })).toEqual({ region: 'eu-west-1', source: 'AWS_REGION' });
    });
    // Both over the profile's.
    await withEnv(isolated({ AWS_DEFAULT_REGION: 'eu-central-1', AWS_PROFILE: 'dev', AWS_CONFIG_FILE: configFile('[profile dev]\nregion = ap-south-1\n') }), async () => {
      expect(await resolveRegion({ region: 'us-east-1' })).toEqual({ region: 'eu-central-1', source: 'AWS_DEFAULT_REGION' });
    });
  });

  test("then the profile's region", async () => {
    await withEnv(isolated({ AWS_PROFILE: 'dev', AWS_CONFIG_FILE: configFile('[profile dev]\nregion = ap-south-1\n') }), async () => {
      expect(await resolveRegion({ region: 'us-east-1' })).toEqual({ region: 'ap-south-1', source: 'profile dev' });
    });
  });

  test("then the manifest's", async () => {
    await withEnv(isolated({}), async () => {
      expect(await resolveRegion({ region: 'us-east-2' })).toEqual({ region: 'us-east-2', source: 'lambda-image.json' });
    });
  });

  test('none at all, or a malformed one: a clear error', async () => {
    await withEnv(isolated({}), async () => {
      await expect(resolveRegion({ region: '' })).rejects.toThrow(/^no AWS region: set "region" in lambda-image.json, or AWS_REGION/);
    });
    await withEnv(isolated({ AWS_REGION: 'Europe' }), async () => {
      await expect(resolveRegion({ region: 'us-east-1' })).rejects.toThrow('"Europe" (from AWS_REGION) is not an AWS region name');
    });
    // The SDK itself refuses this one as "not a valid hostname component": it must not fall back to the manifest's region.
    await withEnv(isolated({ AWS_REGION: 'eu west 1' }), async () => {
      await expect(resolveRegion({ region: 'us-east-1' })).rejects.toThrow('"eu west 1" (from AWS_REGION) is not an AWS region name');
    });
    await withEnv(isolated({ AWS_DEFAULT_REGION: 'EU-WEST-1' }), async () => {
      await expect(resolveRegion({ region: 'us-east-1' })).rejects.toThrow('"EU-WEST-1" (from AWS_DEFAULT_REGION) is not an AWS region name');
    });
  });
});

describe('image checks and push failures', () => {
  test('an image over 10 GB is refused before the push', () => {
    expect(() => checkImageSize(LAMBDA_IMAGE_LIMIT_BYTES, 'img')).not.toThrow();
    expect(() => checkImageSize(LAMBDA_IMAGE_LIMIT_BYTES + 1, 'img')).toThrow(/img is 10\.0 GB uncompressed, over Lambda's 10 GB limit.*Nothing was pushed/);
    expect(() => checkImageSize(12.4 * 1024 ** 3, 'img')).toThrow(/12\.4 GB/);
  });

  test('an image index is refused before any function is touched; image manifests pass', () => {
    for (const ok of ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json', undefined]) {
      expect(() => checkManifestType(ok, 'img')).not.toThrow();
    }
    expect(() => checkManifestType('application/vnd.oci.image.index.v1+json', 'img')).toThrow(/img is an image index .*Lambda cannot run/);
    expect(() => checkManifestType('application/vnd.docker.distribution.manifest.list.v2+json', 'img')).toThrow(/image index/);
  });

  test.each([
    ['Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?', /Docker daemon is not running/],
    ["tag invalid: The image tag 'ctx-1' already exists in the 'orders' repository and cannot be overwritten because the repository is immutable.", /IMMUTABLE/],
    ["name unknown: The repository with name 'orders' does not exist in the registry with id '123456789012'", /no such repository/],
    ['denied: User: arn:aws:iam::1:user/x is not authorized to perform: ecr:InitiateLayerUpload', /refused these credentials.*ecr:InitiateLayerUpload/],
    ['unexpected EOF', /^pushing img failed:\n[\s\S]*unexpected EOF$/],
  ])('push failure: %s', (output, expected) => {
    expect(explainPushFailure(`The push refers to repository [x]\n${output}\n`, 'img')).toMatch(expected);
  });
});

afterEach(() => {
  expect(process.env.AWS_ENDPOINT_URL).toBeUndefined();
});
