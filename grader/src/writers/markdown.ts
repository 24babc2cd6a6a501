/**
 * A Markdown summary of a GradeResult in one language (CommonMark with GitHub tables), for a
 * GitHub job summary, an LMS comment or a file next to the other results:
 * title, score, a table of tasks (points earned / possible, status in words), submission notes,
 * then for each task that lost points its notes, its failed cases with their feedback, and its
 * output; finally the isolation report.
 *
 * Text from the model is escaped: in table cells `|` becomes `\|` and line breaks `<br>`; in
 * cells, headings and list items Markdown's inline punctuation (`\ ` * _ [ ] < > ~ & |`) is
 * backslash-escaped so a title such as `<gate>` is shown, not taken as HTML. Feedback and program
 * output go into fenced code blocks, with a fence longer than any run of backticks inside.
 *
 * ```markdown
 * # Perceptrons and logic gates
 *
 * **Score: 3.666667 / 5**
 *
 * | # | Task | Points | Status |
 * |---:|---|---:|---|
 * | 1 | AND gate | 0.666667 / 1 | partial |
 * | 2 | XOR gate | 3 / 4 | partial |
 *
 * ## Failed cases
 *
 * ### 1. AND gate
 *
 * #### 1.2 b (0 / 0.333333)
 *
 * ```text
 * b
 * ```
 * ```
 */
import type { GradeResult, TaskResult } from '../result';
import { render, text, type Lang } from '../text';
import { caseNumber, CASE_LABEL, feedbackText, fmtScore, isolationLines, LABEL, renderAll, scoreLine, STATUS_LABEL } from './common';

export interface MarkdownOptions {
  /** Include the stdout/stderr of tasks that lost points. Default true. */
  readonly includeOutput?: boolean;
}

/** Escapes Markdown inline punctuation in text from the model. */
export function mdInline(s: string): string {
  return s.replace(/[\\`*_[\]<>~&|]/g, (c) => `\\${c}`);
}

/** Text for a table cell: inline escapes, `|` escaped, line breaks as `<br>`. */
export function mdCell(s: string): string {
  return mdInline(s).replace(/\r\n|\r|\n/g, '<br>');
}

/** Text for a heading or list item: inline escapes, line breaks as spaces. */
function mdLine(s: string): string {
  return mdInline(s).replace(/\s*(\r\n|\r|\n)\s*/g, ' ');
}

/** A fenced code block that the content cannot close. */
export function mdFence(content: string, info = 'text'): string {
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${content.replace(/\n$/, '')}\n${fence}`;
}

const H = {
  failed: LABEL.failedCases,
  output: text('Output', '出力'),
  none: text('No failed cases.', '不合格のテストケースはありません。'),
} as const;

function taskDetails(task: TaskResult, ti: number, lang: Lang, includeOutput: boolean): string[] {
  const out: string[] = [`### ${ti + 1}. ${mdLine(render(task.title, lang))}`];
  if (task.notes.length > 0) out.push(renderAll(task.notes, lang).map((n) => `- ${mdLine(n)}`).join('\n'));
  task.cases.forEach((c, ci) => {
    if (c.passed) return;
    const hidden = c.visibility === 'hidden' ? ` — ${render(LABEL.hidden, lang)}` : '';
    out.push(`#### ${caseNumber(ti, ci)} ${mdLine(render(c.name, lang))} (${fmtScore(c.score)} / ${fmtScore(c.maxScore)})${hidden}`);
    const fb = feedbackText(c, lang);
    out.push(fb ? mdFence(fb) : render(CASE_LABEL.failed, lang));
  });
  if (includeOutput) {
    if (task.stdout) out.push(`${render(LABEL.stdout, lang)}:`, mdFence(task.stdout));
    if (task.stderr) out.push(`${render(LABEL.stderr, lang)}:`, mdFence(task.stderr));
  }
  return out;
}

/** The Markdown document. */
export function writeMarkdown(r: GradeResult, lang: Lang, options: MarkdownOptions = {}): string {
  const includeOutput = options.includeOutput ?? true;
  const blocks: string[] = [
    `# ${mdLine(render(r.assignment.title, lang))}`,
    `**${mdInline(scoreLine(r, lang))}**`,
  ];
  const head = [render(LABEL.task, lang), render(LABEL.points, lang), render(LABEL.status, lang)].map(mdCell);
  const rows = r.tasks.map((t, i) => `| ${i + 1} | ${mdCell(render(t.title, lang))} | ${fmtScore(t.score)} / ${fmtScore(t.points)} | ${mdCell(render(STATUS_LABEL[t.status], lang))} |`);
  blocks.push([`| # | ${head.join(' | ')} |`, '|---:|---|---:|---|', ...rows].join('\n'));
  if (r.notes.length > 0) {
    blocks.push(`## ${render(LABEL.submissionNotes, lang)}`, renderAll(r.notes, lang).map((n) => `- ${mdLine(n)}`).join('\n'));
  }
  blocks.push(`## ${render(H.failed, lang)}`);
  const lost = r.tasks.map((t, i) => [t, i] as const).filter(([t]) => t.status !== 'passed' || t.notes.length > 0);
  if (lost.length === 0) blocks.push(render(H.none, lang));
  for (const [t, i] of lost) blocks.push(...taskDetails(t, i, lang, includeOutput));
  blocks.push(`## ${render(LABEL.isolation, lang)}`, isolationLines(r, lang).map((l) => `- ${mdLine(l)}`).join('\n'));
  return `${blocks.join('\n\n')}\n`;
}
