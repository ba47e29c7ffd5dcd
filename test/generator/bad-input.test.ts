// Bad input: a message that names the problem and the fix, a failed run, and not one
// file written (the destination folder stays empty; ./<name> is not even created).
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { generateProject, type GenerateOptions } from '../support/generate.ts';

const cases: Array<[string, GenerateOptions, RegExp]> = [
  ['a project name npm refuses', { name: 'Bad Name' }, /"Bad Name" is not a valid npm package name/],
  ['a project name with a leading digit', { name: '9lives' }, /must start with a letter/],
  ['the subgenerator\'s name as project name', { name: 'handler' }, /name of the handler subgenerator/],
  ['a Python package that would be a keyword', { name: 'class', runtime: 'python' }, /Python package "class" would be a keyword/],
  ['an unknown runtime', { runtime: 'cobol' }, /unknown runtime "cobol": choose one of python, nodejs, java, go, ruby, dotnet, custom/],
  ['an unknown version', { runtime: 'python', runtimeVersion: '2.7' }, /"2\.7" is not a supported Python base image tag: choose one of 3\.14, 3\.13/],
  ['a version of another runtime', { runtime: 'nodejs', runtimeVersion: '3.13' }, /not a supported Node\.js base image tag/],
  ['an unknown architecture', { arch: 'sparc' }, /unknown architecture "sparc": choose x86_64 or arm64/],
  ['a malformed region', { region: 'Europe' }, /"Europe" is not an AWS region name/],
  ['an invalid repository', { repository: 'Has Spaces' }, /not a valid ECR repository name/],
  ['memory below 128 MB', { memory: '64' }, /memory "64" is out of range: give a whole number of MB from 128 to 10240/],
  ['memory above 10240 MB', { memory: '10241' }, /memory "10241" is out of range/],
  ['memory that is not a number', { memory: 'lots' }, /memory "lots" is out of range/],
  ['a timeout of 0', { timeout: '0' }, /timeout "0" is out of range: give a whole number of seconds from 1 to 900/],
  ['a timeout over 900 s', { timeout: '901' }, /timeout "901" is out of range/],
  ['a handler name with a hyphen', { handlers: 'ingest,report-daily' }, /handler name "report-daily" is not valid: .*\(e\.g\. "report_daily"\)/],
  ['a handler name with a leading digit', { handlers: '1st' }, /handler name "1st" is not valid/],
  ['a Python keyword as handler', { runtime: 'python', handlers: 'ingest,class' }, /"class" is reserved in Python/],
  ['the Python dispatcher\'s own name', { runtime: 'python', handlers: 'lambda_handler' }, /"lambda_handler" is reserved in Python/],
  ['a JavaScript reserved word as handler', { runtime: 'nodejs', handlers: 'delete' }, /"delete" is reserved in Node\.js/],
  ['the Node.js dispatcher\'s own name', { runtime: 'nodejs', handlers: 'handler' }, /"handler" is reserved in Node\.js/],
  ['a duplicate handler', { handlers: 'ingest,ingest' }, /handler "ingest" is given twice/],
  ['two names that map to one identifier', { runtime: 'nodejs', handlers: 'report_daily,reportDaily' }, /"report_daily" and "reportDaily" would both be "reportDaily"/],
  // report_daily's trigger skeleton declares ReportDailyRun in package core: one namespace in Go.
  ['a Go name that another handler\'s code declares', { runtime: 'go', handlers: 'report_daily:schedule,report_daily_run' }, /"report_daily" and "report_daily_run" would both declare "ReportDailyRun" in Go's code: rename one/],
  ['an unknown deploy engine', { deploy: 'terraform' }, /unknown deploy engine "terraform": choose one of sdk, sam, cdk/],
  ['an empty handler list', { handlers: ' , ' }, /no handler names given/],
];

describe('refused before anything is written', () => {
  for (const [what, options, message] of cases) {
    test(what, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lig-bad-'));
      await expect(generateProject(dir, options)).rejects.toThrow(message);
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  test('several bad options are reported together', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lig-bad-'));
    const error = await generateProject(dir, { memory: '1', timeout: '0', region: 'x' }).catch((e: Error) => e);
    expect(String(error)).toMatch(/--region:.*\n--memory:.*\n--timeout:/s);
    expect(readdirSync(dir)).toEqual([]);
  });
});
