// Adding a handler is one mechanism, used by the app generator for every handler of
// a new project and by `yo lambda-image:handler` for one more: render each of the
// runtime's snippets and insert it above its needle line (a comment that stays in
// the file), write the sample event, list the handler in the manifest.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import ejs from 'ejs';
import type { HandlerEntry, Trigger, TriggerType } from 'lambda-image';
import type { HandlerInsertion, RuntimeSpec } from './catalogue.ts';
import { snakeCase, type ProjectNames } from './names.ts';
import { TEMPLATES } from './paths.ts';
import { UsageError } from './errors.ts';

/** The slice of mem-fs-editor this module uses (this.fs of a generator). */
export interface Editor {
  read(path: string, options?: { defaults?: string }): string | null;
  write(path: string, contents: string): string;
  exists(path: string): boolean;
}

export interface PlannedHandler extends HandlerEntry {
  identifier: string;
}

/** The README's handler table: in every language's project, and skipped where the user removed it. */
export const README_INSERTION: HandlerInsertion = {
  file: 'README.md',
  needle: 'lambda-image:readme-handlers',
  snippet: 'readme-row.md.ejs',
  templates: 'common',
  optional: true,
};

const insertionsOf = (runtime: RuntimeSpec): readonly HandlerInsertion[] => [...runtime.insertions, README_INSERTION];

/** A planned handler as the manifest lists it: everything the entry holds (settings, trigger) but the planning's own fields. */
export function manifestEntry({ identifier: _identifier, ...entry }: PlannedHandler): HandlerEntry {
  return entry;
}

export function planHandler(name: string, runtime: RuntimeSpec, names: ProjectNames): PlannedHandler {
  const identifier = runtime.identifier(name);
  return { name, handler: runtime.handlerString(identifier, names), event: `events/${name}.json`, identifier };
}

/** A template path with __key__ placeholders filled from the project names (__snake__ -> orders_svc). */
export function fillPath(path: string, names: ProjectNames): string {
  return path.replace(/__([A-Za-z]+)__/g, (whole, key: string) => {
    const value = key in names ? names[key as keyof ProjectNames] : undefined;
    return value ?? whole;
  });
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The lines that ARE the needle: a comment line (#, //, <!--) whose text starts with it, nothing before. */
export function needleLines(lines: readonly string[], needle: string): number[] {
  const pattern = new RegExp(`^\\s*(?:#|//|<!--)\\s*${escape(needle)}(?![\\w:-])`);
  return lines.flatMap((line, i) => (pattern.test(line) ? [i] : []));
}

/** Why a file cannot take insertions at `needle` (missing, no needle line, two of them), or undefined. */
function needleProblem(file: string, text: string | undefined, needle: string): string | undefined {
  if (!text) return `${file} is missing: it is where new handlers go; restore it (git checkout ${file}) and run again`;
  const found = needleLines(text.split('\n'), needle);
  if (found.length === 0)
    return `${file} has no "${needle}" comment line: it marks where new handlers go; put it back where the next handler belongs and run again`;
  if (found.length > 1)
    return `${file} has the "${needle}" comment line ${found.length} times (lines ${found.map((i) => i + 1).join(', ')}): keep the one where new handlers belong, delete the others, and run again`;
  return undefined;
}

/**
 * Every file an insertion needs exists and has its needle line exactly once; otherwise a
 * message that says what to put back. Checked before anything is written. Files the run is
 * about to create from the templates (`fresh`) are the templates' own and need no check.
 */
export function insertionProblems(fs: Editor, root: string, runtime: RuntimeSpec, names: ProjectNames): string[] {
  const problems = new Set<string>();
  for (const insertion of runtime.insertions) {
    const file = fillPath(insertion.file, names);
    const text = fs.read(join(root, file), { defaults: '' }) ?? '';
    const problem = needleProblem(file, text, insertion.needle);
    if (problem) problems.add(problem);
  }
  return [...problems];
}

/** The template of a trigger's own skeleton for this insertion, where the language has one. */
function triggerTemplate(runtime: RuntimeSpec, insertion: HandlerInsertion, trigger: TriggerType | undefined): string | undefined {
  if (!trigger) return undefined;
  const own = join(TEMPLATES, insertion.templates ?? runtime.templates, 'handler', trigger, insertion.snippet);
  return existsSync(own) ? own : undefined;
}

export function renderSnippet(runtime: RuntimeSpec, insertion: HandlerInsertion, data: Record<string, unknown>): string {
  // A handler with a trigger gets its trigger's idiomatic snippet where the language has one.
  const template =
    triggerTemplate(runtime, insertion, (data.trigger as Trigger | undefined)?.type) ??
    join(TEMPLATES, insertion.templates ?? runtime.templates, 'handler', insertion.snippet);
  return ejs.render(ejs.fileLoader(template).toString(), data, { filename: template });
}

/** The files of its own a handler's trigger skeleton has (insertions with a triggerFile), relative to the project root. */
export function triggerFiles(runtime: RuntimeSpec, handler: HandlerEntry): { file: string; insertion: HandlerInsertion }[] {
  const type = handler.trigger?.type;
  return runtime.insertions.flatMap((insertion) =>
    insertion.triggerFile && triggerTemplate(runtime, insertion, type)
      ? [{ file: insertion.triggerFile.replaceAll('__file__', `${snakeCase(handler.name)}_${type}`), insertion }]
      : [],
  );
}

const hasOwnFile = (runtime: RuntimeSpec, insertion: HandlerInsertion, handler: HandlerEntry) =>
  triggerFiles(runtime, handler).some((f) => f.insertion === insertion);

/** The snippet's lines, re-indented: its own common indentation replaced by the needle line's. */
export function indentTo(snippet: string, needleLine: string): string[] {
  const lines = snippet.replace(/\n$/, '').split('\n');
  const indent = (line: string) => /^[ \t]*/.exec(line)?.[0] ?? '';
  const common = lines.filter((l) => l.trim()).map(indent).reduce<string | undefined>(
    (shortest, i) => (shortest === undefined || i.length < shortest.length ? i : shortest),
    undefined,
  ) ?? '';
  const target = indent(needleLine);
  return lines.map((line) => (line.trim() ? target + line.slice(common.length) : ''));
}

export interface InsertOptions {
  /** Files that existed before this run: the user's, whose syntax is checked after the edit. */
  existing: ReadonlySet<string>;
}

export interface AddedHandlers {
  /** Every file edited or written. */
  touched: string[];
  /** Notes for the user (an optional insertion skipped). */
  notes: string[];
}

/**
 * Inserts `handlers` into each insertion file, writes their events. A file that the run has just
 * created from the templates gets `all` handlers (a re-run completes a project that lost a file);
 * one that was there gets only `added` ones.
 */
export function addHandlers(
  fs: Editor,
  root: string,
  runtime: RuntimeSpec,
  names: ProjectNames,
  handlers: { all: readonly PlannedHandler[]; added: readonly PlannedHandler[] },
  options: InsertOptions,
): AddedHandlers {
  const touched = new Set<string>();
  const notes: string[] = [];
  // A trigger's files of their own: a new handler's must not be there yet (they would be the user's);
  // an existing handler's that went missing are written again, as its event is.
  const added = new Set(handlers.added.map((h) => h.name));
  const ownFiles = handlers.all.flatMap((handler) => triggerFiles(runtime, handler).map((f) => ({ ...f, handler, path: join(root, f.file) })));
  for (const { file, handler, path } of ownFiles) {
    if (added.has(handler.name) && fs.exists(path))
      throw new InsertionError(`${file} is already there: it is where the skeleton of ${handler.name} goes; move it away (or rename the handler) and run again`);
  }
  for (const insertion of insertionsOf(runtime)) {
    const file = fillPath(insertion.file, names);
    const path = join(root, file);
    const before = fs.read(path, { defaults: '' }) ?? '';
    const wanted = (options.existing.has(path) ? handlers.added : handlers.all).filter((h) => !hasOwnFile(runtime, insertion, h));
    if (wanted.length === 0) continue;
    const problem = needleProblem(file, before, insertion.needle);
    if (problem) {
      if (insertion.optional) {
        notes.push(`${file}: no "${insertion.needle}" line, so ${wanted.map((h) => h.name).join(', ')} ${wanted.length > 1 ? 'are' : 'is'} not listed there: add ${wanted.length > 1 ? 'them' : 'it'} by hand`);
        continue;
      }
      throw new InsertionError(problem);
    }
    const lines = before.split('\n');
    for (const handler of wanted) {
      const [at] = needleLines(lines, insertion.needle);
      const snippet = renderSnippet(runtime, insertion, { ...handler, names, runtime: runtime.id });
      lines.splice(at!, 0, ...indentTo(snippet, lines[at!]!));
    }
    const after = lines.join('\n');
    fs.write(path, after);
    touched.add(path);
  }
  for (const path of touched) {
    if (options.existing.has(path)) {
      const broken = syntaxProblem(path, fs.read(path) ?? '');
      if (broken) throw new InsertionError(`adding ${handlers.added.map((h) => h.name).join(', ')} would leave ${basename(path)} with a syntax error; nothing was written:\n${broken}`);
    }
  }
  for (const { insertion, handler, path } of ownFiles) {
    if (fs.exists(path)) continue;
    fs.write(path, renderSnippet(runtime, insertion, { ...handler, names, runtime: runtime.id }));
    touched.add(path);
  }
  for (const handler of handlers.all) {
    const event = join(root, handler.event);
    if (!fs.exists(event)) {
      const template = join(TEMPLATES, 'common', 'event.json.ejs');
      const data = { ...handler, names, runtime: runtime.id, md5: (text: string) => createHash('md5').update(text).digest('hex') };
      fs.write(event, ejs.render(ejs.fileLoader(template).toString(), data, { filename: template }));
      touched.add(event);
    }
  }
  return { touched: [...touched], notes };
}

/** A refused insertion: the message says what to fix; nothing has been written. */
export class InsertionError extends UsageError {}

/** The syntax checkers at hand for a file's language: the language's own, when it is installed. */
const CHECKERS: Record<string, (file: string) => [string, string[]]> = {
  '.py': (file) => ['python3', ['-m', 'py_compile', file]],
  '.mjs': (file) => ['node', ['--check', file]],
  '.js': (file) => ['node', ['--check', file]],
  '.rb': (file) => ['ruby', ['-c', file]],
};

/** The checker's complaint about `text` as the file at `path`, or undefined when it passes or no checker is installed. */
export function syntaxProblem(path: string, text: string): string | undefined {
  const checker = CHECKERS[extname(path)];
  if (!checker) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'lambda-image-check-'));
  const copy = join(dir, basename(path));
  try {
    writeFileSync(copy, text);
    const [command, args] = checker(copy);
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PYTHONPYCACHEPREFIX: dir } });
    return undefined;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') return undefined;
    return String(e.stderr ?? e.message).replaceAll(copy, basename(path)).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
