/**
 * Helpers shared by the writers: number formatting, case numbering and the few fixed labels
 * (in both languages) that the writers put around what the result model holds.
 *
 * ```ts
 * fmtScore(0.1 + 0.2);                  // '0.3'
 * caseNumber(0, 1);                     // '1.2'  (task 1, case 2)
 * render(STATUS_LABEL.partial, 'ja');   // '部分点'
 * ```
 */
import { roundScore, type CaseResult, type GradeResult, type TaskResult, type TaskStatus } from '../result';
import { render, text, type Lang, type Text } from '../text';

/** A number safe to store: non-finite values (NaN, ±Infinity) become 0, others are rounded. */
export function num(x: number): number {
  return Number.isFinite(x) ? roundScore(x) : 0;
}

/** A duration in seconds, finite and not negative. */
export function seconds(x: number): number {
  return Number.isFinite(x) && x > 0 ? x : 0;
}

/** A score for display: rounded, no trailing zeros ('2', '1.5', '0.333333'). */
export function fmtScore(x: number): string {
  return String(num(x));
}

/** A duration for display and XML attributes: seconds with 3 decimals. */
export function fmtSeconds(x: number): string {
  return seconds(x).toFixed(3);
}

/** "task.case", both 1-based: the number Gradescope and the other writers show. */
export function caseNumber(taskIndex: number, caseIndex: number): string {
  return `${taskIndex + 1}.${caseIndex + 1}`;
}

/** "<task title>: <case name>" in one language. */
export function caseTitle(task: TaskResult, c: CaseResult, lang: Lang): string {
  return `${render(task.title, lang)}: ${render(c.name, lang)}`;
}

/** A case's feedback, one message per line, in one language. */
export function feedbackText(c: CaseResult, lang: Lang): string {
  return c.feedback.map((f) => render(f, lang)).join('\n');
}

export function renderAll(ts: readonly Text[], lang: Lang): string[] {
  return ts.map((t) => render(t, lang));
}

export const STATUS_LABEL: Readonly<Record<TaskStatus, Text>> = {
  passed: text('passed', '合格'),
  partial: text('partial', '部分点'),
  failed: text('failed', '不合格'),
};

export const CASE_LABEL = {
  passed: text('passed', '合格'),
  failed: text('failed', '不合格'),
} as const;

export const LABEL = {
  score: text('Score', '得点'),
  total: text('Total', '合計'),
  task: text('Task', '課題'),
  points: text('Points', '配点'),
  status: text('Status', '結果'),
  notes: text('Notes', '注意'),
  submissionNotes: text('Submission notes', '提出物についての注意'),
  taskNotes: text('Task notes', '課題ごとの注意'),
  failedCases: text('Failed cases', '不合格のテストケース'),
  isolation: text('Isolation', '実行環境の隔離'),
  stdout: text('Output of your code (stdout, truncated)', 'あなたのコードの出力 (stdout、切り詰め済み)'),
  stderr: text('Errors of your code (stderr, truncated)', 'あなたのコードのエラー出力 (stderr、切り詰め済み)'),
  hidden: text('hidden test', '非公開テスト'),
  allPassed: text('All tests passed.', 'すべてのテストに合格しました。'),
} as const;

/** "Score: 7.5 / 10" in one language. */
export function scoreLine(r: GradeResult, lang: Lang): string {
  return `${render(LABEL.score, lang)}: ${fmtScore(r.score)} / ${fmtScore(r.maxScore)}`;
}

/** The isolation report as plain lines (what was enforced and what was not), then its notes. */
export function isolationLines(r: GradeResult, lang: Lang): string[] {
  const iso = r.isolation;
  const yes = lang === 'ja' ? 'あり' : 'yes';
  const no = lang === 'ja' ? 'なし' : 'no';
  const lines = lang === 'ja'
    ? [
        `別プロセスで実行: ${iso.separateProcess ? yes : no}`,
        `実行ユーザー (uid): ${iso.uid === null ? '変更なし' : String(iso.uid)}`,
        `ネットワーク: ${iso.network === 'isolated' ? '遮断' : '遮断なし'}`,
        `資源制限 (rlimit): ${iso.rlimits ? yes : no}`,
      ]
    : [
        `separate process: ${iso.separateProcess ? yes : no}`,
        `user id: ${iso.uid === null ? 'unchanged' : String(iso.uid)}`,
        `network: ${iso.network}`,
        `resource limits (rlimit): ${iso.rlimits ? yes : no}`,
      ];
  const e = r.environment;
  const env = lang === 'ja'
    ? `採点環境: @dl/grader ${e.grader}、@dl ${e.dl}、Node ${e.node}、${e.platform}、バックエンド ${e.backend}、スレッド数 ${e.threads}`
    : `graded with @dl/grader ${e.grader}, @dl ${e.dl}, Node ${e.node} on ${e.platform}, backend ${e.backend}, ${e.threads} thread(s)`;
  return [...lines, ...renderAll(iso.notes, lang), env];
}

/**
 * Replaces characters that cannot travel in the target format. Used by JUnit (XML 1.0) and the
 * terminal; each caller says what is allowed.
 */
export function codePointEscape(cp: number): string {
  return cp <= 0xffff ? `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}` : `\\u{${cp.toString(16).toUpperCase()}}`;
}
