// The AWS SAM CLI for real, on a generated --deploy sam project: template.yaml promises to work
// with it as it is. `sam validate --lint`, `sam build` (the generated Dockerfile, FROM the python
// test base image of the real parts) and `sam local invoke <Function> -e events/<handler>.json`
// for every handler: SAM runs the built image with its own bundled emulator and the function's
// ImageConfig.Command, as Lambda would. The SAM CLI comes from PyPI, in a venv of its own
// (.ci/sam.sh exports SAM_CLI); it talks to the Docker daemon DOCKER_HOST names, like docker does.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBaseImages } from '../support/baseimages.ts';
import { generateWithEngine, readCfnYaml, resourcesOfType } from './support.ts';

const SAM = process.env.SAM_CLI ?? join(homedir(), '.cache', 'sam-cli', 'venv', 'bin', 'sam');
const HANDLERS = ['ingest', 'report_daily', 'notify'];
const work = mkdtempSync(join(tmpdir(), 'lig-sam-cli-'));

function sam(project: string, args: string[]) {
  return execa(SAM, args, {
    cwd: project,
    all: true,
    reject: false,
    // No telemetry, no update check, no AWS account: everything here is local.
    env: { SAM_CLI_TELEMETRY: '0', SAM_CLI_DISABLE_UPDATE_CHECK: '1', AWS_DEFAULT_REGION: 'us-east-1', AWS_REGION: 'us-east-1' },
  });
}

/** The images `sam build` and `sam local invoke` made: the built image's repository, and its rapid-* layer. */
async function samImages(repository: string): Promise<string[]> {
  const { stdout } = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', repository]);
  return stdout.split('\n').filter(Boolean);
}

describe('a generated --deploy sam project under the SAM CLI', { timeout: 300_000 }, () => {
  let project: string;
  let functions: Array<{ logicalId: string; command: string[] }>;
  beforeAll(async () => {
    if (!existsSync(SAM)) throw new Error(`the SAM CLI is not at ${SAM}: run \`. .ci/sam.sh\` (it installs aws-sam-cli from PyPI in a venv) or set SAM_CLI`);
    await ensureBaseImages(['python']);
    project = await generateWithEngine(join(work, `sam-cli-${process.pid}`), { runtime: 'python', handlers: HANDLERS.join(','), deploy: 'sam', region: 'us-east-1' });
    functions = resourcesOfType(readCfnYaml(join(project, 'template.yaml')), 'AWS::Serverless::Function').map(([logicalId, r]) => ({
      logicalId,
      command: r.Properties.ImageConfig.Command,
    }));
  }, 600_000);
  afterAll(async () => {
    const repository = functions?.[0]?.logicalId.toLowerCase();
    if (repository) {
      const images = await samImages(repository);
      if (images.length) await execa('docker', ['image', 'rm', '--force', ...images], { reject: false });
    }
    rmSync(work, { recursive: true, force: true });
  });

  test('sam validate --lint accepts template.yaml', async () => {
    const run = await sam(project, ['validate', '--lint']);
    expect(run.all).toContain('template.yaml is a valid SAM Template');
    expect(run.exitCode, run.all).toBe(0);
  });

  test('sam build builds the one image every function runs', async () => {
    const run = await sam(project, ['build']);
    expect(run.exitCode, run.all?.slice(-3000)).toBe(0);
    expect(run.all).toContain('Build Succeeded');
    // Same Metadata for every function: one build, one image for all.
    const built = readCfnYaml(join(project, '.aws-sam', 'build', 'template.yaml'));
    const uris = resourcesOfType(built, 'AWS::Serverless::Function').map(([, r]) => r.Properties.ImageUri);
    expect(uris).toHaveLength(HANDLERS.length);
    expect(new Set(uris).size, uris.join(' ')).toBe(1);
    expect(run.all?.match(/^Successfully built /gm)).toHaveLength(1);
  });

  test('sam local invoke runs every function with its own handler (ImageConfig.Command) and sample event', async () => {
    expect(functions.map((f) => f.command)).toEqual(HANDLERS.map((h) => [`lambda_function.${h}`]));
    for (const [i, fn] of functions.entries()) {
      const run = await sam(project, ['local', 'invoke', fn.logicalId, '--event', `events/${HANDLERS[i]}.json`]);
      expect(run.exitCode, run.all).toBe(0);
      // The function's answer is SAM's stdout; its logs (START/END/REPORT) go to stderr.
      expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!), run.all).toEqual({ handler: HANDLERS[i], count: 2, total: 19.75 });
      expect(run.stderr).toMatch(/^REPORT RequestId: /m);
    }
    const { stdout } = await execa('docker', ['ps', '--all', '--quiet', '--filter', `ancestor=${functions[0]!.logicalId.toLowerCase()}:rapid-x86_64`]);
    expect(stdout, 'containers left behind').toBe('');
  });
});
