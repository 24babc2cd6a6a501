/**
 * How an assignment's tests are written (files `tests/public/*.spec.ts` and
 * `tests/hidden/*.spec.ts`). A test runs in the GRADER's process: it sends inputs to the student's
 * code through `student` (which lives in another, confined process), and judges the answers with
 * `check`. Expected values and hidden inputs stay on the grader's side.
 *
 * ```ts
 * import { defineTests, T } from '@dl/grader';
 *
 * export default defineTests([
 *   {
 *     task: 'and',
 *     name: { en: 'AND truth table', ja: 'AND の真理値表' },
 *     run: async ({ student, check }) => {
 *       for (const [a, b, y] of [[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 1]]) {
 *         check.equal(await student.call('AND', a, b), y, `AND(${a}, ${b})`);
 *       }
 *     },
 *   },
 * ]);
 * ```
 *
 * `student.call('AND', 1, 0)` calls the export `AND` of the task's file. `reference` has the same
 * methods and answers from the reference solution (the grader computes it; students never see it).
 */
import type { Text } from './text';
import type { TensorValue, Value } from './values';
import type { Rng } from './rng';

/** The student's (or the reference's) code, seen from the grader: every call is a request. */
export interface Student {
  /** Calls an exported function with the given arguments (tensor values arrive as @dl Tensors). */
  call(exportName: string, ...args: Value[]): Promise<Value>;
  /**
   * Constructs an exported class (`new C(...ctorArgs)`) and calls `method(...args)` on it. Each
   * request builds a fresh instance.
   */
  callMethod(className: string, ctorArgs: readonly Value[], method: string, ...args: Value[]): Promise<Value>;
  /**
   * Constructs an exported class once and calls several methods on that one instance, in order
   * (forward, then backward, on a layer that keeps state between them). Returns each call's result.
   */
  callMethods(className: string, ctorArgs: readonly Value[], calls: readonly MethodCall[]): Promise<Value[]>;
  /**
   * Runs an exported @dl autograd `Function` subclass: `new C(...ctorArgs).apply(...inputs)` with
   * each input a Variable that requires grad, then `output.backward({ gradient: gradOutput })`
   * (ones of the output's shape by default). Returns the output and the inputs' gradients.
   */
  applyFunction(className: string, req: ApplyFunctionRequest): Promise<ApplyFunctionResult>;
}

export interface MethodCall {
  readonly method: string;
  readonly args: readonly Value[];
}

export interface ApplyFunctionRequest {
  readonly ctorArgs?: readonly Value[];
  readonly inputs: readonly TensorValue[];
  readonly gradOutput?: TensorValue;
  /** Skip backward (forward only). */
  readonly forwardOnly?: boolean;
}

export interface ApplyFunctionResult {
  readonly output: Value;
  /** One per input; null where the student's backward gave none. */
  readonly grads: readonly Value[];
}

export interface CloseOptions {
  /** |got - want| <= atol + rtol * |want|, elementwise. Defaults: atol 1e-6, rtol 1e-5. */
  readonly atol?: number;
  readonly rtol?: number;
  /** Also require this dtype (when got is a tensor). */
  readonly dtype?: boolean;
}

/** Judgements. Each records a pass or a failure with feedback; a case passes when all pass. */
export interface Check {
  /** Deep, exact equality of plain values (numbers compared with Object.is except 0 === -0). */
  equal(got: Value, want: Value, label: Text): boolean;
  /** Numbers, nested arrays or tensors equal within tolerances; shape must match. */
  close(got: Value, want: Value, label: Text, opts?: CloseOptions): boolean;
  /** A condition the test computed itself; `why` explains a failure. */
  ok(cond: boolean, label: Text, why?: Text): boolean;
  /** Records a failure outright. */
  fail(message: Text): false;
  /** Number of failures recorded so far in this case. */
  readonly failures: number;
}

export interface TestContext {
  readonly student: Student;
  readonly reference: Student;
  readonly check: Check;
  /** Seeded per case: the same inputs on every run of the grader. */
  readonly rng: Rng;
  /** True for hidden cases: feedback must not show expected values (check does this itself). */
  readonly hidden: boolean;
}

export interface TestCase {
  /** A task id from assignment.json. */
  readonly task: string;
  readonly name: Text;
  /** Share of the task's points relative to its other cases (default 1). */
  readonly weight?: number;
  readonly run: (ctx: TestContext) => Promise<void>;
}

/** Declares a spec file's cases (validates their shape, so a typo fails the build, not a student). */
export function defineTests(cases: readonly TestCase[]): readonly TestCase[] {
  if (!Array.isArray(cases)) throw new TypeError('defineTests: expected an array of test cases');
  for (const [i, c] of cases.entries()) {
    const where = `defineTests: case ${i}`;
    if (typeof c !== 'object' || c === null) throw new TypeError(`${where} is not an object`);
    const allowed = new Set(['task', 'name', 'weight', 'run']);
    for (const k of Object.keys(c)) {
      if (!allowed.has(k)) throw new TypeError(`${where}: unknown key '${k}' (allowed: ${[...allowed].join(', ')})`);
    }
    if (typeof c.task !== 'string' || c.task === '') throw new TypeError(`${where}: 'task' must be a task id`);
    if (typeof c.run !== 'function') throw new TypeError(`${where}: 'run' must be an async function`);
    if (c.weight !== undefined && !(typeof c.weight === 'number' && c.weight > 0 && Number.isFinite(c.weight))) {
      throw new TypeError(`${where}: 'weight' must be a positive number`);
    }
  }
  return cases;
}
