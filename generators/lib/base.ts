// What both generators share beyond Yeoman's Generator: their own commit (all or nothing,
// one "create" line per new file, no conflicter chatter), their own --help, the refusal of
// options they do not know, and Yeoman's diagnostics only with --verbose.
import Generator, { type BaseOptions } from 'yeoman-generator';
import { commitFiles, type MemStore } from './commit.ts';
import { helpText, unknownOptions, type Generator as Which } from './options.ts';
import { TEMPLATES } from './paths.ts';
import { UsageError } from './errors.ts';
import { configSyntaxProblem } from './project-state.ts';

/**
 * Options that reach a generator from yeoman-environment, yeoman-test and yo rather than from
 * the user: not checked as the user's.
 */
const CARRIED = new Set([
  'env', 'resolved', 'namespace', 'namespaceId', '_meta', 'sharedData', 'sharedFs', 'destinationRoot',
  'skipCache', 'skip-cache', 'forceInstall', 'force-install', 'askAnswered', 'ask-answered', 'skipCheckEnv',
  'localConfigOnly', 'skipLocalCache', 'skipParseOptions', 'initialGenerator', 'compose', 'composedStore',
  'force', 'skipInstall', 'skip-install', 'help', 'h', 'logCwd', 'nodePackageManager', 'skipYoResolve', 'bail', 'dryRun', 'ignoreWhitespace',
  'description', 'positionalArgs', 'generatorArgs', 'forwardErrorToEnvironment', '_',
  // yo's own flags (yo passes every flag of its command line through).
  'insight', 'no-insight', 'noInsight', 'updateNotifier', 'update-notifier', 'color', 'debug', 'localOnly', 'local-only',
]);

export abstract class LambdaImageGenerator extends Generator {
  declare options: Generator['options'] & Record<string, unknown>;
  /** True when the folder was not a lambda-image project: its files must not be written. */
  protected foreign = false;
  /** Lines for the user after the run (kept package.json keys, skipped table rows). */
  protected notes: string[] = [];

  private readonly which: Which;

  constructor(args: string[], options: BaseOptions, which: Which) {
    // Yeoman parses .yo-rc.json while it builds the generator, with a stack trace for a broken one.
    const unreadable = configSyntaxProblem(options.env?.cwd ?? process.cwd());
    if (unreadable) throw new UsageError(`${unreadable}\nNothing was written.`);
    super(args, options, {
      // The environment's commit would ask per file and log "force" for every edit we make on purpose.
      customCommitTask: () => this.commit(),
      // npm install runs in install(), without the environment's package-manager chatter.
      customInstallTask: true,
    });
    this.which = which;
    // One templates/ folder at the package root serves every generator.
    this.sourceRoot(TEMPLATES);
    const adapterLog = this.log;
    const verbose = () => this.options.verbose === true;
    // Yeoman logs "An error occured while running ..." through log.error before every error
    // a task throws; ours say what happened themselves. (log is read-only in Yeoman's types.)
    Object.defineProperty(this, 'log', {
      value: Object.assign((...args: Parameters<typeof adapterLog>) => adapterLog(...args), adapterLog, {
        error: (...args: Parameters<typeof adapterLog.error>) => (verbose() ? adapterLog.error(...args) : adapterLog),
      }),
    });
  }

  override help(): string {
    return helpText(this.which);
  }

  /** The options the user gave that this generator does not know: refused before anything else. */
  protected refuseUnknownOptions(declared: readonly string[]): void {
    const given = Object.keys(this.options).filter((key) => !CARRIED.has(key) && !declared.includes(key));
    const problems = unknownOptions(this.which, given);
    if (problems.length > 0) throw new UsageError(`${problems.join('\n')}\n(--help lists every option)`);
  }

  protected commit(): void {
    commitFiles(this.env.sharedFs as unknown as MemStore, {
      root: this.destinationRoot(),
      foreign: this.foreign,
      created: (path) => this.log.create(path),
    });
  }
}
