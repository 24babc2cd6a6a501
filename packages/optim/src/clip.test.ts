/**
 * clipGradNorm / clipGradValue: PyTorch 1.13 parity (fixtures/optim.json, made with
 * torch.nn.utils.clip_grad_norm_ / clip_grad_value_) and behaviour.
 */
import { Parameter, Variable } from '@dl/autograd';
import { Tensor, tensor, zeros } from '@dl/tensor';
import { clipGradNorm, clipGradValue } from './index';
import { loadFixtures, maxRelErr, valuesOf, type ClipCase } from './testing/fixtures';

const fx = loadFixtures();

function setup(c: ClipCase): Parameter[] {
  return c.shapes.map((shape, i) => {
    const p = new Parameter(zeros(shape, { dtype: c.dtype }));
    const before = c.before[i];
    if (before !== null) p.grad = new Variable(tensor(before, { dtype: c.dtype }).reshape(shape));
    return p;
  });
}

describe('clipGradNorm and clipGradValue match PyTorch 1.13', () => {
  it.each(fx.clip.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const tol = c.dtype === 'float64' ? 1e-12 : 1e-5;
    const params = setup(c);
    if (c.kind === 'norm') {
      const total = clipGradNorm(params, c.arg, c.normType === 'inf' ? Infinity : c.normType);
      expect(maxRelErr([total], [c.totalNorm as number])).toBeLessThan(tol);
    } else {
      clipGradValue(params, c.arg);
    }
    params.forEach((p, i) => {
      const after = c.after[i];
      if (after === null) expect(p.grad).toBeNull();
      else expect(maxRelErr(valuesOf(p.grad as Variable), after)).toBeLessThan(tol);
    });
  });
});

describe('clipGradNorm', () => {
  it('returns 0 and changes nothing when no parameter has a gradient', () => {
    const p = new Parameter(zeros([3]));
    expect(clipGradNorm([p], 1)).toBe(0);
    expect(p.grad).toBeNull();
  });

  it('accepts one parameter, and scales a non-contiguous gradient by replacing it', () => {
    const p = new Parameter(zeros([2, 3], { dtype: 'float64' }));
    p.grad = new Variable(tensor([[3, 0], [0, 4], [0, 0]], { dtype: 'float64' }).transpose(0, 1));
    const total = clipGradNorm(p, 1);
    expect(total).toBeCloseTo(5, 12);
    expect(p.grad.toArray()).toEqual([
      [3 / (5 + 1e-6), 0, 0],
      [0, 4 / (5 + 1e-6), 0],
    ]);
  });

  it('scales in place: the gradient Tensor object is kept', () => {
    const p = new Parameter(zeros([4], { dtype: 'float64' }));
    p.grad = new Variable(tensor([1, 1, 1, 1], { dtype: 'float64' }));
    const data = p.grad.data;
    expect(clipGradNorm([p], 1)).toBeCloseTo(2, 12);
    expect(p.grad.data).toBe(data);
    expect(Array.from(data.toTypedArray())).toEqual([0.5, 0.5, 0.5, 0.5].map((v) => (v * 2) / (2 + 1e-6)));
  });

  it('NaN norms scale by NaN, or throw with errorIfNonfinite', () => {
    const p = new Parameter(zeros([2], { dtype: 'float64' }));
    p.grad = new Variable(tensor([NaN, 1], { dtype: 'float64' }));
    expect(() => clipGradNorm([p], 1, 2, { errorIfNonfinite: true })).toThrow(/clipGradNorm: the total norm of order 2 .* is NaN/);
    expect(Number.isNaN(clipGradNorm([p], 1))).toBe(true);
  });

  it('rejects bad arguments with clear errors', () => {
    const p = new Parameter(zeros([2]));
    expect(() => clipGradNorm([p], -1)).toThrow(/clipGradNorm: invalid maxNorm -1; it must be >= 0/);
    expect(() => clipGradNorm([p], 1, 0)).toThrow(/clipGradNorm: invalid normType .*0; it must be > 0/);
    expect(() => clipGradNorm([p], 1, NaN)).toThrow(/normType/);
    expect(() => clipGradNorm(5 as unknown as Parameter[], 1)).toThrow(/expected an array of parameters/);
    expect(() => clipGradNorm([zeros([2]) as unknown as Parameter], 1)).toThrow(/parameter 0 is a Tensor, not a Variable/);
  });
});

describe('clipGradValue', () => {
  it('clamps into [-clip, clip] and keeps NaN', () => {
    const p = new Parameter(zeros([5], { dtype: 'float64' }));
    p.grad = new Variable(tensor([-3, -0.2, 0.1, 7, NaN], { dtype: 'float64' }));
    clipGradValue([p], 0.5);
    const v = valuesOf(p.grad);
    expect(v.slice(0, 4)).toEqual([-0.5, -0.2, 0.1, 0.5]);
    expect(Number.isNaN(v[4])).toBe(true);
  });

  it('rejects a negative clip value', () => {
    expect(() => clipGradValue([], -1)).toThrow(/clipGradValue: invalid clipValue -1; it must be >= 0/);
  });

  it('leaves a float32 gradient float32', () => {
    const p = new Parameter(zeros([2]));
    p.grad = new Variable(tensor([2, -2]));
    clipGradValue(p, 1);
    expect((p.grad as Variable).data).toBeInstanceOf(Tensor);
    expect((p.grad as Variable).dtype).toBe('float32');
    expect(valuesOf(p.grad as Variable)).toEqual([1, -1]);
  });
});
