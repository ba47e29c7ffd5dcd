// What is already in the folder a run works in, read as data from the outside: the manifest
// and .yo-rc.json are parsed and checked in full before anything is done, and every problem
// names the file and the field; a folder with other files is told apart from a project.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MANIFEST_FILE, ManifestError, loadManifest, type Manifest } from 'lambda-image';
import { FIELDS, KEYS, type Key } from './questions.ts';
import type { Inputs } from './settings.ts';

export const CONFIG_FILE = '.yo-rc.json';
/** The key of .yo-rc.json that holds this generator's answers (Yeoman's convention: the package name). */
export const CONFIG_KEY = 'generator-lambda-image';

/** The keys .yo-rc.json may hold: every answer the manifest does not keep (and those it does, from older runs). */
const CONFIG_KEYS: readonly Key[] = KEYS.filter((key) => key !== 'handlers');

const CONFIG_FIX = `fix it, or delete it (the manifest, ${MANIFEST_FILE}, keeps the answers that matter)`;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A file's text, or a problem that says why it cannot be read. */
function readText(path: string, file: string): { text?: string; problem?: string } {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why = e.code === 'EACCES' ? 'this user may not read it' : e.code === 'EISDIR' ? 'it is a folder' : e.message;
    return { problem: `${file} cannot be read (${why})` };
  }
}

function parseJson(text: string, file: string, fix: string): { data?: unknown; problem?: string } {
  try {
    return { data: JSON.parse(text) };
  } catch (error) {
    return { problem: `${file} is not valid JSON (${(error as Error).message}): ${fix}` };
  }
}

export interface ProjectState {
  /** The folder holds a lambda-image project (its manifest, or our key in .yo-rc.json). */
  isProject: boolean;
  /** The manifest, when it is valid. */
  manifest?: Manifest;
  /** The answers the manifest and .yo-rc.json give, the manifest's first. */
  inputs: Inputs;
  /** Everything wrong with them, each naming its file and field. */
  problems: string[];
}

export function readProjectState(root: string): ProjectState {
  const problems: string[] = [];
  const inputs: Inputs = {};
  const manifestPath = join(root, MANIFEST_FILE);
  const configPath = join(root, CONFIG_FILE);
  let isProject = existsSync(manifestPath);
  let manifest: Manifest | undefined;

  if (existsSync(configPath)) {
    const { text, problem } = readText(configPath, CONFIG_FILE);
    const parsed = text === undefined ? { problem } : parseJson(text, CONFIG_FILE, CONFIG_FIX);
    if (parsed.problem) problems.push(parsed.problem);
    else if (!isObject(parsed.data)) problems.push(`${CONFIG_FILE} must hold a JSON object`);
    else if (parsed.data[CONFIG_KEY] !== undefined) {
      isProject = true;
      const config = parsed.data[CONFIG_KEY];
      if (!isObject(config)) problems.push(`${CONFIG_FILE}: "${CONFIG_KEY}" must be an object of answers`);
      else {
        for (const [key, value] of Object.entries(config)) {
          const known = CONFIG_KEYS.find((k) => k === key);
          if (!known) {
            problems.push(`${CONFIG_FILE}: "${CONFIG_KEY}.${key}" is not an answer this generator knows (it knows ${CONFIG_KEYS.join(', ')}): remove it`);
          } else if (typeof value !== 'string' && typeof value !== 'number') {
            problems.push(`${CONFIG_FILE}: "${CONFIG_KEY}.${key}" must be a string, not ${JSON.stringify(value)}`);
          } else {
            inputs[known] = { text: String(value), where: `${CONFIG_FILE}: "${CONFIG_KEY}.${key}"` };
          }
        }
      }
    }
  }

  if (existsSync(manifestPath)) {
    try {
      manifest = loadManifest(root);
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      problems.push(error.message);
    }
    for (const key of KEYS) {
      const spec = FIELDS[key].manifest;
      const value = manifest && spec?.read(manifest);
      if (spec && value !== undefined) inputs[key] = { text: value, where: `${MANIFEST_FILE}: "${spec.field}"` };
    }
  }
  return { isProject, manifest, inputs, problems };
}

/** Whether .yo-rc.json in `dir` is there and not JSON: the message, or undefined. */
export function configSyntaxProblem(dir: string): string | undefined {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path)) return undefined;
  const { text, problem } = readText(path, CONFIG_FILE);
  return problem ?? parseJson(text ?? '', CONFIG_FILE, CONFIG_FIX).problem;
}

/** The nearest folder at or above `from` that holds a manifest, or undefined. */
export function findProjectRoot(from: string): string | undefined {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, MANIFEST_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** What a folder holds, for a message; a repository's own .git does not count. */
export function folderEntries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((entry) => entry !== '.git')
    .sort()
    .map((entry) => (statSync(join(dir, entry)).isDirectory() ? `${entry}/` : entry));
}
