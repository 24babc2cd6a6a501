/**
 * Property-based gradient checks of the indexing Functions: index, indexSelect, gather,
 * scatterAdd and indexAdd, with REPEATED and negative indices (whose gradients must add up), with
 * respect to every differentiable input (base and src of the scatters), on non-contiguous leaves.
 */
import fc from 'fast-check';
import { Tensor, numelOf } from '@dl/tensor';
import { gather, index, indexAdd, indexSelect, scatterAdd, variable } from '../index';
import { check, indexTensorArb, leafArb, shapeArb } from '../testing/arbitraries';

const RUNS = 25;

/** Shape `s` with dim `d` set to `n`. */
const withDim = (s: readonly number[], d: number, n: number) => s.map((k, i) => (i === d ? n : k));

/** An index length along a dim of `size`: longer than the dim now and then, so indices repeat. */
const lengthArb = (size: number) => (size === 0 ? fc.constant(0) : fc.integer({ min: 0, max: size + 3 }));

/** An index shape for gather/scatter: at most the input's size in every dim but `dim`. */
function gatherIndexShapeArb(s: readonly number[], d: number): fc.Arbitrary<number[]> {
  return fc.tuple(...s.map((n, i) => (i === d ? lengthArb(n) : fc.integer({ min: 0, max: n })))).map((v) => [...v]);
}

/** Counts how often each value appears (to confirm repeats are exercised). */
function hasRepeat(t: Tensor, size: number): boolean {
  const seen = new Set<number>();
  for (const v of t.toTypedArray()) {
    const w = v < 0 ? v + size : v;
    if (seen.has(w)) return true;
    seen.add(w);
  }
  return false;
}

describe('index / indexSelect', () => {
  it('index(x, idx) along dim 0 with an index of any shape (repeats, negatives)', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 1, maxNumel: 24 }).chain((s) =>
          fc.tuple(
            leafArb(s),
            shapeArb({ maxDims: 2, maxSize: 4 }).chain((is) => (s[0] === 0 && numelOf(is) > 0 ? indexTensorArb(0, [0]) : indexTensorArb(s[0], is))),
          ),
        ),
        ([x, idx]) => check((x) => index(x, idx), [x]) && check((x) => x.index(idx), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('index with a plain array or an int Variable', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 1, minSize: 1 }).chain((s) =>
          fc.tuple(leafArb(s), fc.array(fc.integer({ min: -s[0], max: s[0] - 1 }), { maxLength: 6 })),
        ),
        ([x, list]) => {
          const iv = variable(new Tensor(Int32Array.from(list), [list.length]));
          return check((x) => [index(x, list), x.index(iv)], [x]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('indexSelect along a random dim (repeats, negatives)', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 1 }).chain((s) =>
          fc.integer({ min: 0, max: s.length - 1 }).chain((d) =>
            fc.tuple(leafArb(s), fc.constantFrom(d, d - s.length), lengthArb(s[d]).chain((n) => indexTensorArb(s[d], [n]))),
          ),
        ),
        ([x, dim, idx]) => check((x) => indexSelect(x, dim, idx), [x]) && check((x) => x.indexSelect(dim, idx), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('picking the same row several times adds the gradients up', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 1, minSize: 1 }).chain((s) => fc.tuple(leafArb(s), fc.integer({ min: 0, max: s[0] - 1 }), fc.integer({ min: 2, max: 4 }))),
        ([x, row, times]) => {
          const idx = new Tensor(Int32Array.from({ length: times }, () => row), [times]);
          expect(hasRepeat(idx, x.shape[0])).toBe(true);
          indexSelect(x, 0, idx).sum().backward();
          const g = x.grad?.toArray() as unknown[];
          g.forEach((r, i) => {
            const want = i === row ? times : 0;
            expect(JSON.stringify(r)).toBe(JSON.stringify(x.select(0, i).data.mul(0).add(want).toArray()));
          });
          return check((x) => indexSelect(x, 0, idx), [x]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('gather / scatterAdd', () => {
  const gatherArb = shapeArb({ minDims: 1, maxNumel: 24 }).chain((s) =>
    fc.integer({ min: 0, max: s.length - 1 }).chain((d) =>
      gatherIndexShapeArb(s, d).chain((is) =>
        fc.tuple(fc.constant(s), fc.constantFrom(d, d - s.length), s[d] === 0 ? indexTensorArb(0, withDim(is, d, 0)) : indexTensorArb(s[d], is)),
      ),
    ),
  );

  it('gather along a random dim (repeats, negatives)', () => {
    fc.assert(
      fc.property(
        gatherArb.chain(([s, dim, idx]) => fc.tuple(leafArb(s), fc.constant(dim), fc.constant(idx))),
        ([x, dim, idx]) => check((x) => gather(x, dim, idx), [x]) && check((x) => x.gather(dim, idx), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('scatterAdd: gradcheck w.r.t. base and src (repeats add up)', () => {
    fc.assert(
      fc.property(
        gatherArb.chain(([s, dim, idx]) => fc.tuple(leafArb(s), fc.constant(dim), fc.constant(idx), leafArb(idx.shape))),
        ([base, dim, idx, src]) =>
          check((b, s) => scatterAdd(b, dim, idx, s), [base, src]) && check((b, s) => b.scatterAdd(dim, idx, s), [base, src]),
      ),
      { numRuns: RUNS },
    );
  });

  it('scatterAdd with a src larger than the index (only the covered part is used)', () => {
    fc.assert(
      fc.property(
        gatherArb.chain(([s, dim, idx]) =>
          fc.tuple(
            leafArb(s),
            fc.constant(dim),
            fc.constant(idx),
            fc.tuple(...idx.shape.map((n) => fc.integer({ min: n, max: n + 2 }))).chain((ss) => leafArb([...ss])),
          ),
        ),
        ([base, dim, idx, src]) => check((b, s) => scatterAdd(b, dim, idx, s), [base, src]),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('indexAdd', () => {
  it('gradcheck w.r.t. base and src along a random dim (repeats add up)', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 1, maxNumel: 24 }).chain((s) =>
          fc.integer({ min: 0, max: s.length - 1 }).chain((d) =>
            lengthArb(s[d]).chain((n) =>
              fc.tuple(leafArb(s), fc.constantFrom(d, d - s.length), indexTensorArb(s[d], [n]), leafArb(withDim(s, d, n))),
            ),
          ),
        ),
        ([base, dim, idx, src]) =>
          check((b, s) => indexAdd(b, dim, idx, s), [base, src]) &&
          check((b, s) => b.indexAdd(dim, idx, s), [base, src]) &&
          check((b, s) => indexAdd(b, dim, Array.from(idx.toTypedArray()), s), [base, src]),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('adjoint pairs compose', () => {
  it('indexAdd of an indexSelect and scatterAdd of a gather (gradients through both)', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 1, minSize: 1, maxNumel: 16 }).chain((s) =>
          fc.tuple(leafArb(s), fc.integer({ min: 0, max: s[0] + 3 }).chain((n) => indexTensorArb(s[0], [n]))),
        ),
        ([x, idx]) => {
          const zeros = variable(x.data.mul(0).contiguous());
          const idx2 = idx.reshape([idx.numel(), ...x.shape.slice(1).map(() => 1)]); // gather index: one column
          return check(
            (x) => [
              indexAdd(zeros, 0, idx, indexSelect(x, 0, idx).mul(x.sum())),
              scatterAdd(zeros, 0, idx2, gather(x, 0, idx2).mul(x.sum())),
            ],
            [x],
          );
        },
      ),
      { numRuns: RUNS },
    );
  });
});
