/**
 * A plain-text report for a terminal: title, score, a table of tasks in fixed-width columns, the
 * failed cases with their feedback, notes and the isolation report. Column widths count display
 * cells: East Asian Wide and Fullwidth characters (kanji, kana, full-width forms, most emoji) take
 * 2, combining marks and zero-width characters 0, everything else 1 (East Asian Ambiguous
 * characters count 1, as in terminals outside CJK legacy mode). So Japanese titles line up.
 *
 * Control characters from the model (an ANSI escape in an exception message, a bell) are shown as
 * `\uXXXX` so that feedback cannot move the cursor or recolour the terminal. Colour (status words
 * only) is off unless `color: true`.
 *
 * ```text
 * パーセプトロンと論理ゲート
 * 得点: 4 / 5
 *
 *  #  課題                          配点   結果
 *  -  ----------------------------  -----  ------
 *  1  単純パーセプトロン            1 / 2  部分点
 *  2  多層パーセプトロン（ＭＬＰ）  3 / 3  合格
 *     合計                          4 / 5
 *
 * 不合格のテストケース:
 *   1.2 単純パーセプトロン: バイアス項 (0 / 1)
 *       バイアスが更新されていません
 * ```
 */
import type { GradeResult } from '../result';
import { render, type Lang } from '../text';
import { caseNumber, caseTitle, codePointEscape, feedbackText, fmtScore, isolationLines, LABEL, renderAll, scoreLine, STATUS_LABEL } from './common';

export interface TerminalOptions {
  /** ANSI colours for the status words. Default false. */
  readonly color?: boolean;
  /** Longest task title, in cells, before it is cut with '...'. Default 40. */
  readonly maxTitleWidth?: number;
  /** List failed cases with their feedback under the table. Default true. */
  readonly details?: boolean;
}

// East Asian Width W and F ranges (hex, inclusive), derived from Unicode 14's EastAsianWidth
// property (Python's unicodedata), unassigned code points merged into neighbouring ranges and the
// whole of planes 2 and 3 (CJK ideographs) counted wide.
const WIDE_TABLE =
  '1100-115F,231A-231B,2329-232A,23E9-23EC,23F0,23F3,25FD-25FE,2614-2615,2648-' +
  '2653,267F,2693,26A1,26AA-26AB,26BD-26BE,26C4-26C5,26CE,26D4,26EA,26F2-' +
  '26F3,26F5,26FA,26FD,2705,270A-270B,2728,274C,274E,2753-2755,2757,2795-2797,27B0,27BF,2B1B-' +
  '2B1C,2B50,2B55,2E80-303E,3041-3247,3250-4DBF,4E00-A4C6,A960-A97C,AC00-D7A3,F900-FAD9,FE10-' +
  'FE19,FE30-FE6B,FF01-FF60,FFE0-FFE6,16FE0-1B2FB,1F004,1F0CF,1F18E,1F191-1F19A,1F200-1F320,1F32D-' +
  '1F335,1F337-1F37C,1F37E-1F393,1F3A0-1F3CA,1F3CF-1F3D3,1F3E0-1F3F0,1F3F4,1F3F8-1F43E,1F440,1F442-' +
  '1F4FC,1F4FF-1F53D,1F54B-1F54E,1F550-1F567,1F57A,1F595-1F596,1F5A4,1F5FB-1F64F,1F680-' +
  '1F6C5,1F6CC,1F6D0-1F6D2,1F6D5-1F6DF,1F6EB-1F6EC,1F6F4-1F6FC,1F7E0-1F7F0,1F90C-1F93A,1F93C-' +
  '1F945,1F947-1F9FF,1FA70-1FAF6,20000-2FFFD,30000-3FFFD';

const WIDE: readonly (readonly [number, number])[] = WIDE_TABLE.split(',').map((r) => {
  const [a, b] = r.split('-').map((h) => parseInt(h, 16));
  return [a, b ?? a] as const;
});

function isWide(cp: number): boolean {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < WIDE[mid][0]) hi = mid - 1;
    else if (cp > WIDE[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200B-\u200D\u2060\uFEFF]$/u;

/** Display cells of one code point. */
export function charWidth(cp: number): 0 | 1 | 2 {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  if (ZERO_WIDTH.test(String.fromCodePoint(cp))) return 0;
  return isWide(cp) ? 2 : 1;
}

/** Display cells of a string (one line). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** Makes model text safe for a terminal: control characters (but not newlines) become `\uXXXX`. */
export function terminalSafe(s: string): string {
  return s.replace(/\t/g, '    ').replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g, (c) => codePointEscape(c.charCodeAt(0)));
}

/** One line of a cell: safe, line breaks as spaces, cut to `max` cells with '...'. */
export function fitCell(s: string, max: number): string {
  const one = terminalSafe(s).replace(/\s*\n\s*/g, ' ');
  if (displayWidth(one) <= max) return one;
  let out = '';
  let w = 0;
  for (const ch of one) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > max - 3) break;
    out += ch;
    w += cw;
  }
  return `${out}...`;
}

export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

export function padStart(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(s))) + s;
}

const SGR = { passed: '\u001b[32m', partial: '\u001b[33m', failed: '\u001b[31m', reset: '\u001b[0m' } as const;

/** The report, lines joined with '\n', ending with a newline. */
export function writeTerminal(r: GradeResult, lang: Lang, options: TerminalOptions = {}): string {
  const maxTitle = Math.max(8, options.maxTitleWidth ?? 40);
  const color = options.color ?? false;
  const header = ['#', render(LABEL.task, lang), render(LABEL.points, lang), render(LABEL.status, lang)];
  const rows = r.tasks.map((t, i) => ({
    cells: [String(i + 1), fitCell(render(t.title, lang), maxTitle), `${fmtScore(t.score)} / ${fmtScore(t.points)}`, render(STATUS_LABEL[t.status], lang)],
    status: t.status,
  }));
  const total = ['', render(LABEL.total, lang), `${fmtScore(r.score)} / ${fmtScore(r.maxScore)}`, ''];
  const widths = header.map((h, c) => Math.max(displayWidth(h), displayWidth(total[c]), ...rows.map((row) => displayWidth(row.cells[c]))));
  const line = (cells: readonly string[], status?: keyof typeof SGR): string => {
    const parts = cells.map((cell, c) => (c === 0 ? padStart(cell, widths[c]) : padEnd(cell, widths[c])));
    if (color && status) parts[3] = `${SGR[status]}${parts[3].trimEnd()}${SGR.reset}`;
    return ` ${parts.join('  ')}`.trimEnd();
  };
  const out: string[] = [
    fitCell(render(r.assignment.title, lang), 200),
    scoreLine(r, lang),
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((row) => line(row.cells, row.status)),
    line(total),
  ];
  const indent = (s: string, pad: string): string => terminalSafe(s).split('\n').map((l) => `${pad}${l}`.trimEnd()).join('\n');
  if (options.details ?? true) {
    const failed: string[] = [];
    r.tasks.forEach((t, ti) => t.cases.forEach((c, ci) => {
      if (c.passed) return;
      const hidden = c.visibility === 'hidden' ? ` [${render(LABEL.hidden, lang)}]` : '';
      failed.push(`  ${caseNumber(ti, ci)} ${fitCell(caseTitle(t, c, lang), 200)} (${fmtScore(c.score)} / ${fmtScore(c.maxScore)})${hidden}`);
      const fb = feedbackText(c, lang);
      if (fb) failed.push(indent(fb, '      '));
    }));
    if (failed.length > 0) out.push('', `${render(LABEL.failedCases, lang)}:`, ...failed);
  }
  const notes = [
    ...renderAll(r.notes, lang),
    ...r.tasks.flatMap((t) => renderAll(t.notes, lang).map((n) => `[${render(t.title, lang)}] ${n}`)),
  ];
  if (notes.length > 0) out.push('', `${render(LABEL.notes, lang)}:`, ...notes.map((n) => indent(`- ${n}`, '  ')));
  out.push('', `${render(LABEL.isolation, lang)}:`, ...isolationLines(r, lang).map((l) => indent(`- ${l}`, '  ')));
  return `${out.join('\n')}\n`;
}
