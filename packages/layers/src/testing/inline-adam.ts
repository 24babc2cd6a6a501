/**
 * Adam written inline for the learning tests (not part of the build): @dl/layers must not depend on
 * @dl/optim, whose tests check the real optimizer against PyTorch.
 */
import type { Parameter } from '@dl/autograd';
import { zeros, type Tensor as TensorT } from '@dl/tensor';

/** Adam (Kingma & Ba) with PyTorch's defaults but lr, on Tensors, in place. */
export class InlineAdam {
  private m: TensorT[];
  private v: TensorT[];
  private t = 0;
  constructor(
    private readonly params: Parameter[],
    private readonly lr: number,
  ) {
    this.m = params.map((p) => zeros([...p.shape]));
    this.v = params.map((p) => zeros([...p.shape]));
  }
  step(): void {
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    this.t++;
    this.params.forEach((p, i) => {
      if (!p.grad) return;
      const g = p.grad.data;
      this.m[i] = this.m[i].mul(b1).add(g.mul(1 - b1));
      this.v[i] = this.v[i].mul(b2).add(g.mul(g).mul(1 - b2));
      const mHat = this.m[i].div(1 - b1 ** this.t);
      const vHat = this.v[i].div(1 - b2 ** this.t);
      p.data.copy_(p.data.sub(mHat.div(vHat.sqrt().add(eps)).mul(this.lr)));
    });
  }
}
