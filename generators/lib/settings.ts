// From what a run is given to typed Settings: the command line first, then the manifest
// (the source of truth of a generated project), then .yo-rc.json, then the questions (or,
// with --yes, the defaults). Everything given is checked before anything is asked, and
// every problem names where the bad value came from.
import { FIELDS, KEYS, applies, type DefaultsEnv, type Key, type Known, type Settings } from './questions.ts';
import { UsageError } from './errors.ts';
import { OTHER_IMAGE_RUNTIMES, otherImageExample } from './base-image.ts';
import { baseImage as awsBaseImage } from './catalogue.ts';

/** The prompt's first half of the base image question: the AWS base image or another one. */
export const BASE_IMAGE_KIND = 'baseImageKind';

/** A value as text, and where it came from ("--memory", "lambda-image.json: \"memory\""). */
export interface Input {
  text: string;
  where: string;
}
export type Inputs = Partial<Record<Key, Input>>;

/** Answers so far, as the prompt passes them. */
export type Answers = Partial<Record<string, string>>;

interface QuestionBase {
  name: Key | typeof BASE_IMAGE_KIND;
  message: string;
  default: (answers: Answers) => string;
  validate: (input: string, answers?: Answers) => true | string;
  when: (answers: Answers) => boolean;
}
/** A question as Yeoman's prompt (Inquirer) takes it: free input, or a list to select from. */
export type PromptQuestion =
  | (QuestionBase & { type: 'input' })
  | (QuestionBase & { type: 'select'; choices: (answers: Answers) => Array<{ name: string; value: string }> });

export interface ResolveOptions {
  /** Ask nothing: every value not given takes its default. */
  yes: boolean;
  env: DefaultsEnv;
  /** Asks the questions, all in one prompt; returns the answers as text. */
  ask(questions: PromptQuestion[]): Promise<Answers>;
}

/** Sets one parsed value into `known`; the problem, if any, with where the value came from. */
function take<K extends Key>(key: K, input: Input, known: Known): string | undefined {
  const parsed = FIELDS[key].parse(input.text.trim(), known);
  if (parsed.problem !== undefined) return input.where ? `${input.where}: ${parsed.problem}` : parsed.problem;
  known[key] = parsed.value;
  return undefined;
}

/** The default, checked like a given value: one derived from the name (a Java package) can be invalid. */
function setDefault<K extends Key>(key: K, known: Known, env: DefaultsEnv): string | undefined {
  const field = FIELDS[key];
  const text = field.show(field.default(known, env));
  return take(key, { text, where: field.option ? `--${field.option} (by default "${text}")` : `the ${key} (by default "${text}")` }, known);
}

const ready = (key: Key, known: Known) => FIELDS[key].needs.every((need) => known[need] !== undefined);

/** The answers so far, parsed over what is known (the prompt validated each as it was typed). */
function withAnswers(known: Known, answers: Answers): Known {
  const all: Known = { ...known };
  for (const key of KEYS) {
    const answer = answers[key];
    if (answer !== undefined && all[key] === undefined && ready(key, all)) take(key, { text: String(answer), where: '' }, all);
  }
  return all;
}

export async function resolveSettings(inputs: Inputs, options: ResolveOptions): Promise<Settings> {
  const known: Known = {};
  const problems: string[] = [];
  const deferred: Key[] = [];
  const missing: Key[] = [];
  for (const key of KEYS) {
    const input = inputs[key];
    if (known.runtime && !applies(key, known.runtime)) {
      // Silently building on the AWS image instead would be a surprise found only at deploy time.
      if (key === 'baseImage' && input?.where.startsWith('--') && input.text.trim() !== 'aws')
        problems.push(`--base-image is for ${OTHER_IMAGE_RUNTIMES.join(', ')}: ${known.runtime.label} projects build on the AWS base image`);
      continue;
    }
    if (input !== undefined) {
      if (!ready(key, known)) deferred.push(key);
      else {
        const problem = take(key, input, known);
        if (problem) problems.push(problem);
      }
    } else if (options.yes && ready(key, known)) {
      const problem = applies(key, known.runtime) ? setDefault(key, known, options.env) : undefined;
      if (problem) problems.push(problem);
    } else {
      missing.push(key);
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));

  if (missing.length > 0) {
    const answers = await options.ask(missing.flatMap((key) => questions(key, known, options.env)));
    for (const key of missing) {
      const answer = key === 'baseImage' && answers[BASE_IMAGE_KIND] === 'aws' ? 'aws' : answers[key];
      if (answer === undefined) continue;
      const problem = take(key, { text: String(answer), where: '' }, known);
      if (problem) throw new UsageError(problem);
    }
  }
  for (const key of deferred) {
    if (!applies(key, known.runtime)) continue;
    const problem = take(key, inputs[key]!, known);
    if (problem) problems.push(problem);
  }
  for (const key of KEYS) {
    if (known[key] !== undefined || !applies(key, known.runtime)) continue;
    const problem = setDefault(key, known, options.env);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return complete(known);
}

function complete(known: Known): Settings {
  const { name, runtime, runtimeVersion, javaPackage, goModule, handlers, arch, region, repository, memory, timeout, deploy, baseImage } = known;
  if (
    name === undefined || runtime === undefined || runtimeVersion === undefined || handlers === undefined || arch === undefined ||
    region === undefined || repository === undefined || memory === undefined || timeout === undefined || deploy === undefined
  ) {
    throw new Error('generator-lambda-image: a setting was left unresolved');
  }
  return {
    name, runtime, runtimeVersion, handlers, arch, region, repository, memory, timeout, deploy,
    javaPackage: javaPackage ?? FIELDS.javaPackage.default(known, { cwd: '' }),
    goModule: goModule ?? FIELDS.goModule.default(known, { cwd: '' }),
    baseImage: baseImage ?? '',
  };
}

/** The questions for one key: the base image is a choice first (AWS's or another), then, for another, its name. */
function questions(key: Key, known: Known, env: DefaultsEnv): PromptQuestion[] {
  const one = question(key, known, env);
  if (key !== 'baseImage') return [one];
  const runtimeOf = (answers: Answers) => withAnswers(known, answers);
  const kind: PromptQuestion = {
    type: 'select',
    name: BASE_IMAGE_KIND,
    message: 'Base image',
    when: one.when,
    default: () => 'aws',
    validate: () => true,
    choices: (answers) => {
      const k = runtimeOf(answers);
      const aws = k.runtime && k.runtimeVersion ? `: ${awsBaseImage(k.runtime, k.runtimeVersion)}, patched by AWS` : '';
      return [
        { name: `AWS base image (recommended)${aws}`, value: 'aws' },
        { name: 'Another image (slim, distroless, your golden image): the runtime interface client goes in; you own its patching', value: 'other' },
      ];
    },
  };
  const name: PromptQuestion = {
    ...one,
    type: 'input',
    message: 'The image to build on',
    when: (answers) => one.when(answers) && answers[BASE_IMAGE_KIND] === 'other',
    default: (answers) => {
      const k = runtimeOf(answers);
      return k.runtime && k.runtimeVersion ? otherImageExample(k.runtime, k.runtimeVersion) : '';
    },
    validate: (input, answers) => (String(input).trim() === 'aws' ? 'give the image to build on, e.g. python:3.14-slim' : one.validate(input, answers)),
  };
  return [kind, name];
}

function question<K extends Key>(key: K, known: Known, env: DefaultsEnv): PromptQuestion {
  const field = FIELDS[key];
  const choices = field.choices;
  const base: QuestionBase = {
    name: key,
    message: field.message,
    when: (answers) => applies(key, withAnswers(known, answers).runtime),
    default: (answers) => field.show(field.default(withAnswers(known, answers), env)),
    validate: (input, answers = {}) => field.parse(String(input).trim(), withAnswers(known, answers)).problem ?? true,
  };
  return choices ? { ...base, type: 'select', choices: (answers) => choices(withAnswers(known, answers)) } : { ...base, type: 'input' };
}
