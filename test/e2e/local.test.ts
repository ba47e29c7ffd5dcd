// `npm run local` for real: projects made by the real generator, their tooling
// installed with npm, the real Docker daemon, and base images of the real Lambda parts
// (test/support/baseimages.ts).
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateProject } from '../support/generate.ts';
import { installProject, npmEnv } from '../support/install.ts';
import { ensureBaseImages } from '../support/baseimages.ts';
import { extraCaFile } from '../support/public-images.ts';
import { PROJECT_LABEL, containersOf, edit, removeProjects } from '../support/local-runs.ts';

const work = mkdtempSync(join(tmpdir(), 'local-e2e-'));
const names = { python: `local-e2e-py-${process.pid}`, nodejs: `local-e2e-node-${process.pid}` };

async function setUp(runtime: 'python' | 'nodejs', handlers: string): Promise<string> {
  const dir = await generateProject(join(work, runtime), { name: names[runtime], runtime, handlers });
  // lambda-image from the test run's registry, as a user's `npm install` gets it.
  await installProject(dir);
  return dir;
}

function local(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  return execa('npm', ['run', '--silent', 'local', '--', ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1', ...env } });
}

beforeAll(async () => {
  await ensureBaseImages(['python', 'nodejs']);
}, 600_000);

afterAll(() => removeProjects(Object.values(names), work));

describe('npm run local in a generated Python project', { timeout: 120_000 }, () => {
  let dir: string;
  const core = () => join(dir, names.python.replaceAll('-', '_'), 'core.py');
  beforeAll(async () => {
    dir = await setUp('python', 'ingest,report_daily,notify');
  }, 300_000);
  afterEach(async () => {
    expect(await containersOf(names.python), 'containers left behind').toEqual([]);
  });

  it('builds once, invokes every handler in one container, reports each, and exits 0', async () => {
    const { exitCode, stdout, stderr } = await local(dir);
    expect(stdout).toMatch(/^✔ ingest {8}ok {6}(?:\d+ ms|\d+\.\d\d s)\n {4}\{"handler":"ingest","count":2,"total":19\.75\}$/m);
    expect(stdout).toMatch(/^✔ report_daily {2}ok {6}(?:\d+ ms|\d+\.\d\d s)\n {4}\{"handler":"report_daily","count":2,"total":19\.75\}$/m);
    expect(stdout).toMatch(/^✔ notify {8}ok {6}(?:\d+ ms|\d+\.\d\d s)\n {4}\{"handler":"notify","count":2,"total":19\.75\}$/m);
    expect(stdout).toMatch(/^PASS 3 handlers: 3 ok, 0 failed \(build .+, start .+, invoke .+\)$/m);
    expect(stderr).toMatch(/^ {2}\[\d+\/\d+\] RUN pip install .* (\d+(\.\d+)? m?s|cached)$/m);
    expect(stderr.match(/^Started /gm)).toHaveLength(1);
    expect(exitCode).toBe(0);
  });

  it('invokes one handler with an inline --event', async () => {
    const { exitCode, stdout } = await local(dir, ['report_daily', '--event', '{"records": [{"amount": 5}, {"amount": 1.5}]}']);
    expect(stdout).toContain('{"handler":"report_daily","count":2,"total":6.5}');
    expect(stdout).not.toContain('ingest');
    expect(stdout).toContain('PASS 1 handler: 1 ok, 0 failed');
    expect(exitCode).toBe(0);
  });

  it('refuses an unknown handler and lists the valid ones', async () => {
    const { exitCode, stderr } = await local(dir, ['reprot_daily']);
    expect(stderr).toContain('error: unknown handler "reprot_daily": valid handlers are ingest, report_daily, notify');
    expect(exitCode).toBe(2);
  });

  it('on the real emulator: a crash is reported with its exit status, a timeout as timed out, the runtime re-initialised, the next handler ok with its log lines', async () => {
    const restoreCore = edit(core(), (t) =>
      `${t}\n\ndef ingest(event):\n    import os\n    print("ingest is about to end its process", flush=True)\n    os._exit(3)\n\ndef report_daily(event):\n    import time\n    time.sleep(30)\n\ndef notify(event):\n    print("notify: sending to", len(event["records"]), "recipients")\n    return {"sent": True}\n`,
    );
    const restoreManifest = edit(join(dir, 'lambda-image.json'), (t) => t.replace(/"timeout": \d+/, '"timeout": 2'));
    try {
      for (const args of [[], ['--native']]) {
        const { exitCode, stdout } = await local(dir, args);
        const label = args.join(' ') || 'docker';
        expect(stdout, label).toMatch(/^✘ ingest {8}failed {2}.*\n {4}Runtime\.ExitError: Runtime exited with error: exit status 3$/m);
        expect(stdout, label).toMatch(/^ {4}ingest │ ingest is about to end its process$/m);
        expect(stdout, label).toMatch(/^✘ report_daily {2}failed {2}.*\n {4}Sandbox\.Timedout: Task timed out after 2\.00 seconds \(the function's timeout: "timeout": 2 in lambda-image\.json\)$/m);
        expect(stdout.match(/↻ .*(re-initialises it|a new one starts) \(a cold start\) for the next invocation/g), label).toHaveLength(2);
        expect(stdout, label).toMatch(/^✔ notify {8}ok .*\n {4}\{"sent":true\}$/m);
        expect(stdout, label).toMatch(/^ {4}notify │ notify: sending to 2 recipients$/m);
        if (args.length === 0) expect(stdout).toMatch(/^ {4}notify │ REPORT Duration: [\d.]+ ms {2}Billed Duration: .* Max Memory Used: .*$/m);
        expect(stdout, label).toContain('FAIL 3 handlers: 1 ok, 2 failed');
        expect(exitCode, label).toBe(1);
      }
      // --quiet: no output under a passing handler, still under failing ones.
      const { stdout } = await local(dir, ['--quiet', '--no-build']);
      expect(stdout).not.toContain('notify │');
      expect(stdout).toContain('ingest │ ingest is about to end its process');
    } finally {
      restoreManifest();
      restoreCore();
    }
  });

  it('runs each handler with settings of its own in its own container (--native: its own process), under its own timeout, memory and environment', async () => {
    // WHO is read at import too: code that configures itself at module level must see the handler's value.
    const restoreCore = edit(core(), (t) =>
      `${t}\n\nimport os as _os\n_WHO_AT_IMPORT = _os.environ.get("WHO")\n\ndef _seen(event):\n    import os\n    return [_WHO_AT_IMPORT] + [os.environ.get(k) for k in ("WHO", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_TIMEOUT", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE")]\n\ndef ingest(event):\n    import time\n    time.sleep(3)\n    return _seen(event)\n\ndef report_daily(event):\n    import time\n    time.sleep(2)\n    return _seen(event)\n\ndef notify(event):\n    return _seen(event)\n`,
    );
    const restoreManifest = edit(join(dir, 'lambda-image.json'), (t) => {
      const manifest = JSON.parse(t) as { handlers: Record<string, unknown>[] };
      Object.assign(manifest.handlers.find((h) => h.name === 'ingest')!, { timeout: 1, environment: { WHO: 'ingest' } });
      Object.assign(manifest.handlers.find((h) => h.name === 'report_daily')!, { timeout: 5, memory: 1024, environment: { WHO: 'report' } });
      return `${JSON.stringify(manifest, null, 2)}\n`;
    });
    try {
      for (const args of [[], ['--native']]) {
        const { exitCode, stdout, stderr } = await local(dir, args);
        if (args.length === 0) {
          expect(stderr.match(/^Started /gm), stderr).toHaveLength(3);
          expect(stderr).toMatch(/^Started \S+ on 127\.0\.0\.1:\d+ in .* \(ingest: timeout 1 s, memory 512 MB\)$/m);
        }
        const timedOut = /^✘ ingest {8}failed {2}(\d+ ms|\d+\.\d\d s)\n {4}Sandbox\.Timedout: Task timed out after 1\.00 seconds \(the function's timeout: .*"timeout": 1 .*in lambda-image\.json\)$/m.exec(stdout);
        expect(timedOut, stdout).not.toBeNull();
        expect(Number.parseFloat(timedOut![1]!)).toBeLessThan(2);
        const project = names.python;
        // [WHO at import, WHO, AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_TIMEOUT, AWS_LAMBDA_FUNCTION_MEMORY_SIZE]
        expect(stdout).toMatch(new RegExp(`^✔ report_daily {2}ok {6}2\\.\\d\\d s\n {4}\\["report","report","${project}-report_daily","5","1024"\\]$`, 'm'));
        expect(stdout).toContain(`[null,null,"${project}-notify","30","512"]`);
        expect(stdout, args.join(' ')).toContain('FAIL 3 handlers: 2 ok, 1 failed');
        expect(exitCode).toBe(1);
      }
    } finally {
      restoreManifest();
      restoreCore();
    }
  });

  it('refuses a 7 MiB event before sending it, naming the 6 MiB limit', async () => {
    const big = join(work, 'big-event.json');
    writeFileSync(big, JSON.stringify({ records: [{ amount: 1, blob: 'x'.repeat(7 * 1024 * 1024) }] }));
    for (const args of [[], ['--native']]) {
      const { exitCode, stderr, stdout } = await local(dir, ['ingest', '--event', big, ...args]);
      expect(stderr).toMatch(/error: the event for handler "ingest" is 7\.0 MiB \(\d+ bytes with the dispatcher's \{"handler", "event"\}\), over Lambda's limit for a synchronous invocation, 6 MiB \(6291456 bytes\)/);
      expect(stderr).not.toContain('Building');
      expect(stdout).toBe('');
      expect(exitCode).toBe(2);
    }
  });

  it('--env-file and --aws-credentials reach the handler, while no process’s arguments and no file show a secret', async () => {
    const token = `tok-${process.pid}-${Date.now()}`;
    const secretKey = `sk-${process.pid}-${Date.now()}`;
    const envFile = join(work, 'handler.env');
    writeFileSync(envFile, `API_TOKEN=${token}\n`);
    const restore = edit(core(), (t) =>
      `${t}\n\ndef notify(event):\n    import os, time\n    time.sleep(1.5)\n    return {"token": os.environ.get("API_TOKEN"), "key_id": os.environ.get("AWS_ACCESS_KEY_ID"), "secret": os.environ.get("AWS_SECRET_ACCESS_KEY", "")[:3]}\n`,
    );
    try {
      const seen: string[] = [];
      let running = true;
      const sampling = (async () => {
        while (running) {
          const { stdout } = await execa('ps', ['-eww', '-o', 'args='], { reject: false });
          seen.push(stdout);
          await new Promise((r) => setTimeout(r, 25));
        }
      })();
      const { exitCode, stdout } = await execa('npm', ['run', '--silent', 'local', '--', 'notify', '--env-file', envFile, '--aws-credentials'], {
        cwd: dir,
        reject: false,
        // The host's chain: environment variables first.
        env: { NO_COLOR: '1', AWS_ACCESS_KEY_ID: 'AKIALOCALTEST', AWS_SECRET_ACCESS_KEY: secretKey, AWS_PROFILE: undefined },
      });
      running = false;
      await sampling;
      expect(stdout).toContain(`{"token":"${token}","key_id":"AKIALOCALTEST","secret":"sk-"}`);
      expect(exitCode).toBe(0);
      expect(seen.some((ps) => ps.includes('lambda-image local notify') || ps.includes('docker run'))).toBe(true);
      for (const ps of seen) {
        expect(ps).not.toContain(token);
        expect(ps).not.toContain(secretKey);
      }
      const { stdout: files } = await execa('grep', ['-rl', '--exclude-dir=node_modules', secretKey, dir], { reject: false });
      expect(files).toBe('');
    } finally {
      restore();
    }
  });

  it('removes the container of a SIGKILLed run on the next run, and three rebuilds leave one image', async () => {
    const restore = edit(core(), (t) => `${t}\n\ndef notify(event):\n    import time\n    time.sleep(60)\n`);
    try {
      const killed = execa('node_modules/.bin/lambda-image', ['local', 'notify'], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
      let seen = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not started; output so far:\n${seen}`)), 90_000);
        killed.stderr!.on('data', (chunk: Buffer) => {
          seen += chunk;
          if (/^Started /m.test(seen)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      killed.kill('SIGKILL');
      await killed;
      expect(await containersOf(names.python)).toHaveLength(1);
    } finally {
      restore();
    }
    for (let i = 0; i < 3; i++) {
      const change = edit(core(), (t) => `${t}\n# change ${i}\n`);
      const { exitCode, stderr } = await local(dir, ['ingest']);
      change();
      expect(exitCode).toBe(0);
      if (i === 0) expect(stderr).toContain('Removed 1 container left running by an earlier run that was killed');
    }
    const { stdout: images } = await execa('docker', ['images', '--quiet', '--filter', `label=${PROJECT_LABEL}=${names.python}`]);
    expect(images.split('\n').filter(Boolean)).toHaveLength(1);
    const { stdout: dangling } = await execa('docker', ['images', '--quiet', '--filter', 'dangling=true', '--filter', `label=${PROJECT_LABEL}=${names.python}`]);
    expect(dangling).toBe('');
  });

  it('fails the run when a handler raises, showing its error type, message and trace, in Docker and --native', async () => {
    const restore = edit(core(), (t) => `${t}\n\ndef report_daily(event):\n    raise ValueError("no report for today")\n`);
    try {
      for (const args of [[], ['--native']]) {
        const { exitCode, stdout, stderr } = await local(dir, args);
        expect(stdout, args.join(' ')).toMatch(/^✔ ingest {8}ok/m);
        expect(stdout).toMatch(/^✘ report_daily {2}failed {2}(?:\d+ ms|\d+\.\d\d s)\n {4}ValueError: no report for today\n/m);
        expect(stdout).toMatch(new RegExp(`^ {6}File ".*/${names.python.replaceAll('-', '_')}/core\\.py", line \\d+, in report_daily$`, 'm'));
        expect(stdout).toMatch(/^✔ notify {8}ok/m);
        expect(stdout).toContain('FAIL 3 handlers: 2 ok, 1 failed');
        expect(exitCode).toBe(1);
        // A code change rebuilds the code layers only.
        if (args.length === 0) expect(stderr).toMatch(/RUN pip install .* {2}cached$/m);
      }
    } finally {
      restore();
    }
  });

  it('--native runs every handler in the host’s python3, without Docker', async () => {
    const { exitCode, stdout, stderr } = await local(dir, ['--native']);
    expect(stderr).toMatch(/native python \d+\.\d+\.\d+.*, no Docker/);
    expect(stdout).toContain('{"handler":"notify","count":2,"total":19.75}');
    expect(stdout).toMatch(/^PASS 3 handlers: 3 ok, 0 failed \(total (?:\d+ ms|\d+\.\d\d s)\)$/m);
    expect(exitCode).toBe(0);
  });

  // After this test the pip layer of the sample requirements.txt is built again once: the image
  // that held it was replaced (and removed) by this one, and the classic builder's cache is its images.
  it('installs a real PyPI dependency with pip in the image (behind this network’s TLS proxy: its CA for that step only), and keeps that layer on a code change', async () => {
    const restoreRequirements = edit(join(dir, 'requirements.txt'), (t) => `${t}six==1.17.0\n`);
    const restoreCore = edit(core(), (t) => `${t}\n\ndef notify(event):\n    import six\n    return {"six": six.__version__, "text": six.ensure_text(b"ok")}\n`);
    // The machine's TLS proxy CA alone (as a user behind such a proxy sets NODE_EXTRA_CA_CERTS).
    const ca = extraCaFile(work);
    const env: Record<string, string> = ca ? { NODE_EXTRA_CA_CERTS: ca } : {};
    try {
      const first = await local(dir, ['notify'], env);
      expect(first.stdout, first.stderr).toContain('{"six":"1.17.0","text":"ok"}');
      expect(first.stderr).toMatch(/RUN pip install .* {2}\d+(\.\d+)? m?s$/m);
      expect(first.exitCode).toBe(0);
      const change = edit(core(), (t) => `${t}\n# a one-line change\n`);
      try {
        const second = await local(dir, ['notify'], env);
        expect(second.stderr).toMatch(/RUN pip install .* {2}cached$/m);
        expect(second.exitCode).toBe(0);
      } finally {
        change();
      }
      // The CA file of the pip step is not in the image.
      const { exitCode } = await execa('docker', ['run', '--rm', '--entrypoint', 'test', `${names.python}:local`, '-e', '/tmp/ca.pem'], { reject: false });
      expect(exitCode).toBe(1);
    } finally {
      restoreCore();
      restoreRequirements();
    }
  });

  it('shows the failing build step and its output', async () => {
    const exited3 = async () => (await execa('docker', ['ps', '--all', '--quiet', '--filter', 'exited=3'])).stdout.split('\n').filter(Boolean);
    const before = await exited3();
    const restore = edit(join(dir, 'Dockerfile'), (t) => `${t}\nRUN echo "checking the image" && exit 3\n`);
    try {
      const { exitCode, stderr } = await local(dir);
      expect(stderr).toMatch(/error: build failed: step \d+\/\d+ `RUN echo "checking the image" && exit 3` failed$/m);
      expect(stderr).toMatch(/^ {2}│ checking the image$/m);
      expect(stderr).toMatch(/│ .*returned a non-zero code: 3/);
      expect(exitCode).toBe(1);
      // Not even the builder's container for the failed step is left.
      expect((await exited3()).filter((id) => !before.includes(id))).toEqual([]);
    } finally {
      restore();
    }
  });

  it('shows the logs of a container that exits early', async () => {
    const restore = edit(join(dir, 'Dockerfile'), (t) => t.replace(/^CMD .*$/m, 'CMD []'));
    try {
      const { exitCode, stderr } = await local(dir);
      expect(stderr).toContain('error: the container exited early (exit code 142). Its logs:\n  │ entrypoint requires the handler name to be the first argument');
      expect(exitCode).toBe(1);
    } finally {
      restore();
    }
  });

  it('says when the port cannot be bound', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const { exitCode, stderr } = await local(dir, ['--no-build', '--port', String(port)]);
      expect(stderr).toContain(`error: cannot bind host port ${port} for the container`);
      expect(stderr).toContain('Choose another port with --port');
      expect(exitCode).toBe(1);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('--keep leaves the container running and prints how to call it and remove it', async () => {
    const { exitCode, stderr } = await local(dir, ['ingest', '--keep']);
    expect(exitCode).toBe(0);
    const curl = /^ {2}curl -s -X POST (http:\/\/127\.0\.0\.1:\d+\/2015-03-31\/functions\/function\/invocations) -d '(.*)'$/m.exec(stderr);
    const remove = /^ {2}docker rm -f (\S+)$/m.exec(stderr);
    expect(curl).not.toBeNull();
    expect(remove).not.toBeNull();
    try {
      expect(JSON.parse(curl![2]!)).toMatchObject({ handler: 'ingest', event: { source: 'sample' } });
      const response = await fetch(curl![1]!, { method: 'POST', body: curl![2] });
      expect(await response.json()).toEqual({ handler: 'ingest', count: 2, total: 19.75 });
    } finally {
      await execa('docker', ['rm', '-f', remove![1]!]);
    }
  });

  it('still removes the container when its reader goes away (`| sed /Started/q`)', async () => {
    // sed quits once the container has started: every later write fails (EPIPE). The shell
    // waits for every command of the pipeline, so `node` has finished when this returns.
    const { stdout } = await execa('sh', ['-c', "node_modules/.bin/lambda-image local 2>&1 | sed '/^Started/q'"], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(stdout).toMatch(/^Started /m);
  });

  it('removes the container on Ctrl-C (SIGINT) in the middle of an invocation', async () => {
    const restore = edit(core(), (t) => `${t}\n\ndef notify(event):\n    import time\n    time.sleep(60)\n`);
    try {
      const run = execa('node_modules/.bin/lambda-image', ['local'], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
      let seen = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no report_daily result; output so far:\n${seen}`)), 90_000);
        run.stdout!.on('data', (chunk: Buffer) => {
          seen += chunk;
          if (/^✔ report_daily/m.test(seen)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      expect(await containersOf(names.python)).toHaveLength(1);
      run.kill('SIGINT');
      const { exitCode, stderr, stdout } = await run;
      expect(stderr).toContain('SIGINT: stopping and removing the container');
      // Interrupted, not a failure of the handler.
      expect(stdout).toMatch(/^■ notify {8}interrupted \(SIGINT\)$/m);
      expect(stdout).not.toMatch(/^✘ notify/m);
      expect(exitCode).toBe(130);
    } finally {
      restore();
    }
  });
});

describe('npm run local in a generated Node.js project', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await setUp('nodejs', 'ingest,report_daily');
  }, 300_000);
  afterEach(async () => {
    expect(await containersOf(names.nodejs), 'containers left behind').toEqual([]);
  });

  it('invokes every handler through the dispatcher and exits 0', async () => {
    const { exitCode, stdout } = await local(dir);
    expect(stdout).toMatch(/^✔ ingest {8}ok {6}(?:\d+ ms|\d+\.\d\d s)\n {4}\{"handler":"ingest","count":2,"total":19\.75\}$/m);
    expect(stdout).toMatch(/^✔ report_daily {2}ok {6}(?:\d+ ms|\d+\.\d\d s)\n {4}\{"handler":"report_daily","count":2,"total":19\.75\}$/m);
    expect(stdout).toContain('PASS 2 handlers: 2 ok, 0 failed');
    expect(exitCode).toBe(0);
  });

  it('installs a real npm dependency with npm ci in the image (behind this network’s TLS proxy: its CA for that step only), and keeps that layer on a code change', { timeout: 300_000 }, async () => {
    const files = ['package.json', 'package-lock.json'].map((f) => join(dir, f));
    const before = files.map((f) => readFileSync(f, 'utf8'));
    // As a user adds a dependency; the lockfile names no registry, so npm in the image uses its own.
    await execa('npm', ['install', '--save', '--no-audit', '--no-fund', 'is-number@7.0.0'], {
      cwd: dir,
      env: { ...npmEnv(), npm_config_omit_lockfile_registry_resolved: 'true' },
    });
    const restoreCore = edit(join(dir, 'src/core.mjs'), (t) =>
      `import isNumber from 'is-number';\n${t.replace('return { count: records.length,', 'return { numeric: isNumber(total), count: records.length,')}`,
    );
    const ca = extraCaFile(work);
    const env: Record<string, string> = ca ? { NODE_EXTRA_CA_CERTS: ca } : {};
    try {
      const first = await local(dir, ['ingest'], env);
      expect(first.stdout, first.stderr).toMatch(/^ {4}\{.*"numeric":true.*\}$/m);
      expect(first.stderr).toMatch(/RUN npm ci .* {2}\d+(\.\d+)? m?s$/m);
      expect(first.exitCode).toBe(0);
      const change = edit(join(dir, 'src/core.mjs'), (t) => `${t}\n// a one-line change\n`);
      try {
        const second = await local(dir, ['ingest'], env);
        expect(second.stderr).toMatch(/RUN npm ci .* {2}cached$/m);
        expect(second.stdout).toMatch(/"numeric":true/);
        expect(second.exitCode).toBe(0);
      } finally {
        change();
      }
      const image = `${names.nodejs}:local`;
      const run = (path: string) => execa('docker', ['run', '--rm', '--entrypoint', 'test', image, '-e', path], { reject: false });
      expect((await run('/var/task/node_modules/is-number/package.json')).exitCode).toBe(0);
      // The CA file of the npm step is not in the image.
      expect((await run('/tmp/ca.pem')).exitCode).toBe(1);
    } finally {
      restoreCore();
      files.forEach((f, i) => writeFileSync(f, before[i]!));
    }
  });

  it('fails the run when a handler throws, with its trace, in Docker and --native', async () => {
    const restore = edit(join(dir, 'src/core.mjs'), (t) =>
      t.replace('export function reportDaily(event) {', "export function reportDaily(event) {\n  throw new RangeError('no report for today');"),
    );
    try {
      for (const args of [[], ['--native']]) {
        const { exitCode, stdout } = await local(dir, args);
        expect(stdout, args.join(' ')).toMatch(/^✘ report_daily {2}failed {2}(?:\d+ ms|\d+\.\d\d s)\n {4}RangeError: no report for today\n {8}at (Module\.)?reportDaily \(file:\/\/.*\/src\/core\.mjs:\d+:\d+\)$/m);
        expect(stdout).toContain('FAIL 2 handlers: 1 ok, 1 failed');
        expect(exitCode).toBe(1);
      }
    } finally {
      restore();
    }
  });
});
