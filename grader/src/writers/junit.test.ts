import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ALL, FULL, NANS, NOTES, PARTIAL, ZERO } from '../testing/writer-fixtures';
import type { Lang } from '../text';
import { writeJunit, xmlAllowed, xmlAttr, xmlText } from './junit';

/**
 * Parses the XML with python3's expat (a conforming XML 1.0 parser that rejects forbidden
 * characters) and returns a JSON view: [tag, attributes, text, children].
 */
type Node = [string, Record<string, string>, string, Node[]];
const PY = `
import sys, json, xml.etree.ElementTree as ET
def conv(e):
    return [e.tag, dict(e.attrib), e.text or '', [conv(c) for c in e]]
docs = json.loads(sys.stdin.read())
print(json.dumps([conv(ET.fromstring(d.encode('utf-8'))) for d in docs]))
`;
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
/** Parses several documents in one python3 run (each run costs a start-up). */
function parseAll(xmls: readonly string[]): Node[] {
  return JSON.parse(execFileSync(PYTHON, ['-c', PY], { input: JSON.stringify(xmls), encoding: 'utf8' })) as Node[];
}
function parse(xml: string): Node {
  return parseAll([xml])[0];
}
function hasPython(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import xml.etree.ElementTree'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const withPython = hasPython() ? test : test.skip;
const kids = (n: Node, tag: string): Node[] => n[3].filter((c) => c[0] === tag);

describe('junit xml', () => {
  withPython('every fixture is well-formed XML 1.0 in both languages', () => {
    const results = Object.values(ALL).flatMap((r) => (['en', 'ja'] as Lang[]).map((lang) => ({ r, xml: writeJunit(r, lang) })));
    const roots = parseAll(results.map((x) => x.xml));
    roots.forEach((root, i) => {
      expect(root[0]).toBe('testsuites');
      expect(kids(root, 'testsuite')).toHaveLength(results[i].r.tasks.length);
    });
  });

  withPython('structure and counts', () => {
    const root = parse(writeJunit(PARTIAL, 'en'));
    expect(root[1]).toEqual({ name: 'Perceptrons and logic gates', tests: '5', failures: '2', errors: '0', skipped: '0', time: '2.400' });
    const [and, xor] = kids(root, 'testsuite');
    expect(and[1]).toEqual({ name: 'AND gate', id: '0', tests: '3', failures: '1', errors: '0', skipped: '0', time: '0.030', timestamp: '2025-01-01T00:00:00' });
    expect(kids(and, 'testcase').map((c) => c[1].name)).toEqual(['1.1 a', '1.2 b', '1.3 c']);
    expect(kids(and, 'testcase')[0][1]).toEqual({ name: '1.1 a', classname: '01-perceptron.and', time: '0.010' });
    expect(kids(and, 'testcase')[0][3]).toEqual([]);
    const failure = kids(kids(xor, 'testcase')[1], 'failure')[0];
    expect(failure[1]).toEqual({ message: 'accuracy 0.5 < 1', type: 'failed' });
    expect(failure[2]).toBe('accuracy 0.5 < 1');
    const props = Object.fromEntries(kids(kids(xor, 'properties')[0], 'property').map((p) => [p[1].name, p[1].value]));
    expect(props).toEqual({ task: 'xor', points: '4', score: '3', status: 'partial', seed: '0' });
    expect(kids(xor, 'system-out')[0][2]).toBe('Output of your code (stdout, truncated):\ndebug: w = [0.5, -0.5]\n');
  });

  withPython('full marks: no failure elements; zero: a task without cases is one error', () => {
    const full = parse(writeJunit(FULL, 'ja'));
    expect(full[1].failures).toBe('0');
    expect(JSON.stringify(full)).not.toContain('"failure"');
    const zero = parse(writeJunit(ZERO, 'ja'));
    expect(zero[1]).toMatchObject({ tests: '3', failures: '2', errors: '1' });
    const or = kids(zero, 'testsuite')[1];
    const err = kids(kids(or, 'testcase')[0], 'error')[0];
    expect(err[1].message).toBe('src/perceptron.ts が or() を export していません');
    expect(kids(kids(zero, 'testsuite')[0], 'system-err')[0][2]).toContain('RangeError');
  });

  withPython('escaping survives a real parser: markup, quotes, newlines in attributes, control characters', () => {
    const xml = writeJunit(NOTES, 'en');
    const root = parse(xml);
    const suite = kids(root, 'testsuite')[0];
    expect(suite[1].name).toBe('AND | <gate> & "quotes"');
    const [c1, c2] = kids(suite, 'testcase');
    expect(c1[1].name).toBe('1.1 pipes | and\nnewlines');
    const f1 = kids(c1, 'failure')[0];
    expect(f1[1].message).toBe('line 1 | x < y && z > w');
    expect(f1[2]).toBe('line 1 | x < y && z > w\nline 2 ]]> --');
    const f2 = kids(c2, 'failure')[0];
    expect(f2[2]).toBe('bell \\u0007 escape \\u001B[31m nul \\u0000 ffff \\uFFFF lone \\uD800 end');
    expect(kids(suite, 'system-err')[0][2]).toBe('warn\\u001B[0m');
    expect(kids(suite, 'system-out')[0][2]).toBe('memory limit exceeded (1024 MiB)\nOutput of your code (stdout, truncated):\nprinted | <b>bold</b>\n');
    // Submission notes and the isolation report are comments at the top.
    expect(xml).toContain('<!-- Submission notes: ignored file: notes.txt -->');
    expect(xml).toContain('<!-- Isolation: network: not isolated -->');
  });

  test('escape helpers', () => {
    expect(xmlText('a<b>&c\r')).toBe('a&lt;b&gt;&amp;c&#13;');
    expect(xmlAttr('"x"\n\ty')).toBe('&quot;x&quot;&#10;&#9;y');
    expect(xmlText('😀 \ud83d')).toBe('😀 \\uD83D');
    expect(xmlAllowed(0x8)).toBe(false);
    expect(xmlAllowed(0x85)).toBe(true);
    expect(xmlAllowed(0xfffe)).toBe(false);
    expect(xmlAllowed(0x1f600)).toBe(true);
  });

  test('comments never contain "--"', () => {
    const r = { ...NOTES, notes: ['a -- b --- c -'] };
    const xml = writeJunit(r, 'en');
    const comment = xml.split('\n').find((l) => l.includes('a -'))!;
    expect(comment.slice(4, -3)).not.toContain('--');
    expect(comment).toBe('<!-- Submission notes: a - - b - - - c -  -->');
  });

  test('no NaN in times', () => {
    expect(writeJunit(NANS, 'en')).not.toMatch(/NaN|Infinity/);
  });
});
