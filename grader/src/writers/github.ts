/**
 * GitHub Classroom autograding: the result one grading step hands to
 * `classroom-resources/autograding-grading-reporter@v1`, and the workflow that runs dl-grade.
 *
 * The format, as the Classroom actions write and read it (read from the sources of
 * education/autograding-command-grader, autograding-io-grader, autograding-python-grader and
 * autograding-grading-reporter, 2024): a grading step sets its step output `result` to the base64
 * of a JSON object
 *
 * ```json
 * { "version": 1, "status": "fail", "max_score": 5,
 *   "tests": [
 *     { "name": "AND gate: truth table", "status": "pass", "score": 1, "message": "",
 *       "filename": "", "line_no": 0, "duration": 12 },
 *     { "name": "AND gate: random weights", "status": "fail", "score": 0, "message": "2 of 4 outputs differ",
 *       "filename": "", "line_no": 0, "duration": 30 } ] }
 * ```
 *
 * and the reporter reads it from the environment variable `<STEP ID IN CAPITALS>_RESULTS` for each
 * id in its `runners` input. What the reporter does with it:
 * - the points sent to Classroom are the sum of the tests' `score` over the sum of `max_score`
 *   (top level), so partial credit per case is kept;
 * - its console table shows (passed tests / tests) × max_score, which is wrong for unequal case
 *   weights; the points above are what the gradebook gets;
 * - `status` 'pass' | 'fail' | 'error'; any 'fail' or 'error' marks the step as failed;
 * - `line_no` is printed unless it is 0, so it is always 0 here; `duration` is milliseconds (the
 *   command and I/O graders; nothing reads it);
 * - the reporter finds its check run by the job name `run-autograding-tests`.
 *
 * One test per case; a task without cases (it could not run) becomes one 'error' test with score 0
 * and the task's notes. A task's notes go to its first case's message, its stdout/stderr to the
 * same case as in the Gradescope writer. Actions logs are visible to the student, so hidden cases'
 * feedback is shown at once (it never holds expected values).
 */
import type { GradeResult, TaskResult } from '../result';
import { render, text, type Lang, type Text } from '../text';
import { caseTitle, feedbackText, num, renderAll, seconds } from './common';
import { outputCarrier, processOutput } from './gradescope';

export type ClassroomStatus = 'pass' | 'fail' | 'error';

export interface ClassroomTest {
  readonly name: string;
  readonly status: ClassroomStatus;
  readonly score: number;
  readonly message: string;
  readonly filename: '';
  readonly line_no: 0;
  /** Milliseconds. */
  readonly duration: number;
}

export interface ClassroomResult {
  readonly version: 1;
  readonly status: ClassroomStatus;
  readonly max_score: number;
  readonly tests: readonly ClassroomTest[];
}

/** The file `dl-grade run --format github` writes into `--out`; the workflow encodes it. */
export const GITHUB_RESULT_FILE = 'github-classroom.json';

function taskTests(task: TaskResult, lang: Lang): ClassroomTest[] {
  const notes = renderAll(task.notes, lang).join('\n');
  if (task.cases.length === 0) {
    return [{
      name: render(task.title, lang),
      status: 'error',
      score: 0,
      message: [notes, processOutput(task, lang)].filter((p) => p !== '').join('\n\n'),
      filename: '',
      line_no: 0,
      duration: Math.round(seconds(task.durationS) * 1000),
    }];
  }
  const carrier = outputCarrier(task);
  return task.cases.map((c, i) => ({
    name: caseTitle(task, c, lang),
    status: c.passed ? 'pass' : 'fail',
    score: num(c.score),
    message: [feedbackText(c, lang), i === 0 ? notes : '', i === carrier ? processOutput(task, lang) : '']
      .filter((p) => p !== '').join('\n\n'),
    filename: '',
    line_no: 0,
    duration: Math.round(seconds(c.durationS) * 1000),
  }));
}

/** The result object (before JSON and base64). */
export function classroomResult(r: GradeResult, lang: Lang): ClassroomResult {
  const tests = r.tasks.flatMap((t) => taskTests(t, lang));
  return {
    version: 1,
    status: tests.length > 0 && tests.every((t) => t.status === 'pass') ? 'pass' : 'fail',
    max_score: num(r.maxScore),
    tests,
  };
}

/** The JSON file (one line). */
export function writeGithub(r: GradeResult, lang: Lang): string {
  return `${JSON.stringify(classroomResult(r, lang))}\n`;
}

/** What a grading step puts in its `result` output: base64 of the UTF-8 JSON. */
export function encodeClassroomResult(json: string): string {
  return Buffer.from(json, 'utf8').toString('base64');
}

/** A result for when grading produced nothing: one 'error' test, score 0 of `maxScore`. */
export function classroomErrorResult(messages: readonly Text[], maxScore: number): ClassroomResult {
  const en = renderAll(messages, 'en').join('\n');
  const ja = renderAll(messages, 'ja').join('\n');
  return {
    version: 1,
    status: 'error',
    max_score: num(maxScore),
    tests: [{ name: 'dl-grade', status: 'error', score: 0, message: en === ja ? en : `${en}\n${ja}`, filename: '', line_no: 0, duration: 0 }],
  };
}

// ---------------------------------------------------------------------------------------------
// The workflow (--target github-classroom)
// ---------------------------------------------------------------------------------------------

export interface ClassroomWorkflowOptions {
  /** Where the hidden tests come from; see the comment at the top of the generated file. */
  readonly variant: 'public-tests' | 'private-bundle';
  /**
   * The autograder bundle directory. public-tests: a path inside the student's repository (a
   * bundle built with public cases only). private-bundle: a path inside the private repository.
   */
  readonly assignmentDir: string;
  /** private-bundle: "owner/name" of the private repository holding the full bundle. */
  readonly privateRepository?: string;
  /** private-bundle: branch, tag or commit of that repository (default: its default branch). */
  readonly privateRef?: string;
  /** private-bundle: the secret with a read-only token for that repository. */
  readonly secretName?: string;
  /** Points of the assignment (for the zero-score result if dl-grade writes nothing). */
  readonly maxScore: number;
  /** Language of the feedback (passed as --lang). Omitted: dl-grade's default. */
  readonly lang?: Lang;
  /** Node.js major version for actions/setup-node. Default '20'. */
  readonly nodeVersion?: string;
  /** Step id of the grading step (also the reporter's runner name). Letters and digits only. */
  readonly stepId?: string;
}

/** Where the private-bundle variant checks out the private repository. */
export const PRIVATE_CHECKOUT_DIR = '.dl-autograder';

/** A YAML double-quoted scalar (JSON strings are valid YAML). */
function y(s: string): string {
  return JSON.stringify(s);
}

/** A POSIX shell single-quoted word. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function checkPath(p: string, what: string): void {
  if (!p || p.startsWith('/') || p.split('/').includes('..') || /[\0\n\r]/.test(p)) {
    throw new Error(`classroom workflow: ${what} must be a relative path without '..', got ${JSON.stringify(p)}`);
  }
}

const HEADER_PUBLIC = `# Hidden tests and GitHub Classroom
# ----------------------------------
# Everything this workflow runs lies in the student's repository, which the student can read and
# change. This variant (public-tests) therefore grades with a bundle that holds the public tests
# only (never the reference solution or the hidden tests), committed to the template repository at
# the path below: the points are what those tests give, and a student who edits the tests or this
# file can change them. Use it for feedback, or
# together with a grading run that students cannot reach (Gradescope, or dl-grade run by staff on
# the cloned repositories) for the hidden tests.
#
# The other variant (private-bundle) fetches the full bundle from a private repository with a
# read-only token kept in a secret. That keeps the hidden tests out of the student's files, but not
# out of reach: the student can push a changed workflow that prints the bundle or the token. It
# hides the tests from casual reading only.
`;

const HEADER_PRIVATE = `# Hidden tests and GitHub Classroom
# ----------------------------------
# This variant (private-bundle) fetches the full autograder bundle, hidden tests included, from a
# private repository with a read-only token kept in a secret (a fine-grained token with read access
# to that one repository, stored as an organization secret shared with the assignment's
# repositories). The hidden tests are then not among the student's files, but they are not secret
# either: the student can push a changed workflow that prints the bundle or the token, and the
# feedback of hidden cases appears in the Actions log. Treat it as hiding the tests from casual
# reading; for grades that depend on truly hidden tests, grade where students cannot run code
# of their choosing with the token (Gradescope, or dl-grade run by staff on the cloned repositories).
#
# The other variant (public-tests) commits a bundle with the public tests only to the template
# repository and needs no secret.
`;

/** .github/workflows/classroom.yml for one assignment. */
export function classroomWorkflow(o: ClassroomWorkflowOptions): string {
  const stepId = o.stepId ?? 'dlgrade';
  // The reporter's own check of its runners input: letters and digits, comma separated.
  if (!/^[A-Za-z0-9]+$/.test(stepId)) throw new Error(`classroom workflow: stepId must be letters and digits, got ${JSON.stringify(stepId)}`);
  const node = o.nodeVersion ?? '20';
  if (!/^\d+(\.\d+){0,2}$/.test(node)) throw new Error(`classroom workflow: nodeVersion must look like 20 or 20.11, got ${JSON.stringify(node)}`);
  checkPath(o.assignmentDir, 'assignmentDir');
  if (o.lang !== undefined && o.lang !== 'en' && o.lang !== 'ja') throw new Error(`classroom workflow: lang must be en or ja`);

  const lines: string[] = [];
  const push = (...ls: string[]): void => { lines.push(...ls); };
  let assignment = o.assignmentDir;
  push(`# .github/workflows/classroom.yml, written by dl-grade (target github-classroom, variant ${o.variant}).`);
  push(...(o.variant === 'public-tests' ? HEADER_PUBLIC : HEADER_PRIVATE).trimEnd().split('\n'));
  push(
    'name: Autograding Tests',
    "'on':",
    '  - push',
    '  - repository_dispatch',
    '  - workflow_dispatch',
    'permissions:',
    '  checks: write',
    '  actions: read',
    '  contents: read',
    'jobs:',
    '  # The reporter looks for its check run under this job name.',
    '  run-autograding-tests:',
    '    runs-on: ubuntu-latest',
    "    if: github.actor != 'github-classroom[bot]'",
    '    steps:',
    '      - name: Checkout code',
    '        uses: actions/checkout@v4',
    `      - name: Set up Node.js ${node}`,
    '        uses: actions/setup-node@v4',
    '        with:',
    `          node-version: ${y(node)}`,
    '      - name: Install dependencies',
    '        run: npm ci',
  );
  if (o.variant === 'private-bundle') {
    const repo = o.privateRepository ?? '';
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo)) {
      throw new Error(`classroom workflow: private-bundle needs privateRepository as "owner/name", got ${JSON.stringify(o.privateRepository)}`);
    }
    const secret = o.secretName ?? 'DL_AUTOGRADER_TOKEN';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(secret)) throw new Error(`classroom workflow: secretName must be a secret name, got ${JSON.stringify(secret)}`);
    push(
      '      - name: Fetch the autograder bundle',
      '        uses: actions/checkout@v4',
      '        with:',
      `          repository: ${y(repo)}`,
      ...(o.privateRef ? [`          ref: ${y(o.privateRef)}`] : []),
      `          token: \${{ secrets.${secret} }}`,
      `          path: ${y(PRIVATE_CHECKOUT_DIR)}`,
      '          persist-credentials: false',
    );
    assignment = `${PRIVATE_CHECKOUT_DIR}/${o.assignmentDir}`;
  }
  const fallback = JSON.stringify(classroomErrorResult(
    [text('dl-grade produced no result; see the log of this step.', 'dl-grade が結果を出力しませんでした。このステップのログを見てください。')],
    o.maxScore,
  ));
  const out = `results/${GITHUB_RESULT_FILE}`;
  push(
    '      - name: Grade with dl-grade',
    `        id: ${stepId}`,
    '        shell: bash',
    '        run: |',
    ...[
      'set +e',
      '# --no: the dl-grade that npm ci installed from package-lock.json, never a download of that name.',
      `npx --no dl-grade run --assignment ${shQuote(assignment)} --submission . --out results --format github${o.lang ? ` --lang ${o.lang}` : ''}`,
      'code=$?',
      `if [ ! -s ${out} ]; then`,
      '  mkdir -p results',
      `  printf '%s\\n' ${shQuote(fallback)} > ${out}`,
      'fi',
      `echo "result=$(base64 -w0 ${out})" >> "$GITHUB_OUTPUT"`,
      'echo "dl-grade exited with status $code"',
      'exit 0',
    ].map((l) => `          ${l}`),
    '      - name: Autograding Reporter',
    '        uses: classroom-resources/autograding-grading-reporter@v1',
    '        env:',
    `          ${stepId.toUpperCase()}_RESULTS: "\${{ steps.${stepId}.outputs.result }}"`,
    '        with:',
    `          runners: ${stepId}`,
  );
  return `${lines.join('\n')}\n`;
}
