import fc from 'fast-check';
import { Checker } from './check';
import { render } from './text';
import { T } from './values';

const msg = (c: Checker, lang: 'en' | 'ja' = 'en') => c.feedback.map((f) => render(f, lang)).join('\n');

test('close passes within tolerance and reports the first differing index, max errors', () => {
  const c = new Checker(false);
  expect(c.close([1, 2 + 1e-9], [1, 2], 'y')).toBe(true);
  expect(c.close(T([[1, 2], [3, 4.5]]), T([[1, 2], [3, 4]]), 'y')).toBe(false);
  expect(msg(c)).toMatch(/1 of 4 values differ; first at index \[1, 1\]: got 4\.5, expected 4; max abs error 5\.000e-1/);
  expect(msg(c, 'ja')).toMatch(/インデックス \[1, 1\]/);
  expect(c.failures).toBe(1);
});

test('shape and dtype mismatches are named', () => {
  const c = new Checker(false);
  expect(c.close(T([[1, 2]]), T([1, 2]), 'out')).toBe(false);
  expect(msg(c)).toContain('out: shape [1, 2], expected [2]');
  expect(c.close(T([1], { dtype: 'float32' }), T([1]), 'd', { dtype: true })).toBe(false);
  expect(msg(c)).toContain('dtype float32, expected float64');
  expect(c.close('abc', 1, 'n')).toBe(false);
  expect(msg(c)).toContain('expected a number, got "abc"');
});

test('hidden cases never show the expected value', () => {
  const c = new Checker(true);
  c.close([1.5], [7.25], 'y');
  c.equal(3, 98765, 'z');
  expect(msg(c)).not.toMatch(/7\.25|98765/);
  expect(msg(c, 'ja')).not.toMatch(/7\.25|98765/);
  expect(msg(c)).toContain('got 1.5');
});

test('NaN matches only NaN, infinities only themselves', () => {
  const c = new Checker(false);
  expect(c.close([NaN, Infinity], [NaN, Infinity], 'a')).toBe(true);
  expect(c.close([0], [NaN], 'b')).toBe(false);
  expect(c.close([Infinity], [1e308], 'c')).toBe(false);
});

test('property: close accepts any array against itself plus tiny noise, rejects any single large change', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 20 }), fc.nat(), (xs, k) => {
      const c = new Checker(false);
      const near = xs.map((x) => x * (1 + 1e-8));
      const i = k % xs.length;
      const far = xs.map((x, j) => (j === i ? x + 1 + Math.abs(x) * 1e-3 : x));
      return c.close(near, xs, 'n') && !c.close(far, xs, 'f') && c.failures === 1;
    }),
  );
});
