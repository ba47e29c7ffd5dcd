// `yo lambda-image [name]`: checks everything it is given and everything already in the
// folder, asks what the options did not give, then writes the project in one commit.
// The questions, options and checks come from lib/questions.ts; the languages from lib/catalogue.ts.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { BaseOptions } from 'yeoman-generator';
import ejs from 'ejs';
import { MANIFEST_FILE, type Manifest, type TriggerType } from 'lambda-image';
import { baseImage, deprecationWarning } from '../lib/catalogue.ts';
import { UsageError } from '../lib/errors.ts';
import { LambdaImageGenerator } from '../lib/base.ts';
import { addHandlers, fillPath, planHandler, README_INSERTION, triggerFiles, type PlannedHandler } from '../lib/handlers.ts';
import { defaultTrigger, triggerOf, triggerQuestion, withTriggers } from '../lib/triggers.ts';
import { projectNames, type ProjectNames } from '../lib/names.ts';
import { buildManifest, mergePackageJson, packageJsonOfProject, type JsonObject } from '../lib/project.ts';
import { FIELDS, KEYS, applies, type Key, type Settings } from '../lib/questions.ts';
import { resolveSettings, type Inputs, type PromptQuestion } from '../lib/settings.ts';
import { CONFIG_FILE, folderEntries, readProjectState } from '../lib/project-state.ts';
import { sampleFiles, writeSampleFiles } from '../lib/scaffold.ts';
import { refuseConflicts } from '../lib/commit.ts';
import { ENGINE_DESCRIPTIONS, engineFiles, writeEngineFiles } from '../lib/engines.ts';
import { toolingCommands } from '../lib/tooling.ts';
import { upgradeCopiedTooling } from '../lib/migrate.ts';
import { TEMPLATES } from '../lib/paths.ts';
import { checkProjectName } from '../lib/validate.ts';

const camel = (option: string): string => option.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

export default class AppGenerator extends LambdaImageGenerator {
  private settings!: Settings;
  private names!: ProjectNames;
  private existing: Manifest | undefined;
  private stored: Inputs = {};
  private handlers: PlannedHandler[] = [];
  private newHandlers: PlannedHandler[] = [];
  private packageJsonChanged = false;

  constructor(args: string[], options: BaseOptions) {
    super(args, options, 'app');
    this.argument('name', { type: String, required: false, description: FIELDS.name.description });
    for (const key of KEYS) {
      const { option, description } = FIELDS[key];
      if (option) this.option(option, { type: String, description });
    }
    this.option('yes', { type: Boolean, alias: 'y', description: 'Ask nothing' });
    this.option('force', { type: Boolean, description: 'Generate into a folder with other files' });
    this.option('verbose', { type: Boolean, description: "Yeoman's diagnostics" });
    this.option('version', { type: Boolean, description: 'The version' });
  }

  initializing(): void {
    this.refuseUnknownOptions(['name']);
    const name = this.options.name;
    const cwd = this.destinationRoot();
    if (typeof name === 'string' && name !== '') {
      // Checked before the name becomes a path: a name of 300 characters is a message, not ENAMETOOLONG.
      const problem = checkProjectName(name);
      if (problem) throw new UsageError(problem);
      if (basename(cwd) !== name && !readProjectState(cwd).isProject) {
        this.destinationRoot(resolve(cwd, name));
        // The environment's cwd is where install and "cd" hints point: follow the project.
        this.env.cwd = this.destinationRoot();
      }
    }
    const root = this.destinationRoot();
    if (existsSync(root) && !statSync(root).isDirectory())
      throw new UsageError(`${root} is a file, not a folder: choose another project name, or move the file away`);
    const state = readProjectState(root);
    if (state.problems.length > 0) throw new UsageError(`${state.problems.join('\n')}\nNothing was written.`);
    this.existing = state.manifest;
    this.stored = state.inputs;
    this.foreign = !state.isProject && folderEntries(root).length > 0;
  }

  async prompting(): Promise<void> {
    if (this.foreign) await this._confirmForeignFolder();
    const env = { cwd: this.destinationRoot(), awsRegion: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined };
    const settings = await resolveSettings(
      { ...this.stored, ...this._given() },
      {
        yes: this.options.yes === true,
        env,
        ask: (questions: PromptQuestion[]) => this.prompt<Record<string, string>>(questions),
      },
    );
    this.settings = { ...settings, handlers: await this._askTriggers(settings.handlers) };
    this._resolveProject();
  }

  /**
   * When the handler names were asked for (no --handlers, nothing stored, not --yes), each new
   * handler that was not named with a trigger (`ingest:sqs`) is asked for one.
   */
  private async _askTriggers(handlers: string[]): Promise<string[]> {
    const asked = this.options.yes !== true && this._given().handlers === undefined && this.stored.handlers === undefined;
    const existing = this.existing?.handlers.map((h) => h.name) ?? [];
    const open = asked ? handlers.filter((name) => !existing.includes(name) && !triggerOf(handlers, name)) : [];
    if (open.length === 0) return handlers;
    // Not one of the settings' questions (their names are settings keys): the same prompt all the same.
    const answers = await this.prompt<Record<string, string>>(open.map((name) => triggerQuestion(name)) as unknown as PromptQuestion[]);
    return withTriggers(
      handlers.map((name) => {
        const chosen = triggerOf(handlers, name) ?? answers[triggerQuestion(name).name];
        return chosen && chosen !== 'none' ? { name, trigger: chosen as TriggerType } : { name };
      }),
    );
  }

  configuring(): void {
    // Every answer but the handlers (the manifest lists them), as text.
    const answers: Record<string, string> = {};
    for (const key of KEYS) if (key !== 'handlers' && applies(key, this.settings.runtime)) answers[key] = show(key, this.settings);
    this.config.set(answers);
  }

  writing(): void {
    upgradeCopiedTooling(this);
    const { runtime, runtimeVersion } = this.settings;
    const root = this.destinationRoot();
    const insertionFiles = [...runtime.insertions, README_INSERTION].map((i) => join(root, fillPath(i.file, this.names)));
    const existing = new Set(insertionFiles.filter((path) => existsSync(path)));
    const manifest = buildManifest(this.settings, this.names, this.handlers, this.existing);
    if (this.foreign) {
      // Before any edit: in a folder that is not ours, a file we would write must not be there.
      const ours = [
        ...sampleFiles(runtime.templates, this.names, manifest.awsBaseImage === false).map(([, destination]) => destination),
        ...this.handlers.map((h) => h.event),
        ...this.handlers.flatMap((h) => triggerFiles(runtime, h).map((f) => f.file)),
        ...engineFiles(manifest).map((f) => f.path),
        MANIFEST_FILE, CONFIG_FILE, 'package.json',
      ];
      refuseConflicts(root, ours.map((path) => join(root, path)));
    }
    const render = (template: string) =>
      ejs.render(readFileSync(join(TEMPLATES, runtime.templates, template), 'utf8'), { names: this.names, runtimeVersion, baseImage: manifest.baseImage });
    const engine = manifest.deploy.engine ?? 'sdk';
    const otherImage = manifest.awsBaseImage === false;
    writeSampleFiles(this, runtime.templates, this.names, {
      names: this.names,
      baseImage: otherImage ? manifest.baseImage : baseImage(runtime, runtimeVersion),
      otherImage,
      awsBaseImage: baseImage(runtime, runtimeVersion),
      runtimeVersion,
      runtimeLabel: runtime.label,
      arch: this.settings.arch,
      dispatcher: manifest.dispatcher,
      handlers: manifest.handlers,
      testCommand: runtime.testCommand,
      commands: toolingCommands(),
      layout: render('layout.md.ejs'),
      prerequisites: render('prerequisites.md.ejs'),
      engine,
      engineDescription: ENGINE_DESCRIPTIONS[engine],
    }, otherImage);
    const added = addHandlers(this.fs, root, runtime, this.names, { all: this.handlers, added: this.newHandlers }, { existing });
    this.notes.push(...added.notes);
    this.writeDestinationJSON(MANIFEST_FILE, manifest);
    this._writePackageJson();
    writeEngineFiles(this, manifest);
  }

  async install(): Promise<void> {
    if (this.options.skipInstall || this.options['skip-install'] || !this.packageJsonChanged) return;
    await this.spawn('npm', ['install', '--no-audit', '--no-fund'], { cwd: this.destinationRoot(), stdio: 'inherit' });
  }

  end(): void {
    const where = this.destinationRoot() === this.env.logCwd ? '' : `cd ${this.destinationRoot()} && `;
    const added = this.existing ? ` (${this.newHandlers.length} handler(s) added)` : '';
    const skipped = this.options.skipInstall || this.options['skip-install'];
    for (const note of this.notes) this.log(note);
    this.log(
      `\n${this.names.name}: ${this.settings.runtime.label} ${this.settings.runtimeVersion}, handlers ${this.handlers.map((h) => h.name).join(', ')}${added}.\n` +
        `Next: ${where}npm test${skipped ? ' (after npm install, for lambda-image)' : ''}\n`,
    );
  }

  private async _confirmForeignFolder(): Promise<void> {
    const entries = folderEntries(this.destinationRoot());
    const shown = `${entries.slice(0, 8).join(', ')}${entries.length > 8 ? ` and ${entries.length - 8} more` : ''}`;
    const what = `${this.destinationRoot()} is not empty and is not a lambda-image project: it has ${shown}`;
    if (this.options.force === true) return;
    if (this.options.yes === true)
      throw new UsageError(`${what}.\nGenerate into a new folder (npx generator-lambda-image <name>), or pass --force to generate here: no file that is there is changed, and a file in the way stops the run. Nothing was written.`);
    const { here } = await this.prompt<{ here: boolean }>([
      { type: 'confirm', name: 'here', default: false, message: `${what}. Generate the project here anyway (no file that is there is changed)?` },
    ]);
    if (!here) throw new UsageError('Nothing was written: generate into an empty folder, e.g. npx generator-lambda-image <name>.');
  }

  /** Values given on the command line (yo passes kebab- and camelCase; Yeoman's own run parses kebab-case). */
  private _given(): Inputs {
    const given: Inputs = {};
    if (typeof this.options.name === 'string' && this.options.name !== '') given.name = { text: this.options.name, where: 'the project name' };
    for (const key of KEYS) {
      const option = FIELDS[key].option;
      if (!option) continue;
      const value = this.options[option] ?? this.options[camel(option)];
      if (value === undefined || value === null) continue;
      if (typeof value === 'boolean') throw new UsageError(`--${option} needs a value: ${FIELDS[key].description}`);
      given[key] = { text: String(value), where: `--${option}` };
    }
    return given;
  }

  /** Cross-checks and the handler plan, once every answer is known; still nothing written. */
  private _resolveProject(): void {
    const { runtime, runtimeVersion } = this.settings;
    const nameProblem = runtime.projectNameProblem?.(projectNames(this.settings.name));
    if (nameProblem) throw new UsageError(`"${this.settings.name}" cannot be used with ${runtime.label}: ${nameProblem}; choose another name`);
    if (this.existing && this.existing.runtime !== runtime.id) {
      throw new UsageError(
        `this project is ${this.existing.runtime} (${MANIFEST_FILE}: "runtime"); it cannot become ${runtime.id}: generate a new project in another folder`,
      );
    }
    const warning = deprecationWarning(runtime, runtimeVersion);
    if (warning) this.log(`warning: ${warning}`);
    this.names = projectNames(this.settings.name, this.settings);
    const existingNames = this.existing?.handlers.map((h) => h.name) ?? [];
    const wanted = this.settings.handlers;
    const kept = this.existing?.handlers.map((h) => ({ ...h, identifier: runtime.identifier(h.name) })) ?? [];
    this.newHandlers = wanted
      .filter((name) => !existingNames.includes(name))
      .map((name) => {
        const trigger = triggerOf(wanted, name);
        return { ...planHandler(name, runtime, this.names), ...(trigger ? { trigger: defaultTrigger(trigger) } : {}) };
      });
    const retriggered = wanted.filter((name) => existingNames.includes(name) && triggerOf(wanted, name));
    if (retriggered.length > 0)
      this.notes.push(`Handler(s) ${retriggered.join(', ')} exist already: their "trigger" is lambda-image.json's to change (the generator never rewrites your code).`);
    this.handlers = [...kept, ...this.newHandlers];
    this.settings = { ...this.settings, handlers: this.handlers.map((h) => h.name) };
    const dropped = existingNames.filter((name) => !wanted.includes(name));
    if (dropped.length > 0) this.notes.push(`Kept handler(s) ${dropped.join(', ')}: the generator never deletes your code; remove them by hand.`);
  }

  /** Our package.json keys merged into the user's: theirs are kept where they differ, and listed. */
  private _writePackageJson(): void {
    const ours = packageJsonOfProject(this.settings, this.names, this.settings.deploy);
    let current: JsonObject | undefined;
    if (this.existsDestination('package.json')) {
      try {
        current = JSON.parse(this.readDestination('package.json'));
      } catch (error) {
        throw new UsageError(`package.json is not valid JSON (${(error as Error).message}): fix it, then run again. Nothing was written.`);
      }
    }
    const { merged, kept } = mergePackageJson(current, ours);
    for (const k of kept) this.notes.push(`package.json: kept your ${k.key} ${JSON.stringify(k.yours)} (the generator's is ${JSON.stringify(k.ours)})`);
    if (JSON.stringify(merged) !== JSON.stringify(current)) {
      this.writeDestinationJSON('package.json', merged);
      this.packageJsonChanged = true;
    }
  }
}

function show<K extends Key>(key: K, settings: Settings): string {
  return FIELDS[key].show(settings[key]);
}
