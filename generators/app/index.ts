// `yo lambda-image [name]`: asks what the options did not give, validates it all,
// then writes the project. The questions, options and checks come from
// lib/questions.ts; the runtime languages from lib/catalogue.ts.
import { basename, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import Generator, { type BaseOptions } from 'yeoman-generator';
import { MANIFEST_FILE, type Manifest } from 'lambda-image';
import { baseImage, findRuntime, type RuntimeSpec } from '../lib/catalogue.ts';
import { UsageError } from '../lib/errors.ts';
import { addHandlers, insertionProblem, planHandler, type PlannedHandler } from '../lib/handlers.ts';
import { projectNames, type ProjectNames } from '../lib/names.ts';
import { buildManifest, packageJsonPatch } from '../lib/project.ts';
import { QUESTIONS, type Answers, type Key } from '../lib/questions.ts';
import { forceWrites, writeSampleFiles } from '../lib/scaffold.ts';
import { ENGINE_DESCRIPTIONS, writeEngineFiles } from '../lib/engines.ts';
import { toolingCommands } from '../lib/tooling.ts';
import { TEMPLATES } from '../lib/paths.ts';
import { checkHandlerNames, checkProjectName, parseHandlerList } from '../lib/validate.ts';
import ejs from 'ejs';

type Stored = Partial<Record<Key, string>>;

const optionKey = (option: string): string => option.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

// Yeoman runs every method whose name does not start with "_" as a task: helpers start with "_".
export default class AppGenerator extends Generator {
  declare options: Generator['options'] & Record<string, unknown>;
  private answers!: Answers;
  private runtime!: RuntimeSpec;
  private names!: ProjectNames;
  private existing: Manifest | undefined;
  private handlers: PlannedHandler[] = [];
  private newHandlers: PlannedHandler[] = [];

  constructor(args: string[], options: BaseOptions) {
    super(args, options);
    // One templates/ folder at the package root serves every generator.
    this.sourceRoot(TEMPLATES);
    this.argument('name', {
      type: String,
      required: false,
      description: 'Project name (default: the current folder\'s). Written to ./<name> unless the current folder has that name. "handler" is taken by the handler subgenerator.',
    });
    for (const question of QUESTIONS) {
      if (question.option) this.option(question.option, { type: String, description: question.description });
    }
    this.option('yes', {
      type: Boolean,
      alias: 'y',
      default: false,
      description: 'Ask nothing: every question not given by an option takes its default (works with no TTY)',
    });
  }

  initializing(): void {
    const name = this.options.name as string | undefined;
    const cwd = this.destinationRoot();
    if (name && basename(cwd) !== name && !this._isProject(cwd)) {
      this.destinationRoot(resolve(cwd, name));
      // The environment installs dependencies where package.json is: follow the project.
      this.env.cwd = this.destinationRoot();
    }
    this.existing = this._readManifest();
  }

  async prompting(): Promise<void> {
    const given = this._given();
    const stored = this._stored();
    this._checkGiven(given, stored);

    const answers: Partial<Answers> = {};
    const env = { cwd: this.destinationRoot(), awsRegion: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined };
    for (const question of QUESTIONS) {
      let value = given[question.key] ?? stored[question.key];
      if (value === undefined && this.options.yes) value = question.default(answers, env);
      if (value === undefined) {
        const reply = await this.prompt<Record<string, string>>([
          {
            type: question.choices ? 'select' : 'input',
            name: question.key,
            message: question.message,
            default: question.default(answers, env),
            choices: question.choices?.(answers),
            validate: (input: string) => question.check(String(input).trim(), answers) ?? true,
          },
        ]);
        value = String(reply[question.key]).trim();
      }
      const problem = question.check(value, answers);
      if (problem) throw new UsageError(problem);
      answers[question.key] = value;
    }
    this.answers = answers as Answers;
    this._resolveProject(given);
  }

  configuring(): void {
    const { handlers: _handlers, ...rest } = this.answers;
    this.config.set(rest);
  }

  writing(): void {
    const runtime = this.runtime;
    const manifest = buildManifest(this.answers, runtime, this.names, this.handlers, this.existing);
    const layoutTemplate = join(TEMPLATES, runtime.templates, 'layout.md.ejs');
    const data = {
      names: this.names,
      baseImage: baseImage(runtime, this.answers.runtimeVersion),
      runtimeVersion: this.answers.runtimeVersion,
      runtimeLabel: runtime.label,
      arch: this.answers.arch,
      dispatcher: manifest.dispatcher,
      handlers: manifest.handlers,
      testCommand: runtime.testCommand,
      commands: toolingCommands(),
      layout: ejs.render(readFileSync(layoutTemplate, 'utf8'), { names: this.names }),
      engine: manifest.deploy.engine ?? 'sdk',
      engineDescription: ENGINE_DESCRIPTIONS[manifest.deploy.engine ?? 'sdk'],
    };
    writeSampleFiles(this, runtime.templates, this.names, data);
    const edited = addHandlers(this.fs, this.destinationRoot(), runtime, this.names, this.newHandlers);
    this.writeDestinationJSON(MANIFEST_FILE, manifest);
    const patch = packageJsonPatch(runtime, this.names, manifest.deploy.engine ?? 'sdk', this.existsDestination('package.json'));
    this.packageJson.merge(patch as Parameters<typeof this.packageJson.merge>[0]);
    forceWrites(this, [...edited, MANIFEST_FILE, 'package.json']);
    writeEngineFiles(this, manifest);
  }

  end(): void {
    const where = this.destinationRoot() === this.env.logCwd ? '' : `cd ${this.destinationRoot()} && `;
    const added = this.existing ? ` (${this.newHandlers.length} handler(s) added)` : '';
    this.log(
      `\n${this.names.name}: ${this.runtime.label} ${this.answers.runtimeVersion}, handlers ${this.handlers.map((h) => h.name).join(', ')}${added}.\n` +
        `Next: ${where}npm test${this.options.skipInstall || this.options['skip-install'] ? ' (after npm install, for lambda-image)' : ''}\n`,
    );
  }

  private _isProject(dir: string): boolean {
    try {
      readFileSync(join(dir, MANIFEST_FILE));
      return true;
    } catch {
      return false;
    }
  }

  private _readManifest(): Manifest | undefined {
    if (!this.existsDestination(MANIFEST_FILE)) return undefined;
    try {
      return this.readDestinationJSON(MANIFEST_FILE) as unknown as Manifest;
    } catch (error) {
      throw new UsageError(`${MANIFEST_FILE} is not valid JSON (${(error as Error).message}): fix it, then run again`);
    }
  }

  /** Values given on the command line, as strings. */
  private _given(): Stored {
    const given: Stored = {};
    if (typeof this.options.name === 'string') given.name = this.options.name;
    for (const question of QUESTIONS) {
      if (!question.option) continue;
      // The command line stores --runtime-version as "runtime-version"; programmatic callers pass runtimeVersion.
      const value = this.options[question.option] ?? this.options[optionKey(question.option)];
      if (value === undefined || value === null) continue;
      if (typeof value === 'boolean') throw new UsageError(`--${question.option} needs a value: ${question.description}`);
      given[question.key] = String(value).trim();
    }
    return given;
  }

  /** Answers of an earlier run: the manifest first (the source of truth), then .yo-rc.json. */
  private _stored(): Stored {
    const config = this.config.getAll() as Stored;
    const stored: Stored = { ...config };
    const m = this.existing;
    if (m) {
      Object.assign(stored, {
        name: m.name,
        runtime: m.runtime,
        runtimeVersion: m.runtimeVersion,
        arch: m.architecture,
        region: m.region,
        repository: m.repository,
        memory: m.memory === undefined ? undefined : String(m.memory),
        timeout: m.timeout === undefined ? undefined : String(m.timeout),
        handlers: m.handlers?.map((h) => h.name).join(','),
        deploy: m.deploy?.engine,
      });
    }
    for (const key of Object.keys(stored) as Key[]) if (stored[key] === undefined) delete stored[key];
    return stored;
  }

  /** Every given option is checked before anything is asked, as far as what it depends on is known. */
  private _checkGiven(given: Stored, stored: Stored): void {
    const known: Partial<Answers> = { ...stored, ...given };
    const problems: string[] = [];
    for (const question of QUESTIONS) {
      const value = given[question.key];
      if (value === undefined) continue;
      if (!question.needs.every((key) => known[key] !== undefined && (key !== 'runtime' || findRuntime(known[key] ?? '')))) continue;
      const problem = question.check(value, known);
      if (problem) problems.push(question.option ? `--${question.option}: ${problem}` : problem);
    }
    if (problems.length > 0) throw new UsageError(problems.join('\n'));
  }

  /** Cross-checks and the handler plan, once every answer is known; still nothing written. */
  private _resolveProject(given: Stored): void {
    const runtime = findRuntime(this.answers.runtime);
    if (!runtime) throw new UsageError(`unknown runtime "${this.answers.runtime}"`);
    this.runtime = runtime;
    const nameProblem = checkProjectName(this.answers.name, runtime);
    if (nameProblem) throw new UsageError(nameProblem);
    if (this.existing && this.existing.runtime !== runtime.id) {
      throw new UsageError(
        `this project is ${this.existing.runtime} (${MANIFEST_FILE}); it cannot become ${runtime.id}: generate a new project in another folder`,
      );
    }
    this.names = projectNames(this.answers.name);
    const wanted = parseHandlerList(this.answers.handlers);
    const existingNames = this.existing?.handlers?.map((h) => h.name) ?? [];
    const added = wanted.filter((name) => !existingNames.includes(name));
    const problem = checkHandlerNames(added, runtime, existingNames);
    if (added.length > 0 && problem) throw new UsageError(problem);
    const kept = this.existing?.handlers?.map((h) => ({ ...h, identifier: runtime.identifier(h.name) })) ?? [];
    this.newHandlers = added.map((name) => planHandler(name, runtime, this.names));
    this.handlers = [...kept, ...this.newHandlers];
    if (this.existing) {
      const dropped = existingNames.filter((name) => given.handlers !== undefined && !wanted.includes(name));
      if (dropped.length > 0)
        this.log(`Keeping handler(s) ${dropped.join(', ')}: the generator never deletes your code; remove them by hand.`);
      const problem = this.newHandlers.length > 0 ? insertionProblem(this.fs, this.destinationRoot(), runtime, this.names) : undefined;
      if (problem) throw new UsageError(problem);
    }
  }
}
