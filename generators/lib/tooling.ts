// What a generated project's package.json needs for its tooling, derived from the
// tooling itself so that it can never list a script that does not exist or miss a
// dependency: every top-level templates/tooling/<x>.ts is `npm run <x>`, and every
// bare import in templates/tooling/** is a devDependency, at the version this
// package's own package.json pins (the one our tests ran against).
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { builtinModules } from 'node:module';
import { TOOLING, TOOLING_DESTINATION, packageRoot } from './paths.ts';

export function toolingFiles(dir: string = TOOLING): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

export function toolingScripts(dir: string = TOOLING): Record<string, string> {
  return Object.fromEntries(
    toolingFiles(dir)
      .filter((f) => !f.includes('/'))
      .map((f) => [f.replace(/\.ts$/, ''), `node ${TOOLING_DESTINATION}/${f}`]),
  );
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The package a specifier belongs to: "@aws-sdk/client-ecr/x" -> "@aws-sdk/client-ecr"; undefined for node: and relative ones. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export function toolingDependencies(dir: string = TOOLING): Record<string, string> {
  const own = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const versions = { ...own.devDependencies, ...own.dependencies };
  const deps: Record<string, string> = {};
  for (const file of toolingFiles(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const pkg = packageOf(match[1] ?? match[2] ?? '');
      if (!pkg) continue;
      const version = versions[pkg];
      if (!version) throw new Error(`templates/tooling/${file} imports ${pkg}, which is not in generator-lambda-image's package.json`);
      deps[pkg] = version;
    }
  }
  return Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
}

/** What each tooling script does, for the generated README (a script missing here gets a generic line). */
const DESCRIPTIONS: Record<string, string> = {
  local: 'Builds the image, runs ONE container and invokes every handler through the dispatcher (`npm run local -- --help`)',
  deploy: 'Pushes the image to ECR once and deploys one function per handler (`npm run deploy -- --help`)',
  destroy: "Deletes the project's functions (`npm run destroy -- --help`)",
  invoke: 'Invokes a deployed function and prints its response and log tail (`npm run invoke -- --help`)',
};

export function toolingCommands(dir: string = TOOLING): Array<[string, string]> {
  return Object.keys(toolingScripts(dir)).map((script) => [
    script,
    DESCRIPTIONS[script] ?? `See \`npm run ${script} -- --help\``,
  ]);
}
