import { keepSolutions, MarkerError, stripSolutions } from './markers';

const SRC = [
  'export function f(x: number): number {',
  '  // BEGIN SOLUTION t1',
  '  return x + 1;',
  '  // END SOLUTION',
  '}',
  'export function g(): number {',
  '    // BEGIN SOLUTION t2',
  '    // STUB: return 0;',
  '    return 42;',
  '    // END SOLUTION',
  '}',
].join('\n');

test('solution blocks become stubs with the block indentation; STUB lines replace the default', () => {
  const r = stripSolutions(SRC, 'a.ts', new Set(['t1', 't2']));
  expect(r.tasks).toEqual(['t1', 't2']);
  expect(r.text).toContain("  throw new Error('not implemented yet: task t1 (未実装: 課題 t1)');");
  expect(r.text).toContain('    return 0;');
  expect(r.text).not.toContain('x + 1');
  expect(r.text).not.toContain('42');
  expect(r.text).not.toMatch(/SOLUTION|STUB/);
});

test('the reference keeps the solution and drops every marker', () => {
  const k = keepSolutions(SRC);
  expect(k).toContain('return x + 1;');
  expect(k).toContain('return 42;');
  expect(k).not.toMatch(/SOLUTION|STUB|return 0/);
});

test.each([
  ['// BEGIN SOLUTION a\n// BEGIN SOLUTION a\n// END SOLUTION', /inside the block opened at line 1/],
  ['// END SOLUTION', /without a BEGIN/],
  ['// BEGIN SOLUTION a\nx', /never closed/],
  ['// BEGIN SOLUTION\n// END SOLUTION', /needs a task id/],
  ['// BEGIN SOLUTION zz\n// END SOLUTION', /'zz' is not in assignment.json/],
  ['// STUB: x', /outside a solution block/],
  ['// BEGIN SOLUTION a\n// STUB: 1\n// STUB: 2\n// END SOLUTION', /second \/\/ STUB/],
])('malformed markers are errors naming file and line: %s', (src, re) => {
  expect(() => stripSolutions(src, 'f.ts', new Set(['a']))).toThrow(MarkerError);
  expect(() => stripSolutions(src, 'f.ts', new Set(['a']))).toThrow(re);
});
