/**
 * Property-based gradient checks of the shape Functions and the ops composed from them:
 * reshape/view, permute (non-involutive cycles included)/transpose/T/mT, expand, contiguous,
 * slice with step, narrow, select, squeeze/unsqueeze/flatten, split/chunk, cat/stack, on random
 * shapes and non-contiguous float64 leaves.
 */
import fc from 'fast-check';
import { Tensor, numelOf } from '@dl/tensor';
import {
  cat,
  chunk,
  contiguous,
  expand,
  flatten,
  narrow,
  permute,
  reshape,
  select,
  slice,
  split,
  unbind,
  squeeze,
  stack,
  transpose,
  unsqueeze,
  view,
  type Variable,
} from '../index';
import {
  anyLeafArb,
  check,
  dimArb,
  leafArb,
  leavesArb,
  nonInvolutivePermutationArb,
  operandShapeArb,
  permutationArb,
  shapeArb,
  sizeArb,
} from '../testing/arbitraries';

const RUNS = 25;

function primeFactors(n: number): number[] {
  const f: number[] = [];
  for (let p = 2; n > 1; p++) {
    while (n % p === 0) {
      f.push(p);
      n /= p;
    }
  }
  return f;
}

/** A shape with `n` elements (maybe with one -1 to infer, when n > 0). */
function reshapeTargetArb(n: number): fc.Arbitrary<number[]> {
  if (n === 0) {
    return fc.tuple(shapeArb({ maxDims: 3 }), fc.nat()).map(([s, i]) => {
      const t = [...s];
      t.splice(i % (t.length + 1), 0, 0);
      return t;
    });
  }
  const fs = primeFactors(n);
  return fc
    .tuple(
      fc.shuffledSubarray(fs, { minLength: fs.length, maxLength: fs.length }),
      fc.array(fc.boolean(), { minLength: fs.length, maxLength: fs.length }),
      fc.array(fc.nat(), { maxLength: 2 }),
      fc.option(fc.nat(), { nil: undefined }),
    )
    .map(([order, cut, ones, infer]) => {
      const dims: number[] = [];
      let cur = 1;
      order.forEach((f, i) => {
        cur *= f;
        if (cut[i] || i === order.length - 1) {
          dims.push(cur);
          cur = 1;
        }
      });
      for (const o of ones) dims.splice(o % (dims.length + 1), 0, 1);
      if (infer !== undefined && dims.length > 0) dims[infer % dims.length] = -1;
      return dims;
    });
}

describe('reshape / view', () => {
  const arb = anyLeafArb().chain((x) => fc.tuple(fc.constant(x), reshapeTargetArb(x.numel())));

  it('reshape to any shape with as many elements (-1 inferred)', () => {
    fc.assert(
      fc.property(arb, ([x, shape]) => check((x) => reshape(x, shape), [x]) && check((x) => x.reshape(shape), [x]) && check((x) => x.reshape(...shape), [x])),
      { numRuns: RUNS },
    );
  });

  it('view of contiguous leaves (offsets included) and of contiguous() copies', () => {
    fc.assert(
      fc.property(arb, ([x, shape]) => {
        const f = (x: Variable) => (x.data.isContiguous() ? view(x, shape) : view(contiguous(x), shape));
        return check(f, [x]) && check((x) => x.contiguous().view(shape), [x]);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('permute / transpose', () => {
  it('permute by a permutation that is not its own inverse (3-D and 4-D cycles)', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 3, maxDims: 4, minSize: 1 }).chain((s) => fc.tuple(leafArb(s), nonInvolutivePermutationArb(s.length))),
        ([x, dims]) => check((x) => permute(x, dims), [x]) && check((x) => x.permute(...dims), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('permute of any rank, with dims counted from the back', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) =>
          fc.tuple(
            leafArb(s),
            permutationArb(s.length),
            fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
          ),
        ),
        ([x, perm, neg]) => {
          const dims = perm.map((d, i) => (neg[i] ? d - perm.length : d));
          return check((x) => permute(x, dims), [x]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('transpose of two random dims, T and mT', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) => fc.tuple(leafArb(s), dimArb(s.length), dimArb(s.length))),
        ([x, a, b]) =>
          check((x) => transpose(x, a, b), [x]) &&
          check((x) => x.transpose(a, b), [x]) &&
          check((x) => x.T, [x]) &&
          (x.ndim < 2 || check((x) => x.mT, [x])),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('expand / contiguous', () => {
  it('expand to a broadcast shape (new leading dims, size-1 dims stretched, -1 kept)', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((out) =>
          operandShapeArb(out).chain((s) =>
            fc.tuple(leafArb(s), fc.constant(out), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })),
          ),
        ),
        ([x, out, keep]) => {
          const lead = out.length - x.ndim;
          const target = out.map((n, i) => (i >= lead && keep[i] && x.shape[i - lead] === n ? -1 : n));
          return check((x) => expand(x, target), [x]) && check((x) => x.expand(...target), [x]) && check((x) => x.broadcastTo(out), [x]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('contiguous copies of non-contiguous views', () => {
    fc.assert(
      fc.property(anyLeafArb({}, {}, { layout: 'strided' }), (x) => {
        const y = contiguous(x);
        expect(y.data.isContiguous()).toBe(true);
        expect(y.toArray()).toEqual(x.toArray());
        return check((x) => contiguous(x), [x]) && check((x) => x.contiguous().mul(x), [x]);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('slice / narrow / select', () => {
  it('slice with start, end (negative and out of range clamp) and step', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 1 }).chain((s) =>
          dimArb(s.length).chain((dim) => {
            const n = s[dim < 0 ? dim + s.length : dim];
            const pos = fc.integer({ min: -n - 1, max: n + 1 });
            return fc.tuple(leafArb(s), fc.constant(dim), fc.option(pos, { nil: undefined }), fc.option(pos, { nil: undefined }), fc.integer({ min: 1, max: 3 }));
          }),
        ),
        ([x, dim, start, end, step]) => check((x) => slice(x, dim, start, end, step), [x]) && check((x) => x.slice(dim, start, end, step), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('two chained steps (a strided view of a strided view)', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 1 }).chain((s) => fc.tuple(leafArb(s), fc.integer({ min: 0, max: s.length - 1 }), fc.integer({ min: 0, max: s.length - 1 }))),
        ([x, d0, d1]) => check((x) => slice(slice(x, d0, 1, undefined, 2), d1, 0, undefined, 2), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('narrow (start counted from either end)', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 1 }).chain((s) =>
          fc.integer({ min: 0, max: s.length - 1 }).chain((d) =>
            fc.integer({ min: 0, max: s[d] }).chain((start) =>
              fc.tuple(
                leafArb(s),
                fc.constantFrom(d, d - s.length),
                fc.constantFrom(start, start < s[d] ? start - s[d] : start),
                fc.integer({ min: 0, max: s[d] - start }),
              ),
            ),
          ),
        ),
        ([x, dim, start, length]) => check((x) => narrow(x, dim, start, length), [x]) && check((x) => x.narrow(dim, start, length), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('select (index counted from either end)', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 1, minSize: 1 }).chain((s) =>
          fc.integer({ min: 0, max: s.length - 1 }).chain((d) =>
            fc.tuple(leafArb(s), fc.constantFrom(d, d - s.length), fc.integer({ min: -s[d], max: s[d] - 1 })),
          ),
        ),
        ([x, dim, index]) => check((x) => select(x, dim, index), [x]) && check((x) => x.select(dim, index), [x]),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('squeeze / unsqueeze / flatten', () => {
  it('squeeze of all size-1 dims, of one dim, of a list of dims', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) =>
          fc.tuple(
            leafArb(s),
            s.length === 0 ? fc.constant(undefined) : fc.oneof(fc.constant(undefined), dimArb(s.length), fc.uniqueArray(fc.integer({ min: 0, max: s.length - 1 }), { maxLength: s.length })),
          ),
        ),
        ([x, dim]) => check((x) => squeeze(x, dim), [x]) && check((x) => x.squeeze(dim), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('unsqueeze at any position (negative included)', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) => fc.tuple(leafArb(s), fc.integer({ min: -s.length - 1, max: s.length }))),
        ([x, dim]) => check((x) => unsqueeze(x, dim), [x]) && check((x) => x.unsqueeze(dim), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('flatten(startDim, endDim)', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 1 }).chain((s) =>
          fc.integer({ min: 0, max: s.length - 1 }).chain((a) =>
            fc.integer({ min: a, max: s.length - 1 }).chain((b) =>
              fc.tuple(leafArb(s), fc.constantFrom(a, a - s.length), fc.constantFrom(b, b - s.length)),
            ),
          ),
        ),
        ([x, a, b]) => check((x) => flatten(x, a, b), [x]) && check((x) => x.flatten(a, b), [x]) && check((x) => x.flatten(), [x]),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('split / chunk (several outputs)', () => {
  const arb = shapeArb({ minDims: 1 }).chain((s) =>
    fc.integer({ min: 0, max: s.length - 1 }).chain((d) => fc.tuple(leafArb(s), fc.constantFrom(d, d - s.length), fc.constant(s[d]))),
  );

  it('split by a size and by a list of sizes', () => {
    fc.assert(
      fc.property(
        arb.chain(([x, dim, n]) =>
          fc.tuple(
            fc.constant(x),
            fc.constant(dim),
            fc.integer({ min: 1, max: Math.max(n, 1) + 1 }),
            fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 4 }).map((sizes) => {
              // a list of sizes summing to n
              const out: number[] = [];
              let left = n;
              for (const k of sizes) {
                const take = Math.min(k, left);
                out.push(take);
                left -= take;
              }
              if (left > 0 || out.length === 0) out.push(left);
              return out;
            }),
          ),
        ),
        ([x, dim, size, sizes]) =>
          check((x) => split(x, size, dim), [x]) && check((x) => split(x, sizes, dim), [x]) && check((x) => x.split(sizes, dim), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('chunk into 1..5 chunks', () => {
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 5 }), ([x, dim], chunks) => check((x) => chunk(x, chunks, dim), [x]) && check((x) => x.chunk(chunks, dim), [x])),
      { numRuns: RUNS },
    );
  });

  it('unbind along a random dim, all slices or only some used', () => {
    fc.assert(
      fc.property(arb, fc.boolean(), ([x, dim], some) =>
        check((x) => {
          const parts = unbind(x, dim);
          return some ? parts.filter((_, i) => i % 2 === 1) : parts;
        }, [x]) && check((x) => x.unbind(dim), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('using only some of the outputs (the others contribute zeros)', () => {
    fc.assert(
      fc.property(arb, ([x, dim]) => check((x) => split(x, 1, dim)[0] ?? x, [x])),
      { numRuns: RUNS },
    );
  });
});

describe('cat / stack', () => {
  it('cat of 1-3 inputs along a random dim, with different sizes along it', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 1, maxNumel: 18 }).chain((s) =>
          fc.integer({ min: 0, max: s.length - 1 }).chain((d) =>
            fc
              .array(sizeArb(0, 3), { minLength: 1, maxLength: 3 })
              .chain((sizes) => fc.tuple(leavesArb(sizes.map((k) => s.map((n, i) => (i === d ? k : n)))), fc.constantFrom(d, d - s.length))),
          ),
        ),
        ([xs, dim]) => check((...xs) => cat(xs, dim), xs),
      ),
      { numRuns: RUNS },
    );
  });

  it('cat with a float32 constant (the result is float64) and the same leaf twice', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 1 }).chain((s) => leafArb(s)),
        (x) => {
          const c = new Tensor(Float32Array.from({ length: x.numel() }, (_, i) => i / 4), x.shape);
          expect(cat([x, c], 0).dtype).toBe('float64');
          return check((x) => cat([x, c, x], 0), [x]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('stack of 1-3 same-shaped inputs at any position', () => {
    fc.assert(
      fc.property(
        shapeArb({ maxNumel: 12 }).chain((s) =>
          fc.tuple(
            fc.integer({ min: 1, max: 3 }).chain((k) => leavesArb(Array.from({ length: k }, () => s))),
            fc.integer({ min: -s.length - 1, max: s.length }),
          ),
        ),
        ([xs, dim]) => check((...xs) => stack(xs, dim), xs),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('the arbitraries produce what the checks need', () => {
  it('strided leaves are views into a larger storage, with elements that do not share memory', () => {
    fc.assert(
      fc.property(anyLeafArb({ minDims: 2, minSize: 2 }, {}, { layout: 'strided' }), (x) => {
        expect(x.data.storage.length).toBeGreaterThanOrEqual(numelOf(x.shape));
        const offs = new Set<number>();
        const walk = (d: number, off: number) => {
          if (d === x.ndim) offs.add(off);
          else for (let i = 0; i < x.shape[d]; i++) walk(d + 1, off + i * x.data.strides[d]);
        };
        walk(0, x.data.offset);
        expect(offs.size).toBe(x.numel());
      }),
      { numRuns: RUNS },
    );
  });

  it('non-contiguous layouts actually occur', () => {
    const xs = fc.sample(anyLeafArb({ minDims: 2, minSize: 2 }), 200);
    expect(xs.filter((x) => !x.data.isContiguous()).length).toBeGreaterThan(50);
    expect(xs.filter((x) => x.data.offset > 0).length).toBeGreaterThan(50);
  });
});
