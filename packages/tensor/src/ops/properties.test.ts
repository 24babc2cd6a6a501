/**
 * Property tests (fast-check): ops against plain-JS reference computations on random shapes,
 * broadcast pairs, layouts and view chains. Values are small integers or doubles for which the JS
 * reference is exact, so results are compared exactly.
 */
import fc from 'fast-check';
import { Tensor, broadcastShapes, cat, matmul, stack, sumTo, tensor } from '../index';

// ---------------------------------------------------------------- helpers

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Row-major multi-indices of a shape. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const n = numel(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    yield [...idx];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

/** Flat row-major position of a multi-index. */
const ravel = (idx: readonly number[], shape: readonly number[]) => idx.reduce((acc, i, d) => acc * shape[d] + i, 0);

/** Nested arrays from flat row-major values (what toArray gives). */
function nest(flat: readonly unknown[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  const step = numel(shape.slice(1));
  return Array.from({ length: shape[0] }, (_, i) => nest(flat.slice(i * step, (i + 1) * step), shape.slice(1)));
}

/** -0 -> 0, so that comparisons do not depend on the sign of zero. */
const noNegZero = (v: number[]) => v.map((x) => x + 0);

const flat = (t: Tensor) => Array.from(t.toTypedArray());

/** The numbers of a toArray() result, depth first. */
const flatDeep = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flatDeep) : [v as number]);

/** Reference broadcast of two compatible shapes: align at the end; a size 1 takes the other size. */
function refBroadcast(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const x = a[i - (n - a.length)] ?? 1;
    const y = b[i - (n - b.length)] ?? 1;
    return x === 1 ? y : x;
  });
}

type Layout = 'contiguous' | 'reversed' | 'offset';

/** A float64 tensor with these values, laid out contiguously, with reversed strides, or at an offset. */
function make(values: readonly number[], shape: readonly number[], layout: Layout = 'contiguous'): Tensor {
  const t = tensor(Float64Array.from(values), { shape });
  if (layout === 'reversed') return t.T.contiguous().T;
  if (layout === 'offset') return cat([tensor([0, 0, 0], { dtype: 'float64' }), t.reshape(-1)]).narrow(0, 3, values.length).view(shape);
  return t;
}

const layoutArb = fc.constantFrom<Layout>('contiguous', 'reversed', 'offset');
const smallInt = fc.integer({ min: -9, max: 9 });
const anyDouble = fc.oneof(smallInt, fc.double({ min: -1e6, max: 1e6, noNaN: true }));
const shapeArb = (maxDims: number, maxSize: number, minSize = 0) =>
  fc.array(fc.integer({ min: minSize, max: maxSize }), { minLength: 0, maxLength: maxDims });
const valuesFor = (shape: readonly number[], v: fc.Arbitrary<number> = smallInt) =>
  fc.array(v, { minLength: numel(shape), maxLength: numel(shape) });

/**
 * A shape and two operand shapes that can be expanded to it (leading dims dropped, some sizes set
 * to 1). The operands' own broadcast may be smaller (when both have 1 where the shape has 0 or more).
 */
const broadcastPairArb = shapeArb(4, 3).chain((out) => {
  const operand = fc
    .tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
    .map(([drop, ones]) => out.slice(drop).map((s, i) => (ones[i + drop] ? 1 : s)));
  return fc.tuple(fc.constant(out), operand, operand);
});

const BINARY: Record<string, [(a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number | boolean]> = {
  add: [(a, b) => a.add(b), (x, y) => x + y],
  sub: [(a, b) => a.sub(b), (x, y) => x - y],
  mul: [(a, b) => a.mul(b), (x, y) => x * y],
  maximum: [(a, b) => a.maximum(b), (x, y) => Math.max(x, y)],
  minimum: [(a, b) => a.minimum(b), (x, y) => Math.min(x, y)],
  lt: [(a, b) => a.lt(b), (x, y) => x < y],
  eq: [(a, b) => a.eq(b), (x, y) => x === y],
};

// ---------------------------------------------------------------- properties

describe('properties', () => {
  it('broadcast binary ops equal the elementwise computation on toArray() values', () => {
    fc.assert(
      fc.property(
        broadcastPairArb.chain(([out, sa, sb]) =>
          fc.tuple(
            fc.constant(out),
            fc.constant(sa),
            fc.constant(sb),
            valuesFor(sa, anyDouble),
            valuesFor(sb, anyDouble),
            fc.constantFrom(...Object.keys(BINARY)),
            layoutArb,
            layoutArb,
          ),
        ),
        ([, sa, sb, va, vb, op, la, lb]) => {
          const [f, ref] = BINARY[op];
          const r = f(make(va, sa, la), make(vb, sb, lb));
          const out = refBroadcast(sa, sb);
          expect(r.shape).toEqual(out);
          expect(broadcastShapes(op, sa, sb)).toEqual(out);
          const want: (number | boolean)[] = [];
          for (const idx of indices(out)) {
            const ia = idx.slice(out.length - sa.length).map((i, d) => (sa[d] === 1 ? 0 : i));
            const ib = idx.slice(out.length - sb.length).map((i, d) => (sb[d] === 1 ? 0 : i));
            want.push(ref(va[ravel(ia, sa)], vb[ravel(ib, sb)]));
          }
          const got = r.dtype === 'bool' ? (flat(r).map((v) => v === 1) as (number | boolean)[]) : noNegZero(flat(r));
          const exp = r.dtype === 'bool' ? want : noNegZero(want as number[]);
          expect(got).toEqual(exp);
          expect(r.toArray()).toEqual(nest(r.dtype === 'bool' ? got : flat(r), out));
        },
      ),
    );
  });

  it('reshape keeps row-major order and round-trips, viewing contiguous inputs', () => {
    const arb = shapeArb(4, 4, 1).chain((shape) =>
      fc.tuple(
        fc.constant(shape),
        valuesFor(shape),
        fc.shuffledSubarray(shape, { minLength: shape.length, maxLength: shape.length }),
        fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
        fc.integer({ min: 0, max: 2 }),
        fc.boolean(),
        fc.boolean(),
      ),
    );
    fc.assert(
      fc.property(arb, ([shape, values, sizes, merge, ones, infer, transposed]) => {
        // regroup the (shuffled) sizes into a new shape with the same number of elements
        const target: number[] = [];
        sizes.forEach((s, i) => (i > 0 && merge[i] ? (target[target.length - 1] *= s) : target.push(s)));
        for (let k = 0; k < ones; k++) target.splice(k % (target.length + 1), 0, 1);
        const asked = infer && target.length > 0 ? [-1, ...target.slice(1)] : target;

        const x = transposed ? make(values, [...shape].reverse()).T : make(values, shape);
        const y = x.reshape(asked);
        expect(y.shape).toEqual(target);
        expect(flat(y)).toEqual(flat(x));
        expect(y.reshape(x.shape).toArray()).toEqual(x.toArray());
        if (x.isContiguous()) expect(y.storage).toBe(x.storage);
      }),
    );
  });

  it('permute moves elements as specified, and the inverse permutation restores the tensor', () => {
    const arb = shapeArb(5, 3).chain((shape) => {
      const dims = shape.map((_, i) => i);
      return fc.tuple(
        fc.constant(shape),
        valuesFor(shape),
        fc.shuffledSubarray(dims, { minLength: dims.length, maxLength: dims.length }),
        layoutArb,
      );
    });
    fc.assert(
      fc.property(arb, ([shape, values, perm, layout]) => {
        const x = make(values, shape, layout);
        const p = x.permute(perm);
        expect(p.storage).toBe(x.storage);
        expect(p.shape).toEqual(perm.map((d) => shape[d]));
        const pv = flat(p);
        for (const idx of indices(p.shape)) {
          const src = new Array<number>(shape.length);
          perm.forEach((d, i) => (src[d] = idx[i]));
          expect(pv[ravel(idx, p.shape)]).toBe(values[ravel(src, shape)]);
        }
        const inv = new Array<number>(perm.length);
        perm.forEach((d, i) => (inv[d] = i));
        const back = p.permute(inv);
        expect(back.strides).toEqual(x.strides);
        expect(back.toArray()).toEqual(x.toArray());
      }),
    );
  });

  describe('random chains of views', () => {
    /** A view as the reference sees it: its shape and, per element, the position read in the base. */
    interface Model {
      shape: number[];
      at: (idx: number[]) => number;
    }

    type Step =
      | { kind: 'transpose'; a: number; b: number }
      | { kind: 'slice'; d: number; start: number; len: number; step: number }
      | { kind: 'select'; d: number; i: number }
      | { kind: 'expand'; d: number; size: number }
      | { kind: 'permute'; keys: number[] };

    const stepArb: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('transpose' as const), a: fc.nat(9), b: fc.nat(9) }),
      fc.record({ kind: fc.constant('slice' as const), d: fc.nat(9), start: fc.nat(9), len: fc.nat(9), step: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('select' as const), d: fc.nat(9), i: fc.nat(9) }),
      fc.record({ kind: fc.constant('expand' as const), d: fc.nat(9), size: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('permute' as const), keys: fc.array(fc.double({ noNaN: true }), { minLength: 6, maxLength: 6 }) }),
    );

    /** Applies a step to both the tensor and the model; random numbers are taken modulo what is valid. */
    function apply(t: Tensor, m: Model, s: Step): [Tensor, Model] {
      const nd = m.shape.length;
      if (nd === 0) return [t, m];
      switch (s.kind) {
        case 'transpose': {
          const a = s.a % nd;
          const b = s.b % nd;
          const swap = (idx: number[]) => idx.map((v, i) => (i === a ? idx[b] : i === b ? idx[a] : v));
          return [t.transpose(a, b - nd), { shape: swap(m.shape), at: (idx) => m.at(swap(idx)) }];
        }
        case 'slice': {
          const d = s.d % nd;
          const size = m.shape[d];
          const start = s.start % (size + 1);
          const end = Math.min(size, start + s.len);
          const len = Math.ceil((end - start) / s.step);
          const shape = m.shape.map((v, i) => (i === d ? len : v));
          return [
            t.slice(d, start, end, s.step),
            { shape, at: (idx) => m.at(idx.map((v, i) => (i === d ? start + v * s.step : v))) },
          ];
        }
        case 'select': {
          const d = s.d % nd;
          if (m.shape[d] === 0) return [t, m];
          const i = s.i % m.shape[d];
          return [
            t.select(d, i - m.shape[d]), // negative index form
            { shape: m.shape.filter((_, k) => k !== d), at: (idx) => m.at([...idx.slice(0, d), i, ...idx.slice(d)]) },
          ];
        }
        case 'expand': {
          // unsqueeze a new dim at d, then expand it to `size`
          const d = s.d % (nd + 1);
          const shape = [...m.shape.slice(0, d), s.size, ...m.shape.slice(d)];
          return [
            t.unsqueeze(d).expand(shape),
            { shape, at: (idx) => m.at([...idx.slice(0, d), ...idx.slice(d + 1)]) },
          ];
        }
        case 'permute': {
          const perm = m.shape.map((_, i) => i).sort((x, y) => s.keys[x] - s.keys[y] || x - y);
          return [
            t.permute(perm),
            {
              shape: perm.map((p) => m.shape[p]),
              at: (idx) => {
                const src = new Array<number>(nd);
                perm.forEach((p, i) => (src[p] = idx[i]));
                return m.at(src);
              },
            },
          ];
        }
      }
    }

    const chainArb = fc.tuple(shapeArb(4, 4, 1), fc.array(stepArb, { minLength: 1, maxLength: 6 }));

    function build(shape: number[], steps: Step[]): { base: Tensor; view: Tensor; model: Model } {
      const n = numel(shape);
      // base values are their own positions, so the model's positions are also the expected values
      const base = tensor(Float64Array.from({ length: n }, (_, i) => i), { shape });
      let view = base;
      let model: Model = { shape: [...shape], at: (idx) => ravel(idx, shape) };
      for (const s of steps) [view, model] = apply(view, model, s);
      return { base, view, model };
    }

    it('contiguous() has the same values as the view, and the view reads what the model says', () => {
      fc.assert(
        fc.property(chainArb, ([shape, steps]) => {
          const { base, view, model } = build(shape, steps);
          expect(view.storage).toBe(base.storage);
          expect(view.shape).toEqual(model.shape);
          const want = [...indices(model.shape)].map(model.at);
          const c = view.contiguous();
          expect(c.isContiguous()).toBe(true);
          expect(flat(c)).toEqual(want);
          expect(c.toArray()).toEqual(view.toArray());
          expect(view.clone().toArray()).toEqual(nest(want, model.shape));
        }),
      );
    });

    it('copy_ through the view writes exactly the base positions the view covers', () => {
      fc.assert(
        fc.property(chainArb, ([shape, steps]) => {
          const { base, view, model } = build(shape, steps);
          const covered = new Set([...indices(model.shape)].map(model.at));
          view.fill_(-1);
          flat(base).forEach((v, i) => expect(v).toBe(covered.has(i) ? -1 : i));
        }),
      );
    });
  });

  it('sum over all dims equals the sum of toArray() values; sum over some dims matches a reference', () => {
    const arb = shapeArb(4, 4).chain((shape) =>
      fc.tuple(
        fc.constant(shape),
        valuesFor(shape, fc.integer({ min: -1000, max: 1000 })),
        fc.subarray(shape.map((_, i) => i)),
        fc.boolean(),
        layoutArb,
      ),
    );
    fc.assert(
      fc.property(arb, ([shape, values, dims, keepdim, layout]) => {
        const x = make(values, shape, layout);
        const fromArray = flatDeep(x.toArray());
        expect(fromArray.length).toBe(values.length);
        expect(x.sum().item()).toBe(fromArray.reduce((a, b) => a + b, 0));
        expect(x.int().sum().item()).toBe(values.reduce((a, b) => a + b, 0));

        const r = x.sum({ dim: dims, keepdim });
        const outShape = shape.map((s, i) => (dims.includes(i) ? 1 : s));
        const want = new Array<number>(numel(outShape)).fill(0);
        for (const idx of indices(shape)) want[ravel(idx.map((v, i) => (dims.includes(i) ? 0 : v)), outShape)] += values[ravel(idx, shape)];
        expect(r.shape).toEqual(keepdim ? outShape : shape.filter((_, i) => !dims.includes(i)));
        expect(noNegZero(flat(r))).toEqual(noNegZero(want));
      }),
    );
  });

  it('sumTo undoes expand: sumTo(expand(x, s), x.shape) = x * (numel(s) / numel(x))', () => {
    fc.assert(
      fc.property(
        broadcastPairArb.chain(([out, sa]) => fc.tuple(fc.constant(out), fc.constant(sa), valuesFor(sa))),
        ([out, sa, va]) => {
          const x = make(va, sa);
          const s = sumTo(x.expand(out), sa);
          expect(s.shape).toEqual(sa);
          const factor = numel(sa) === 0 ? 0 : numel(out) / numel(sa);
          expect(noNegZero(flat(s))).toEqual(noNegZero(va.map((v) => v * factor)));
        },
      ),
    );
  });

  it('matmul equals a naive triple loop, with broadcast batch dims and any operand layout', () => {
    const arb = fc
      .tuple(
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 2 }),
      )
      .chain(([m, k, n, batch, ones, dropA, dropB]) => {
        const bA = batch.slice(Math.min(dropA, batch.length)).map((s, i) => (ones[i] ? 1 : s));
        const bB = batch.slice(Math.min(dropB, batch.length)).map((s, i) => (ones[i + 2] ? 1 : s));
        const sa = [...bA, m, k];
        const sb = [...bB, k, n];
        return fc.tuple(fc.constant(sa), fc.constant(sb), valuesFor(sa), valuesFor(sb), layoutArb, layoutArb);
      });
    fc.assert(
      fc.property(arb, ([sa, sb, va, vb, la, lb]) => {
        const r = matmul(make(va, sa, la), make(vb, sb, lb));
        const [m, k] = sa.slice(-2);
        const n = sb[sb.length - 1];
        const bA = sa.slice(0, -2);
        const bB = sb.slice(0, -2);
        const batch = refBroadcast(bA, bB);
        expect(r.shape).toEqual([...batch, m, n]);
        const want: number[] = [];
        for (const bi of indices(batch)) {
          const ia = bi.slice(batch.length - bA.length).map((v, d) => (bA[d] === 1 ? 0 : v));
          const ib = bi.slice(batch.length - bB.length).map((v, d) => (bB[d] === 1 ? 0 : v));
          const offA = ravel(ia, bA) * m * k;
          const offB = ravel(ib, bB) * k * n;
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let acc = 0;
              for (let q = 0; q < k; q++) acc += va[offA + i * k + q] * vb[offB + q * n + j];
              want.push(acc);
            }
          }
        }
        expect(noNegZero(flat(r))).toEqual(noNegZero(want));
      }),
    );
  });

  it('matmul with 1-D operands equals the 2-D product with the added dim removed', () => {
    const arb = fc
      .tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean())
      .chain(([k, n, vecFirst]) => fc.tuple(fc.constant(k), fc.constant(n), fc.constant(vecFirst), valuesFor([k]), valuesFor([k * n])));
    fc.assert(
      fc.property(arb, ([k, n, vecFirst, v, w]) => {
        const vec = make(v, [k]);
        if (vecFirst) {
          const mat = make(w, [k, n]);
          expect(matmul(vec, mat).toArray()).toEqual(matmul(vec.unsqueeze(0), mat).squeeze(0).toArray());
        } else {
          const mat = make(w, [n, k]);
          expect(matmul(mat, vec).toArray()).toEqual(matmul(mat, vec.unsqueeze(1)).squeeze(1).toArray());
        }
        const dot = matmul(vec, vec);
        expect(dot.shape).toEqual([]);
        expect(dot.item()).toBe(v.reduce((a, x) => a + x * x, 0));
      }),
    );
  });

  it('cat then split round-trips; stack then select gives the pieces back', () => {
    const arb = fc
      .tuple(shapeArb(3, 3), fc.nat(9), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }), fc.boolean())
      .filter(([shape]) => shape.length > 0)
      .chain(([shape, d0, sizes, negative]) => {
        const d = d0 % shape.length;
        const shapes = sizes.map((s) => shape.map((v, i) => (i === d ? s : v)));
        return fc.tuple(fc.constant(d), fc.constant(negative), fc.constant(shapes), fc.tuple(...shapes.map((s) => valuesFor(s))), layoutArb);
      });
    fc.assert(
      fc.property(arb, ([d, negative, shapes, values, layout]) => {
        const pieces = shapes.map((s, i) => make(values[i], s, layout));
        const dim = negative ? d - shapes[0].length : d;
        const c = cat(pieces, dim);
        const sizes = shapes.map((s) => s[d]);
        expect(c.shape[d]).toBe(sizes.reduce((a, b) => a + b, 0));
        const back = c.split(sizes, dim);
        expect(back.length).toBe(pieces.length);
        back.forEach((b, i) => {
          expect(b.shape).toEqual(shapes[i]);
          expect(b.toArray()).toEqual(pieces[i].toArray());
        });
        // same-shaped pieces can also be stacked
        const same = pieces.filter((p) => p.shape[d] === pieces[0].shape[d]);
        const st = stack(same, dim < 0 ? dim - 1 : dim);
        same.forEach((p, i) => expect(st.select(d, i).toArray()).toEqual(p.toArray()));
      }),
    );
  });
});
