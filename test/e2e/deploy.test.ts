// `npm run deploy`, `destroy` and `invoke` end to end, offline: a generated project, the real
// docker daemon, moto_server for STS/IAM/ECR/Lambda and a real registry behind the ECR hostname
// (test/support/aws.ts). The product runs as the user runs it, `npm run <script>` in the project,
// configured only through the SDK's standard environment.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { constants as osConstants, homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import {
  DeleteLifecyclePolicyCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
} from '@aws-sdk/client-ecr';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { GetFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { packageRoot } from '../../generators/lib/paths.ts';
import { ACCOUNT, type AwsStandIn, removeLocalImages, startAws } from '../support/aws.ts';
import { generateProject } from '../support/generate.ts';
import { ensureBaseImages } from '../support/baseimages.ts';
import { SimRepository } from '../../packages/lambda-image/test/ecr-lifecycle-simulator.ts';

const PROJECT = 'orders-svc';
const HANDLERS = ['ingest', 'report_daily', 'notify'];

let aws: AwsStandIn;
let work: string;
let project: string;
let lambda: LambdaClient;
let ecr: ECRClient;
let iam: IAMClient;

/** The machine's environment without anything AWS: the product must get all of it from `aws.env`. */
function baseEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith('AWS_') && v !== undefined)) as Record<
    string,
    string
  >;
}

async function npmRun(script: string, args: string[] = [], env: Record<string, string> = {}) {
  return execa('npm', ['run', '--silent', script, '--', ...args], {
    cwd: project,
    env: { ...baseEnv(), ...aws.env, ...env },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });
}

const functionNames = async () =>
  ((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName!).sort();

const expectedNames = (handlers: string[]) => handlers.map((h) => `${PROJECT}-${h}`).sort();

async function functionDetails(names: string[]) {
  return Promise.all(names.map((n) => lambda.send(new GetFunctionCommand({ FunctionName: n }))));
}

/** Values kept in SSM and Secrets Manager: no file and no argv may hold them. */
// Made up at run time, so that the search below does not find them in this file or its copies.
const SECRETS = [`db-pw-${randomBytes(8).toString('hex')}`, `api-key-${randomBytes(8).toString('hex')}`];
let secretsSince = 0;

/** moto's ECR password (GetAuthorizationToken gives base64 of "AWS:<this>"). */
const MOTO_REGISTRY_PASSWORD = `${ACCOUNT}-auth-token`;

/** The lambda-image process under `npm run` (npm, then sh, then node). */
function lambdaImagePid(npmPid: number): number {
  const children = (pid: number) =>
    execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map((l) => {
      const [child, ...args] = l.trim().split(/\s+/);
      return { pid: Number(child), args: args.join(' ') };
    });
  for (let queue = [npmPid]; queue.length > 0; ) {
    for (const child of children(queue.shift()!)) {
      if (/lambda-image/.test(child.args) && /node/.test(child.args)) return child.pid;
      queue.push(child.pid);
    }
  }
  throw new Error(`no lambda-image process under ${npmPid}`);
}

/** Every file on this machine written since `since` (ms) that contains one of `needles`. */
function filesHolding(since: number, needles: string[]): string[] {
  const marker = join(work, 'since');
  writeFileSync(marker, '');
  utimesSync(marker, new Date(since - 1000), new Date(since - 1000));
  const found = spawnSync(
    'sh',
    ['-c', `find / \\( -path /proc -o -path /sys -o -path /dev \\) -prune -o -type f -newer "$1" -size -200M -print0 2>/dev/null | xargs -0 -r grep -lsF ${needles.map((_, i) => `-e "$${i + 2}"`).join(' ')}`, 'sh', marker, ...needles],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return found.stdout.split('\n').filter(Boolean);
}

const repoUri = () => `${aws.registryHost}/${PROJECT}`;
const localImages = () =>
  execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', repoUri()], { encoding: 'utf8' }).split('\n').filter(Boolean);

const dockerConfig = () => {
  const file = join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
};
const dockerConfigBefore = dockerConfig();

beforeAll(async () => {
  await ensureBaseImages(['python']);
  work = mkdtempSync(join(tmpdir(), 'lambda-image-deploy-'));
  project = await generateProject(join(work, 'projects'), { name: PROJECT, runtime: 'python', handlers: HANDLERS.join(',') });
  // The tooling's dependencies, as `npm install` in the project would provide them.
  symlinkSync(join(packageRoot(), 'node_modules'), join(project, 'node_modules'));
  aws = await startAws();
  lambda = new LambdaClient(aws.clientConfig);
  ecr = new ECRClient(aws.clientConfig);
  iam = new IAMClient(aws.clientConfig);
}, 600_000);

afterAll(async () => {
  await aws?.stop();
  removeLocalImages(PROJECT);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('deploy, destroy and invoke against moto and a local registry', { timeout: 180_000 }, () => {
  test('--dry-run on an empty account plans everything and changes nothing', async () => {
    const result = await npmRun('deploy', ['--dry-run']);
    expect(result.exitCode, result.stderr).toBe(0);
    // No AWS_REGION and no profile: the manifest's region.
    expect(result.stdout).toMatch(/account 123456789012, region us-east-1 \(from lambda-image.json\)/);
    expect(result.stdout).toMatch(/Repository\s+orders-svc: create/);
    expect(result.stdout).toMatch(/build for linux\/amd64 and push/);
    for (const name of expectedNames(HANDLERS)) expect(result.stdout).toMatch(new RegExp(`${name}\\s+lambda_function\\.\\w+\\s+create`));
    expect(await functionNames()).toEqual([]);
    expect((await ecr.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([]);
    await expect(iam.send(new GetRoleCommand({ RoleName: `${PROJECT}-lambda-role` }))).rejects.toThrow();
    expect(await aws.registryTags(PROJECT)).toEqual([]);
  });

  test('a malformed AWS_REGION is refused, not replaced by the manifest\'s; AWS_DEFAULT_REGION is read', async () => {
    const malformed = await npmRun('deploy', ['--dry-run'], { AWS_REGION: 'eu west 1' });
    expect(malformed.exitCode).toBe(1);
    expect(malformed.stderr).toMatch(/"eu west 1" \(from AWS_REGION\) is not an AWS region name/);
    expect(malformed.stdout).not.toMatch(/us-east-1/);
    const fromDefault = await npmRun('deploy', ['--dry-run'], { AWS_DEFAULT_REGION: 'us-east-1' });
    expect(fromDefault.exitCode, fromDefault.stderr).toBe(0);
    expect(fromDefault.stdout).toMatch(/region us-east-1 \(from AWS_DEFAULT_REGION\)/);
  });

  test('AccessDenied names the action that was refused', async () => {
    // Allowed everything deploy needs except IAM: the lookup's iam:GetRole is refused.
    const limited = await aws.createUser('no-iam', ['sts:GetCallerIdentity', 'ecr:*', 'lambda:*']);
    await aws.enforceIam(true);
    try {
      const denied = await npmRun('deploy', [], { AWS_ACCESS_KEY_ID: limited.accessKeyId, AWS_SECRET_ACCESS_KEY: limited.secretAccessKey });
      expect(denied.exitCode).toBe(1);
      expect(denied.stderr).toMatch(/access denied: these credentials may not call iam:GetRole/);
      expect(denied.stderr).toMatch(/Nothing was changed in AWS/);

      const fake = await npmRun('deploy', [], { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-a-real-secret' });
      expect(fake.exitCode).toBe(1);
      expect(fake.stderr).toMatch(/AWS rejected the credentials \(InvalidClientTokenId/);
    } finally {
      await aws.enforceIam(false);
    }
  });

  test('a deploy stopped half-way (lambda:CreateFunction refused) reports what it did', async () => {
    const limited = await aws.createUser('no-create-function', ['sts:GetCallerIdentity', 'ecr:*', 'iam:*', 'lambda:Get*', 'lambda:List*']);
    await aws.enforceIam(true);
    try {
      const result = await npmRun('deploy', [], { AWS_ACCESS_KEY_ID: limited.accessKeyId, AWS_SECRET_ACCESS_KEY: limited.secretAccessKey });
      expect(result.exitCode).toBe(1);
      expect(result.stdout.match(/^Pushing /gm)).toHaveLength(1);
      expect(result.stderr).toMatch(/access denied: these credentials may not call lambda:CreateFunction/);
      expect(result.stderr).toMatch(
        /Done before it stopped:\n {2}- created the ECR repository orders-svc\n {2}- set the lifecycle policy of orders-svc \(keeps the last 10 builds \(ctx-\*\) and every image a function runs\)\n {2}- pushed \S+:ctx-[0-9a-f]{16} \(sha256:[0-9a-f]{64}\)\n {2}- tagged sha256:[0-9a-f]{64} lambda-image-live-[0-9a-f]{8}-[0-9a-f]{16}, which the lifecycle policy never expires\n {2}- created the execution role \S+orders-svc-lambda-role/,
      );
      for (const name of expectedNames(HANDLERS)) expect(result.stderr).toContain(`- ${name} (failed)`);
      // ECR's docker password (moto's is "<account>-auth-token") is never shown, nor left in the user's docker config.
      expect(`${result.stdout}${result.stderr}`).not.toContain('auth-token');
      expect(dockerConfig()).toBe(dockerConfigBefore);
    } finally {
      await aws.enforceIam(false);
    }
    expect(await functionNames()).toEqual([]);
  });

  let imageUri = '';

  test('re-run, the deploy converges: the image already pushed, one function per handler running it', async () => {
    const result = await npmRun('deploy');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/already in the repository/);
    expect(result.stdout).not.toMatch(/^Pushing /m);

    const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [PROJECT] }))).repositories![0]!;
    expect(repo.imageScanningConfiguration?.scanOnPush).toBe(true);
    expect(repo.imageTagMutability).toBe('MUTABLE');
    const policy = JSON.parse((await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: PROJECT }))).lifecyclePolicyText!);
    expect(policy.rules[1].selection).toMatchObject({ tagPrefixList: ['ctx-'], countType: 'imageCountMoreThan', countNumber: 10 });

    const tags = await aws.registryTags(PROJECT);
    expect(tags).toHaveLength(1);
    const digest = await aws.registryDigest(PROJECT, tags[0]!);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    imageUri = `${repo.repositoryUri}@${digest}`;

    expect(await functionNames()).toEqual(expectedNames(HANDLERS));
    const manifest = JSON.parse(readFileSync(join(project, 'lambda-image.json'), 'utf8'));
    for (const fn of await functionDetails(expectedNames(HANDLERS))) {
      const handler = manifest.handlers.find((h: { name: string }) => fn.Configuration!.FunctionName === `${PROJECT}-${h.name}`);
      expect(fn.Configuration!.PackageType).toBe('Image');
      expect(fn.Configuration!.ImageConfigResponse?.ImageConfig?.Command).toEqual([handler.handler]);
      expect(fn.Configuration!.Architectures).toEqual(['x86_64']);
      expect(fn.Configuration!.MemorySize).toBe(512);
      expect(fn.Code!.ImageUri).toBe(imageUri);
      expect(fn.Tags).toMatchObject({ 'lambda-image:project': PROJECT, 'lambda-image:handler': handler.name });
      expect(result.stdout).toMatch(new RegExp(`${fn.Configuration!.FunctionName}\\s+\\S+\\s+created`));
    }
    const role = (await iam.send(new GetRoleCommand({ RoleName: `${PROJECT}-lambda-role` }))).Role!;
    expect(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)).Statement[0].Principal.Service).toBe('lambda.amazonaws.com');
    const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.RoleName }))).AttachedPolicies!;
    expect(attached.map((p) => p.PolicyName)).toEqual(['AWSLambdaBasicExecutionRole']);
  });

  test('a second deploy succeeds with the same functions, without building or pushing', async () => {
    const before = await functionDetails(expectedNames(HANDLERS));
    const result = await npmRun('deploy');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/already in the repository/);
    expect(result.stdout).not.toMatch(/^Pushing /m);
    expect(result.stdout.match(/\bunchanged\b/g)).toHaveLength(HANDLERS.length);
    expect(await functionNames()).toEqual(expectedNames(HANDLERS));
    const after = await functionDetails(expectedNames(HANDLERS));
    expect(after.map((f) => [f.Code!.ImageUri, f.Configuration!.LastModified])).toEqual(
      before.map((f) => [f.Code!.ImageUri, f.Configuration!.LastModified]),
    );
  });

  test('changed sources: --dry-run plans the update and changes nothing; deploy updates every function to the new image', async () => {
    appendFileSync(join(project, 'lambda_function.py'), '\n# changed\n');
    const dry = await npmRun('deploy', ['--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout.match(/\bupdate\s+image\b/g)).toHaveLength(HANDLERS.length);
    expect(await aws.registryTags(PROJECT)).toHaveLength(1);
    expect((await functionDetails(expectedNames(HANDLERS))).map((f) => f.Code!.ImageUri)).toEqual(HANDLERS.map(() => imageUri));

    const result = await npmRun('deploy');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.match(/^Pushing /gm)).toHaveLength(1);
    expect(result.stdout.match(/\bupdated\b/g)).toHaveLength(HANDLERS.length);
    const uris = new Set((await functionDetails(expectedNames(HANDLERS))).map((f) => f.Code!.ImageUri));
    expect(uris.size).toBe(1);
    expect([...uris][0]).not.toBe(imageUri);
    expect([...uris][0]).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(await aws.registryTags(PROJECT)).toHaveLength(2);
    // The image the functions ran before lost its live tag; the new one has it.
    const images = (await ecr.send(new DescribeImagesCommand({ repositoryName: PROJECT }))).imageDetails!;
    const live = images.filter((i) => i.imageTags?.some((t) => t.startsWith('lambda-image-live-')));
    expect(live.map((i) => `${repoUri()}@${i.imageDigest}`)).toEqual([...uris]);
    expect(result.stdout).toMatch(/Released 1 older image no function runs any more/);
    // This machine keeps the docker image of the current build only.
    expect(localImages()).toEqual([`${repoUri()}:${live[0]!.imageTags!.find((t) => t.startsWith('ctx-'))}`]);
  });

  test('secrets: {"ssm"} and {"secret"} values reach the functions, never a process\'s argv (ps, watched during the deploy)', async () => {
    secretsSince = Date.now();
    await new SSMClient(aws.clientConfig).send(new PutParameterCommand({ Name: '/orders-svc/db-password', Type: 'SecureString', Value: SECRETS[0] }));
    await new SecretsManagerClient(aws.clientConfig).send(new CreateSecretCommand({ Name: 'orders-svc/api-key', SecretString: SECRETS[1] }));
    const file = join(project, 'lambda-image.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    manifest.deploy.environment = { DB_PASSWORD: { ssm: '/orders-svc/db-password' }, API_KEY: { secret: 'orders-svc/api-key' }, STAGE: 'test' };
    writeFileSync(file, JSON.stringify(manifest, null, 2));

    const seen = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const line of execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n')) seen.add(line);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const result = await npmRun('deploy');
    watching = false;
    await watcher;
    expect(result.exitCode, result.stderr).toBe(0);
    expect([...seen].some((l) => /lambda-image/.test(l))).toBe(true);
    expect([...seen].filter((l) => SECRETS.some((v) => l.includes(v)))).toEqual([]);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(new RegExp(SECRETS.join('|')));
    for (const fn of await functionDetails(expectedNames(HANDLERS))) {
      expect(fn.Configuration!.Environment!.Variables).toEqual({ DB_PASSWORD: SECRETS[0], API_KEY: SECRETS[1], STAGE: 'test' });
    }
  });

  test('SIGINT at the terminal, then SIGTERM to the process, during the push: each stops with a summary and 130/143; no file written (since the secrets test) holds the registry password or a secret', async () => {
    const since = Date.now();
    const before = (await functionDetails(expectedNames(HANDLERS))).map((f) => f.Code!.ImageUri);
    // SIGINT as Ctrl-C sends it, to the whole process group (npm, lambda-image, docker); SIGTERM to lambda-image alone.
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      appendFileSync(join(project, 'lambda_function.py'), `\n# interrupted by ${signal}\n`);
      const gate = aws.holdPushes();
      const run = execa('npm', ['run', '--silent', 'deploy'], {
        cwd: project,
        env: { ...baseEnv(), ...aws.env },
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        detached: true,
      });
      let settled = false;
      void run.finally(() => (settled = true));
      try {
        // docker is mid-push, holding ECR's credential, when the signal comes.
        await gate.waiting;
        if (signal === 'SIGINT') process.kill(-run.pid!, 'SIGINT');
        else process.kill(lambdaImagePid(run.pid!), 'SIGTERM');
        const result = await run;
        // npm re-raises a signal its script died of on itself: a shell sees 128 + the signal's number.
        expect(result.exitCode ?? 128 + osConstants.signals[result.signal!], result.stderr).toBe(code);
        expect(result.stderr).toContain(`Stopped by ${signal}.`);
        expect(result.stderr).toMatch(/Nothing was changed in AWS\.\nNot deployed:/);
        for (const name of expectedNames(HANDLERS)) expect(result.stderr).toContain(`- ${name} (not reached)`);
        expect(result.stderr).toMatch(/Run `npm run deploy` again to finish/);
      } finally {
        gate.release();
        if (!settled) process.kill(-run.pid!, 'SIGKILL');
      }
    }
    expect((await functionDetails(expectedNames(HANDLERS))).map((f) => f.Code!.ImageUri)).toEqual(before);
    expect(filesHolding(secretsSince || since, [MOTO_REGISTRY_PASSWORD, Buffer.from(`AWS:${MOTO_REGISTRY_PASSWORD}`).toString('base64'), ...SECRETS])).toEqual([]);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('lambda-image-docker-') && statSync(join(tmpdir(), f)).mtimeMs >= since)).toEqual([]);
  });

  test('a handler removed from the manifest is reported as orphaned, and deleted only with --prune', async () => {
    const file = join(project, 'lambda-image.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    manifest.handlers = manifest.handlers.filter((h: { name: string }) => h.name !== 'notify');
    writeFileSync(file, JSON.stringify(manifest, null, 2));

    const kept = await npmRun('deploy');
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(kept.stdout).toMatch(/Orphaned functions.*orders-svc-notify.*--prune/);
    expect(await functionNames()).toEqual(expectedNames(HANDLERS));

    const pruned = await npmRun('deploy', ['--prune']);
    expect(pruned.exitCode, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/Deleted orphaned functions: orders-svc-notify/);
    expect(await functionNames()).toEqual(expectedNames(['ingest', 'report_daily']));
  });

  test('the lifecycle policy is desired state: restored after deletion, follows keepImages; simulated, it never expires the live image', async () => {
    await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: PROJECT }));
    const restored = await npmRun('deploy');
    expect(restored.exitCode, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/Set the lifecycle policy of orders-svc: keeps the last 10 builds/);

    const file = join(project, 'lambda-image.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    manifest.deploy.keepImages = 3;
    writeFileSync(file, JSON.stringify(manifest, null, 2));
    const corrected = await npmRun('deploy');
    expect(corrected.exitCode, corrected.stderr).toBe(0);
    expect(corrected.stdout).toMatch(/Corrected the lifecycle policy of orders-svc: keeps the last 3 builds/);
    const again = await npmRun('deploy');
    expect(again.stdout).not.toMatch(/lifecycle policy/);

    // ECR's rules, applied to what moto holds now: the policy deploy wrote, the images and their push times.
    const policy = JSON.parse((await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: PROJECT }))).lifecyclePolicyText!);
    const images = (await ecr.send(new DescribeImagesCommand({ repositoryName: PROJECT }))).imageDetails!;
    const running = new Set((await functionDetails(expectedNames(['ingest', 'report_daily']))).map((f) => f.Code!.ImageUri!.split('@')[1]!));
    expect(running.size).toBe(1);
    const [live] = [...running];
    const repo = new SimRepository(
      images.map((i) => ({ digest: i.imageDigest!, tags: i.imageTags ?? [], pushedAt: i.imagePushedAt!.getTime() })),
      Date.now(),
    );
    for (let n = 1; n <= 40; n++) {
      repo.push(`sha256:${n.toString(16).padStart(64, 'f')}`, `ctx-ci-build-${n}`);
      repo.advance(policy, 10);
    }
    expect(repo.has(live!)).toBe(true);
    expect(repo.images.filter((i) => i.tags.some((t) => t.startsWith('ctx-'))).length).toBeLessThanOrEqual(4);
  });

  test('a repository belongs to its project: another project is refused it (and let in by flag); destroy --repository is refused while that project uses it', async () => {
    const other = join(work, 'billing-svc');
    execFileSync('cp', ['-r', project, other]);
    const file = join(other, 'lambda-image.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    manifest.name = 'billing-svc';
    manifest.handlers = manifest.handlers.slice(0, 1);
    writeFileSync(file, JSON.stringify(manifest, null, 2));
    const inOther = (args: string[]) =>
      execa('npm', ['run', '--silent', args[0]!, '--', ...args.slice(1)], { cwd: other, env: { ...baseEnv(), ...aws.env }, extendEnv: false, reject: false, stdin: 'ignore' });

    const refused = await inOther(['deploy']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/the ECR repository orders-svc belongs to the project "orders-svc".*--allow-shared-repository/s);
    expect(refused.stderr).toMatch(/Nothing was changed in AWS/);
    expect(await functionNames()).not.toContain('billing-svc-ingest');

    const shared = await inOther(['deploy', '--allow-shared-repository']);
    expect(shared.exitCode, shared.stderr).toBe(0);
    expect(await functionNames()).toContain('billing-svc-ingest');

    const destroyRefused = await npmRun('destroy', ['--yes', '--repository']);
    expect(destroyRefused.exitCode).toBe(1);
    expect(destroyRefused.stderr).toMatch(/holds images that functions of the project "billing-svc" run: billing-svc-ingest.*--allow-shared-repository. Nothing was deleted/s);
    expect((await ecr.send(new DescribeRepositoriesCommand({}))).repositories).toHaveLength(1);
    expect(await functionNames()).toContain('orders-svc-ingest');

    const gone = await inOther(['destroy', '--yes']);
    expect(gone.exitCode, gone.stderr).toBe(0);
    expect(await functionNames()).not.toContain('billing-svc-ingest');
  });

  test('invoke sends the event and prints the response (moto echoes it, or returns a queued result)', async () => {
    const echoed = await npmRun('invoke', ['ingest', '--event', '{"order": 42}']);
    expect(echoed.exitCode, echoed.stderr).toBe(0);
    expect(echoed.stdout).toMatch(/Invoking orders-svc-ingest/);
    expect(echoed.stdout).toMatch(/"order": 42/);

    const sample = await npmRun('invoke', ['report_daily']);
    expect(sample.exitCode, sample.stderr).toBe(0);
    expect(sample.stdout).toContain('events/report_daily.json');
    const event = JSON.parse(readFileSync(join(project, 'events/report_daily.json'), 'utf8'));
    expect(sample.stdout).toContain(JSON.stringify(event, null, 2).split('\n')[1]!.trim());

    await aws.queueInvokeResults(['{"statusCode": 200, "body": "queued"}']);
    const queued = await npmRun('invoke', ['ingest']);
    expect(queued.stdout).toMatch(/"body": "queued"/);

    const unknown = await npmRun('invoke', ['nope']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toMatch(/unknown handler "nope": valid handlers are ingest, report_daily/);
  });

  test('no credentials: a clear error, a non-zero exit, nothing changed', async () => {
    const result = await npmRun('deploy', [], { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/no AWS credentials found/);
    expect(result.stderr).toMatch(/Nothing was changed in AWS/);
  });

  test('docker daemon unreachable: the deploy stops before changing anything', async () => {
    appendFileSync(join(project, 'lambda_function.py'), '\n# changed again\n');
    const before = await functionDetails(expectedNames(['ingest', 'report_daily']));
    const result = await npmRun('deploy', [], { DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Docker daemon is not running/);
    expect(result.stderr).toMatch(/Nothing was changed in AWS/);
    const after = await functionDetails(expectedNames(['ingest', 'report_daily']));
    expect(after.map((f) => f.Code!.ImageUri)).toEqual(before.map((f) => f.Code!.ImageUri));
  });

  test('destroy: refuses without --yes when there is no terminal, deletes functions with --yes, repository and role only on request', async () => {
    const refused = await npmRun('destroy');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/--yes/);
    expect(await functionNames()).toEqual(expectedNames(['ingest', 'report_daily']));

    const functionsOnly = await npmRun('destroy', ['--yes']);
    expect(functionsOnly.exitCode, functionsOnly.stderr).toBe(0);
    expect(await functionNames()).toEqual([]);
    expect((await ecr.send(new DescribeRepositoriesCommand({}))).repositories).toHaveLength(1);
    await expect(iam.send(new GetRoleCommand({ RoleName: `${PROJECT}-lambda-role` }))).resolves.toBeDefined();

    const everything = await npmRun('destroy', ['--yes', '--repository', '--role']);
    expect(everything.exitCode, everything.stderr).toBe(0);
    expect((await ecr.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([]);
    await expect(iam.send(new GetRoleCommand({ RoleName: `${PROJECT}-lambda-role` }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
  });
});
