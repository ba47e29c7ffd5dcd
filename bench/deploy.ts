// `npm run deploy` time against moto + the local registry (test/support/aws.ts) with 1, 5 and 20
// handlers. Every timed deploy has new sources, so it builds once and pushes once whatever N;
// what grows with N is only the Lambda API work, which runs concurrently. Aim: t(20)/t(1) <= 1.5.
//   node bench/deploy.ts [runs=5]
// "create": the functions do not exist yet (destroyed, untimed, before each run);
// "update": they exist and get the new image. Wall time of the whole `lambda-image deploy`
// process, and the "functions" step it reports. Medians.
import { appendFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { packageRoot } from '../generators/lib/paths.ts';
import { removeLocalImages, startAws } from '../test/support/aws.ts';
import { generateProject } from '../test/support/generate.ts';
import { ensureBaseImages } from '../test/support/baseimages.ts';
import { median } from './stats.ts';

const runs = Number(process.argv[2] ?? 5);
const SIZES = [1, 5, 20];


await ensureBaseImages(['python']);
const work = mkdtempSync(join(tmpdir(), 'lambda-image-bench-deploy-'));
const aws = await startAws();

interface Sample {
  total: number;
  functions: number;
  build: number;
  push: number;
}

try {
  interface Subject {
    n: number;
    run: (script: string, args?: string[]) => Promise<string>;
    timedDeploy: () => Promise<Sample>;
    create: Sample[];
    update: Sample[];
  }
  const subjects: Subject[] = [];
  for (const n of SIZES) {
    const handlers = Array.from({ length: n }, (_, i) => `handler_${String(i + 1).padStart(2, '0')}`);
    const project = await generateProject(join(work, `p${n}`), { name: `bench-${n}`, runtime: 'python', handlers: handlers.join(',') });
    symlinkSync(join(packageRoot(), 'node_modules'), join(project, 'node_modules'));
    let edits = 0;
    const run = async (script: string, args: string[] = []) => {
      const result = await execa('node_modules/.bin/lambda-image', [script, ...args], { cwd: project, env: aws.env, reject: false });
      if (result.exitCode !== 0) throw new Error(`${script} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
      return result.stdout;
    };
    const timedDeploy = async (): Promise<Sample> => {
      appendFileSync(join(project, 'lambda_function.py'), `\n# bench edit ${++edits}\n`);
      const start = performance.now();
      const out = await run('deploy');
      const total = (performance.now() - start) / 1000;
      const step = (name: string) => Number(new RegExp(`${name} (\\d+\\.\\d+) s`).exec(out)?.[1] ?? NaN);
      if (!/^Pushing /m.test(out)) throw new Error('a timed deploy did not push');
      return { total, functions: step('functions'), build: step('build'), push: step('push') };
    };
    await timedDeploy(); // warm-up: repository, role, docker cache
    subjects.push({ n, run, timedDeploy, create: [], update: [] });
  }
  // Round robin over the sizes, so that a noisy moment on this shared machine hits them all alike.
  for (let i = 0; i < runs; i++) {
    for (const s of subjects) {
      await s.run('destroy', ['--yes']);
      s.create.push(await s.timedDeploy());
      s.update.push(await s.timedDeploy());
    }
    process.stderr.write(`run ${i + 1}/${runs} done\n`);
  }
  for (const s of subjects) await s.run('destroy', ['--yes', '--repository', '--role']);
  const results = subjects;

  const fmt = (xs: number[]) => `${median(xs).toFixed(2)} s`;
  console.log(`| handlers | create: total | create: functions step | update: total | update: functions step | build | push |`);
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const all = [...r.create, ...r.update];
    console.log(
      `| ${r.n} | ${fmt(r.create.map((s) => s.total))} | ${fmt(r.create.map((s) => s.functions))} | ${fmt(r.update.map((s) => s.total))} | ${fmt(r.update.map((s) => s.functions))} | ${fmt(all.map((s) => s.build))} | ${fmt(all.map((s) => s.push))} |`,
    );
  }
  const first = results[0]!;
  const last = results[results.length - 1]!;
  const ratio = (pick: (r: typeof first) => Sample[]) => median(pick(last).map((s) => s.total)) / median(pick(first).map((s) => s.total));
  console.log('');
  console.log(`t(${last.n})/t(${first.n}), ${runs} runs, medians: create ${ratio((r) => r.create).toFixed(2)}, update ${ratio((r) => r.update).toFixed(2)} (aim <= 1.5)`);
} finally {
  await aws.stop();
  for (const n of SIZES) removeLocalImages(`bench-${n}`);
  rmSync(work, { recursive: true, force: true });
}
