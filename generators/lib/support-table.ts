// Keeps the README's support table equal to the catalogue:
//   node generators/lib/support-table.ts          prints it
//   node generators/lib/support-table.ts --write  rewrites it in README.md (between the markers)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { supportTable } from './catalogue.ts';
import { packageRoot } from './paths.ts';

export const BEGIN = '<!-- support-table:begin (generated from generators/lib/catalogue.ts) -->';
export const END = '<!-- support-table:end -->';

export function withSupportTable(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${BEGIN} ... ${END} markers`);
  return `${readme.slice(0, start + BEGIN.length)}\n${supportTable()}\n${readme.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) {
    const path = join(packageRoot(), 'README.md');
    writeFileSync(path, withSupportTable(readFileSync(path, 'utf8')));
  } else {
    console.log(supportTable());
  }
}
