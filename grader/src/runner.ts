/**
 * Runs test cases and turns them into case results. The same runner serves the grader (student
 * code in a confined process) and `dl-grade test` (student code in-process, on the student's
 * own machine).
 *
 * Score of a case = its share of the task's points: points * weight / (sum of the task's weights),
 * earned only when every check in it passed.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Checker } from './check';
import { StudentError } from './remote';
import { Rng } from './rng';
import type { CaseResult, Visibility } from './result';
import type { Student, TestCase } from './spec';
import { text, type Text } from './text';
import { loadModuleTree } from './tsload';

export interface LoadedCase extends TestCase {
  readonly visibility: Visibility;
  /** spec file it came from (relative), for messages. */
  readonly file: string;
  /** Index within the task, for seeds. */
  readonly index: number;
}

export class SpecError extends Error {
  override name = 'SpecError';
}

/** Loads every `*.spec.ts` (or compiled `*.spec.js`) in a folder; bare imports resolve from `trusted`. */
export function loadSpecs(dir: string, visibility: Visibility, trusted: readonly string[]): LoadedCase[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.spec\.(ts|js)$/.test(f)).sort();
  } catch {
    return [];
  }
  // A spec may import helpers from ../common/*.ts (compiled to .js in a built bundle).
  const cache = new Map<string, { exports: unknown }>();
  const out: LoadedCase[] = [];
  for (const f of files) {
    const path = join(dir, f);
    let mod: Record<string, unknown>;
    try {
      mod = loadModuleTree(path, trusted, cache);
    } catch (e) {
      throw new SpecError(`${path}: loading failed: ${(e as Error).message}`);
    }
    const cases = mod.default;
    if (!Array.isArray(cases)) throw new SpecError(`${path}: must 'export default defineTests([...])'`);
    for (const c of cases as TestCase[]) out.push({ ...c, visibility, file: `${visibility}/${f}`, index: 0 });
  }
  return out;
}

/** Orders cases by task as in `taskIds`, numbers them within each task, and rejects unknown tasks. */
export function organise(cases: readonly LoadedCase[], taskIds: readonly string[]): Map<string, LoadedCase[]> {
  const byTask = new Map<string, LoadedCase[]>(taskIds.map((id) => [id, []]));
  for (const c of cases) {
    const list = byTask.get(c.task);
    if (!list) throw new SpecError(`${c.file}: case for unknown task '${c.task}' (tasks: ${taskIds.join(', ')})`);
    list.push({ ...c, index: list.length });
  }
  for (const [id, list] of byTask) if (list.length === 0) throw new SpecError(`task '${id}' has no test cases`);
  return byTask;
}

/** Seed of a case: the task's seed mixed with its index, so cases do not share inputs. */
export function caseSeed(taskSeed: number, index: number): number {
  return (Math.imul(taskSeed + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0;
}

export interface RunCaseOptions {
  readonly student: Student;
  readonly reference: Student;
  readonly points: number;
  readonly totalWeight: number;
  readonly taskSeed: number;
}

/** Runs one case; never throws (a failure of the test itself is reported as feedback). */
export async function runCase(c: LoadedCase, o: RunCaseOptions): Promise<CaseResult> {
  const hidden = c.visibility === 'hidden';
  const check = new Checker(hidden);
  const start = performance.now();
  const weight = c.weight ?? 1;
  const maxScore = (o.points * weight) / o.totalWeight;
  try {
    await c.run({ student: o.student, reference: o.reference, check, rng: new Rng(caseSeed(o.taskSeed, c.index)), hidden });
  } catch (e) {
    if (e instanceof StudentError) check.fail(e.feedback);
    else check.fail(testBroke(e));
  }
  const passed = check.failures === 0;
  return {
    task: c.task,
    name: c.name,
    visibility: c.visibility,
    weight,
    passed,
    score: passed ? maxScore : 0,
    maxScore,
    feedback: check.feedback,
    durationS: (performance.now() - start) / 1000,
  };
}

function testBroke(e: unknown): Text {
  const msg = e instanceof Error ? e.message : String(e);
  return text(`the test could not finish: ${msg}`, `テストを完了できませんでした: ${msg}`);
}

/** Runs a task's cases in order against one student. */
export async function runTask(cases: readonly LoadedCase[], o: Omit<RunCaseOptions, 'totalWeight'>): Promise<CaseResult[]> {
  const totalWeight = cases.reduce((a, c) => a + (c.weight ?? 1), 0);
  const out: CaseResult[] = [];
  for (const c of cases) out.push(await runCase(c, { ...o, totalWeight }));
  return out;
}
