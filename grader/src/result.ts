/**
 * The grader's one result model. Every writer (Gradescope, GitHub Classroom, JUnit, Markdown,
 * terminal) renders this; nothing else is graded or reported.
 *
 * Score of a task = points * (sum of passed case weights) / (sum of all case weights), so each
 * case earns partial credit; the assignment's score is the sum over tasks.
 */
import type { Text } from './text';

export type Visibility = 'public' | 'hidden';

export interface CaseResult {
  /** Task id this case belongs to. */
  readonly task: string;
  readonly name: Text;
  /** public: the student has this test; hidden: graded only, expected values never shown. */
  readonly visibility: Visibility;
  readonly weight: number;
  readonly passed: boolean;
  /** Points earned and possible for this case (its share of the task's points). */
  readonly score: number;
  readonly maxScore: number;
  /** What went wrong (or right), in both languages. Never contains a hidden expected value. */
  readonly feedback: readonly Text[];
  readonly durationS: number;
}

export type TaskStatus = 'passed' | 'partial' | 'failed';

export interface TaskResult {
  readonly id: string;
  readonly title: Text;
  readonly points: number;
  readonly score: number;
  readonly status: TaskStatus;
  readonly durationS: number;
  readonly cases: readonly CaseResult[];
  /** Task-level problems: the process hit a limit, the file is missing, ... */
  readonly notes: readonly Text[];
  /** The submission's own output while this task ran, truncated. Never decides anything. */
  readonly stdout: string;
  readonly stderr: string;
  readonly limits: { readonly timeS: number; readonly memoryMB: number };
  readonly seed: number;
}

/** How the student's code was confined; recorded so results say what was and was not enforced. */
export interface IsolationReport {
  readonly separateProcess: boolean;
  readonly uid: number | null;
  readonly network: 'isolated' | 'not isolated';
  readonly rlimits: boolean;
  readonly notes: readonly Text[];
}

export interface EnvironmentReport {
  readonly grader: string;
  readonly dl: string;
  readonly node: string;
  readonly platform: string;
  readonly backend: string;
  readonly threads: number;
}

export interface GradeResult {
  readonly assignment: { readonly id: string; readonly title: Text };
  readonly score: number;
  readonly maxScore: number;
  readonly executionTimeS: number;
  readonly tasks: readonly TaskResult[];
  /** Submission-level notes: compile diagnostics, files ignored, size problems. */
  readonly notes: readonly Text[];
  readonly isolation: IsolationReport;
  readonly environment: EnvironmentReport;
  readonly gradedAt: string;
}

/** Rounds a score for display and storage (avoids 0.30000000000000004 in gradebooks). */
export function roundScore(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export function taskStatus(score: number, points: number): TaskStatus {
  if (score >= points - 1e-9) return 'passed';
  return score > 1e-9 ? 'partial' : 'failed';
}
