/**
 * Bad input gets clear errors: the right class from @dl/tensor, and a message that names the op,
 * the shapes involved and the fix.
 */
import { DLError, ShapeError, ValueError, tensor, zeros, type Tensor } from '@dl/tensor';
import { Function, GradcheckError, Variable, add, conv2d, gradcheck, linear, matmul, variable } from './index';

const f64 = (v: number | number[] | number[][], requiresGrad = true): Variable =>
  variable(v, { requiresGrad, dtype: 'float64' });

/** Runs `fn`, expecting it to throw, and returns the error. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('backward', () => {
  it('on a non-scalar without a gradient: ShapeError with the shape and the fix', () => {
    const x = f64([1, 2, 3]);
    const e = thrown(() => x.mul(2).backward());
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.name).toBe('ShapeError');
    expect(e.message).toMatch(/^backward:/);
    expect(e.message).toMatch(/one-element outputs/);
    expect(e.message).toMatch(/shape \[3\]/);
    expect(e.message).toMatch(/pass \{ gradient \}|\.sum\(\)/);
    expect(x.grad).toBeNull();
  });

  it('with a gradient of the wrong shape: ShapeError naming both shapes', () => {
    const x = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const e = thrown(() => x.mul(2).backward({ gradient: tensor([1, 1, 1], { dtype: 'float64' }) }));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/backward: gradient has shape \[3\] but the output has shape \[2, 3\]; they must match/);
    // a gradient with the right number of elements but another shape is still refused
    expect(() => x.mul(2).backward({ gradient: tensor([[1, 1], [1, 1], [1, 1]], { dtype: 'float64' }) })).toThrow(
      /gradient has shape \[3, 2\] but the output has shape \[2, 3\]/,
    );
  });

  it('on a Variable that does not require grad: ValueError pointing at requiresGrad and noGrad', () => {
    const x = variable([1, 2, 3], { dtype: 'float64' });
    const e = thrown(() => x.sum().backward());
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toMatch(/backward: this Variable does not require grad/);
    expect(e.message).toMatch(/requiresGrad: true/);
    expect(e.message).toMatch(/noGrad/);
  });

  it('a second time without retainGraph: ValueError naming the function and retainGraph', () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward();
    const e = thrown(() => y.backward());
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toMatch(/second time/);
    expect(e.message).toMatch(/through Sum/);
    expect(e.message).toMatch(/\{ retainGraph: true \}/);
  });
});

describe('shape errors through Variables', () => {
  it('add of mismatched shapes: ShapeError naming add, both shapes and the rule', () => {
    const a = f64([1, 2, 3]);
    const b = f64([
      [1, 2],
      [3, 4],
    ]);
    for (const f of [() => a.add(b), () => add(a, b)]) {
      const e = thrown(f);
      expect(e).toBeInstanceOf(ShapeError);
      expect(e.message).toMatch(/^add: shapes \[3\] and \[2, 2\] cannot be broadcast/);
      expect(e.message).toMatch(/must match or one of them be 1/);
    }
    expect(() => a.mul(b)).toThrow(/^mul: shapes \[3\] and \[2, 2\]/);
    // nothing was recorded by the failed op
    expect(a.grad).toBeNull();
  });

  it('matmul inner-dim mismatch: ShapeError naming matmul, the shapes and the sizes', () => {
    const a = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]); // [2, 3]
    const b = f64([
      [1, 2],
      [3, 4],
    ]); // [2, 2]
    const e = thrown(() => a.matmul(b));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/^matmul: shapes \[2, 3\] and \[2, 2\] cannot be multiplied \(3 != 2\)/);
    expect(() => matmul(a, b)).toThrow(ShapeError);
    // 1-D operands name their (promoted) shapes too
    expect(() => f64([1, 2]).matmul(a.T)).toThrow(/matmul: shapes \[1, 2\] and \[3, 2\].*\(2 != 3\)/);
    expect(() => a.matmul(f64(2))).toThrow(/matmul/);
  });

  it('linear with a weight of the wrong shape names input, weight and the expected layout', () => {
    const x = f64([[1, 2, 3]]);
    const w = f64([
      [1, 2],
      [3, 4],
    ]);
    const e = thrown(() => linear(x, w));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/linear: input \[1, 3\] and weight \[2, 2\] do not fit/);
    expect(e.message).toMatch(/\[out_features, in_features\]/);
  });

  it('conv2d with wrong channel counts: ShapeError naming conv2d, the input and weight shapes and the layout', () => {
    const x = variable(zeros([1, 3, 5, 5], { dtype: 'float64' }), { requiresGrad: true });
    const w = variable(zeros([2, 4, 3, 3], { dtype: 'float64' }), { requiresGrad: true });
    const e = thrown(() => conv2d(x, w));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/^conv2d: input \[1, 3, 5, 5\] and weight \[2, 4, 3, 3\]/);
    expect(e.message).toMatch(/\[C_out, C_in \/ groups, kH, kW\] = \[\*, 3, \*, \*\]/);
  });

  it('reshape to an incompatible size names the shapes', () => {
    const e = thrown(() => f64([1, 2, 3]).reshape(2, 2));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toBe('reshape: shape [2, 2] is invalid for input of size 3 (shape [3])');
  });
});

describe('gradcheck', () => {
  it('refuses float32 inputs and says to use float64', () => {
    const x = variable([1, 2], { requiresGrad: true }); // float32
    const e = thrown(() => gradcheck((v) => v.sum(), [x]));
    expect(e).toBeInstanceOf(GradcheckError);
    expect(e).toBeInstanceOf(DLError);
    expect(e.message).toMatch(/gradcheck: input 0 is float32/);
    expect(e.message).toMatch(/float64/);
  });

  it('refuses an expanded (memory-sharing) input and says to pass .contiguous()', () => {
    const base = tensor([1, 2], { dtype: 'float64' }).reshape(2, 1).expand(2, 3);
    const x = variable(base, { requiresGrad: true });
    const e = thrown(() => gradcheck((v) => v.mul(v).sum(), [x]));
    expect(e).toBeInstanceOf(GradcheckError);
    expect(e.message).toMatch(/gradcheck: input 0 \(shape \[2, 3\]\) has elements sharing memory/);
    expect(e.message).toMatch(/expand/);
    expect(e.message).toMatch(/\.contiguous\(\)/);
    // the contiguous copy checks fine
    expect(gradcheck((v) => v.mul(v).sum(), [variable(base.contiguous(), { requiresGrad: true })])).toBe(true);
  });

  it('shows the mismatching element when a custom backward is wrong', () => {
    /** y = x^3 with a wrong backward 3 x (should be 3 x^2): right at x = 1, wrong elsewhere. */
    class BadCube extends Function {
      forward(x: Tensor): Tensor {
        return x.mul(x).mul(x);
      }
      backward(gy: Variable): Variable {
        return gy.mul(this.inputs[0]).mul(3);
      }
    }
    const x = f64([1, 2, 3]);
    const e = thrown(() => gradcheck((v) => new BadCube().apply(v), [x]));
    expect(e).toBeInstanceOf(GradcheckError);
    // element 0 (x = 1) agrees; element 1 (x = 2) is the first mismatch: numerical 12, analytical 6
    expect(e.message).toMatch(/Jacobian mismatch for output 0 with respect to input 0/);
    const m = /d out\[(\d+)\] \/ d in\[(\d+)\]: numerical (\S+), analytical (\S+) /.exec(e.message);
    expect(m).not.toBeNull();
    const [, outIdx, inIdx, numerical, analytical] = m as RegExpExecArray;
    expect([outIdx, inIdx]).toEqual(['1', '1']);
    expect(Number(numerical)).toBeCloseTo(12, 6);
    expect(Number(analytical)).toBe(6);
    expect(e.message).toMatch(/atol 0\.00001, rtol 0\.001/);
    expect(e.message).toMatch(/input shape \[3\], output shape \[3\]/);
    // with raiseException: false it reports false instead
    expect(gradcheck((v) => new BadCube().apply(v), [x], { raiseException: false })).toBe(false);
    // the inputs are left as they were
    expect(x.toArray()).toEqual([1, 2, 3]);
    expect(x.grad).toBeNull();
  });

  it('locates mismatches in 2-D inputs by their multi-index', () => {
    class BadSum extends Function {
      forward(x: Tensor): Tensor {
        return x.sum();
      }
      backward(gy: Variable): Variable {
        // gradient 1 everywhere except [1, 0], which gets 0
        const mask = tensor([[1, 1], [0, 1]], { dtype: 'float64' });
        return gy.mul(mask);
      }
    }
    const x = f64([
      [1, 2],
      [3, 4],
    ]);
    const e = thrown(() => gradcheck((v) => new BadSum().apply(v), [x]));
    expect(e).toBeInstanceOf(GradcheckError);
    const m = /d out\[\] \/ d in\[1, 0\]: numerical (\S+), analytical 0 /.exec(e.message);
    expect(m).not.toBeNull();
    expect(Number((m as RegExpExecArray)[1])).toBeCloseTo(1, 6);
    expect(e.message).toMatch(/input shape \[2, 2\], output shape \[\]/);
  });

  it('with no input requiring grad there is nothing to check', () => {
    expect(() => gradcheck((v) => v.sum(), [f64([1], false)])).toThrow(/no input requires grad/);
  });
});

describe('plain JS arrays where a Variable is expected', () => {
  it('ValueError telling to wrap the array with variable() or tensor()', () => {
    const x = f64([1, 2, 3]);
    const asAny = [1, 2, 3] as unknown as Variable;
    for (const f of [() => x.add(asAny), () => add(asAny, x), () => x.matmul(asAny), () => x.mul(asAny)]) {
      const e = thrown(f);
      expect(e).toBeInstanceOf(ValueError);
      expect(e.message).toMatch(/got an array/);
      expect(e.message).toMatch(/wrap it with variable\(\) or tensor\(\)/);
    }
  });

  it('other wrong operand types are named', () => {
    const x = f64([1]);
    expect(() => x.add('1' as unknown as Variable)).toThrow(/got string/);
    expect(() => x.add(null as unknown as Variable)).toThrow(/got null/);
    expect(() => x.add({} as unknown as Variable)).toThrow(/got Object/);
  });
});
