/**
 * Elementwise math Functions (y = f(x), gx = gy * f'(x)):
 *
 * | op      | f'(x)                          |
 * |---------|--------------------------------|
 * | exp     | y                              |
 * | log     | 1 / x                          |
 * | sqrt    | 1 / (2 y)                      |
 * | sin     | cos x                          |
 * | cos     | -sin x                         |
 * | tanh    | 1 - y^2                        |
 * | sigmoid | y (1 - y)                      |
 * | relu    | 1 where x > 0, else 0          |
 * | abs     | sign(x) (0 at 0)               |
 * | step    | 0 (almost everywhere)          |
 * | clamp   | 1 where min <= x <= max, else 0 |
 *
 * Derivatives use the output Variable `y` where that is cheaper, and Variable ops throughout, so
 * that `createGraph` can differentiate them again.
 */
import type { DType, Tensor } from '@dl/tensor';
import { Function } from '../function';
import { Variable, type VariableLike } from '../variable';
import { div, mul, neg, sub, where } from './arithmetic';
import { constant } from './util';

export class Exp extends Function {
  forward(x: Tensor): Tensor {
    return x.exp();
  }
  backward(gy: Variable): Variable {
    return mul(gy, this.outputs[0]);
  }
}

export class Log extends Function {
  forward(x: Tensor): Tensor {
    return x.log();
  }
  backward(gy: Variable): Variable {
    return div(gy, this.inputs[0]);
  }
}

export class Sqrt extends Function {
  forward(x: Tensor): Tensor {
    return x.sqrt();
  }
  backward(gy: Variable): Variable {
    return div(gy, mul(this.outputs[0], 2));
  }
}

export class Sin extends Function {
  forward(x: Tensor): Tensor {
    return x.sin();
  }
  backward(gy: Variable): Variable {
    return mul(gy, cos(this.inputs[0]));
  }
}

export class Cos extends Function {
  forward(x: Tensor): Tensor {
    return x.cos();
  }
  backward(gy: Variable): Variable {
    return mul(gy, neg(sin(this.inputs[0])));
  }
}

export class Tanh extends Function {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
  backward(gy: Variable): Variable {
    const y = this.outputs[0];
    return mul(gy, sub(1, mul(y, y)));
  }
}

export class Sigmoid extends Function {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
  backward(gy: Variable): Variable {
    const y = this.outputs[0];
    return mul(gy, mul(y, sub(1, y)));
  }
}

/**
 * Passes gy where a constant bool mask computed in forward holds, 0 elsewhere (relu, clamp), as
 * PyTorch's threshold_backward does: one pass, and a NaN or inf in gy stays out of the masked places.
 */
abstract class MaskedIdentity extends Function {
  protected mask: Tensor | null = null;
  backward(gy: Variable): Variable {
    return where(constant(this.mask as Tensor), gy, 0);
  }
}

export class Relu extends MaskedIdentity {
  forward(x: Tensor): Tensor {
    this.mask = x.gt(0);
    return x.relu();
  }
}

export class Clamp extends MaskedIdentity {
  constructor(
    private readonly lo: number | null,
    private readonly hi: number | null,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    let m = x.eq(x); // true except NaN
    if (this.lo !== null) m = m.logicalAnd(x.ge(this.lo));
    if (this.hi !== null) m = m.logicalAnd(x.le(this.hi));
    this.mask = m;
    return x.clamp(this.lo, this.hi);
  }
}

export class Abs extends Function {
  forward(x: Tensor): Tensor {
    return x.abs();
  }
  backward(gy: Variable): Variable {
    return mul(gy, constant(this.inputs[0].data.sign()));
  }
}

export class Step extends Function {
  forward(x: Tensor): Tensor {
    return x.step();
  }
  backward(gy: Variable): Variable {
    return mul(gy, 0);
  }
}

/** dtype conversion; the gradient is converted back to the input's dtype. */
export class Cast extends Function {
  constructor(private readonly dtype: DType) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.to(this.dtype);
  }
  backward(gy: Variable): Variable {
    return cast(gy, this.inputs[0].dtype);
  }
}

export const exp = (x: VariableLike): Variable => new Exp().apply(x);
export const log = (x: VariableLike): Variable => new Log().apply(x);
export const sqrt = (x: VariableLike): Variable => new Sqrt().apply(x);
export const sin = (x: VariableLike): Variable => new Sin().apply(x);
export const cos = (x: VariableLike): Variable => new Cos().apply(x);
export const tanh = (x: VariableLike): Variable => new Tanh().apply(x);
export const sigmoid = (x: VariableLike): Variable => new Sigmoid().apply(x);
export const relu = (x: VariableLike): Variable => new Relu().apply(x);
export const abs = (x: VariableLike): Variable => new Abs().apply(x);
export const step = (x: VariableLike): Variable => new Step().apply(x);

/** Limits values to [min, max] (either may be null). */
export function clamp(x: VariableLike, min: number | null, max: number | null): Variable {
  return new Clamp(min, max).apply(x);
}

/** Converts to `dtype` (differentiable between float dtypes). Identity when already `dtype`. */
export function cast(x: VariableLike, dtype: DType): Variable {
  if (x instanceof Variable && x.dtype === dtype) return x;
  return new Cast(dtype).apply(x);
}
