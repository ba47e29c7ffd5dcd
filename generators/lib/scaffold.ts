// Writing a project's files. Two kinds, told apart as projen does:
// - sample files (templates/<runtime>/files, the README): written once, then the
//   user's; a re-run never touches them;
// - managed files (scripts/, the tooling): rewritten on every run; Yeoman's
//   conflicter asks before replacing one the user changed.
// Template files are real files of their language, copied as they are; only the
// ones named *.ejs are rendered.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type Generator from 'yeoman-generator';
import { fillPath } from './handlers.ts';
import type { ProjectNames } from './names.ts';
import { TEMPLATES, TOOLING, TOOLING_DESTINATION } from './paths.ts';
import { toolingFiles } from './tooling.ts';

/** npm drops files named .gitignore and .npmrc from tarballs: they ship as _gitignore, _npmrc. */
const DOTFILES: Record<string, string> = { _gitignore: '.gitignore', _dockerignore: '.dockerignore', _npmrc: '.npmrc' };

export function destinationName(templateRelative: string, names: ProjectNames): string {
  const parts = templateRelative.split('/').map((part) => DOTFILES[part] ?? part);
  return fillPath(parts.join('/'), names).replace(/\.ejs$/, '');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Sample files: written when absent, left alone when present. Returns what was written. */
export function writeSampleFiles(
  generator: Generator,
  runtimeTemplates: string,
  names: ProjectNames,
  data: Record<string, unknown>,
): string[] {
  const written: string[] = [];
  const sources: Array<[string, string]> = [
    ...filesUnder(join(TEMPLATES, runtimeTemplates, 'files')).map((f): [string, string] => [join(TEMPLATES, runtimeTemplates, 'files', f), f]),
    [join(TEMPLATES, 'common', 'README.md.ejs'), 'README.md.ejs'],
    [join(TEMPLATES, 'common', '_npmrc'), '_npmrc'],
  ];
  for (const [source, rel] of sources) {
    const destination = destinationName(rel, names);
    if (generator.existsDestination(destination)) continue;
    if (source.endsWith('.ejs')) generator.renderTemplate(source, destination, data);
    else generator.copyTemplate(source, destination);
    written.push(destination);
  }
  return written;
}

/**
 * Managed files: the tooling, copied verbatim into scripts/. A copy the user changed
 * goes through Yeoman's conflicter (it asks); with --yes nobody can answer, so such a
 * file is kept as it is and listed in the returned array.
 */
export function writeManagedFiles(generator: Generator, unattended: boolean): string[] {
  const kept: string[] = [];
  for (const file of toolingFiles()) {
    const source = join(TOOLING, file);
    const destination = join(TOOLING_DESTINATION, file);
    if (unattended && generator.existsDestination(destination)) {
      const current = generator.readDestination(destination);
      if (current !== readFileSync(source, 'utf8')) {
        kept.push(destination);
        continue;
      }
    }
    generator.copyTemplate(source, destination);
  }
  return kept;
}

/**
 * Files the generator edits on purpose (a handler inserted, the manifest merged,
 * package.json's managed keys) are written without a conflict question: the user asked
 * for exactly that change, and the rest of each file is kept as it is.
 */
export function forceWrites(generator: Generator, paths: readonly string[]): void {
  for (const path of paths) {
    const file = generator.env.sharedFs.get(generator.destinationPath(path)) as { conflicter?: string };
    file.conflicter = 'force';
  }
}
