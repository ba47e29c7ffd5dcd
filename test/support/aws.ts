// An offline stand-in for the AWS side of `npm run deploy`, with no seam in the product:
//
// - moto_server on 127.0.0.1 plays STS, IAM, ECR and Lambda; the product reaches it through
//   the SDK's own AWS_ENDPOINT_URL.
// - Debian's docker-registry plays the ECR registry. The repositoryUri moto returns names
//   123456789012.dkr.ecr.us-east-1.amazonaws.com; /etc/hosts maps that name to 127.0.0.1 and a TLS
//   front on 127.0.0.1:443 (certificate for that name, trusted by the docker daemon through
//   /etc/docker/certs.d) forwards to the registry, so `docker login` with moto's token and
//   `docker push` behave as against ECR.
// - In real ECR, the registry and the API share one store: an image pushed with docker is at once
//   visible to DescribeImages, and Lambda checks that store when it creates a function. The TLS
//   front gives moto the same view: every manifest the registry accepts is registered in moto's
//   ECR with PutImage (same bytes, same digest) before docker hears back, and a push to a
//   repository moto does not know is refused as ECR refuses it.
//
// Everything started here is stopped by stop(); the /etc/hosts line, the certificate (cached under
// ~/.cache) and the certs.d entry are written once and left in place (re-runs find them).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const REGISTRY_HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface AwsStandIn {
  /** moto's URL: what AWS_ENDPOINT_URL holds. */
  endpoint: string;
  registryHost: string;
  /**
   * Environment for a product process: the endpoint, test credentials, and nothing from this
   * machine's ~/.aws or instance metadata. No AWS_REGION: the manifest's region is the default.
   */
  env: Record<string, string>;
  /**
   * Configuration for SDK clients the tests use to look at moto. Its credentials (also in `env`)
   * are an IAM user of moto's allowed everything, so they keep working under enforceIam(true).
   */
  clientConfig: { region: string; endpoint: string; credentials: Credentials };
  /** A new IAM user allowed only `actions` (IAM policy action patterns), and its access key. */
  createUser(name: string, actions: string[]): Promise<Credentials>;
  /** Tags the local registry holds for `repository`. */
  registryTags(repository: string): Promise<string[]>;
  /** The digest the local registry serves for repository:reference. */
  registryDigest(repository: string, reference: string): Promise<string | undefined>;
  /** Queues results for moto's simple Lambda backend to return from Invoke (it echoes the payload otherwise). */
  queueInvokeResults(results: string[]): Promise<void>;
  /** Turns moto's IAM enforcement on (every request must be signed by a known key and allowed) or off. */
  enforceIam(on: boolean): Promise<void>;
  /**
   * Holds every image manifest PUT (the last step of a docker push) until the returned release is
   * called; `waiting` resolves once a push is held there, i.e. docker is mid-push with its credential.
   */
  holdPushes(): { waiting: Promise<void>; release: () => void };
  stop(): Promise<void>;
}

/** Lets manifest PUTs through, or holds them while a test looks at a push in progress. */
class PushGate {
  private held: { arrived: () => void; released: Promise<void>; release: () => void } | undefined;
  hold() {
    let arrived!: () => void;
    const waiting = new Promise<void>((r) => (arrived = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    this.held = { arrived, released, release };
    return {
      waiting,
      release: () => {
        this.held = undefined;
        release();
      },
    };
  }
  async pass(): Promise<void> {
    const held = this.held;
    if (!held) return;
    held.arrived();
    await held.released;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(url: string, what: string, child: ChildProcess, logFile: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${what} exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${what} did not answer on ${url} within ${timeoutMs} ms:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
}

function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A certificate for the ECR hostname, made once and reused so certs.d never changes under a running push. */
function tlsMaterial(): { key: Buffer; cert: Buffer } {
  const dir = join(homedir(), '.cache', 'generator-lambda-image', 'ecr-tls');
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650',
      '-keyout', keyFile, '-out', certFile,
      '-subj', `/CN=${REGISTRY_HOST}`, '-addext', `subjectAltName=DNS:${REGISTRY_HOST}`,
    ], { stdio: 'ignore' });
  }
  const cert = readFileSync(certFile);
  const trusted = join('/etc/docker/certs.d', REGISTRY_HOST);
  const ca = join(trusted, 'ca.crt');
  if (!existsSync(ca) || !readFileSync(ca).equals(cert)) {
    mkdirSync(trusted, { recursive: true });
    writeFileSync(ca, cert);
  }
  return { key: readFileSync(keyFile), cert };
}

function mapHostname(): void {
  const hosts = readFileSync('/etc/hosts', 'utf8');
  const mapped = hosts.split('\n').some((line) => {
    const [ip, ...names] = line.split('#')[0]!.trim().split(/\s+/);
    return ip === '127.0.0.1' && names.includes(REGISTRY_HOST);
  });
  if (!mapped) appendFileSync('/etc/hosts', `${hosts.endsWith('\n') ? '' : '\n'}127.0.0.1 ${REGISTRY_HOST}\n`);
}

const registryError = (status: number, code: string, message: string) => ({
  status,
  body: JSON.stringify({ errors: [{ code, message, detail: null }] }),
});

/**
 * The TLS front of the registry. Manifest PUTs are buffered, forwarded, and on success registered
 * in moto's ECR; everything else streams through untouched.
 */
function startRegistryFront(
  tls: { key: Buffer; cert: Buffer },
  registryPort: number,
  ecr: ECRClient,
  gate: PushGate,
): Promise<https.Server> {
  const forward = (req: http.IncomingMessage, body: Buffer | undefined): Promise<http.IncomingMessage> =>
    new Promise((resolve, reject) => {
      const upstream = http.request(
        { host: '127.0.0.1', port: registryPort, method: req.method, path: req.url, headers: req.headers },
        resolve,
      );
      upstream.on('error', reject);
      if (body) upstream.end(body);
      else req.pipe(upstream);
    });

  const mirror = async (repository: string, reference: string, body: Buffer, mediaType: string | undefined, digest: string) => {
    const tag = reference.startsWith('sha256:') ? undefined : reference;
    try {
      await ecr.send(
        new PutImageCommand({
          repositoryName: repository,
          imageManifest: body.toString('utf8'),
          imageManifestMediaType: mediaType,
          imageTag: tag,
          imageDigest: digest,
        }),
      );
      return undefined;
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ImageAlreadyExistsException' && tag) {
        // moto refuses a re-push of the same manifest under the same tag; ECR accepts it.
        const found = await ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }));
        if (found.imageDetails?.[0]?.imageDigest === digest) return undefined;
        return registryError(400, 'TAG_INVALID', `The image tag '${tag}' already exists in the '${repository}' repository and cannot be overwritten because the repository is immutable.`);
      }
      if (name === 'RepositoryNotFoundException' || /is not a repository/.test((error as Error).message)) {
        return registryError(404, 'NAME_UNKNOWN', `The repository with name '${repository}' does not exist in the registry with id '${ACCOUNT}'`);
      }
      return registryError(500, 'UNKNOWN', `mirroring into moto failed: ${name}: ${(error as Error).message}`);
    }
  };

  const server = https.createServer(tls, async (req, res) => {
    try {
      const manifestPut = req.method === 'PUT' ? /^\/v2\/(.+)\/manifests\/([^/?]+)$/.exec(req.url ?? '') : null;
      if (!manifestPut) {
        const upstream = await forward(req, undefined);
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      await gate.pass();
      const body = Buffer.concat(chunks);
      const upstream = await forward(req, body);
      const answerChunks: Buffer[] = [];
      for await (const chunk of upstream) answerChunks.push(chunk as Buffer);
      const answer = Buffer.concat(answerChunks);
      if (upstream.statusCode === 201) {
        const digest =
          (upstream.headers['docker-content-digest'] as string | undefined) ??
          `sha256:${createHash('sha256').update(body).digest('hex')}`;
        const refusal = await mirror(manifestPut[1]!, manifestPut[2]!, body, req.headers['content-type'], digest);
        if (refusal) {
          res.writeHead(refusal.status, { 'content-type': 'application/json' });
          res.end(refusal.body);
          return;
        }
      }
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      res.end(answer);
    } catch (error) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(registryError(502, 'UNKNOWN', String(error)).body);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error('127.0.0.1:443 is busy: another run of the deploy tests or bench holds it; run them one at a time')
          : error,
      ),
    );
    server.listen(443, '127.0.0.1', () => resolve(server));
  });
}

/** Removes the images deploy built for `repository` from the local docker daemon (they pile up otherwise). */
export function removeLocalImages(repository: string): void {
  const rows = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', `${REGISTRY_HOST}/${repository}`], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean)
    .map((row) => row.split(' '));
  // An image whose tag moved to a newer build is listed as <repository>:<none>, which `docker rmi` cannot name: its ID can.
  const refs = rows.map(([ref, id]) => (ref!.endsWith(':<none>') ? id! : ref!));
  if (refs.length > 0) execFileSync('docker', ['rmi', '--force', ...new Set(refs)], { stdio: 'ignore' });
}

export async function startAws(): Promise<AwsStandIn> {
  const work = mkdtempSync(join(tmpdir(), 'lambda-image-aws-'));
  const children: ChildProcess[] = [];
  let front: https.Server | undefined;
  const stop = async () => {
    if (front) {
      const closed = new Promise<void>((r) => front!.close(() => r()));
      // The docker daemon keeps its connections open; they must not hold the port.
      front.closeAllConnections();
      await closed;
    }
    for (const child of children.reverse()) await stopProcess(child);
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const motoPort = await getPort({ host: '127.0.0.1' });
    const endpoint = `http://127.0.0.1:${motoPort}`;
    const motoLog = join(work, 'moto.log');
    const moto = startProcess('moto_server', ['-H', '127.0.0.1', '-p', String(motoPort)], {
      ...process.env,
      MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
      MOTO_LAMBDA_STUB_ECR: 'false',
    }, motoLog);
    children.push(moto);

    const registryPort = await getPort({ host: '127.0.0.1' });
    const registryLog = join(work, 'registry.log');
    const config = join(work, 'registry.yml');
    writeFileSync(
      config,
      [
        'version: 0.1',
        'log: {level: warn}',
        `storage: {filesystem: {rootdirectory: ${join(work, 'registry')}}, delete: {enabled: true}}`,
        `http: {addr: "127.0.0.1:${registryPort}", relativeurls: true}`,
        '',
      ].join('\n'),
    );
    const registry = startProcess('docker-registry', ['serve', config], process.env, registryLog);
    children.push(registry);

    await waitFor(`${endpoint}/moto-api/data.json`, 'moto_server', moto, motoLog);
    await waitFor(`http://127.0.0.1:${registryPort}/v2/`, 'docker-registry', registry, registryLog);

    const motoApi = async (path: string, body: string) => {
      const res = await fetch(`${endpoint}${path}`, { method: 'POST', body });
      if (!res.ok) throw new Error(`moto ${path}: ${res.status} ${await res.text()}`);
    };
    // The simple Lambda backend: moto cannot run image functions, but this one echoes the payload.
    const useSimpleLambda = () => motoApi('/moto-api/config', JSON.stringify({ lambda: { use_docker: false } }));
    await useSimpleLambda();

    // Until IAM enforcement is on, moto accepts any key: the administrator is made with one, and
    // everything after (users, the registry front's PutImage, the tests' clients) signs as it, so
    // that it all keeps working under enforceIam(true).
    const createUser = async (name: string, actions: string[], as: Credentials): Promise<Credentials> => {
      const iam = new IAMClient({ region: REGION, endpoint, credentials: as });
      await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(
        new PutUserPolicyCommand({
          UserName: name,
          PolicyName: 'allowed',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
        }),
      );
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
      return { accessKeyId: key!.AccessKeyId!, secretAccessKey: key!.SecretAccessKey! };
    };
    const admin = await createUser('lambda-image-admin', ['*'], { accessKeyId: 'testing', secretAccessKey: 'testing' });
    const clientConfig = { region: REGION, endpoint, credentials: admin };
    mapHostname();
    const gate = new PushGate();
    front = await startRegistryFront(tlsMaterial(), registryPort, new ECRClient(clientConfig), gate);

    const registryUrl = `http://127.0.0.1:${registryPort}`;
    return {
      endpoint,
      registryHost: REGISTRY_HOST,
      env: {
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: admin.accessKeyId,
        AWS_SECRET_ACCESS_KEY: admin.secretAccessKey,
        AWS_CONFIG_FILE: join(work, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-aws-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      clientConfig,
      async registryTags(repository) {
        const res = await fetch(`${registryUrl}/v2/${repository}/tags/list`);
        if (res.status === 404) return [];
        return ((await res.json()) as { tags: string[] | null }).tags ?? [];
      },
      async registryDigest(repository, reference) {
        const res = await fetch(`${registryUrl}/v2/${repository}/manifests/${reference}`, {
          method: 'HEAD',
          headers: {
            accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
          },
        });
        return res.ok ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
      },
      queueInvokeResults: (results) =>
        motoApi('/moto-api/static/lambda-simple/response', JSON.stringify({ results, region: REGION })),
      createUser: (name, actions) => createUser(name, actions, admin),
      enforceIam: (on) => motoApi('/moto-api/reset-auth', on ? '0' : 'inf'),
      holdPushes: () => gate.hold(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
