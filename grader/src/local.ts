/**
 * `dl-grade test [DIR]`: runs an assignment's public tests on the student's own machine, in one
 * process, against the student's files (this is what the template's `npm test` calls). With
 * `--reference` in an assignment's source folder, it runs public and hidden tests against the
 * reference solution: the quick loop for authors (the build then checks the same in isolation).
 */
import { join, resolve } from 'node:path';
import { manualSeed, setBackend } from '@dl/tensor';
import { loadAssignment } from './assignment';
import { handleRequest, type Request } from './callee';
import { RequestStudent, StudentError } from './remote';
import { environment } from './environment';
import { roundScore, taskStatus, type CaseResult, type GradeResult, type TaskResult } from './result';
import { loadSpecs, organise, runTask } from './runner';
import { text } from './text';
import { fallbackBareImports, registerTsExtension } from './tsload';
import type { Value } from './values';

class InProcessStudent extends RequestStudent {
  private mods = new Map<string, Record<string, unknown>>();

  constructor(private readonly dir: string, private readonly files: readonly string[]) {
    super();
  }

  private lookup(name: string): unknown {
    for (const f of this.files) {
      let m = this.mods.get(f);
      if (!m) {
        try {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          m = require(join(this.dir, f)) as Record<string, unknown>;
        } catch (e) {
          throw new StudentError(text(`loading ${f} failed: ${(e as Error).message}`, `${f} の読み込みに失敗しました: ${(e as Error).message}`));
        }
        this.mods.set(f, m);
      }
      if (Object.prototype.hasOwnProperty.call(m, name)) return m[name];
    }
    throw new StudentError(text(`'${name}' is not exported by ${this.files.join(', ')}`, `'${name}' が ${this.files.join(', ')} から export されていません`));
  }

  protected async request(req: Request): Promise<Value> {
    try {
      return await handleRequest(req, (n) => this.lookup(n));
    } catch (e) {
      if (e instanceof StudentError) throw e;
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      throw new StudentError(text(`your code threw ${msg}`, `あなたのコードで例外が発生しました: ${msg}`));
    }
  }
}

class NoReference extends RequestStudent {
  protected request(): Promise<Value> {
    return Promise.reject(new Error('public tests cannot ask the reference solution (students do not have it); write the expected values in the test'));
  }
}

/** Runs the tests in-process; the result has the grader's shape (isolation: none, said in its notes). */
export async function runLocal(dirArg: string, opts: { reference: boolean }): Promise<GradeResult> {
  const start = performance.now();
  const dir = resolve(dirArg);
  const spec = loadAssignment(dir);
  registerTsExtension();
  fallbackBareImports([join(__dirname, '..')]);
  const trusted = [dir, join(__dirname, '..')];
  const loaded = [...loadSpecs(join(dir, 'tests', 'public'), 'public', trusted)];
  if (opts.reference) loaded.push(...loadSpecs(join(dir, 'tests', 'hidden'), 'hidden', trusted));
  const byTask = organiseLenient(loaded, spec.tasks.map((t) => t.id));
  const student = new InProcessStudent(dir, spec.files);
  const reference = opts.reference ? student : new NoReference();
  const tasks: TaskResult[] = [];
  setBackend(spec.backend);
  for (const task of spec.tasks) {
    const t0 = performance.now();
    manualSeed(task.seed);
    const cases = byTask.get(task.id) ?? [];
    const results: CaseResult[] = cases.length ? await runTask(cases, { student, reference, points: task.points, taskSeed: task.seed }) : [];
    const score = roundScore(results.reduce((a, c) => a + c.score, 0));
    tasks.push({ id: task.id, title: task.title, points: task.points, score, status: taskStatus(score, task.points), durationS: (performance.now() - t0) / 1000, cases: results, notes: [], stdout: '', stderr: '', limits: { timeS: task.timeLimitS, memoryMB: task.memoryMB }, seed: task.seed });
  }
  const hiddenNote = opts.reference
    ? text('public and hidden tests, against the reference solution', '公開テストと非公開テスト (模範解答に対して)')
    : text('public tests only: the grader also runs hidden tests, so the final score can be lower', '公開テストのみ: 採点では非公開テストも実行されるため、最終的な点数はこれより低くなることがあります');
  return {
    assignment: { id: spec.id, title: spec.title },
    score: roundScore(tasks.reduce((a, t) => a + t.score, 0)),
    maxScore: roundScore(spec.tasks.reduce((a, t) => a + t.points, 0)),
    executionTimeS: (performance.now() - start) / 1000,
    tasks,
    notes: [hiddenNote],
    isolation: { separateProcess: false, uid: null, network: 'not isolated', rlimits: false, notes: [text('local run: your code ran in this process, without limits', 'ローカル実行: コードはこのプロセス内で制限なしに実行されました')] },
    environment: environment(spec.backend, spec.threads),
    gradedAt: new Date().toISOString(),
  };
}

/** Like organise, but a task without public cases is fine here (its tests may all be hidden). */
function organiseLenient(cases: Parameters<typeof organise>[0], ids: readonly string[]): ReturnType<typeof organise> {
  const present = ids.filter((id) => cases.some((c) => c.task === id));
  return organise(cases, present);
}
