/**
 * maskedSelect (`x[mask]`, PyTorch's masked_select). Expected values are written by hand from
 * PyTorch 1.13's behaviour (checked with torch.masked_select): row-major order, broadcasting of
 * input and mask both ways, a 1-D result of the input's dtype, bool masks only.
 */
import fc from 'fast-check';
import { DTypeError, ShapeError, Tensor, ValueError, arange, broadcastShapes, maskedSelect, maskedSelectIndex, tensor } from '../index';

const i32 = (data: Parameters<typeof tensor>[0]) => tensor(data, { dtype: 'int32' });
const f64 = (data: Parameters<typeof tensor>[0]) => tensor(data, { dtype: 'float64' });

describe('maskedSelect (x[mask])', () => {
  it("the course's X[X > 20]: [[10, 40], [15, 30], [1, 0]] gives [40, 30], flattened or not", () => {
    const X = i32([
      [10, 40],
      [15, 30],
      [1, 0],
    ]);
    const r = X.maskedSelect(X.gt(20));
    expect(r.shape).toEqual([2]);
    expect(r.dtype).toBe('int32');
    expect(r.toArray()).toEqual([40, 30]);
    const flat = X.flatten();
    expect(flat.gt(20).toArray()).toEqual([false, true, false, true, false, false]);
    expect(flat.maskedSelect(flat.gt(20)).toArray()).toEqual([40, 30]);
    expect(maskedSelect(X, X.gt(20)).toArray()).toEqual([40, 30]);
  });

  it('keeps the dtype (float32, float64, bool) and gives shape [0] when nothing is selected', () => {
    const x = f64([1.5, -2.25, 3]);
    const r = x.maskedSelect(x.lt(0));
    expect(r.dtype).toBe('float64');
    expect(r.toArray()).toEqual([-2.25]);
    expect(tensor([0.5, 1]).maskedSelect(tensor([true, true])).dtype).toBe('float32');
    const b = tensor([true, false]).maskedSelect(tensor([true, true]));
    expect(b.dtype).toBe('bool');
    expect(b.toArray()).toEqual([true, false]);
    const none = x.maskedSelect(x.gt(10));
    expect(none.shape).toEqual([0]);
    expect(none.dtype).toBe('float64');
  });

  it('broadcasts the mask over the input: a row mask [3] on [2, 3], a column mask [2, 1]', () => {
    const x = arange(6).reshape(2, 3).double(); // [[0, 1, 2], [3, 4, 5]]
    expect(x.maskedSelect(tensor([true, false, true])).toArray()).toEqual([0, 2, 3, 5]);
    expect(x.maskedSelect(tensor([[true], [false]])).toArray()).toEqual([0, 1, 2]);
    expect(x.maskedSelect(tensor(false)).shape).toEqual([0]);
    expect(x.maskedSelect(tensor(true)).toArray()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('broadcasts the input over the mask: an element is picked once per true position', () => {
    const x = f64([1, 2, 3]);
    const m = tensor([
      [true, false, true],
      [true, true, false],
    ]);
    expect(x.maskedSelect(m).toArray()).toEqual([1, 3, 1, 2]);
    expect(f64(5).maskedSelect(tensor(true)).toArray()).toEqual([5]);
    expect(f64(5).maskedSelect(tensor([true, false, true])).toArray()).toEqual([5, 5]);
  });

  it('reads strided and empty inputs', () => {
    const x = arange(6).reshape(2, 3).T; // [[0, 3], [1, 4], [2, 5]], not contiguous
    expect(x.maskedSelect(x.ge(2)).toArray()).toEqual([3, 4, 2, 5]);
    const e = tensor([], { dtype: 'float64' }).reshape(0, 3);
    const r = e.maskedSelect(tensor([true, false, true]));
    expect(r.shape).toEqual([0]);
    expect(r.dtype).toBe('float64');
  });

  it('maskedSelectIndex gives the broadcast shape and the flat positions picked', () => {
    const { shape, index } = maskedSelectIndex('maskedSelect', [2, 3], tensor([true, false, true]));
    expect(shape).toEqual([2, 3]);
    expect(index.dtype).toBe('int32');
    expect(index.toArray()).toEqual([0, 2, 3, 5]);
  });

  it('errors: a mask that is not bool, that does not broadcast, or that is not a tensor', () => {
    const x = arange(6).reshape(2, 3);
    expect(() => x.maskedSelect(i32([1, 0, 1]))).toThrow(DTypeError);
    expect(() => x.maskedSelect(i32([1, 0, 1]))).toThrow(
      /^maskedSelect: mask must be a bool tensor, got int32 \(mask shape \[3\], input shape \[2, 3\]\); make it with a comparison such as x\.gt\(20\), or convert with mask\.bool\(\)/,
    );
    expect(() => x.maskedSelect(tensor([1, 0, 1]))).toThrow(/got float32/);
    expect(() => x.maskedSelect(tensor([true, false]))).toThrow(ShapeError);
    expect(() => x.maskedSelect(tensor([true, false]))).toThrow(
      /^maskedSelect: the mask's shape \[2\] cannot be broadcast with the input's shape \[2, 3\] \(size 2 vs 3 at dim -1\); give the mask the input's shape/,
    );
    expect(() => x.maskedSelect([true, false, true] as unknown as Tensor)).toThrow(ValueError);
    expect(() => x.maskedSelect([true, false, true] as unknown as Tensor)).toThrow(/^maskedSelect: mask must be a bool tensor, got an array/);
  });

  it('property: equals a plain-JS select over the broadcast shapes (random shapes, masks, both ways)', () => {
    const dim = fc.integer({ min: 0, max: 3 });
    const shapes = fc.array(dim, { minLength: 0, maxLength: 3 }).chain((out) =>
      fc.tuple(
        ...[0, 1].map(() =>
          fc
            .tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
            .map(([drop, ones]) => out.slice(drop).map((s, i) => (ones[i + drop] ? 1 : s))),
        ),
      ),
    );
    fc.assert(
      fc.property(
        shapes.chain(([xs, ms]) => {
          const nx = xs.reduce((a, b) => a * b, 1);
          const nm = ms.reduce((a, b) => a * b, 1);
          return fc.tuple(
            fc.constant(xs),
            fc.constant(ms),
            fc.array(fc.integer({ min: -50, max: 50 }), { minLength: nx, maxLength: nx }),
            fc.array(fc.boolean(), { minLength: nm, maxLength: nm }),
          );
        }),
        ([xs, ms, xv, mv]) => {
          const x = tensor(Float64Array.from(xv), { shape: xs });
          const m = tensor(Uint8Array.from(mv, Number), { shape: ms });
          const out = broadcastShapes('test', xs, ms);
          const xb = Array.from(x.expand(out).toTypedArray());
          const mb = Array.from(m.expand(out).toTypedArray());
          const want = xb.filter((_, i) => mb[i] !== 0);
          const got = x.maskedSelect(m);
          expect(got.shape).toEqual([want.length]);
          expect(Array.from(got.toTypedArray())).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });
});
