/**
 * pad (F.pad) in its four modes:
 * - forward against the definition written out per row (reflect: the neighbours of the edge in
 *   reverse, without the edge; replicate: the edge repeated; circular: the other end; constant:
 *   the value), for random shapes, paddings up to each mode's limit and 1 to 3 padded dims;
 * - gradcheck (first and second order) on non-contiguous float64 leaves;
 * - PyTorch's limits (reflect < size, circular <= size, replicate on an empty dim) and the
 *   argument checks, with messages naming the op, the shapes and the fix.
 */
import fc from 'fast-check';
import { Tensor, ValueError, numelOf } from '@dl/tensor';
import { Variable, pad, sum, mul, type PadMode } from '../index';
import { check, gradOf, leafArb, weightsFor } from '../testing/arbitraries';

const RUNS = 25;
const MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

/** One row padded by the definition of each mode. */
function padRow(row: number[], before: number, after: number, mode: PadMode, value: number): number[] {
  const n = row.length;
  switch (mode) {
    case 'constant':
      return [...new Array<number>(before).fill(value), ...row, ...new Array<number>(after).fill(value)];
    case 'reflect': // x[before], ..., x[1] | x | x[n - 2], ..., x[n - 1 - after]
      return [...row.slice(1, before + 1).reverse(), ...row, ...row.slice(n - 1 - after, n - 1).reverse()];
    case 'replicate':
      return [...new Array<number>(before).fill(row[0]), ...row, ...new Array<number>(after).fill(row[n - 1])];
    case 'circular':
      return [...row.slice(n - before), ...row, ...row.slice(0, after)];
  }
}

/** Pads dim `dim` of a nested array by padding every row along it (moving it last and back). */
function padNested(t: Tensor, dim: number, before: number, after: number, mode: PadMode, value: number): Tensor {
  const last = t.ndim - 1;
  const moved = t.transpose(dim, last).contiguous();
  const n = moved.shape[last];
  const flat = Array.from(moved.toTypedArray() as Float64Array);
  const rows = n === 0 ? 0 : flat.length / n;
  const out: number[] = [];
  const outerRows = n === 0 ? numelOf(moved.shape.slice(0, -1)) : rows;
  for (let r = 0; r < outerRows; r++) out.push(...padRow(flat.slice(r * n, (r + 1) * n), before, after, mode, value));
  const shape = [...moved.shape];
  shape[last] = n + before + after;
  return new Tensor(Float64Array.from(out), shape).transpose(dim, last).contiguous();
}

/** A shape with 1-4 dims, a mode and a padding of 1-3 trailing dims within the mode's limits. */
const caseArb = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
    mode: fc.constantFrom(...MODES),
    dims: fc.integer({ min: 1, max: 3 }),
    raw: fc.array(fc.tuple(fc.nat(5), fc.nat(5)), { minLength: 3, maxLength: 3 }),
    value: fc.constantFrom(0, 1.5, -2),
  })
  .map(({ shape, mode, dims, raw, value }) => {
    const k = Math.min(dims, shape.length);
    const padding: number[] = [];
    for (let i = 0; i < k; i++) {
      const n = shape[shape.length - 1 - i];
      const limit = mode === 'reflect' ? n - 1 : mode === 'circular' ? n : 5;
      padding.push(Math.min(raw[i][0], limit), Math.min(raw[i][1], limit));
    }
    return { shape, mode, padding, value };
  })
  .filter((c) => numelOf(c.shape) * c.padding.reduce((a, b) => a + b + 1, 1) <= 400);

describe('pad: forward against the definition of each mode', () => {
  it('matches padding each row by the definition, dim by dim', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), (c, seed) => {
        const x = weightsFor(c.shape, seed).double();
        const got = pad(x, c.padding, { mode: c.mode, value: c.value });
        let want = x;
        for (let i = 0; i < c.padding.length / 2; i++) want = padNested(want, x.ndim - 1 - i, c.padding[2 * i], c.padding[2 * i + 1], c.mode, c.value);
        expect(got.shape).toEqual(want.shape);
        expect(Array.from(got.data.contiguous().toTypedArray())).toEqual(Array.from(want.toTypedArray()));
      }),
      { numRuns: 200 },
    );
  });

  it('hand-written cases (the values PyTorch gives)', () => {
    const x = new Tensor(Float64Array.of(1, 2, 3, 4, 5, 6), [1, 2, 3]);
    expect(pad(x, [2, 1], { mode: 'reflect' }).toArray()).toEqual([[[3, 2, 1, 2, 3, 2], [6, 5, 4, 5, 6, 5]]]);
    expect(pad(x, [2, 1], { mode: 'replicate' }).toArray()).toEqual([[[1, 1, 1, 2, 3, 3], [4, 4, 4, 5, 6, 6]]]);
    expect(pad(x, [2, 1], { mode: 'circular' }).toArray()).toEqual([[[2, 3, 1, 2, 3, 1], [5, 6, 4, 5, 6, 4]]]);
    expect(pad(x, [1, 0], { value: 9 }).toArray()).toEqual([[[9, 1, 2, 3], [9, 4, 5, 6]]]);
    expect(pad(x, [0, 0, 1, 1], { mode: 'reflect' }).toArray()).toEqual([[[4, 5, 6], [1, 2, 3], [4, 5, 6], [1, 2, 3]]]);
    expect(pad(x, [1, 1, 1, 1], { mode: 'circular' }).toArray()).toEqual([
      [[6, 4, 5, 6, 4], [3, 1, 2, 3, 1], [6, 4, 5, 6, 4], [3, 1, 2, 3, 1]],
    ]);
  });
});

describe('pad: gradients', () => {
  const gradCase = caseArb.filter((c) => numelOf(c.shape) <= 24);

  it('gradcheck w.r.t. the (non-contiguous) input, every mode', () => {
    fc.assert(
      fc.property(
        gradCase.chain((c) => fc.tuple(fc.constant(c), leafArb(c.shape))),
        ([c, x]) => check((x) => pad(x, c.padding, { mode: c.mode, value: c.value }), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('second derivatives: gradcheck of the gradient of sum(pad(x)^2 * w)', () => {
    fc.assert(
      fc.property(
        gradCase.chain((c) => fc.tuple(fc.constant(c), leafArb(c.shape), fc.nat())),
        ([c, x, seed]) => {
          const f = (x: Variable): Variable => {
            const y = pad(x, c.padding, { mode: c.mode, value: c.value });
            return sum(mul(mul(y, y), weightsFor(y.shape, seed).double()));
          };
          return check(gradOf(f), [x]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('each input entry gets the sum of the gradients of all its copies', () => {
    // [a, b, c] reflect-padded by 2 on the left: [c, b, a, b, c]; b has 2 copies, c 2, a 1
    const x = new Variable(new Tensor(Float64Array.of(1, 2, 3), [3]), { requiresGrad: true });
    pad(x, [2, 0], { mode: 'reflect' }).backward({ gradient: new Tensor(Float64Array.of(1, 10, 100, 1000, 10000), [5]) });
    expect(x.grad?.toArray()).toEqual([100, 10 + 1000, 1 + 10000]);
  });
});

describe('pad: limits and argument checks', () => {
  const x = new Variable(new Tensor(new Float64Array(2 * 3 * 4), [1, 2, 3, 4]));
  it.each([
    [
      'reflect padding >= the size',
      () => pad(x, [1, 1, 3, 0], { mode: 'reflect' }),
      "pad: reflect padding must be smaller than the size of the padded dim (as in PyTorch): dim 2 of the input [1, 2, 3, 4] has size 3, padded by (3, 0) (padding [1,1,3,0]); use a padding of at most 2, a larger input, or mode 'replicate' or 'circular'",
    ],
    [
      'circular padding > the size',
      () => pad(x, [5, 0], { mode: 'circular' }),
      'pad: circular padding may not exceed the size of the padded dim (it would wrap around more than once, which PyTorch refuses too): dim 3 of the input [1, 2, 3, 4] has size 4, padded by (5, 0) (padding [5,0]); use a padding of at most 4 or a larger input',
    ],
    ['replicate padding of an empty dim', () => pad(new Tensor(new Float64Array(0), [2, 0]), [1, 1], { mode: 'replicate' }), /^pad: replicate padding needs a non-empty dim to repeat: dim 1 of the input \[2, 0\] has size 0/],
    ['an odd padding list', () => pad(x, [1, 1, 1]), /^pad: padding must be a list of \[before, after\] pairs, one pair per dim from the last \(at most 4 pairs for the 4-D input \[1, 2, 3, 4\]\), got \[1,1,1\]/],
    ['too many pairs', () => pad(x, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), /at most 4 pairs/],
    ['a negative padding', () => pad(x, [-1, 1]), /^pad: padding must hold non-negative integers, got \[-1,1\]/],
    ['an unknown mode', () => pad(x, [1, 1], { mode: 'zeros' as PadMode }), /^pad: mode must be one of 'constant', 'reflect', 'replicate', 'circular', got "zeros"/],
    ['an unknown option', () => pad(x, [1, 1], { mod: 'reflect' } as never), /^pad: unknown option 'mod' \(did you mean 'mode'\?\); the options are mode, value$/],
  ])('%s', (_what, f, message) => {
    expect(f).toThrow(ValueError);
    expect(f).toThrow(message);
  });

  it('the largest paddings PyTorch allows work', () => {
    expect(pad(x, [3, 3, 2, 2], { mode: 'reflect' }).shape).toEqual([1, 2, 7, 10]);
    expect(pad(x, [4, 4, 3, 3], { mode: 'circular' }).shape).toEqual([1, 2, 9, 12]);
  });
});
