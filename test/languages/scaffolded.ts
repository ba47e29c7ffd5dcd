// Helpers shared by the Ruby, Go and custom-runtime tests: generate with the real
// generator, read what a language's templates wrote, and read a Dockerfile.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helpers from 'yeoman-test';
import { HANDLER, generateProject, type GenerateOptions } from '../support/generate.ts';
import { readTree } from '../support/tree.ts';

export const tmp = (what: string): string => mkdtempSync(join(tmpdir(), `lig-${what}-`));

export const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');

export interface HandlerEntry {
  name: string;
  handler: string;
  event: string;
}
export interface ManifestView {
  name: string;
  runtime: string;
  runtimeVersion: string;
  baseImage: string;
  dispatcher: string;
  handlers: HandlerEntry[];
}
export const manifestOf = (dir: string): ManifestView => JSON.parse(read(dir, 'lambda-image.json'));

/** A project named orders-svc in a fresh folder, x86_64 and us-east-1 so that snapshots are stable. */
export function generate(runtime: string, what: string, options: GenerateOptions = {}): Promise<string> {
  return generateProject(join(tmp(`${runtime}-${what}`), 'orders-svc'), {
    runtime,
    handlers: 'ingest,report_daily',
    arch: 'x86_64',
    region: 'us-east-1',
    ...options,
  });
}

export const addHandler = (cwd: string, name: string) =>
  helpers.run(HANDLER, { cwd, tmpdir: false, autoCleanup: false }).withArguments([name]).withOptions({ skipInstall: true });

// Files of the other features (tooling, deploy engines, CI), checked by their own tests.
const OTHER_FOLDERS = ['node_modules', 'scripts', '.github', 'cdk'];
const OTHER_FILES = ['package.json', 'package-lock.json', 'README.md', '.yo-rc.json', '.npmrc', 'template.yaml', 'cdk.json'];

/** The generated tree as the language's templates wrote it, with the manifest's language keys: the golden files. */
export function languageTree(dir: string): Record<string, string> {
  const tree = readTree(dir, OTHER_FOLDERS);
  for (const file of OTHER_FILES) delete tree[file];
  const { name, runtime, runtimeVersion, baseImage, dispatcher, handlers } = manifestOf(dir);
  tree['lambda-image.json'] = JSON.stringify({ name, runtime, runtimeVersion, baseImage, dispatcher, handlers }, null, 2);
  return tree;
}

export interface Instruction {
  op: string;
  args: string;
}

/** A Dockerfile's instructions, comments dropped and continuation lines joined. */
export function instructions(dockerfile: string): Instruction[] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** The instructions of the Dockerfile's last stage (the image), from its FROM on. */
export function finalStage(steps: readonly Instruction[]): Instruction[] {
  const from = steps.map((s) => s.op).lastIndexOf('FROM');
  return steps.slice(from);
}

/** The non-comment lines of an ignore file. */
export const ignoreLines = (text: string): string[] => text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
