/**
 * fast-check arbitraries for the property-based gradient checks (test-only: excluded from the
 * build by tsconfig.build.json).
 *
 * - shapes: 0-4 dims, sizes 0..4 (size-0 and size-1 dims appear often), capped in numel so that
 *   gradcheck (2 forward passes per input element, 1 backward pass per output element) stays fast;
 * - broadcast-compatible tuples of shapes;
 * - float64 leaf Variables with requiresGrad, laid out either contiguously or as NON-CONTIGUOUS
 *   views: a larger contiguous base (filled with NaN, so an op that reads outside its view shows
 *   up as NaN), at a storage offset, sliced with step 2 / narrowed in each dim, then permuted;
 *   never expand (gradcheck rejects inputs whose elements share memory);
 * - values drawn from per-op domains: positive for log/sqrt, away from 0 for denominators, away
 *   from kinks (relu, abs, clamp bounds) and distinct (max/min/amax/pooling) so that central
 *   differences are valid.
 *
 * Counterexamples print as e.g. `leaf f64[2,3] (perm [1,0], step [1,2], base [3,5] @ 2) = [[...]]`.
 */
import fc from 'fast-check';
import { Tensor, contiguousStrides, numelOf, zerosLike } from '@dl/tensor';
import { Variable, enableGrad, gradcheck, type GradcheckOptions } from '../index';

// ---------------------------------------------------------------------------------------------
// shapes

export interface ShapeOptions {
  minDims?: number;
  maxDims?: number;
  minSize?: number;
  maxSize?: number;
  /** Upper bound on the number of elements (default 36). */
  maxNumel?: number;
}

/** A dim size in [min, max]; 0 and 1 get extra weight so empty and broadcastable dims show up. */
export function sizeArb(min = 0, max = 4): fc.Arbitrary<number> {
  const parts: fc.WeightedArbitrary<number>[] = [];
  if (min <= 0 && max >= 0) parts.push({ arbitrary: fc.constant(0), weight: 1 });
  if (min <= 1 && max >= 1) parts.push({ arbitrary: fc.constant(1), weight: 2 });
  if (max >= 2) parts.push({ arbitrary: fc.integer({ min: Math.max(2, min), max }), weight: 7 });
  return fc.oneof(...parts);
}

export function shapeArb(o: ShapeOptions = {}): fc.Arbitrary<number[]> {
  const { minDims = 0, maxDims = 4, minSize = 0, maxSize = 4, maxNumel = 36 } = o;
  return fc
    .array(sizeArb(minSize, maxSize), { minLength: minDims, maxLength: maxDims })
    .filter((s) => numelOf(s) <= maxNumel);
}

/** A shape that broadcasts to `out`: a suffix of it, some dims replaced by 1. */
export function operandShapeArb(out: readonly number[]): fc.Arbitrary<number[]> {
  const n = out.length;
  return fc
    .tuple(
      fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: fc.integer({ min: 0, max: n }), weight: 1 }),
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
    )
    .map(([drop, ones]) => out.slice(drop).map((s, i) => (ones[i + drop] === 0 ? 1 : s)));
}

/** `n` shapes that broadcast together (to a shape drawn by shapeArb(o)). */
export function broadcastShapesArb(n: number, o: ShapeOptions = {}): fc.Arbitrary<number[][]> {
  return shapeArb(o).chain((out) => fc.tuple(...Array.from({ length: n }, () => operandShapeArb(out))));
}

/** A permutation of 0..n-1 (any order, including cycles of length >= 3). */
export function permutationArb(n: number): fc.Arbitrary<number[]> {
  const ids = Array.from({ length: n }, (_, i) => i);
  return n === 0 ? fc.constant([]) : fc.shuffledSubarray(ids, { minLength: n, maxLength: n });
}

/** A permutation with no fixed point of order > 2 when n >= 3 (so it is not its own inverse). */
export function nonInvolutivePermutationArb(n: number): fc.Arbitrary<number[]> {
  return permutationArb(n).filter((p) => n < 3 || p.some((v, i) => p[v] !== i));
}

/** A dim of an `ndim`-D tensor, counted from the front or (negative) from the back. */
export function dimArb(ndim: number): fc.Arbitrary<number> {
  const n = Math.max(ndim, 1);
  return fc.integer({ min: 0, max: n - 1 }).chain((d) => fc.constantFrom(d, d - n));
}

/** `dim` option of a reduction: undefined (all), one dim, or a non-empty set of dims. */
export function reduceDimsArb(ndim: number): fc.Arbitrary<number | number[] | undefined> {
  if (ndim === 0) return fc.constant(undefined);
  return fc.oneof(
    fc.constant(undefined),
    dimArb(ndim),
    fc
      .uniqueArray(fc.integer({ min: 0, max: ndim - 1 }), { minLength: 1, maxLength: ndim })
      .chain((ds) => fc.tuple(...ds.map((d) => fc.constantFrom(d, d - ndim)))),
  );
}

export function normDims(dim: number | readonly number[] | undefined, ndim: number): number[] {
  if (dim === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const ds = typeof dim === 'number' ? [dim] : dim;
  return ds.map((d) => (d < 0 ? d + ndim : d));
}

// ---------------------------------------------------------------------------------------------
// values

export interface Domain {
  /** Range of the values (default [-2, 2]). */
  min?: number;
  max?: number;
  /** Points (kinks, poles) to keep at least `margin` away from. */
  avoid?: readonly number[];
  /** Distance kept from `avoid`, and between values when `distinct` (default 0.01). */
  margin?: number;
  /** All values different, at least `margin` apart (for max/min/sort-like ops). */
  distinct?: boolean;
  /**
   * Values on the lattice `phase + k * lattice` (within [min, max]): two operands on lattices
   * with different phases never tie (maximum / minimum).
   */
  lattice?: number;
  phase?: number;
}

export const DOMAIN = {
  any: {} as Domain,
  /** log, sqrt, pow with a real exponent */
  positive: { min: 0.1, max: 3 } as Domain,
  /** denominators */
  nonzero: { min: -2, max: 2, avoid: [0], margin: 0.25 } as Domain,
  /** relu, abs: away from the kink at 0 */
  awayFromZero: { avoid: [0], margin: 0.01 } as Domain,
  /** max/min/amax/amin/pooling: no ties */
  distinct: { distinct: true } as Domain,
  /** var/std, sort-like and softmax-ish tests with small magnitudes */
  small: { min: -1, max: 1 } as Domain,
};

function pushAway(v: number, avoid: readonly number[], margin: number): number {
  for (const p of avoid) if (Math.abs(v - p) < margin) v = v >= p ? p + margin : p - margin;
  return v;
}

/** `n` float values in domain `d`. */
export function valuesArb(n: number, d: Domain = {}): fc.Arbitrary<number[]> {
  const { min = -2, max = 2, avoid = [], margin = 0.01, distinct = false, lattice, phase = 0 } = d;
  if (lattice !== undefined) {
    const lo = Math.ceil((min - phase) / lattice);
    const hi = Math.floor((max - phase) / lattice);
    return fc.array(fc.integer({ min: lo, max: hi }), { minLength: n, maxLength: n }).map((ks) => ks.map((k) => phase + k * lattice));
  }
  if (distinct) {
    // a grid `margin` apart, without the points near `avoid`
    const grid: number[] = [];
    for (let k = Math.ceil(min / margin); k * margin <= max + 1e-12; k++) {
      const v = Math.round(k * margin * 1e6) / 1e6;
      if (avoid.every((p) => Math.abs(v - p) >= margin)) grid.push(v);
    }
    if (grid.length < n) throw new Error(`valuesArb: ${n} distinct values do not fit the domain`);
    return fc.uniqueArray(fc.constantFrom(...grid), { minLength: n, maxLength: n });
  }
  return fc
    .array(fc.double({ min, max, noNaN: true }), { minLength: n, maxLength: n })
    .map((vs) => vs.map((v) => pushAway(v === 0 ? 0 : v, avoid, margin))); // -0 -> 0
}

// ---------------------------------------------------------------------------------------------
// leaves (possibly non-contiguous views)

/**
 * How a leaf of shape S is laid out in memory: a contiguous base at `offset` in its storage,
 * sliced in each dim j with `start[j]` and `step[j]` (plus `extra[j]` unused entries at the end),
 * then permuted by `perm` (so view dim i is base dim perm[i]).
 */
export interface Layout {
  perm: number[];
  step: number[];
  start: number[];
  extra: number[];
  offset: number;
}

export type LayoutKind = 'any' | 'contiguous' | 'strided';

export function contiguousLayout(ndim: number): Layout {
  const z = Array.from({ length: ndim }, () => 0);
  return { perm: z.map((_, i) => i), step: z.map(() => 1), start: [...z], extra: [...z], offset: 0 };
}

/** A random layout: `contiguous` (row-major, offset 0), `strided` (views), or `any` (1 in 4 contiguous). */
export function layoutArb(ndim: number, kind: LayoutKind = 'any'): fc.Arbitrary<Layout> {
  const ints = (lo: number, hi: number) => fc.array(fc.integer({ min: lo, max: hi }), { minLength: ndim, maxLength: ndim });
  const strided = fc
    .record({ perm: permutationArb(ndim), step: ints(1, 2), start: ints(0, 1), extra: ints(0, 1), offset: fc.integer({ min: 0, max: 3 }) })
    .map((l) => l as Layout);
  if (kind === 'contiguous') return fc.constant(contiguousLayout(ndim));
  if (kind === 'strided') return strided;
  return fc.oneof({ arbitrary: fc.constant(contiguousLayout(ndim)), weight: 1 }, { arbitrary: strided, weight: 3 });
}

function fmtNums(xs: readonly number[]): string {
  return `[${xs.join(',')}]`;
}

function describeLayout(l: Layout, base: readonly number[]): string {
  const parts: string[] = [];
  if (l.perm.some((p, i) => p !== i)) parts.push(`perm ${fmtNums(l.perm)}`);
  if (l.step.some((s) => s !== 1)) parts.push(`step ${fmtNums(l.step)}`);
  if (l.start.some((s) => s !== 0)) parts.push(`start ${fmtNums(l.start)}`);
  if (parts.length === 0 && l.extra.every((e) => e === 0) && l.offset === 0) return 'contiguous';
  return `${parts.join(', ')}${parts.length ? ', ' : ''}base ${fmtNums(base)} @ ${l.offset}`;
}

/** Shape of the contiguous base a view of `shape` with `layout` is cut from. */
export function baseShapeOf(shape: readonly number[], layout: Layout): number[] {
  const inner = new Array<number>(shape.length);
  layout.perm.forEach((pj, i) => {
    inner[pj] = shape[i];
  });
  return inner.map((n, j) => layout.start[j] + layout.step[j] * n + layout.extra[j]);
}

/** Builds the view described by `layout`, of shape `shape`, holding `values` (row-major). */
export function makeTensor(shape: readonly number[], values: readonly number[], layout: Layout = contiguousLayout(shape.length)): Tensor {
  const baseShape = baseShapeOf(shape, layout);
  const storage = new Float64Array(layout.offset + numelOf(baseShape)).fill(NaN);
  let v = new Tensor(storage, baseShape, contiguousStrides(baseShape), layout.offset);
  baseShape.forEach((_, j) => {
    const n = shape[layout.perm.indexOf(j)];
    v = v.slice(j, layout.start[j], layout.start[j] + layout.step[j] * n, layout.step[j]);
  });
  v = v.permute(layout.perm);
  v.copy_(new Tensor(Float64Array.from(values), shape));
  return v;
}

/** Gives `v` a readable form in fast-check's counterexamples. */
export function labelled<T extends object>(v: T, text: string): T {
  Object.defineProperty(v, fc.toStringMethod, { value: () => text, enumerable: false, configurable: true });
  return v;
}

/** A float64 leaf Variable (requiresGrad unless told otherwise) of shape `shape`, laid out by `layout`. */
export function makeLeaf(shape: readonly number[], values: readonly number[], layout?: Layout, requiresGrad = true): Variable {
  const lay = layout ?? contiguousLayout(shape.length);
  const t = makeTensor(shape, values, lay);
  const v = new Variable(t, { requiresGrad });
  const shown = JSON.stringify(t.toArray());
  const desc = describeLayout(lay, baseShapeOf(shape, lay));
  return labelled(v, `leaf f64${fmtNums(shape)} (${desc}) = ${shown}${requiresGrad ? '' : ' (no grad)'}`);
}

export interface LeafOptions {
  layout?: LayoutKind;
  requiresGrad?: boolean;
}

/** A float64 leaf of the given shape with values in `domain`. */
export function leafArb(shape: readonly number[], domain: Domain = {}, o: LeafOptions = {}): fc.Arbitrary<Variable> {
  return fc
    .tuple(valuesArb(numelOf(shape), domain), layoutArb(shape.length, o.layout ?? 'any'))
    .map(([vals, lay]) => makeLeaf(shape, vals, lay, o.requiresGrad ?? true));
}

/** A float64 leaf of a random shape. */
export function anyLeafArb(s: ShapeOptions = {}, domain: Domain = {}, o: LeafOptions = {}): fc.Arbitrary<Variable> {
  return shapeArb(s).chain((shape) => leafArb(shape, domain, o));
}

/** Leaves of the given shapes (each with its own layout). */
export function leavesArb(shapes: readonly (readonly number[])[], domain: Domain = {}, o: LeafOptions = {}): fc.Arbitrary<Variable[]> {
  return fc.tuple(...shapes.map((s) => leafArb(s, domain, o)));
}

/** `n` leaves whose shapes broadcast together. */
export function broadcastLeavesArb(n: number, s: ShapeOptions = {}, domain: Domain = {}): fc.Arbitrary<Variable[]> {
  return broadcastShapesArb(n, s).chain((shapes) => leavesArb(shapes, domain));
}

/** An int32 index tensor of `shape` with entries in [-size, size) (negatives wrap), repeats likely. */
export function indexTensorArb(size: number, shape: readonly number[], allowNegative = true): fc.Arbitrary<Tensor> {
  const n = numelOf(shape);
  if (size === 0) {
    if (n !== 0) throw new Error('indexTensorArb: no valid index into a size-0 dim');
    return fc.constant(labelled(new Tensor(new Int32Array(0), shape), `index i32${fmtNums(shape)} = []`));
  }
  return fc.array(fc.integer({ min: allowNegative ? -size : 0, max: size - 1 }), { minLength: n, maxLength: n }).map((vals) => {
    const t = new Tensor(Int32Array.from(vals), shape);
    return labelled(t, `index i32${fmtNums(shape)} = ${JSON.stringify(t.toArray())}`);
  });
}

/** A bool tensor of `shape` (a `where` condition). */
export function boolTensorArb(shape: readonly number[]): fc.Arbitrary<Tensor> {
  const n = numelOf(shape);
  return fc.array(fc.boolean(), { minLength: n, maxLength: n }).map((vals) => {
    const t = new Tensor(Uint8Array.from(vals.map(Number)), shape);
    return labelled(t, `cond bool${fmtNums(shape)} = ${JSON.stringify(t.toArray())}`);
  });
}

// ---------------------------------------------------------------------------------------------
// checks

/** gradcheck that throws its GradcheckError (fast-check reports it with the counterexample). */
export function check(fn: (...xs: Variable[]) => Variable | Variable[], inputs: Variable[], opts: GradcheckOptions = {}): boolean {
  return gradcheck(fn, inputs, opts);
}

/**
 * `(...xs) => [d f/d x_0, d f/d x_1, ...]` for a scalar-valued `f`, computed by
 * `backward({ createGraph: true })`, so that the gradients are themselves differentiable
 * functions of `xs` and gradcheck of this checks the second derivatives (the Hessian).
 * Runs with grad mode on (gradcheck evaluates fn under noGrad for its finite differences) and
 * leaves each x's `.grad` as it found it. Inputs the output does not reach get zeros.
 */
export function gradOf(f: (...xs: Variable[]) => Variable): (...xs: Variable[]) => Variable[] {
  return (...xs: Variable[]) =>
    enableGrad(() => {
      const saved = xs.map((x) => x.grad);
      xs.forEach((x) => {
        x.grad = null;
      });
      try {
        const y = f(...xs);
        if (y.requiresGrad) y.backward({ createGraph: true });
        return xs.map((x) => x.grad ?? new Variable(zerosLike(x.data)));
      } finally {
        xs.forEach((x, i) => {
          x.grad = saved[i];
        });
      }
    });
}

/** Weights for a random linear functional of an output, so that `sum(w * y)` is a generic scalar. */
export function weightsFor(shape: readonly number[], seed: number): Tensor {
  const n = numelOf(shape);
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0; // mulberry32
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return new Tensor(out, shape);
}
