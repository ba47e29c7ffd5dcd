// The Java, Go and custom-runtime tests' Docker part: a generated project's image, built and run on
// the test base images of the real Lambda parts (test/support/baseimages.ts), as `npm run local`
// runs it and as Lambda runs each deployed function (ImageConfig.Command = its handler string).
import { execa } from 'execa';
import { expect } from 'vitest';
import { installProject } from '../support/install.ts';

const INVOKE = '/2015-03-31/functions/function/invocations';
export const CONTAINER_LABEL = 'lambda-image.test=languages';

/** `npm run local` in the project, as a user runs it (the tooling installed from the test run's registry). */
export function npmRunLocal(dir: string, args: string[] = []) {
  return execa('npm', ['run', '--silent', 'local', '--', ...args], { cwd: dir, reject: false, all: true, env: { NO_COLOR: '1' } });
}

export { installProject };

/** Asserts the run passed with every handler's answer as the generated core computes it for its sample event. */
export function expectEveryHandlerOk(output: { exitCode?: number; stdout: string; all?: string }, handlers: string[]): void {
  for (const name of handlers) {
    expect(output.stdout, output.all).toMatch(new RegExp(`^✔ ${name} +ok +\\d+(\\.\\d+)? m?s\\n {4}\\{"handler":"${name}","count":2,"total":19\\.75\\}$`, 'm'));
  }
  expect(output.stdout).toMatch(new RegExp(`^PASS ${handlers.length} handlers: ${handlers.length} ok, 0 failed `, 'm'));
  expect(output.exitCode, output.all).toBe(0);
}

export interface Answer {
  status: number;
  body: unknown;
  functionError: string | null;
}

/**
 * Starts the image with `command` as its CMD override, as Lambda starts a function whose
 * ImageConfig.Command is its handler string, invokes it once with `event` through the emulator,
 * and removes the container. Resolves with the answer and what the function logged.
 */
export async function invokeWithCommand(image: string, command: string[], event: unknown): Promise<Answer & { logs: string }> {
  const { stdout: id } = await execa('docker', ['run', '--detach', '--label', CONTAINER_LABEL, '--publish', '127.0.0.1::8080', image, ...command]);
  try {
    const { stdout: port } = await execa('docker', ['port', id.trim(), '8080/tcp']);
    const url = `http://${port.trim().split('\n')[0]}${INVOKE}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const response = await fetch(url, { method: 'POST', body: JSON.stringify(event) });
        const text = await response.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {}
        const { stdout, stderr } = await execa('docker', ['logs', id.trim()]);
        return { status: response.status, body, functionError: response.headers.get('x-amz-function-error'), logs: `${stdout}\n${stderr}` };
      } catch (error) {
        // The emulator is not listening yet.
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await execa('docker', ['rm', '--force', id.trim()], { reject: false });
  }
}

/** Containers these tests started that are still there. */
export async function leftContainers(): Promise<string[]> {
  const { stdout } = await execa('docker', ['ps', '--all', '--quiet', '--filter', `label=${CONTAINER_LABEL}`]);
  return stdout.split('\n').filter(Boolean);
}
