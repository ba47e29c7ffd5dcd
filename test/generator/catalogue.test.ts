// The catalogue is the one description of every runtime: these checks hold for
// every language it lists, including ones added later.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { RUNTIMES, baseImage, defaultTag, deprecationWarning } from '../../generators/lib/catalogue.ts';
import { destinationName } from '../../generators/lib/scaffold.ts';
import { projectNames } from '../../generators/lib/names.ts';
import { TEMPLATES, packageRoot } from '../../generators/lib/paths.ts';
import { withSupportTable } from '../../generators/lib/support-table.ts';

test('the README support table is the catalogue (node generators/lib/support-table.ts --write)', () => {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  expect(readme).toBe(withSupportTable(readme));
});

test('the six languages of the command-line contract are listed', () => {
  for (const id of ['python', 'nodejs', 'java', 'go', 'ruby', 'dotnet']) expect(RUNTIMES.map((r) => r.id)).toContain(id);
});

describe.each(RUNTIMES.map((r) => [r.id, r] as const))('%s', (_id, runtime) => {
  test('tags are listed newest first, unique, and the default is not deprecated today', () => {
    const tags = runtime.tags.map((t) => t.tag);
    expect(new Set(tags).size).toBe(tags.length);
    expect(deprecationWarning(runtime, defaultTag(runtime))).toBeUndefined();
    expect(baseImage(runtime, tags[0]!)).toMatch(/^public\.ecr\.aws\/lambda\/[a-z]+:[\w.]+$/);
  });

  test('its templates exist: files, a Dockerfile on the base image, every snippet and needle', () => {
    const names = projectNames('orders-svc');
    expect(existsSync(join(TEMPLATES, runtime.templates, 'files'))).toBe(true);
    expect(existsSync(join(TEMPLATES, runtime.templates, 'layout.md.ejs'))).toBe(true);
    const dockerfile = readFileSync(join(TEMPLATES, runtime.templates, 'files', 'Dockerfile.ejs'), 'utf8');
    expect(dockerfile).toMatch(/^ARG BASE_IMAGE=<%= baseImage %>$/m);
    expect(dockerfile).toMatch(/^FROM \$\{BASE_IMAGE\}/m);
    for (const insertion of runtime.insertions) {
      expect(existsSync(join(TEMPLATES, runtime.templates, 'handler', insertion.snippet)), insertion.snippet).toBe(true);
      const file = [insertion.file, `${insertion.file}.ejs`]
        .map((f) => join(TEMPLATES, runtime.templates, 'files', f))
        .find((f) => existsSync(f));
      expect(file, `${insertion.file} is in templates/${runtime.templates}/files`).toBeDefined();
      expect(readFileSync(file!, 'utf8')).toContain(insertion.needle);
      expect(destinationName(insertion.file, names)).not.toMatch(/__/);
    }
  });
});
