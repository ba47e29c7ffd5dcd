// Adding a handler is one mechanism, used by the app generator for every handler of
// a new project and by `yo lambda-image:handler` for one more: render each of the
// runtime's snippets and insert it above its needle line (a comment that stays in
// the file), write the sample event, list the handler in the manifest.
import ejs from 'ejs';
import { join } from 'node:path';
import type { HandlerEntry } from 'lambda-image';
import type { RuntimeSpec } from './catalogue.ts';
import type { ProjectNames } from './names.ts';
import { TEMPLATES } from './paths.ts';

/** The slice of mem-fs-editor this module uses (this.fs of a generator). */
export interface Editor {
  read(path: string, options?: { defaults?: string }): string | null;
  write(path: string, contents: string): string;
  exists(path: string): boolean;
}

export interface PlannedHandler extends HandlerEntry {
  identifier: string;
}

export function planHandler(name: string, runtime: RuntimeSpec, names: ProjectNames): PlannedHandler {
  const identifier = runtime.identifier(name);
  return { name, handler: runtime.handlerString(identifier, names), event: `events/${name}.json`, identifier };
}

/** A template path with __key__ placeholders filled from the project names (__snake__ -> orders_svc). */
export function fillPath(path: string, names: ProjectNames): string {
  return path.replace(/__([a-z]+)__/g, (whole, key: string) =>
    key in names ? names[key as keyof ProjectNames] : whole,
  );
}

function needleLine(lines: string[], needle: string): number {
  return lines.findIndex((line) => line.includes(needle));
}

/**
 * Every file an insertion needs exists and still has its needle line; otherwise a
 * message that says which line to put back. Checked before anything is written.
 */
export function insertionProblem(fs: Editor, root: string, runtime: RuntimeSpec, names: ProjectNames): string | undefined {
  for (const insertion of runtime.insertions) {
    const file = fillPath(insertion.file, names);
    const text = fs.read(join(root, file), { defaults: '' }) ?? '';
    if (!text) return `${file} is missing: it is where new handlers go; restore it (git checkout ${file}) and run again`;
    if (needleLine(text.split('\n'), insertion.needle) < 0)
      return `${file} has no "${insertion.needle}" comment line: it marks where new handlers go; put it back where the next handler belongs and run again`;
  }
  return undefined;
}

export function renderSnippet(runtime: RuntimeSpec, snippet: string, data: Record<string, unknown>): string {
  const template = join(TEMPLATES, runtime.templates, 'handler', snippet);
  const fsRead = ejs.fileLoader(template).toString();
  return ejs.render(fsRead, data, { filename: template });
}

export function addHandlers(
  fs: Editor,
  root: string,
  runtime: RuntimeSpec,
  names: ProjectNames,
  handlers: readonly PlannedHandler[],
): string[] {
  const touched = new Set<string>();
  for (const handler of handlers) {
    const data = { ...handler, names, runtime: runtime.id };
    for (const insertion of runtime.insertions) {
      const path = join(root, fillPath(insertion.file, names));
      const lines = (fs.read(path) ?? '').split('\n');
      const at = needleLine(lines, insertion.needle);
      const snippet = renderSnippet(runtime, insertion.snippet, data).replace(/\n$/, '');
      lines.splice(at, 0, ...snippet.split('\n'));
      fs.write(path, lines.join('\n'));
      touched.add(path);
    }
    const event = join(root, handler.event);
    if (!fs.exists(event)) {
      const template = join(TEMPLATES, 'common', 'event.json.ejs');
      fs.write(event, ejs.render(ejs.fileLoader(template).toString(), data, { filename: template }));
    }
  }
  return [...touched];
}
