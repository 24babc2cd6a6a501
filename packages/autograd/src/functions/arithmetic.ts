/**
 * Arithmetic Functions, forward and backward side by side (gy: gradient of the output, gx: of an
 * input). Broadcasting is undone with `fitGrad` (sumTo).
 *
 * | op  | forward       | backward                                   |
 * |-----|---------------|--------------------------------------------|
 * | add | y = a + b     | ga = gy, gb = gy                           |
 * | sub | y = a - b     | ga = gy, gb = -gy                          |
 * | mul | y = a * b     | ga = gy * b, gb = gy * a                   |
 * | div | y = a / b     | ga = gy / b, gb = -gy * a / b^2            |
 * | pow | y = a^b       | ga = gy * b * a^(b-1), gb = gy * y * log a |
 * | neg | y = -a        | ga = -gy                                   |
 * | maximum | y = max(a, b) | the larger input gets gy (ties: half each) |
 */
import type { BinaryOp, Tensor } from '@dl/tensor';
import { DTypeError, where as tensorWhere } from '@dl/tensor';
import { Function } from '../function';
import { Variable, type VariableLike } from '../variable';
import { constant, fitGrad, operands } from './util';

export class Add extends Function {
  forward(a: Tensor, b: Tensor): Tensor {
    return a.add(b);
  }
  backward(gy: Variable): Variable[] {
    const [a, b] = this.inputs;
    return [fitGrad(gy, a), fitGrad(gy, b)];
  }
}

export class Sub extends Function {
  forward(a: Tensor, b: Tensor): Tensor {
    return a.sub(b);
  }
  backward(gy: Variable): Variable[] {
    const [a, b] = this.inputs;
    return [fitGrad(gy, a), fitGrad(neg(gy), b)];
  }
}

export class Mul extends Function {
  forward(a: Tensor, b: Tensor): Tensor {
    return a.mul(b);
  }
  backward(gy: Variable): Variable[] {
    const [a, b] = this.inputs;
    return [fitGrad(mul(gy, b), a), fitGrad(mul(gy, a), b)];
  }
}

export class Div extends Function {
  forward(a: Tensor, b: Tensor): Tensor {
    return a.div(b);
  }
  backward(gy: Variable): (Variable | null)[] {
    const [a, b] = this.inputs;
    const ga = div(gy, b);
    return [fitGrad(ga, a), b.requiresGrad ? fitGrad(neg(mul(ga, div(a, b))), b) : null];
  }
}

export class Pow extends Function {
  forward(a: Tensor, b: Tensor): Tensor {
    return a.pow(b);
  }
  backward(gy: Variable): (Variable | null)[] {
    const [a, b] = this.inputs;
    const y = this.outputs[0];
    // d/da a^b = b a^(b-1), taken as 0 where b == 0 (avoids 0 * inf at a = 0), as PyTorch does
    const ga = where(constant(b.data.eq(0)), 0, mul(gy, mul(b, pow(a, sub(b, 1)))));
    if (!b.requiresGrad) return [fitGrad(ga, a), null];
    // d/db a^b = a^b log a, taken as 0 where a == 0 and b >= 0 (the limit), as PyTorch does
    const safe = constant(a.data.eq(0).logicalAnd(b.data.ge(0)));
    const gb = mul(gy, where(safe, 0, mul(y, a.log())));
    return [fitGrad(ga, a), fitGrad(gb, b)];
  }
}

export class Neg extends Function {
  forward(a: Tensor): Tensor {
    return a.neg();
  }
  backward(gy: Variable): Variable {
    return neg(gy);
  }
}

/** Elementwise max/min: gy goes to the selected input; on ties each input gets gy / 2 (PyTorch). */
export class Extremum extends Function {
  constructor(private readonly op: 'maximum' | 'minimum') {
    super();
  }
  override get name(): string {
    return this.op === 'maximum' ? 'Maximum' : 'Minimum';
  }
  forward(a: Tensor, b: Tensor): Tensor {
    return this.op === 'maximum' ? a.maximum(b) : a.minimum(b);
  }
  backward(gy: Variable): Variable[] {
    const [a, b] = this.inputs;
    const wins = this.op === 'maximum' ? a.data.gt(b.data) : a.data.lt(b.data);
    const ties = a.data.eq(b.data);
    const share = tensorWhere(wins, 1, tensorWhere(ties, 0.5, 0)).to(gy.dtype);
    return [fitGrad(mul(gy, share), a), fitGrad(mul(gy, constant(share.neg().add(1))), b)];
  }
}

/** `cond ? a : b`: ga = where(cond, gy, 0), gb = where(cond, 0, gy). */
export class Where extends Function {
  constructor(private readonly cond: Tensor) {
    super();
  }
  forward(a: Tensor, b: Tensor): Tensor {
    return tensorWhere(this.cond, a, b);
  }
  backward(gy: Variable): Variable[] {
    const [a, b] = this.inputs;
    const c = constant(this.cond);
    return [fitGrad(where(c, gy, 0), a), fitGrad(where(c, 0, gy), b)];
  }
}

export function add(a: VariableLike, b: VariableLike): Variable {
  return new Add().apply(...operands(a, b));
}
export function sub(a: VariableLike, b: VariableLike): Variable {
  return new Sub().apply(...operands(a, b));
}
export function mul(a: VariableLike, b: VariableLike): Variable {
  return new Mul().apply(...operands(a, b));
}
export function div(a: VariableLike, b: VariableLike): Variable {
  return new Div().apply(...operands(a, b));
}
export function pow(a: VariableLike, b: VariableLike): Variable {
  return new Pow().apply(...operands(a, b));
}
export function neg(a: VariableLike): Variable {
  return new Neg().apply(a);
}
export function maximum(a: VariableLike, b: VariableLike): Variable {
  return new Extremum('maximum').apply(...operands(a, b));
}
export function minimum(a: VariableLike, b: VariableLike): Variable {
  return new Extremum('minimum').apply(...operands(a, b));
}

/** `cond ? a : b` elementwise with broadcasting; gradients flow to a and b, not to cond. */
export function where(cond: VariableLike, a: VariableLike, b: VariableLike): Variable {
  const c = cond instanceof Variable ? cond.data : cond;
  const condT = typeof c === 'number' || typeof c === 'boolean' ? null : c;
  if (condT === null) throw new DTypeError('where: the condition must be a bool Tensor or Variable, not a scalar');
  const [va, vb] = operands(a, b);
  return new Where(condT.to('bool')).apply(va, vb);
}

export type CompareOp = Extract<BinaryOp, 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | `logical${string}`>;

/** Comparisons and logical ops: bool results with no gradient. */
export function compare(op: CompareOp, a: Variable, b: VariableLike): Variable {
  const [, vb] = operands(a, b);
  const t = a.data;
  const o = vb.data;
  const r: Record<CompareOp, () => Tensor> = {
    eq: () => t.eq(o),
    ne: () => t.ne(o),
    lt: () => t.lt(o),
    le: () => t.le(o),
    gt: () => t.gt(o),
    ge: () => t.ge(o),
    logicalAnd: () => t.logicalAnd(o),
    logicalOr: () => t.logicalOr(o),
    logicalXor: () => t.logicalXor(o),
  };
  return new Variable(r[op]());
}
