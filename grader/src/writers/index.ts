/**
 * The result writers by format name, for `dl-grade run --format gradescope,junit,github,md`.
 * Each is a pure function of (GradeResult, lang, options) to the text of one file; the caller
 * writes `<out>/<fileName>`.
 *
 * ```ts
 * for (const name of parseFormats('gradescope,md')) {
 *   const w = WRITERS[name];
 *   writeFileSync(join(out, w.fileName), w.write(result, lang, { hiddenVisibility: spec.hiddenVisibility }));
 * }
 * // results.json, summary.md
 * ```
 */
import type { GradeResult } from '../result';
import type { Lang } from '../text';
import { GITHUB_RESULT_FILE, writeGithub } from './github';
import { writeGradescope, type GradescopeOptions } from './gradescope';
import { writeJunit } from './junit';
import { writeMarkdown, type MarkdownOptions } from './markdown';
import { writeTerminal, type TerminalOptions } from './terminal';

/** Options for all writers at once; each reads its own. */
export type WriterOptions = GradescopeOptions & MarkdownOptions;

export interface Writer {
  /** File name inside `--out`. Gradescope requires results.json. */
  readonly fileName: string;
  readonly description: string;
  write(result: GradeResult, lang: Lang, options?: WriterOptions): string;
}

export const FORMAT_NAMES = ['gradescope', 'junit', 'github', 'md'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export const WRITERS: Readonly<Record<FormatName, Writer>> = {
  gradescope: {
    fileName: 'results.json',
    description: 'Gradescope autograder results.json',
    write: (r, lang, o) => writeGradescope(r, lang, o),
  },
  junit: {
    fileName: 'junit.xml',
    description: 'JUnit XML (testsuite per task, testcase per case)',
    write: (r, lang) => writeJunit(r, lang),
  },
  github: {
    fileName: GITHUB_RESULT_FILE,
    description: 'GitHub Classroom autograding result (the reporter action takes its base64)',
    write: (r, lang) => writeGithub(r, lang),
  },
  md: {
    fileName: 'summary.md',
    description: 'Markdown summary',
    write: (r, lang, o) => writeMarkdown(r, lang, o),
  },
};

/** Parses "gradescope,junit" (spaces allowed, duplicates dropped); unknown names are an error naming the known ones. */
export function parseFormats(list: string): FormatName[] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new Error(`--format needs one or more of: ${FORMAT_NAMES.join(', ')}`);
  const out: FormatName[] = [];
  for (const n of names) {
    if (!(FORMAT_NAMES as readonly string[]).includes(n)) throw new Error(`unknown format '${n}' (known: ${FORMAT_NAMES.join(', ')})`);
    if (!out.includes(n as FormatName)) out.push(n as FormatName);
  }
  return out;
}

/** The terminal report (printed, not written to a file). */
export const TERMINAL = {
  write: (r: GradeResult, lang: Lang, o?: TerminalOptions): string => writeTerminal(r, lang, o),
};

export { writeGradescope, gradescopeResults, gradescopeErrorResults, GRADESCOPE_VISIBILITIES } from './gradescope';
export type { GradescopeOptions, GradescopeResults, GradescopeTest, GradescopeVisibility } from './gradescope';
export { writeGithub, classroomResult, classroomErrorResult, classroomWorkflow, encodeClassroomResult, GITHUB_RESULT_FILE } from './github';
export type { ClassroomResult, ClassroomTest, ClassroomWorkflowOptions } from './github';
export { writeJunit } from './junit';
export { writeMarkdown } from './markdown';
export type { MarkdownOptions } from './markdown';
export { writeTerminal, displayWidth } from './terminal';
export type { TerminalOptions } from './terminal';
