/**
 * The `dl-grade` command.
 *
 *   dl-grade build ASSIGNMENT_DIR --out DIR [--target gradescope|github-classroom] [--no-verify]
 *   dl-grade run --assignment DIR --submission DIR --out DIR [--format gradescope,junit,github,md] [--lang ja|en]
 *   dl-grade batch --assignment DIR --submissions DIR --out DIR [--jobs N] [--format ...] [--lang ja|en]
 *   dl-grade test [DIR] [--reference] [--lang ja|en]
 *
 * Exit codes: 0 done (a run that graded, whatever the score), 1 a build that failed its checks or
 * an assignment that cannot be loaded, 2 a command-line mistake.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs, UsageError } from './args';
import { AssignmentError } from './assignment';
import { BuildError, loadBundle, verifyBundle, writeBundles, type Bundle } from './bundle';
import { graderVersion } from './environment';
import { gradeSubmission } from './grade';
import { runLocal } from './local';
import { MarkerError } from './markers';
import type { GradeResult } from './result';
import { SpecError } from './runner';
import { LANGS, type Lang } from './text';
import { WRITERS, type FormatName } from './writers';
import { writeTerminal } from './writers/terminal';
import { writeTargets } from './targets';

const HELP = `dl-grade ${'{version}'}: build and grade @dl course assignments

  dl-grade build ASSIGNMENT_DIR --out DIR [--target gradescope|github-classroom] [--no-verify]
      writes DIR/student (template, public tests, npm test) and DIR/autograder (hidden, 0700);
      fails unless the reference scores full marks and the stubs score 0 on every task
  dl-grade run --assignment DIR --submission DIR --out DIR [--format LIST] [--lang ja|en]
      grades one submission; DIR/results.json (Gradescope format) always, plus the formats asked:
      gradescope, junit, github, md (comma-separated); --assignment takes a built autograder/
      folder or an assignment's source folder (built first)
  dl-grade batch --assignment DIR --submissions DIR --out DIR [--jobs N] [--format LIST] [--lang ja|en]
      grades every folder in --submissions into DIR/<name>/, skipping those already graded,
      and writes DIR/gradebook.csv
  dl-grade test [DIR] [--reference] [--lang ja|en]
      runs the public tests in DIR (default .) against the code there; --reference, in an
      assignment's source folder, runs public and hidden tests against the reference
`;

function lang(v: string | undefined): Lang {
  const l = (v ?? process.env.DL_GRADE_LANG ?? 'ja') as Lang;
  if (!LANGS.includes(l)) throw new UsageError(`--lang must be ja or en, got '${v}'`);
  return l;
}

function formats(v: string | undefined): FormatName[] {
  const list = (v ?? 'gradescope').split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of list) {
    if (!(f in WRITERS)) throw new UsageError(`--format: unknown format '${f}' (formats: ${Object.keys(WRITERS).join(', ')})`);
  }
  return [...new Set(['gradescope', ...list])] as FormatName[];
}

function need(o: Map<string, string>, name: string, cmd: string): string {
  const v = o.get(name);
  if (v === undefined) throw new UsageError(`${cmd}: --${name} is required (see dl-grade --help)`);
  return v;
}

/** Writes a file atomically (temp file in the same folder, then rename). */
export function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** A built bundle from --assignment: a built autograder/ folder, or a source folder built now. */
async function bundleFrom(dir: string): Promise<{ bundle: Bundle; cleanup: () => void }> {
  const abs = resolve(dir);
  if (existsSync(join(abs, 'manifest.json'))) return { bundle: loadBundle(abs), cleanup: () => undefined };
  if (existsSync(join(abs, 'autograder', 'manifest.json'))) return { bundle: loadBundle(join(abs, 'autograder')), cleanup: () => undefined };
  if (!existsSync(join(abs, 'assignment.json'))) throw new AssignmentError(`${dir}: neither a built autograder folder nor an assignment source folder (no assignment.json)`);
  const out = mkdtempSync(join(tmpdir(), 'dl-grade-build-'));
  writeBundles(abs, out);
  return { bundle: loadBundle(join(out, 'autograder')), cleanup: () => rmSync(out, { recursive: true, force: true }) };
}

function writeResults(result: GradeResult, out: string, fmts: readonly FormatName[], l: Lang, bundle: Bundle): void {
  mkdirSync(out, { recursive: true });
  for (const f of fmts) {
    const w = WRITERS[f];
    writeAtomic(join(out, w.fileName), w.write(result, l, { hiddenVisibility: bundle.spec.hiddenVisibility }));
  }
}

async function cmdBuild(argv: string[]): Promise<number> {
  const a = parseArgs(argv, ['out', 'target'], ['no-verify'], 'dl-grade build');
  if (a.positional.length !== 1) throw new UsageError('dl-grade build: give one assignment folder, like: dl-grade build assignments/01-perceptron --out build/01');
  const out = resolve(need(a.options, 'out', 'dl-grade build'));
  const target = a.options.get('target');
  if (target !== undefined && target !== 'gradescope' && target !== 'github-classroom') {
    throw new UsageError(`dl-grade build: --target must be gradescope or github-classroom, got '${target}'`);
  }
  const split = writeBundles(resolve(a.positional[0]), out);
  console.log(`built ${split.spec.id}: ${join(out, 'student')} and ${join(out, 'autograder')}`);
  if (!a.flags.has('no-verify')) {
    const report = await verifyBundle(out, split, (b, dir, record) => gradeSubmission(b, dir, { recordReference: record }));
    console.log(`verified: reference ${report.reference.score}/${report.reference.maxScore}, stubs ${report.stub.score}/${report.stub.maxScore} (${report.reference.executionTimeS.toFixed(1)} s to grade the reference)`);
  }
  if (target) for (const f of writeTargets(target, out, split.spec)) console.log(`wrote ${f}`);
  return 0;
}

async function cmdRun(argv: string[]): Promise<number> {
  const a = parseArgs(argv, ['assignment', 'submission', 'out', 'format', 'lang'], [], 'dl-grade run');
  if (a.positional.length) throw new UsageError(`dl-grade run: unexpected argument '${a.positional[0]}'`);
  const l = lang(a.options.get('lang'));
  const fmts = formats(a.options.get('format'));
  const out = resolve(need(a.options, 'out', 'dl-grade run'));
  const submission = resolve(need(a.options, 'submission', 'dl-grade run'));
  const { bundle, cleanup } = await bundleFrom(need(a.options, 'assignment', 'dl-grade run'));
  try {
    const result = await gradeSubmission(bundle, submission);
    writeResults(result, out, fmts, l, bundle);
    process.stdout.write(writeTerminal(result, l));
  } finally {
    cleanup();
  }
  return 0;
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** gradebook.csv from every DIR/<name>/results.json (so it is the same however the batch was split). */
export function writeGradebook(out: string, bundle: Bundle): string {
  const ids = bundle.spec.tasks.map((t) => t.id);
  const rows = [['submission', 'score', 'max_score', ...ids].join(',')];
  for (const name of readdirSync(out).sort()) {
    const p = join(out, name, 'results.json');
    if (!existsSync(p)) continue;
    const r = JSON.parse(readFileSync(p, 'utf8')) as { score: number; max_score?: number; tests?: { name: string; score?: number; tags?: string[] }[] };
    const summary = existsSync(join(out, name, 'summary.json')) ? (JSON.parse(readFileSync(join(out, name, 'summary.json'), 'utf8')) as Record<string, number>) : {};
    rows.push([csvCell(name), r.score, r.max_score ?? '', ...ids.map((id) => summary[id] ?? '')].join(','));
  }
  const file = join(out, 'gradebook.csv');
  writeAtomic(file, `${rows.join('\n')}\n`);
  return file;
}

async function cmdBatch(argv: string[]): Promise<number> {
  const a = parseArgs(argv, ['assignment', 'submissions', 'out', 'jobs', 'format', 'lang'], [], 'dl-grade batch');
  if (a.positional.length) throw new UsageError(`dl-grade batch: unexpected argument '${a.positional[0]}'`);
  const l = lang(a.options.get('lang'));
  const fmts = formats(a.options.get('format'));
  const jobs = Number(a.options.get('jobs') ?? '1');
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) throw new UsageError(`dl-grade batch: --jobs must be an integer from 1 to 16, got '${a.options.get('jobs')}'`);
  const out = resolve(need(a.options, 'out', 'dl-grade batch'));
  const subs = resolve(need(a.options, 'submissions', 'dl-grade batch'));
  if (!existsSync(subs)) throw new UsageError(`dl-grade batch: --submissions ${subs} does not exist`);
  const names = readdirSync(subs).filter((n) => !n.startsWith('.')).sort();
  const { bundle, cleanup } = await bundleFrom(need(a.options, 'assignment', 'dl-grade batch'));
  mkdirSync(out, { recursive: true });
  let graded = 0;
  let skipped = 0;
  const t0 = performance.now();
  try {
    const queue = [...names];
    const worker = async (slot: number): Promise<void> => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const dest = join(out, safeName(name));
        if (existsSync(join(dest, 'results.json'))) {
          skipped++;
          continue;
        }
        const result = await gradeSubmission(bundle, join(subs, name), { slot });
        writeResults(result, dest, fmts, l, bundle);
        writeAtomic(join(dest, 'summary.json'), `${JSON.stringify(Object.fromEntries(result.tasks.map((t) => [t.id, t.score])))}\n`);
        graded++;
        console.log(`${name}: ${result.score}/${result.maxScore} (${result.executionTimeS.toFixed(1)} s)`);
      }
    };
    await Promise.all(Array.from({ length: jobs }, (_, i) => worker(i)));
  } finally {
    cleanup();
  }
  const book = writeGradebook(out, bundle);
  const s = (performance.now() - t0) / 1000;
  console.log(`graded ${graded}, skipped ${skipped} already graded, in ${s.toFixed(1)} s; gradebook: ${book}`);
  return 0;
}

function safeName(n: string): string {
  return basename(n).replace(/[^A-Za-z0-9._@-]/g, '_');
}

async function cmdTest(argv: string[]): Promise<number> {
  const a = parseArgs(argv, ['lang'], ['reference'], 'dl-grade test');
  if (a.positional.length > 1) throw new UsageError('dl-grade test: give at most one folder');
  const l = lang(a.options.get('lang'));
  const r = await runLocal(a.positional[0] ?? '.', { reference: a.flags.has('reference') });
  process.stdout.write(writeTerminal(r, l));
  const failed = r.tasks.some((t) => t.cases.some((c) => !c.passed));
  return failed ? 1 : 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'build':
        return await cmdBuild(rest);
      case 'run':
        return await cmdRun(rest);
      case 'batch':
        return await cmdBatch(rest);
      case 'test':
        return await cmdTest(rest);
      case '--version':
        console.log(graderVersion());
        return 0;
      case undefined:
      case '--help':
      case 'help':
        console.log(HELP.replace('{version}', graderVersion()));
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${cmd}' (commands: build, run, batch, test; see dl-grade --help)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`dl-grade: ${e.message}`);
      return 2;
    }
    if (e instanceof BuildError || e instanceof AssignmentError || e instanceof MarkerError || e instanceof SpecError) {
      console.error(`dl-grade: ${e.message}`);
      return 1;
    }
    console.error(`dl-grade: internal error (a bug in dl-grade, please report it): ${(e as Error).stack ?? e}`);
    return 1;
  }
}
