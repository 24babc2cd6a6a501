/**
 * Gradescope autograder `results.json` (the file `run_autograder` must leave at
 * /autograder/results/results.json). Format, as documented in Gradescope's "Autograder
 * Specifications" (gradescope-autograders.readthedocs.io/en/latest/specs/):
 * top level `score`, `execution_time` (seconds), `output`, `output_format`, `visibility`,
 * `stdout_visibility`, `tests[]`; each test `name`, `number`, `score`, `max_score`, `status`
 * ('passed' | 'failed'), `visibility` ('visible' | 'hidden' | 'after_due_date' |
 * 'after_published'), `output`, `tags`. grader/schemas/gradescope-results.schema.json encodes it.
 *
 * One test per case, numbered "task.case" (1-based). Public cases are 'visible'; hidden cases get
 * the assignment's `hiddenVisibility` (default 'visible'; their feedback never holds expected
 * values, that is ensured upstream). Gradescope hides the total score from students while any test
 * is hidden. The top-level `score` is the model's score (it overrides the sum of the tests).
 *
 * Where the output goes:
 * - top-level `output`: title, score, submission notes, task notes, isolation report;
 * - each case's `output`: its feedback in the chosen language;
 * - a task's stdout/stderr (already truncated upstream) is appended to one of its cases: the first
 *   hidden case if the task has hidden cases (the process that printed it also ran the hidden
 *   cases, so its output is released no earlier than they are), else the first case; a task
 *   without cases gets a section in the top-level output.
 *
 * All text is sent with `output_format: "text"`: Gradescope's default for the top level is
 * "simple_format", which renders HTML, and feedback such as `shape <2, 3>` must stay as written.
 *
 * ```json
 * { "score": 1.5, "execution_time": 3, "output": "Perceptrons\nScore: 1.5 / 2\n...", "output_format": "text",
 *   "tests": [
 *     { "name": "AND gate: truth table", "number": "1.1", "score": 1, "max_score": 1, "status": "passed",
 *       "visibility": "visible", "output": "", "tags": ["and", "public"] },
 *     { "name": "AND gate: random weights", "number": "1.2", "score": 0.5, "max_score": 1, "status": "failed",
 *       "visibility": "after_due_date", "output": "2 of 4 outputs differ", "tags": ["and", "hidden"] } ] }
 * ```
 */
import type { CaseResult, GradeResult, TaskResult } from '../result';
import { render, type Lang, type Text } from '../text';
import {
  caseNumber, caseTitle, feedbackText, isolationLines, LABEL, num, renderAll, scoreLine, seconds,
} from './common';

export type GradescopeVisibility = 'visible' | 'hidden' | 'after_due_date' | 'after_published';
export const GRADESCOPE_VISIBILITIES: readonly GradescopeVisibility[] = ['visible', 'hidden', 'after_due_date', 'after_published'];

export interface GradescopeOptions {
  /** Visibility of hidden cases' tests (the assignment's `hiddenVisibility`). Default 'visible'. */
  readonly hiddenVisibility?: GradescopeVisibility;
  /** Top-level `visibility` (tests without their own setting). Omitted unless given. */
  readonly visibility?: GradescopeVisibility;
  /** Top-level `stdout_visibility` (run_autograder's own stdout). Omitted unless given: Gradescope then shows it to instructors only. */
  readonly stdoutVisibility?: GradescopeVisibility;
}

export interface GradescopeTest {
  readonly name: string;
  readonly number: string;
  readonly score: number;
  readonly max_score: number;
  readonly status: 'passed' | 'failed';
  readonly visibility: GradescopeVisibility;
  readonly output: string;
  readonly tags: readonly string[];
}

export interface GradescopeResults {
  readonly score: number;
  readonly execution_time: number;
  readonly output: string;
  readonly output_format: 'text';
  readonly visibility?: GradescopeVisibility;
  readonly stdout_visibility?: GradescopeVisibility;
  /** Stored, not shown to students: versions, isolation, seeds and limits. */
  readonly extra_data?: Readonly<Record<string, unknown>>;
  readonly tests: readonly GradescopeTest[];
}

function checkVisibility(v: GradescopeVisibility | undefined, what: string): void {
  if (v !== undefined && !GRADESCOPE_VISIBILITIES.includes(v)) {
    throw new Error(`gradescope writer: ${what} must be one of ${GRADESCOPE_VISIBILITIES.join(', ')}, got ${JSON.stringify(v)}`);
  }
}

/** Index of the case that carries the task's stdout/stderr, or -1 when the task has no cases. */
export function outputCarrier(task: TaskResult): number {
  const hidden = task.cases.findIndex((c) => c.visibility === 'hidden');
  return hidden >= 0 ? hidden : task.cases.length > 0 ? 0 : -1;
}

/** The task's stdout and stderr as labelled sections ('' when both are empty). */
export function processOutput(task: TaskResult, lang: Lang): string {
  const parts: string[] = [];
  if (task.stdout) parts.push(`--- ${render(LABEL.stdout, lang)} ---\n${task.stdout}`);
  if (task.stderr) parts.push(`--- ${render(LABEL.stderr, lang)} ---\n${task.stderr}`);
  return parts.join('\n\n');
}

function caseOutput(task: TaskResult, c: CaseResult, carries: boolean, lang: Lang): string {
  const parts = [feedbackText(c, lang)];
  if (carries) parts.push(processOutput(task, lang));
  return parts.filter((p) => p !== '').join('\n\n');
}

function section(title: Text, lines: readonly string[], lang: Lang): string {
  return `${render(title, lang)}:\n${lines.map((l) => `- ${l.replace(/\n/g, '\n  ')}`).join('\n')}`;
}

function topOutput(r: GradeResult, lang: Lang): string {
  const parts = [`${render(r.assignment.title, lang)}\n${scoreLine(r, lang)}`];
  if (r.notes.length > 0) parts.push(section(LABEL.submissionNotes, renderAll(r.notes, lang), lang));
  const taskNotes = r.tasks.flatMap((t) => t.notes.map((n) => `[${render(t.title, lang)}] ${render(n, lang)}`));
  if (taskNotes.length > 0) parts.push(section(LABEL.taskNotes, taskNotes, lang));
  for (const t of r.tasks) {
    const out = outputCarrier(t) < 0 ? processOutput(t, lang) : '';
    if (out) parts.push(`[${render(t.title, lang)}]\n${out}`);
  }
  parts.push(section(LABEL.isolation, isolationLines(r, lang), lang));
  return parts.join('\n\n');
}

/** The results.json object (before serialisation). */
export function gradescopeResults(r: GradeResult, lang: Lang, options: GradescopeOptions = {}): GradescopeResults {
  const hiddenVisibility = options.hiddenVisibility ?? 'visible';
  checkVisibility(hiddenVisibility, 'hiddenVisibility');
  checkVisibility(options.visibility, 'visibility');
  checkVisibility(options.stdoutVisibility, 'stdoutVisibility');
  const tests: GradescopeTest[] = [];
  r.tasks.forEach((task, ti) => {
    const carrier = outputCarrier(task);
    task.cases.forEach((c, ci) => {
      tests.push({
        name: caseTitle(task, c, lang),
        number: caseNumber(ti, ci),
        score: num(c.score),
        max_score: num(c.maxScore),
        status: c.passed ? 'passed' : 'failed',
        visibility: c.visibility === 'public' ? 'visible' : hiddenVisibility,
        output: caseOutput(task, c, ci === carrier, lang),
        tags: [task.id, c.visibility],
      });
    });
  });
  return {
    score: num(r.score),
    execution_time: Math.ceil(seconds(r.executionTimeS)),
    output: topOutput(r, lang),
    output_format: 'text',
    // Stored by Gradescope, not shown: what reproduces this grading.
    extra_data: {
      assignment: r.assignment.id,
      graded_at: r.gradedAt,
      environment: { ...r.environment },
      isolation: { separate_process: r.isolation.separateProcess, ...(r.isolation.uid !== null ? { uid: r.isolation.uid } : {}), network: r.isolation.network, rlimits: r.isolation.rlimits },
      tasks: r.tasks.map((t) => ({ id: t.id, score: num(t.score), points: num(t.points), seed: t.seed, time_limit_s: t.limits.timeS, memory_mb: t.limits.memoryMB })),
    },
    ...(options.visibility ? { visibility: options.visibility } : {}),
    ...(options.stdoutVisibility ? { stdout_visibility: options.stdoutVisibility } : {}),
    tests,
  };
}

/** results.json text (2-space indented, UTF-8 as written, trailing newline). */
export function writeGradescope(r: GradeResult, lang: Lang, options: GradescopeOptions = {}): string {
  return `${JSON.stringify(gradescopeResults(r, lang, options), null, 2)}\n`;
}

/**
 * A zero-score results.json for when no GradeResult exists (the grader failed). The message is given
 * in both languages since the language may be what failed; `score: 0` keeps Gradescope's gradebook
 * from treating the run as an error without a score.
 */
export function gradescopeErrorResults(messages: readonly Text[]): GradescopeResults {
  const en = renderAll(messages, 'en').join('\n');
  const ja = renderAll(messages, 'ja').join('\n');
  return { score: 0, execution_time: 0, output: en === ja ? en : `${en}\n\n${ja}`, output_format: 'text', tests: [] };
}

