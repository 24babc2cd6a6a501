/**
 * @dl/grader: build and grade @dl course assignments.
 *
 * For assignment authors (tests in `tests/public` and `tests/hidden`):
 * ```ts
 * import { defineTests, T } from '@dl/grader';
 * export default defineTests([{ task: 'and', name: 'AND(1, 1)', run: async ({ student, check }) => {
 *   check.equal(await student.call('AND', 1, 1), 1, 'AND(1, 1)');
 * } }]);
 * ```
 * For tools: `writeBundles` + `verifyBundle` (build), `loadBundle` + `gradeSubmission` (grade),
 * the writers (`WRITERS`), and `main` (the dl-grade command).
 */
export { defineTests, type ApplyFunctionRequest, type ApplyFunctionResult, type Check, type CloseOptions, type MethodCall, type Student, type TestCase, type TestContext } from './spec';
export { T, bytes, bytesOf, toNested, isBytesValue, isTensorValue, type BytesValue, type TensorValue, type Value } from './values';
export { Rng } from './rng';
export { text, render, type Lang, type Text } from './text';
export { parseAssignment, loadAssignment, AssignmentError, type AssignmentSpec, type TaskSpec } from './assignment';
export { stripSolutions, keepSolutions, MarkerError } from './markers';
export { writeBundles, loadBundle, verifyBundle, BuildError, type Bundle, type Manifest } from './bundle';
export { gradeSubmission } from './grade';
export { runLocal } from './local';
export { probeIsolation } from './sandbox';
export type { GradeResult, TaskResult, CaseResult, IsolationReport, EnvironmentReport } from './result';
