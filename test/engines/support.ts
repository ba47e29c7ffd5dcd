// Helpers shared by the deploy-engine tests: reading CloudFormation YAML (with its short-form
// tags), running cfn-lint, and generating projects with a given engine.
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import helpers from 'yeoman-test';
import { parse } from 'yaml';
import { APP, HANDLER, generateProject, type GenerateOptions } from '../support/generate.ts';

/** CloudFormation's short forms, read as their long forms (what CloudFormation itself does). */
const CFN_TAGS = [
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
  { tag: '!Sub', resolve: (value: string) => ({ 'Fn::Sub': value }) },
  { tag: '!GetAtt', resolve: (value: string) => ({ 'Fn::GetAtt': value.split('.') }) },
];

export type Template = {
  Transform?: string;
  Parameters?: Record<string, { Type: string; Default?: string }>;
  Resources: Record<string, { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown>; DependsOn?: unknown }>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
};

export function readCfnYaml(path: string): Template {
  return parse(readFileSync(path, 'utf8'), { customTags: CFN_TAGS }) as Template;
}

export const resourcesOfType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);

export interface LintResult {
  exitCode: number;
  output: string;
  errors: string[];
}

/**
 * cfn-lint's verdict. Its exit code is a bit field: 2 errors, 4 warnings, 8 informational
 * (and 1 for a failure of cfn-lint itself). Errors are the rules named E….
 */
export async function cfnLint(path: string): Promise<LintResult> {
  const result = await execa('cfn-lint', ['--format', 'parseable', '--', path], { reject: false, all: true });
  const output = result.all ?? '';
  const errors = output.split('\n').filter((line) => /:E\d{4}:/.test(line));
  return { exitCode: result.exitCode ?? -1, output, errors };
}

export type EngineOptions = GenerateOptions & { deploy?: string };

/** generateProject with the engine option (and any other option of the app generator). */
export function generateWithEngine(dir: string, options: EngineOptions): Promise<string> {
  return generateProject(dir, options as GenerateOptions);
}

/** Runs the app generator again in an existing project, unattended, with these options. */
export async function rerunApp(project: string, options: Record<string, unknown> = {}): Promise<void> {
  const all: Record<string, unknown> = { yes: true, skipInstall: true, ...options };
  await helpers.run(APP, { cwd: project, tmpdir: false, autoCleanup: false }).withOptions(all);
}

export async function addHandler(project: string, name: string): Promise<void> {
  await helpers.run(HANDLER, { cwd: project, tmpdir: false, autoCleanup: false }).withArguments([name]).withOptions({ skipInstall: true });
}
