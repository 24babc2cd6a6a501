/**
 * Building an assignment from its one source, and loading the built autograder bundle.
 *
 * `buildAssignment('assignments/01-perceptron', 'out')` writes
 * - `out/student/`: the template (solution blocks replaced by stubs), public tests, READMEs, and a
 *   package.json whose `npm test` runs the public tests;
 * - `out/autograder/`: assignment.json, the compiled reference, public and hidden tests (mode
 *   0700: readable by the grader's user only);
 * then grades the reference (it must score full marks) and the template (every task must score 0:
 * a task that stubs pass is a broken task). Either failing fails the build.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadAssignment, type AssignmentSpec } from './assignment';
import { graderVersion } from './environment';
import { keepSolutions, stripSolutions } from './markers';
import type { GradeResult } from './result';
import { loadSpecs, organise, type LoadedCase } from './runner';
import { transpile } from './tsload';

export interface Manifest {
  readonly format: 1;
  readonly assignment: string;
  /** Files holding each task's solution blocks. */
  readonly taskFiles: Readonly<Record<string, readonly string[]>>;
  readonly grader: string;
}

export interface Bundle {
  readonly dir: string;
  readonly spec: AssignmentSpec;
  readonly taskFiles: Readonly<Record<string, readonly string[]>>;
  readonly cases: ReadonlyMap<string, readonly LoadedCase[]>;
  /** Compiled reference (.js next to each file's path); null in a public-tests-only bundle. */
  readonly referenceDir: string | null;
  /** The reference's recorded answers (reference-answers.json), by task and request. */
  readonly referenceAnswers: ReadonlyMap<string, string>;
}

export class BuildError extends Error {
  override name = 'BuildError';
}

export interface SourceSplit {
  readonly spec: AssignmentSpec;
  readonly student: ReadonlyMap<string, string>;
  readonly reference: ReadonlyMap<string, string>;
  readonly taskFiles: Record<string, string[]>;
}

/** Reads an assignment source folder: the student and reference versions of each file. */
export function splitSources(srcDir: string): SourceSplit {
  const spec = loadAssignment(srcDir);
  const known = new Set(spec.tasks.map((t) => t.id));
  const student = new Map<string, string>();
  const reference = new Map<string, string>();
  const taskFiles: Record<string, string[]> = {};
  for (const f of spec.files) {
    const p = join(srcDir, f);
    if (!existsSync(p)) throw new BuildError(`${p}: listed in assignment.json "files" but missing`);
    const src = readFileSync(p, 'utf8');
    const s = stripSolutions(src, p, known);
    student.set(f, s.text);
    reference.set(f, keepSolutions(src));
    for (const t of s.tasks) (taskFiles[t] ??= []).push(f);
  }
  for (const t of spec.tasks) {
    if (!taskFiles[t.id]) throw new BuildError(`task '${t.id}' has no '// BEGIN SOLUTION ${t.id}' block in ${spec.files.join(', ')}`);
  }
  return { spec, student, reference, taskFiles };
}

function writeTree(dir: string, files: ReadonlyMap<string, string>): void {
  for (const [f, text] of files) {
    const p = join(dir, f);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
}

function specFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.spec.ts')).sort() : [];
}

/** tests/common/*.ts: helpers shared by public and hidden tests (students get them: no expected values there). */
function commonFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort() : [];
}

function chmodTree(p: string, dirMode: number, fileMode: number): void {
  if (statSync(p).isDirectory()) {
    chmodSync(p, dirMode);
    for (const e of readdirSync(p)) chmodTree(join(p, e), dirMode, fileMode);
  } else chmodSync(p, fileMode);
}

function studentPackageJson(spec: AssignmentSpec): string {
  const v = graderVersion();
  return `${JSON.stringify(
    {
      name: `dl-assignment-${spec.id}`,
      private: true,
      description: `${spec.title.en} / ${spec.title.ja}`,
      scripts: { test: 'dl-grade test .' },
      dependencies: { '@dl/grader': v, '@dl/tensor': v, '@dl/autograd': v },
    },
    null,
    2,
  )}\n`;
}

const STUDENT_TSCONFIG = `${JSON.stringify(
  { compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, esModuleInterop: true, skipLibCheck: true, noEmit: true }, include: ['src', 'tests'] },
  null,
  2,
)}\n`;

/** Writes student/ and autograder/ under outDir (does not verify; see `buildAndVerify`). */
export function writeBundles(srcDir: string, outDir: string): SourceSplit {
  const split = splitSources(srcDir);
  const { spec } = split;
  // Validate the specs now: a broken spec fails the build, not a student.
  const taskIds = spec.tasks.map((t) => t.id);
  const trusted = [join(__dirname, '..')];
  organise([...loadSpecs(join(srcDir, 'tests', 'public'), 'public', trusted), ...loadSpecs(join(srcDir, 'tests', 'hidden'), 'hidden', trusted)], taskIds);
  const manifest: Manifest = { format: 1, assignment: spec.id, taskFiles: split.taskFiles, grader: graderVersion() };

  const student = join(outDir, 'student');
  rmSync(student, { recursive: true, force: true });
  mkdirSync(student, { recursive: true });
  writeTree(student, split.student);
  for (const f of ['README.md', 'README.ja.md', 'assignment.json']) {
    if (existsSync(join(srcDir, f))) copyFileSync(join(srcDir, f), join(student, f));
  }
  mkdirSync(join(student, 'tests', 'public'), { recursive: true });
  for (const f of specFiles(join(srcDir, 'tests', 'public'))) copyFileSync(join(srcDir, 'tests', 'public', f), join(student, 'tests', 'public', f));
  const common = commonFiles(join(srcDir, 'tests', 'common'));
  if (common.length) mkdirSync(join(student, 'tests', 'common'), { recursive: true });
  for (const f of common) copyFileSync(join(srcDir, 'tests', 'common', f), join(student, 'tests', 'common', f));
  writeFileSync(join(student, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(student, 'package.json'), studentPackageJson(spec));
  writeFileSync(join(student, 'tsconfig.json'), STUDENT_TSCONFIG);

  const ag = join(outDir, 'autograder');
  rmSync(ag, { recursive: true, force: true });
  mkdirSync(ag, { recursive: true, mode: 0o700 });
  copyFileSync(join(srcDir, 'assignment.json'), join(ag, 'assignment.json'));
  writeFileSync(join(ag, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const compiledRef = new Map<string, string>();
  for (const [f, src] of split.reference) {
    const t = transpile(src, f);
    if (t.errors.length) throw new BuildError(`${join(srcDir, f)}: ${t.errors.join('\n')}`);
    compiledRef.set(f.replace(/\.ts$/, '.js'), t.js);
  }
  writeTree(join(ag, 'reference'), compiledRef);
  for (const vis of ['public', 'hidden', 'common']) {
    const from = join(srcDir, 'tests', vis);
    const to = join(ag, 'tests', vis);
    const files = vis === 'common' ? commonFiles(from) : specFiles(from);
    if (vis === 'common' && files.length === 0) continue;
    mkdirSync(to, { recursive: true });
    for (const f of files) {
      const t = transpile(readFileSync(join(from, f), 'utf8'), join(from, f));
      if (t.errors.length) throw new BuildError(`${join(from, f)}: ${t.errors.join('\n')}`);
      writeFileSync(join(to, f.replace(/\.ts$/, '.js')), t.js);
    }
  }
  chmodTree(ag, 0o700, 0o600);
  return split;
}

/**
 * Loads a built autograder bundle. A student template folder (manifest.json, public tests, no
 * reference) also loads, as a public-tests-only bundle: what a GitHub Classroom workflow in the
 * students' own repository can grade.
 */
export function loadBundle(dir: string): Bundle {
  const spec = loadAssignment(dir);
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new BuildError(`${dir}: no manifest.json; build the assignment with 'dl-grade build' first`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const trusted = [join(__dirname, '..')];
  const publicOnly = !existsSync(join(dir, 'reference'));
  const loaded = [...loadSpecs(join(dir, 'tests', 'public'), 'public', trusted)];
  if (!publicOnly) loaded.push(...loadSpecs(join(dir, 'tests', 'hidden'), 'hidden', trusted));
  const ids = spec.tasks.map((t) => t.id);
  const cases = organise(loaded, publicOnly ? ids.filter((id) => loaded.some((c) => c.task === id)) : ids);
  const answersPath = join(dir, REFERENCE_ANSWERS);
  const referenceAnswers = new Map<string, string>(existsSync(answersPath) ? Object.entries(JSON.parse(readFileSync(answersPath, 'utf8')) as Record<string, string>) : []);
  return { dir, spec, taskFiles: manifest.taskFiles, cases, referenceDir: publicOnly ? null : join(dir, 'reference'), referenceAnswers };
}

/** Where the build records the reference's answers to the tests' requests. */
export const REFERENCE_ANSWERS = 'reference-answers.json';

export interface VerifyReport {
  readonly reference: GradeResult;
  readonly stub: GradeResult;
}

/** Grades the reference and the stub template; throws BuildError unless full marks and zeros. */
export async function verifyBundle(
  outDir: string,
  split: SourceSplit,
  grade: (b: Bundle, dir: string, record?: Map<string, string>) => Promise<GradeResult>,
): Promise<VerifyReport> {
  const agDir = join(outDir, 'autograder');
  const refDir = mkdtempSync(join(tmpdir(), 'dl-grade-ref-'));
  try {
    writeTree(refDir, split.reference);
    rmSync(join(agDir, REFERENCE_ANSWERS), { force: true });
    const record = new Map<string, string>();
    const reference = await grade(loadBundle(agDir), refDir, record);
    writeFileSync(join(agDir, REFERENCE_ANSWERS), `${JSON.stringify(Object.fromEntries(record))}\n`, { mode: 0o600 });
    // The template is graded with the recorded answers, as every submission will be.
    const stub = await grade(loadBundle(agDir), join(outDir, 'student'));
    const problems: string[] = [];
    for (const t of reference.tasks) {
      if (t.score < t.points - 1e-9) {
        const why = t.cases.filter((c) => !c.passed).flatMap((c) => c.feedback.map((f) => `    ${typeof c.name === 'string' ? c.name : c.name.en}: ${typeof f === 'string' ? f : f.en}`));
        const notes = t.notes.map((n) => `    ${typeof n === 'string' ? n : n.en}`);
        problems.push(`the reference scores ${t.score}/${t.points} on task '${t.id}':\n${[...why, ...notes].join('\n')}${t.stderr ? `\n    stderr: ${t.stderr.slice(0, 800)}` : ''}`);
      }
    }
    for (const t of stub.tasks) {
      if (t.score > 0) {
        const passing = t.cases.filter((c) => c.passed).map((c) => (typeof c.name === 'string' ? c.name : c.name.en));
        problems.push(`the stub template scores ${t.score}/${t.points} on task '${t.id}' (cases that pass without any code: ${passing.join('; ')})`);
      }
    }
    if (problems.length) throw new BuildError(`${split.spec.id}: the build is broken:\n  ${problems.join('\n  ')}`);
    return { reference, stub };
  } finally {
    rmSync(refDir, { recursive: true, force: true });
  }
}
