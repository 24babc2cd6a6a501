import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { JAPANESE, NOTES, PARTIAL, ZERO } from '../testing/writer-fixtures';
import { charWidth, displayWidth, fitCell, padEnd, terminalSafe, writeTerminal } from './terminal';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
function hasPython(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import unicodedata'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Display column where each cell of a table line starts (cells are separated by 2+ spaces). */
function columnStarts(line: string): number[] {
  const starts: number[] = [];
  let col = 0;
  let prevSpaces = 2;
  for (const ch of line) {
    if (ch !== ' ' && prevSpaces >= 2) starts.push(col);
    prevSpaces = ch === ' ' ? prevSpaces + 1 : 0;
    col += displayWidth(ch);
  }
  return starts;
}

describe('terminal table', () => {
  test('widths', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('パーセプトロン')).toBe(14);
    expect(displayWidth('ＭＬＰ（１）')).toBe(12);
    expect(displayWidth('ｶﾀｶﾅ')).toBe(4); // half-width katakana
    expect(displayWidth('e\u0301')).toBe(1); // combining accent
    expect(displayWidth('😀')).toBe(2);
    expect(displayWidth('𠮷')).toBe(2); // plane 2
    expect(displayWidth('한국어')).toBe(6);
    expect(charWidth(0x3000)).toBe(2); // ideographic space
    expect(padEnd('課題', 6)).toBe('課題  ');
  });

  (hasPython() ? test : test.skip)('the wide table agrees with unicodedata.east_asian_width on every assigned code point', () => {
    const script = [
      'import unicodedata, json',
      'assigned, wide = [], []',
      'for cp in range(0x300, 0x40000):',
      '    c = chr(cp)',
      "    if unicodedata.category(c) in ('Cn', 'Mn', 'Me', 'Cf', 'Cs', 'Co'): continue",
      '    assigned.append(cp)',
      "    if unicodedata.east_asian_width(c) in ('W', 'F'): wide.append(cp)",
      'print(json.dumps([assigned, wide]))',
    ].join('\n');
    const [assigned, wideList] = JSON.parse(execFileSync(PYTHON, ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 27 })) as [number[], number[]];
    const wide = new Set(wideList);
    expect(assigned.length).toBeGreaterThan(100000);
    const wrong: string[] = [];
    for (const cp of assigned) {
      if ((charWidth(cp) === 2) !== wide.has(cp)) wrong.push(cp.toString(16));
    }
    expect(wrong).toEqual([]);
  });

  test('Japanese titles line up', () => {
    const out = writeTerminal(JAPANESE, 'ja');
    const lines = out.split('\n');
    expect(lines[0]).toBe('パーセプトロンと論理ゲート');
    expect(lines[1]).toBe('得点: 4 / 5');
    const table = lines.slice(3, 8);
    expect(table).toEqual([
      ' #  課題                          配点   結果',
      ' -  ----------------------------  -----  ------',
      ' 1  単純パーセプトロン            1 / 2  部分点',
      ' 2  多層パーセプトロン（ＭＬＰ）  3 / 3  合格',
      '    合計                          4 / 5',
    ]);
  });

  test('columns start at the same display column on every row', () => {
    for (const r of [JAPANESE, PARTIAL, ZERO, NOTES]) {
      for (const lang of ['en', 'ja'] as const) {
        const lines = writeTerminal(r, lang).split('\n');
        const table = lines.slice(3, 3 + 3 + r.tasks.length);
        const header = columnStarts(table[0]);
        for (const row of table.slice(1, -1)) expect(columnStarts(row)).toEqual(header);
      }
    }
  });

  test('failed cases, notes and isolation below the table', () => {
    const out = writeTerminal(ZERO, 'en');
    expect(out).toContain('Failed cases:\n  1.1 AND gate: truth table (0 / 1)\n      and(1, 1) returned 0, expected 1\n  1.2 AND gate: random weights (0 / 1) [hidden test]\n      2 of 4 outputs differ\n');
    expect(out).toContain('Notes:\n  - [AND gate] time limit exceeded (20 s)\n  - [OR gate] src/perceptron.ts does not export or()\n');
    expect(out).toContain('Isolation:\n  - separate process: yes\n');
    expect(writeTerminal(ZERO, 'en', { details: false })).not.toContain('Failed cases');
  });

  test('control characters cannot reach the terminal; colour only when asked', () => {
    const plain = writeTerminal(NOTES, 'en');
    expect(plain).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F]/);
    expect(plain).toContain('escape \\u001B[31m');
    const colored = writeTerminal(PARTIAL, 'en', { color: true });
    expect(colored).toContain('\u001b[33mpartial\u001b[0m');
    expect(terminalSafe('a\tb\u0007')).toBe('a    b\\u0007');
  });

  test('long titles are cut to the width', () => {
    const cut = fitCell('あいうえおかきくけこ', 9);
    expect(cut).toBe('あいう...');
    expect(displayWidth(cut)).toBeLessThanOrEqual(9);
    expect(fitCell('line\nbreak', 20)).toBe('line break');
  });
});
