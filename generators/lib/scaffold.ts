// Writing a project's files. Sample files (templates/<runtime>/files, the README) are
// written once, then the user's: a re-run never touches them. The tooling is not among
// them: it is the lambda-image package, a devDependency. Template files are real files of
// their language, copied as they are; only the ones named *.ejs are rendered.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type Generator from 'yeoman-generator';
import { fillPath } from './handlers.ts';
import type { ProjectNames } from './names.ts';
import { TEMPLATES } from './paths.ts';
import { otherImageDockerfile } from './base-image.ts';

/** npm drops files named .gitignore from tarballs: dotfiles ship as _gitignore, _dockerignore. */
const DOTFILES: Record<string, string> = { _gitignore: '.gitignore', _dockerignore: '.dockerignore' };

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

/**
 * Every sample file of a runtime: [template, destination relative to the project]. On another
 * base image than AWS's (`otherImage`), the Dockerfile is templates/<runtime>/base-image's.
 */
export function sampleFiles(runtimeTemplates: string, names: ProjectNames, otherImage = false): Array<[string, string]> {
  const source = (f: string) =>
    otherImage && f === 'Dockerfile.ejs' ? otherImageDockerfile({ templates: runtimeTemplates }) : join(TEMPLATES, runtimeTemplates, 'files', f);
  return [
    ...filesUnder(join(TEMPLATES, runtimeTemplates, 'files')).map((f): [string, string] => [source(f), f]),
    [join(TEMPLATES, 'common', 'README.md.ejs'), 'README.md.ejs'],
  ].map(([source, rel]): [string, string] => [source!, destinationName(rel!, names)]);
}

/** Sample files: written when absent, left alone when present. Returns what was written. */
export function writeSampleFiles(
  generator: Generator,
  runtimeTemplates: string,
  names: ProjectNames,
  data: Record<string, unknown>,
  otherImage = false,
): string[] {
  const written: string[] = [];
  for (const [source, destination] of sampleFiles(runtimeTemplates, names, otherImage)) {
    if (generator.existsDestination(destination)) continue;
    if (source.endsWith('.ejs')) generator.renderTemplate(source, destination, data);
    else generator.copyTemplate(source, destination);
    written.push(destination);
  }
  return written;
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
