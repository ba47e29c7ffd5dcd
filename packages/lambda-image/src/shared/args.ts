// Every command parses its arguments with util.parseArgs (built in: the surface is small,
// and a dependency would only add install time to every project). This wrapper adds what
// parseArgs leaves out: a suggestion for a mistyped option, and the way to the help.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from './suggest.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The option names a user can type, with their dashes: --no-build, -h… */
function spellings(options: Options): string[] {
  return Object.entries(options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);
}

/**
 * parseArgs in strict mode; an unknown option or a missing value becomes a UsageError that
 * names the closest known option and the command's --help.
 */
export function parseCommandArgs<T extends Options>(argv: string[], options: T, command: string, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    const unknown = /Unknown option '([^']+)'/.exec(message)?.[1];
    const suggestion = unknown ? closest(unknown.replace(/=.*$/, ''), spellings(options)) : undefined;
    throw new UsageError(
      `${message}${suggestion ? ` (did you mean ${suggestion}?)` : ''}\nRun \`lambda-image ${command} --help\` for the options.`,
    );
  }
}
