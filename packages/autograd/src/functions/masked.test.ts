/**
 * maskedSelect (`x[mask]`) on Variables: forward values as PyTorch's masked_select (written by
 * hand, checked with PyTorch 1.13), gradients scattered back to the selected positions (summed
 * where x was broadcast over the mask), and property-based gradchecks (first and second order)
 * on random shapes, masks and layouts.
 */
import fc from 'fast-check';
import { DTypeError, ShapeError, Tensor, tensor } from '@dl/tensor';
import { Variable, maskedSelect, variable } from '../index';
import { boolTensorArb, check, gradOf, leafArb, operandShapeArb, shapeArb } from '../testing/arbitraries';

const RUNS = 40;

describe('maskedSelect', () => {
  it("the course's X[X > 20] = [40, 30]; the gradient lands on the selected elements", () => {
    const X = variable(
      [
        [10, 40],
        [15, 30],
        [1, 0],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const y = X.maskedSelect(X.data.gt(20));
    expect(y.shape).toEqual([2]);
    expect(y.data.toArray()).toEqual([40, 30]);
    y.backward({ gradient: tensor([2, 3], { dtype: 'float64' }) });
    expect(X.grad?.data.toArray()).toEqual([
      [0, 2],
      [0, 3],
      [0, 0],
    ]);
  });

  it('input broadcast over the mask: the gradients of an element picked twice add up (PyTorch: [4, 4, 2])', () => {
    const a = variable([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const m = tensor([
      [true, false, true],
      [true, true, false],
    ]);
    const y = maskedSelect(a, m);
    expect(y.data.toArray()).toEqual([1, 3, 1, 2]);
    y.backward({ gradient: tensor([1, 2, 3, 4], { dtype: 'float64' }) });
    expect(a.grad?.data.toArray()).toEqual([4, 4, 2]);
  });

  it('a mask broadcast over the input, a Variable mask, an empty selection', () => {
    const x = variable([[0, 1, 2], [3, 4, 5]], { dtype: 'float64', requiresGrad: true });
    const y = x.maskedSelect(variable([true, false, true]));
    expect(y.data.toArray()).toEqual([0, 2, 3, 5]);
    y.sum().backward();
    expect(x.grad?.data.toArray()).toEqual([
      [1, 0, 1],
      [1, 0, 1],
    ]);
    const none = x.maskedSelect(x.data.gt(10));
    expect(none.shape).toEqual([0]);
    expect(none.dtype).toBe('float64');
  });

  it('errors name the op, the shapes and the fix', () => {
    const x = variable([[0, 1, 2], [3, 4, 5]], { dtype: 'float64', requiresGrad: true });
    expect(() => x.maskedSelect(tensor([1, 0, 1], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => x.maskedSelect(tensor([1, 0, 1], { dtype: 'int32' }))).toThrow(
      /^maskedSelect: mask must be a bool tensor, got int32 \(mask shape \[3\], input shape \[2, 3\]\); make it with a comparison such as x\.gt\(20\), or convert with mask\.bool\(\)/,
    );
    expect(() => x.maskedSelect(tensor([true, false]))).toThrow(ShapeError);
    expect(() => x.maskedSelect(tensor([true, false]))).toThrow(/^maskedSelect: the mask's shape \[2\] cannot be broadcast with the input's shape \[2, 3\]/);
    expect(() => maskedSelect(x, [true, false, true] as unknown as Tensor)).toThrow(/^maskedSelect: mask must be a bool tensor/);
  });

  it('gradcheck on random shapes, masks and layouts (mask of the same shape)', () => {
    fc.assert(
      fc.property(
        shapeArb({ maxNumel: 24 }).chain((s) => fc.tuple(leafArb(s), boolTensorArb(s))),
        ([x, m]) => check((x) => maskedSelect(x, m), [x]) && check((x) => x.maskedSelect(m), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('gradcheck with broadcasting both ways (input or mask smaller than the other)', () => {
    fc.assert(
      fc.property(
        shapeArb({ maxNumel: 24 }).chain((out) =>
          fc.tuple(operandShapeArb(out), operandShapeArb(out)).chain(([xs, ms]) => fc.tuple(leafArb(xs), boolTensorArb(ms))),
        ),
        ([x, m]) => check((x) => maskedSelect(x, m), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('second derivatives flow through the backward (gradcheck of the gradient of sum(x[mask]^3))', () => {
    fc.assert(
      fc.property(
        shapeArb({ maxNumel: 12 }).chain((s) => fc.tuple(leafArb(s), boolTensorArb(s))),
        ([x, m]) => {
          const g = gradOf((x: Variable) => maskedSelect(x, m).pow(3).sum());
          return check((x) => g(x), [x]);
        },
      ),
      { numRuns: 15 },
    );
  });
});
