/**
 * JUnit XML, the test report most CI systems read (Jenkins, GitLab, GitHub test-report actions).
 * There is no single standard; this follows the common Ant/Surefire shape: `testsuites` >
 * `testsuite` (one per task) > `testcase` (one per case), a failed case holding a `failure` element
 * whose `message` attribute is the first line of the feedback and whose text is all of it. Times
 * are seconds with 3 decimals.
 *
 * A task's points, score, status, seed and notes go into its `properties`; its notes also open its
 * `system-out` (where viewers show them), followed by the submission's stdout, and its stderr goes
 * to `system-err`. Submission notes and the isolation report, which belong to no task, are written
 * as comments after the XML declaration.
 *
 * Text is escaped for XML 1.0: `& < > "` as entities; tab, newline and carriage return as
 * character references inside attributes (so they survive attribute normalisation); and the
 * characters XML 1.0 forbids outright (C0 controls other than tab/LF/CR, lone surrogates,
 * U+FFFE, U+FFFF) as the visible text `\uXXXX`, since no escape can carry them.
 *
 * ```xml
 * <?xml version="1.0" encoding="UTF-8"?>
 * <testsuites name="Perceptrons and logic gates" tests="2" failures="1" errors="0" skipped="0" time="2.400">
 *   <testsuite name="AND gate" id="0" tests="2" failures="1" errors="0" skipped="0" time="0.020" timestamp="2025-01-01T00:00:00">
 *     <properties>
 *       <property name="points" value="2"/> ...
 *     </properties>
 *     <testcase name="1.1 truth table" classname="01-perceptron.and" time="0.010"/>
 *     <testcase name="1.2 random weights" classname="01-perceptron.and" time="0.010">
 *       <failure message="2 of 4 outputs differ" type="failed">2 of 4 outputs differ</failure>
 *     </testcase>
 *   </testsuite>
 * </testsuites>
 * ```
 */
import type { GradeResult, TaskResult } from '../result';
import { render, type Lang } from '../text';
import {
  caseNumber, codePointEscape, feedbackText, fmtScore, fmtSeconds, isolationLines, LABEL, renderAll, STATUS_LABEL,
} from './common';

/** True for code points XML 1.0 allows in a document. */
export function xmlAllowed(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd
    || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Forbidden characters (and lone surrogates) as the visible text `\uXXXX`. */
function replaceForbidden(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
        continue;
      }
    }
    out += xmlAllowed(c) && !(c >= 0xd800 && c <= 0xdfff) ? s[i] : codePointEscape(c);
  }
  return out;
}

/** Escapes text content. */
export function xmlText(s: string): string {
  return replaceForbidden(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Escapes an attribute value (written between double quotes). */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

/** A comment body: `--` may not appear in a comment, nor may it end with `-`. */
function xmlComment(s: string): string {
  return replaceForbidden(s).replace(/-(?=-)/g, '- ').replace(/-$/, '- ');
}

/** ISO timestamp without zone or milliseconds, as the Ant schema expects; '' when unparseable. */
function timestamp(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 19);
}

function attrs(a: Record<string, string | number>): string {
  return Object.entries(a).map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`).join('');
}

function suite(r: GradeResult, task: TaskResult, ti: number, lang: Lang): string[] {
  const failures = task.cases.filter((c) => !c.passed).length;
  const errors = task.cases.length === 0 ? 1 : 0;
  const ts = timestamp(r.gradedAt);
  const out: string[] = [];
  out.push(`  <testsuite${attrs({
    name: render(task.title, lang), id: ti, tests: task.cases.length || 1, failures, errors, skipped: 0,
    time: fmtSeconds(task.durationS), ...(ts ? { timestamp: ts } : {}),
  })}>`);
  const props: [string, string][] = [
    ['task', task.id],
    ['points', fmtScore(task.points)],
    ['score', fmtScore(task.score)],
    ['status', render(STATUS_LABEL[task.status], lang)],
    ['seed', String(task.seed)],
    ...renderAll(task.notes, lang).map((n): [string, string] => ['note', n]),
  ];
  out.push('    <properties>');
  for (const [name, value] of props) out.push(`      <property${attrs({ name, value })}/>`);
  out.push('    </properties>');
  const classname = `${r.assignment.id}.${task.id}`;
  task.cases.forEach((c, ci) => {
    const head = `    <testcase${attrs({ name: `${caseNumber(ti, ci)} ${render(c.name, lang)}`, classname, time: fmtSeconds(c.durationS) })}`;
    if (c.passed) {
      out.push(`${head}/>`);
      return;
    }
    const body = feedbackText(c, lang);
    const message = body.split('\n')[0] || render(STATUS_LABEL.failed, lang);
    out.push(`${head}>`);
    out.push(`      <failure${attrs({ message, type: 'failed' })}>${xmlText(body)}</failure>`);
    out.push('    </testcase>');
  });
  if (task.cases.length === 0) {
    // A task that could not run: one errored test case so that CI shows it.
    const message = renderAll(task.notes, lang).join('\n');
    out.push(`    <testcase${attrs({ name: `${ti + 1} ${render(task.title, lang)}`, classname, time: fmtSeconds(task.durationS) })}>`);
    out.push(`      <error${attrs({ message: message.split('\n')[0] || render(STATUS_LABEL.failed, lang), type: 'error' })}>${xmlText(message)}</error>`);
    out.push('    </testcase>');
  }
  const sysout = [...renderAll(task.notes, lang), task.stdout ? `${render(LABEL.stdout, lang)}:\n${task.stdout}` : ''].filter((p) => p !== '').join('\n');
  if (sysout) out.push(`    <system-out>${xmlText(sysout)}</system-out>`);
  if (task.stderr) out.push(`    <system-err>${xmlText(task.stderr)}</system-err>`);
  out.push('  </testsuite>');
  return out;
}

/** The JUnit XML document. */
export function writeJunit(r: GradeResult, lang: Lang): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const comments = [
    ...renderAll(r.notes, lang).map((n) => `${render(LABEL.submissionNotes, lang)}: ${n}`),
    ...isolationLines(r, lang).map((l) => `${render(LABEL.isolation, lang)}: ${l}`),
  ];
  for (const c of comments) out.push(`<!-- ${xmlComment(c)} -->`);
  const tests = r.tasks.reduce((s, t) => s + (t.cases.length || 1), 0);
  const failures = r.tasks.reduce((s, t) => s + t.cases.filter((c) => !c.passed).length, 0);
  const errors = r.tasks.filter((t) => t.cases.length === 0).length;
  out.push(`<testsuites${attrs({ name: render(r.assignment.title, lang), tests, failures, errors, skipped: 0, time: fmtSeconds(r.executionTimeS) })}>`);
  r.tasks.forEach((t, ti) => out.push(...suite(r, t, ti, lang)));
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
