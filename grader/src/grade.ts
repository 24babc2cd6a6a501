/**
 * Grading one submission: read its files, compile them (confined), then run each task's cases
 * in a fresh confined process. The verdict comes only from the grader's comparisons; the
 * process's output is kept (truncated) for feedback and decides nothing.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Bundle } from './bundle';
import type { Request } from './callee';
import { RemoteStudent, RequestStudent, StudentError } from './remote';
import { roundScore, taskStatus, type GradeResult, type TaskResult, type CaseResult } from './result';
import { runTask, type LoadedCase } from './runner';
import { describeExit, prepareDir, probeIsolation, Sandboxed, type Isolation } from './sandbox';
import { readSubmission } from './submission';
import { render, text, type Text } from './text';
import { decodeWire, encodeWire, type Value } from './values';
import { MAX_MESSAGE_BYTES } from './protocol';
import { transpile } from './tsload';
import { environment } from './environment';

/** The grader's own install: bare imports of student code resolve only from here. */
export const GRADER_ROOT = resolve(__dirname, '..');
// Always the compiled scripts, also when this module runs from src/ (under ts-jest).
const CHILD_SCRIPT = join(GRADER_ROOT, 'dist', 'child.js');
const COMPILE_SCRIPT = join(GRADER_ROOT, 'dist', 'compile-child.js');

export interface GradeOptions {
  /** Distinguishes concurrent gradings in one grader process (each gets its own uid). */
  readonly slot?: number;
  /** Collects the reference's answers (key: task and request) for the bundle's record. */
  readonly recordReference?: Map<string, string>;
}

/** A uid of its own for each concurrent grading (slot) and role: task processes, type checker. */
function uidFor(slot: number, role: 'task' | 'typecheck' = 'task'): number {
  return 200000 + (process.pid % 10000) * 32 + (slot % 16) * 2 + (role === 'task' ? 0 : 1);
}

function childEnv(workDir: string, backend: string, threads: number): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: workDir,
    TMPDIR: workDir,
    LANG: 'C.UTF-8',
    DL_BACKEND: backend,
    DL_NUM_THREADS: String(threads),
    NODE_ENV: 'production',
  };
}

interface Compiled {
  readonly js: ReadonlyMap<string, string>;
  /** Files with syntax errors, and the errors. */
  readonly syntax: ReadonlyMap<string, readonly string[]>;
}

/** Transpiles each file (fast, no type information; syntax errors make a file unusable). */
function transpileAll(sources: ReadonlyMap<string, string>): Compiled {
  const js = new Map<string, string>();
  const syntax = new Map<string, readonly string[]>();
  for (const [f, src] of sources) {
    try {
      const t = transpile(src, f);
      js.set(f, t.js);
      if (t.errors.length) syntax.set(f, t.errors.slice(0, 5));
    } catch (e) {
      syntax.set(f, [`${f}: the TypeScript compiler gave up: ${(e as Error).message}`]);
    }
  }
  return { js, syntax };
}

/**
 * Type-checks the submission in a confined process (the compiler reads untrusted text). Runs
 * while the tasks are graded; its diagnostics are feedback only.
 */
async function typeCheck(sources: ReadonlyMap<string, string>, iso: Isolation, uid: number): Promise<Text | null> {
  if (sources.size === 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'dl-grade-compile-'));
  try {
    for (const [f, src] of sources) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), src);
    }
    prepareDir(dir, iso.setpriv ? uid : null);
    const box = new Sandboxed(
      {
        script: COMPILE_SCRIPT,
        args: [JSON.stringify({ files: [...sources.keys()], trusted: [GRADER_ROOT] })],
        cwd: dir,
        env: childEnv(dir, 'js', 1),
        timeLimitS: 60,
        memoryMB: 2048,
        confine: true,
        uid,
        maxOutputBytes: MAX_MESSAGE_BYTES,
      },
      iso,
    );
    let diagnostics: string[] | null = null;
    box.onLine((line) => {
      try {
        const a = JSON.parse(line) as { diagnostics?: unknown };
        if (Array.isArray(a.diagnostics)) diagnostics = a.diagnostics.map(String);
      } catch {
        /* ignored */
      }
    });
    const reason = await box.exited;
    await box.close();
    const d = diagnostics as string[] | null;
    if (d === null) {
      return text(`type checking did not finish (${render(describeExit(reason), 'en')}); the code was graded all the same`, `型チェックが完了しませんでした (${render(describeExit(reason), 'ja')})。採点はそのまま行いました`);
    }
    if (d.length === 0) return null;
    const list = d.join('\n');
    return text(`TypeScript reported problems (the code still ran where it could):\n${list}`, `TypeScript がエラーを報告しました (実行できる部分は実行しました):\n${list}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


/**
 * The reference solution. Answers come from the bundle's recorded answers (written when the
 * build graded the reference: the same seeded requests come every time); a request not recorded
 * starts the reference in a process of its own. Trusted: not confined.
 */
class LazyReference extends RequestStudent {
  private remote: RemoteStudent | null = null;
  private box: Sandboxed | null = null;

  constructor(
    private readonly bundle: Bundle,
    private readonly taskId: string,
    private readonly modules: readonly string[],
    private readonly seed: number,
    private readonly iso: Isolation,
    private readonly record: Map<string, string> | undefined,
  ) {
    super();
  }

  protected async request(req: Request): Promise<Value> {
    const key = `${this.taskId}\n${encodeWire(req)}`;
    const known = this.bundle.referenceAnswers.get(key);
    if (known !== undefined) return decodeWire(known);
    const answer = await this.ask(req);
    this.record?.set(key, encodeWire(answer));
    return answer;
  }

  private ask(req: Request): Promise<Value> {
    if (!this.remote) {
      const dir = this.bundle.referenceDir;
      if (dir === null) return Promise.reject(new Error('this bundle has public tests only; a test asked the reference solution'));
      this.box = new Sandboxed(
        {
          script: CHILD_SCRIPT,
          args: [JSON.stringify({ workDir: dir, modules: this.modules, trusted: [GRADER_ROOT], seed: this.seed })],
          cwd: dir,
          env: childEnv(dir, this.bundle.spec.backend, this.bundle.spec.threads),
          timeLimitS: 600,
          memoryMB: 4096,
          confine: false,
          uid: 0,
          maxOutputBytes: MAX_MESSAGE_BYTES,
        },
        this.iso,
      );
      this.remote = new RemoteStudent(this.box);
    }
    return this.remote.ask(req).catch((e) => {
      // The reference failing is the assignment's bug, never the student's.
      throw new Error(`the reference solution failed: ${e instanceof StudentError ? render(e.feedback, 'en') : (e as Error).message}`);
    });
  }

  async close(): Promise<void> {
    if (this.box) await this.box.close();
  }
}

function syntaxProblem(file: string, errs: readonly string[] | undefined): Text | null {
  if (!errs || errs.length === 0) return null;
  const list = errs.join('\n');
  return text(`${file} does not compile (syntax errors):\n${list}`, `${file} に構文エラーがあり、コンパイルできません:\n${list}`);
}

function failedCases(cases: readonly LoadedCase[], points: number, why: Text): CaseResult[] {
  const total = cases.reduce((a, c) => a + (c.weight ?? 1), 0);
  return cases.map((c) => ({
    task: c.task,
    name: c.name,
    visibility: c.visibility,
    weight: c.weight ?? 1,
    passed: false,
    score: 0,
    maxScore: (points * (c.weight ?? 1)) / total,
    feedback: [why],
    durationS: 0,
  }));
}

/** Grades one submission folder against a loaded bundle. Never throws for anything the submission does. */
export async function gradeSubmission(bundle: Bundle, submissionDir: string, opts: GradeOptions = {}): Promise<GradeResult> {
  const start = performance.now();
  const iso = probeIsolation();
  const uid = uidFor(opts.slot ?? 0);
  const spec = bundle.spec;
  const sub = readSubmission(submissionDir, spec.files, spec.submissionLimitKB);
  const notes: Text[] = [...sub.notes];
  const compiled = transpileAll(sub.sources);
  // The type check runs beside the tasks (its own uid slot), and is waited for at the end.
  const typeNotes = typeCheck(sub.sources, iso, uidFor(opts.slot ?? 0, 'typecheck'));
  const tasks: TaskResult[] = [];
  for (const task of spec.tasks) {
    const t0 = performance.now();
    const cases = bundle.cases.get(task.id) ?? [];
    const files = bundle.taskFiles[task.id] ?? spec.files;
    const limits = { timeS: task.timeLimitS, memoryMB: task.memoryMB };
    const problem = files.map((f) => sub.problems.get(f) ?? syntaxProblem(f, compiled.syntax.get(f))).find((p) => p) ?? null;
    let caseResults: CaseResult[];
    const taskNotes: Text[] = [];
    let stdout = '';
    let stderr = '';
    if (cases.length === 0) {
      caseResults = [];
      taskNotes.push(text('graded by hidden tests only: not graded here (public tests only)', '非公開テストのみで採点されるタスク: ここでは採点しません (公開テストのみ)'));
    } else if (problem) {
      caseResults = failedCases(cases, task.points, problem);
      taskNotes.push(problem);
    } else {
      const work = mkdtempSync(join(tmpdir(), 'dl-grade-task-'));
      const modules = files.map((f) => f.replace(/\.ts$/, '.js'));
      for (const [f, js] of compiled.js) {
        const p = join(work, f.replace(/\.ts$/, '.js'));
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, js);
      }
      prepareDir(work, iso.setpriv ? uid : null);
      const box = new Sandboxed(
        {
          script: CHILD_SCRIPT,
          args: [JSON.stringify({ workDir: work, modules, trusted: [GRADER_ROOT], seed: task.seed })],
          cwd: work,
          env: childEnv(work, spec.backend, spec.threads),
          timeLimitS: task.timeLimitS,
          memoryMB: task.memoryMB,
          confine: true,
          uid,
          maxOutputBytes: MAX_MESSAGE_BYTES,
        },
        iso,
      );
      const reference = new LazyReference(bundle, task.id, modules, task.seed, iso, opts.recordReference);
      try {
        caseResults = await runTask(cases, { student: new RemoteStudent(box), reference, points: task.points, taskSeed: task.seed });
      } finally {
        const reason = box.exitReason;
        await box.close();
        await reference.close();
        if (reason.kind !== 'running' && reason.kind !== 'closed') taskNotes.push(describeExit(reason));
        ({ stdout, stderr } = box.output());
        rmSync(work, { recursive: true, force: true });
      }
    }
    const score = roundScore(caseResults.reduce((a, c) => a + c.score, 0));
    tasks.push({
      id: task.id,
      title: task.title,
      points: task.points,
      score,
      status: taskStatus(score, task.points),
      durationS: (performance.now() - t0) / 1000,
      cases: caseResults,
      notes: taskNotes,
      stdout,
      stderr,
      limits,
      seed: task.seed,
    });
  }
  const typeNote = await typeNotes;
  if (typeNote) notes.push(typeNote);
  if (bundle.referenceDir === null) {
    notes.push(text('public tests only: the final grade also includes hidden tests', '公開テストのみの採点です: 最終的な成績には非公開テストも含まれます'));
  }
  return {
    assignment: { id: spec.id, title: spec.title },
    score: roundScore(tasks.reduce((a, t) => a + t.score, 0)),
    maxScore: roundScore(spec.tasks.reduce((a, t) => a + t.points, 0)),
    executionTimeS: (performance.now() - start) / 1000,
    tasks,
    notes,
    isolation: {
      separateProcess: true,
      uid: iso.setpriv ? uid : null,
      network: iso.netns ? 'isolated' : 'not isolated',
      rlimits: iso.prlimit,
      notes: iso.notes,
    },
    environment: environment(spec.backend, spec.threads),
    gradedAt: new Date().toISOString(),
  };
}
