import type { GradeResult } from '../result';
import { ALL, kase, result, task } from '../testing/writer-fixtures';
import { text, type Lang } from '../text';
import { FORMAT_NAMES, parseFormats, TERMINAL, WRITERS } from './index';

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

const ALL_WRITERS = [...FORMAT_NAMES.map((n) => [n, WRITERS[n].write] as const), ['terminal', TERMINAL.write] as const];

describe('WRITERS', () => {
  test('format names and file names', () => {
    expect(FORMAT_NAMES).toEqual(['gradescope', 'junit', 'github', 'md']);
    expect(Object.fromEntries(FORMAT_NAMES.map((n) => [n, WRITERS[n].fileName]))).toEqual({
      gradescope: 'results.json', junit: 'junit.xml', github: 'github-classroom.json', md: 'summary.md',
    });
  });

  test('parseFormats', () => {
    expect(parseFormats('gradescope,junit,github,md')).toEqual(['gradescope', 'junit', 'github', 'md']);
    expect(parseFormats(' md , md,gradescope')).toEqual(['md', 'gradescope']);
    expect(() => parseFormats('gradescope,xml')).toThrow("unknown format 'xml' (known: gradescope, junit, github, md)");
    expect(() => parseFormats('')).toThrow(/one or more/);
  });

  test('every writer is pure: frozen input, same text twice, ends with a newline', () => {
    for (const r of Object.values(ALL)) {
      deepFreeze(r);
      for (const [, write] of ALL_WRITERS) {
        for (const lang of ['en', 'ja'] as Lang[]) {
          const a = write(r, lang, { hiddenVisibility: 'after_due_date' });
          expect(a).toBe(write(r, lang, { hiddenVisibility: 'after_due_date' }));
          expect(a.endsWith('\n')).toBe(true);
        }
      }
    }
  });

  test('writers add nothing the model does not hold (no expected values or answers), and record the environment', () => {
    // A model with no word for "expected" anywhere; hidden cases' feedback says only that they failed.
    const r: GradeResult = deepFreeze({
      ...result([
        task('and', 'AND gate', 'AND ゲート', 2, [
          kase('public', false, { feedback: [text('wrong output for and(1, 0)', 'and(1, 0) の出力が違います')] }),
          kase('hidden one', false, { visibility: 'hidden', feedback: [text('wrong output', '出力が違います')] }),
        ]),
      ]),
      environment: { grader: 'ENV-GRADER-9.9', dl: 'ENV-DL-9.9', node: 'ENV-NODE', platform: 'ENV-PLATFORM', backend: 'ENV-BACKEND', threads: 77 },
    });
    for (const [name, write] of ALL_WRITERS) {
      for (const lang of ['en', 'ja'] as Lang[]) {
        const out = write(r, lang);
        expect({ name, lang, leaks: out.match(/expect|期待|answer|正解|solution|reference/gi) }).toEqual({ name, lang, leaks: null });
        if (name === 'gradescope' || name === 'md' || name === 'terminal') expect(out).toContain('ENV-DL-9.9');
        expect(out).toContain(lang === 'en' ? 'wrong output' : '出力が違います');
      }
    }
  });
});
