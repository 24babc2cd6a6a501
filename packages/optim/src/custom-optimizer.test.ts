/**
 * Writing a new optimizer by subclassing Optimizer (the README's example): parameter groups,
 * zeroGrad, state and stateDict come with the base class.
 */
import { Parameter, Variable } from '@dl/autograd';
import { tensor } from '@dl/tensor';
import { Optimizer, type BufferSpec, type ParamGroup, type ParamView, type ParamsInput } from './index';

interface SignSGDOptions {
  lr: number;
}

/** θ ← θ − γ · sign(g) */
class SignSGD extends Optimizer<SignSGDOptions> {
  constructor(params: ParamsInput<SignSGDOptions>, options: Partial<SignSGDOptions> = {}) {
    super(params, { lr: options.lr ?? 0.01 });
  }
  protected validateGroup(group: ParamGroup<SignSGDOptions>, where: string): void {
    if (!(group.lr >= 0)) throw new Error(`${where}: lr must be >= 0, got ${group.lr}`);
  }
  protected bufferSpec(): BufferSpec {
    return { required: [] };
  }
  protected update(view: ParamView, group: ParamGroup<SignSGDOptions>): void {
    view.state.step++;
    for (let i = 0; i < view.data.length; i++) view.data[i] -= group.lr * Math.sign(view.grad[i]);
  }
}

describe('a custom optimizer', () => {
  it('gets groups, validation, skipping and state from the base class', () => {
    const a = new Parameter(tensor([1, 2], { dtype: 'float64' }));
    const b = new Parameter(tensor([3], { dtype: 'float64' }));
    const opt = new SignSGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    a.grad = new Variable(tensor([-3, 0.2], { dtype: 'float64' }));
    opt.step();
    expect(a.toArray()).toEqual([1.1, 1.9]);
    expect(b.toArray()).toEqual([3]);
    expect(opt.stateDict().state).toEqual({ 0: { step: 1 } });
    expect(() => new SignSGD([a], { lr: -1 })).toThrow('SignSGD: parameter group 0: lr must be >= 0, got -1');
  });
});
