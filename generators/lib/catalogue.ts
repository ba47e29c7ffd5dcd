// The runtime catalogue: ONE typed description of every runtime language. It drives
// the prompts and their choices, the validation of options and answers, the templates
// (runtimes/<id>.ts says which folder of templates/ a language uses and how names map
// to its identifiers) and the README's support table (`node generators/lib/support-table.ts --write`).
// Adding a base-image version is a one-line change in that runtime's module; so is AWS
// announcing a deprecation date.
import type { Architecture } from 'lambda-image';
import type { ProjectNames } from './names.ts';
import { python } from './runtimes/python.ts';
import { nodejs } from './runtimes/nodejs.ts';
import { java } from './runtimes/java.ts';
import { go } from './runtimes/go.ts';
import { ruby } from './runtimes/ruby.ts';
import { dotnet } from './runtimes/dotnet.ts';
import { custom } from './runtimes/custom.ts';

export type { Architecture };
export const ARCHITECTURES: readonly Architecture[] = ['x86_64', 'arm64'];
export const ECR_PUBLIC_LAMBDA = 'public.ecr.aws/lambda';

export interface BaseImageTag {
  /** The tag on public.ecr.aws/lambda/<repository>. */
  tag: string;
  /**
   * The date (YYYY-MM-DD) AWS deprecates it, from AWS's runtime deprecation table. Shown
   * with the tag before it; from it on the tag is still accepted, with a warning.
   */
  deprecation?: string;
  /** From this date AWS blocks creating new functions on it. */
  blockCreate?: string;
}

/** A text edit that adds one handler: the snippet is rendered and inserted above the needle line. */
export interface HandlerInsertion {
  /** Destination file, relative to the project root; may use the names in ProjectNames as __key__. */
  file: string;
  /** The line the snippet goes above; it stays in the file for the next handler. */
  needle: string;
  /** Snippet template under templates/<templates>/handler/. */
  snippet: string;
  /** The templates folder of the snippet, when not the runtime's own (the README's is common). */
  templates?: string;
  /** When the file or its needle is gone, the handler is not listed there (a note says so) instead of the run stopping. */
  optional?: boolean;
  /**
   * Where a trigger's skeleton for this insertion is a whole file instead of a snippet, that file's path
   * (relative to the project root; __file__ is the handler's name in snake case and its trigger: ingest_sqs).
   * Go needs it: a file imports exactly what it uses, so a trigger's imports cannot go into a shared file.
   */
  triggerFile?: string;
}

export interface RuntimeSpec {
  id: string;
  label: string;
  /** Repository under public.ecr.aws/lambda/. */
  imageRepository: string;
  /** Newest first. */
  tags: readonly BaseImageTag[];
  /** What our CI runs for this language, on which real parts (the README's support table). */
  verified: string;
  /** What stands in for a real part in that verification (the README's support table). */
  standsIn: string;
  /** The user's handler name as this language's identifier (report_daily -> reportDaily, ReportDaily, report_daily). */
  identifier(name: string): string;
  /** Words that cannot be identifiers here: the language's reserved words and the entry module's own names. */
  reserved: ReadonlySet<string>;
  /**
   * Other names a handler's code declares beside its identifier, in the same namespace (Go's
   * trigger skeletons: `<Identifier>Run`, `<Identifier>Request`); no other handler may take them.
   */
  companions?(identifier: string): readonly string[];
  /** The handler string Lambda resolves for one handler (ImageConfig.Command). */
  handlerString(identifier: string, names: ProjectNames): string;
  /** The handler string of the dispatcher: the image's CMD. */
  dispatcher(names: ProjectNames): string;
  /** The language's test command, as `npm test` runs it. */
  testCommand: string;
  /** Template folder under templates/ (files written once, then the user's). */
  templates: string;
  /** Edits that add one handler (used by the app generator for every handler and by lambda-image:handler). */
  insertions: readonly HandlerInsertion[];
  /** A project name the language cannot use (e.g. its package would be a keyword), or undefined. */
  projectNameProblem?(names: ProjectNames): string | undefined;
}

export const RUNTIMES: readonly RuntimeSpec[] = [python, nodejs, java, go, ruby, dotnet, custom];
export const RUNTIME_IDS: readonly string[] = RUNTIMES.map((r) => r.id);

export function findRuntime(id: string): RuntimeSpec | undefined {
  return RUNTIMES.find((r) => r.id === id);
}

/** The default tag: the newest (tags are listed newest first). */
export function defaultTag(runtime: RuntimeSpec): string {
  const [tag] = runtime.tags;
  if (!tag) throw new Error(`runtime ${runtime.id} lists no tags`);
  return tag.tag;
}

/** Today as YYYY-MM-DD (UTC), the form of the catalogue's dates. */
export const isoDay = (date: Date = new Date()): string => date.toISOString().slice(0, 10);

/** The tag's deprecation and creation-block dates, for a choice label or the support table. */
export function tagDates(tag: BaseImageTag): string {
  const dates = [tag.deprecation && `deprecation ${tag.deprecation}`, tag.blockCreate && `no new functions from ${tag.blockCreate}`];
  return dates.filter(Boolean).join(', ');
}

/** A warning when `tag` is past its deprecation date on `today`, naming the date and the newest tag; else undefined. */
export function deprecationWarning(runtime: RuntimeSpec, tag: string, today: string = isoDay()): string | undefined {
  const entry = runtime.tags.find((t) => t.tag === tag);
  if (!entry?.deprecation || entry.deprecation > today) return undefined;
  const blocked = entry.blockCreate
    ? entry.blockCreate <= today
      ? `; AWS blocks creating new functions on it since ${entry.blockCreate}`
      : `; AWS blocks creating new functions on it from ${entry.blockCreate}`
    : '';
  return `${runtime.label} ${tag} (${baseImage(runtime, tag)}) has been deprecated by AWS since ${entry.deprecation}${blocked}: use ${defaultTag(runtime)}, the newest (--runtime-version ${defaultTag(runtime)})`;
}

export function baseImage(runtime: RuntimeSpec, tag: string): string {
  return `${ECR_PUBLIC_LAMBDA}/${runtime.imageRepository}:${tag}`;
}

/** The host's architecture, so that local builds run natively (arm64 on Graviton/Apple silicon). */
export function hostArchitecture(arch: string = process.arch): Architecture {
  return arch === 'arm64' ? 'arm64' : 'x86_64';
}

/** The support table of the README, from the catalogue. */
export function supportTable(): string {
  const rows = RUNTIMES.map((r) => {
    const tags = r.tags.map((t) => (tagDates(t) ? `${t.tag} (${tagDates(t)})` : t.tag)).join(', ');
    return `| ${r.label} | \`--runtime ${r.id}\` | \`${ECR_PUBLIC_LAMBDA}/${r.imageRepository}\` | ${tags} | ${defaultTag(r)} | ${r.verified} | ${r.standsIn} |`;
  });
  return [
    '| Language | Option | Base image | Tags (newest first) | Default | What CI runs, on which real parts | What stands in |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
