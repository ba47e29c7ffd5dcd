// The command line of both generators: every option they know, their --help, and the check
// that refuses anything else (with the closest known option suggested). The bin and Yeoman's
// `yo lambda-image` show the same text and apply the same check.
import { closest } from 'lambda-image';
import { RUNTIMES, tagDates } from './catalogue.ts';
import { FIELDS, KEYS } from './questions.ts';
import { UsageError } from './errors.ts';

export type Generator = 'app' | 'handler';

export interface OptionSpec {
  name: string;
  alias?: string;
  /** Takes a value (--memory 1024) or is a flag (--yes). */
  value?: string;
  description: string;
}

const FLAGS: Record<string, OptionSpec> = {
  yes: { name: 'yes', alias: 'y', description: 'Ask nothing: every question not answered by an option takes its default (works with no terminal)' },
  force: {
    name: 'force',
    description: 'Generate into a folder that already has other files (it is not a lambda-image project); none of them is changed: a file in the way stops the run',
  },
  'skip-install': { name: 'skip-install', description: 'Do not run npm install for the tooling afterwards' },
  verbose: { name: 'verbose', description: "Show Yeoman's diagnostics, and a stack trace with every error" },
  help: { name: 'help', alias: 'h', description: 'Show this help' },
  trigger: {
    name: 'trigger',
    value: 'type',
    description: 'What invokes the new function besides npm run invoke: schedule, url or sqs (lambda-image.json "trigger"; default: none)',
  },
  schedule: {
    name: 'schedule',
    value: 'expression',
    description: 'With --trigger schedule (implied): rate(...) or cron(...) (default: rate(1 day))',
  },
  version: { name: 'version', description: "Show generator-lambda-image's version" },
};

/** The options of each generator, in --help order. */
export function optionsOf(generator: Generator): OptionSpec[] {
  if (generator === 'handler') return [FLAGS.trigger!, FLAGS.schedule!, FLAGS.verbose!, FLAGS.help!, FLAGS.version!];
  const fields = KEYS.flatMap((key) => {
    const field = FIELDS[key];
    return field.option ? [{ name: field.option, value: valueName(field.option), description: field.description }] : [];
  });
  return [...fields, FLAGS.yes!, FLAGS.force!, FLAGS['skip-install']!, FLAGS.verbose!, FLAGS.help!, FLAGS.version!];
}

const valueName = (option: string) => (option === 'runtime-version' ? 'tag' : option === 'handlers' ? 'names' : option.replace(/^.*-/, ''));

/**
 * Options a run was given that the generator does not know, each with the closest known one;
 * `given` are option names as typed (kebab-case) or as Yeoman and yo pass them (camelCase).
 */
export function unknownOptions(generator: Generator, given: Iterable<string>): string[] {
  const specs = optionsOf(generator);
  const known = new Set(specs.flatMap((s) => [s.name, camel(s.name), ...(s.alias ? [s.alias] : [])]));
  const problems: string[] = [];
  for (const name of given) {
    if (known.has(name)) continue;
    const kebab = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (known.has(kebab)) continue;
    const suggestion = closest(kebab, specs.map((s) => s.name));
    const dashes = kebab.length === 1 ? '-' : '--';
    problems.push(`unknown option ${dashes}${kebab}${suggestion ? `: did you mean --${suggestion}?` : ''}`);
  }
  return problems;
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The command line of the bin, parsed strictly: unknown options and missing values are refused. */
export interface CommandLine {
  generator: Generator;
  positionals: string[];
  /** Option values by kebab-case name; flags are true. */
  options: Record<string, string | true>;
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const args = [...argv];
  const generator: Generator = args[0] === 'handler' ? 'handler' : 'app';
  if (generator === 'handler') args.shift();
  const specs = optionsOf(generator);
  const byName = new Map(specs.flatMap((s) => [[s.name, s] as const, ...(s.alias ? [[s.alias, s] as const] : [])]));
  const positionals: string[] = [];
  const options: Record<string, string | true> = {};
  const unknown: string[] = [];
  const problems: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const [raw = '', inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2);
    const spec = byName.get(raw);
    if (!spec) {
      unknown.push(raw);
      // A value that follows an unknown option is not the project name.
      if (inline === undefined && args[i + 1] !== undefined && !args[i + 1]!.startsWith('-')) i++;
      continue;
    }
    if (!spec.value) {
      if (inline !== undefined) problems.push(`--${spec.name} takes no value`);
      options[spec.name] = true;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      problems.push(`--${spec.name} needs a value: ${spec.description}`);
      continue;
    }
    options[spec.name] = value;
  }
  problems.unshift(...unknownOptions(generator, unknown));
  if (positionals.length > 1) problems.push(`too many arguments: ${positionals.join(' ')} (expected ${generator === 'app' ? 'at most a project name' : 'one handler name'})`);
  if (generator === 'handler' && positionals.length === 0 && !options.help && !options.version)
    problems.push('the handler needs a name: npx generator-lambda-image handler <name>');
  if (problems.length > 0) throw new UsageError(`${problems.join('\n')}\n(npx generator-lambda-image${generator === 'handler' ? ' handler' : ''} --help lists every option)`);
  return { generator, positionals, options };
}

function runtimeVersions(): string {
  return RUNTIMES.map((r) => {
    const tags = r.tags.map((t) => (tagDates(t) ? `${t.tag} (${tagDates(t)})` : t.tag)).join(', ');
    return `      ${r.id}: ${tags}`;
  }).join('\n');
}

function optionLines(specs: readonly OptionSpec[]): string {
  const left = (s: OptionSpec) => `--${s.name}${s.value ? ` <${s.value}>` : ''}${s.alias ? `, -${s.alias}` : ''}`;
  const width = Math.max(...specs.map((s) => left(s).length)) + 2;
  return specs
    .map((s) => {
      const line = `  ${left(s).padEnd(width)}${s.description}`;
      return s.name === 'runtime-version' ? `${line}\n${runtimeVersions()}` : line;
    })
    .join('\n');
}

export function helpText(generator: Generator): string {
  if (generator === 'handler') {
    return [
      'Usage: npx generator-lambda-image handler <name> [options]',
      '       yo lambda-image:handler <name> [options]',
      '',
      'Adds a handler to the lambda-image project around the current folder: its function, the dispatcher',
      "route, its core function, a test, a sample event, the manifest entry and the README's table row.",
      '',
      'Arguments:',
      '  <name>  The handler\'s name: letters, digits and underscores, starting with a letter (e.g. report_daily)',
      '',
      'Options:',
      optionLines(optionsOf('handler')),
      '',
    ].join('\n');
  }
  return [
    'Usage: npx generator-lambda-image [name] [options]',
    '       yo lambda-image [name] [options]',
    '       npx generator-lambda-image handler <name>     (yo lambda-image:handler <name>: adds a handler; see its --help)',
    '',
    'Scaffolds an AWS Lambda project shipped as ONE container image and deployed as one function per handler.',
    'Every question can be answered by an option; an interactive run asks what the options did not give.',
    '',
    'Arguments:',
    `  [name]  ${FIELDS.name.description}. Written to ./<name> unless the current folder has that name (default: the current folder's name; "handler" is taken)`,
    '',
    'Options:',
    optionLines(optionsOf('app')),
    '',
    'A re-run in a generated project asks nothing already answered and keeps your changes.',
    '',
  ].join('\n');
}
