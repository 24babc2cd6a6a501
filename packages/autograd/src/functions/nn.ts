/**
 * Convolution, pooling and im2col Functions. Each backward is itself a Function whose backward is
 * the original op (they are linear maps and their adjoints), so second derivatives work:
 *
 * | Function             | forward                  | backward                                        |
 * |----------------------|--------------------------|-------------------------------------------------|
 * | Conv2d               | y = conv(x, w) + b        | gx = BI(gy, w), gw = BW(gy, x), gb = sum(gy)    |
 * | Conv2dBackwardInput  | gx = BI(gy, w)            | g_gy = conv(ggx, w), g_w = BW(gy, ggx)           |
 * | Conv2dBackwardWeight | gw = BW(gy, x)            | g_gy = conv(x, ggw), g_x = BI(gy, ggw)           |
 * | MaxPool2d            | y = max over windows      | gx = scatter gy to the argmax positions          |
 * | MaxPool2dBackward    | that scatter              | gather ggx at the argmax positions               |
 * | AvgPool2d            | y = mean over windows     | AvgPool2dBackward (spread gy / window size)      |
 * | Im2col / Col2im      | unfold / fold             | each other                                       |
 *
 * Shapes: x `(N, C_in, H, W)` (or unbatched `(C_in, H, W)`), w `(C_out, C_in / groups, kH, kW)`.
 */
import {
  avgPool2d as tAvgPool2d,
  avgPool2dBackward as tAvgPool2dBackward,
  col2im as tCol2im,
  conv2d as tConv2d,
  conv2dBackwardInput as tConv2dBackwardInput,
  conv2dBackwardWeight as tConv2dBackwardWeight,
  avgPool2dParams,
  conv2dParams,
  im2col as tIm2col,
  maxPool2dBackward as tMaxPool2dBackward,
  maxPool2dParams,
  maxPool2dWithIndices,
  unfoldParams,
  type AvgPool2dOptions,
  type Conv2dOptions,
  type Conv2dParams,
  type MaxPool2dOptions,
  type Pair,
  type Pool2dParams,
  type Tensor,
  type UnfoldOptions,
  type UnfoldParams,
} from '@dl/tensor';
import { Function } from '../function';
import { Variable, toVariable, type VariableLike } from '../variable';
import { gather } from './indexing';
import { sum } from './reduce';
import { flatten, reshape, squeeze, unsqueeze } from './shape';

// the options objects that give back normalised params (the tensor ops check their keys)
const convOpts = (p: Conv2dParams): Conv2dOptions => ({ stride: p.stride, padding: p.padding, dilation: p.dilation, groups: p.groups });
const maxOpts = (p: Pool2dParams): MaxPool2dOptions => ({ stride: p.stride, padding: p.padding, dilation: p.dilation, ceilMode: p.ceilMode });
const avgOpts = (p: Pool2dParams): AvgPool2dOptions => ({
  stride: p.stride,
  padding: p.padding,
  ceilMode: p.ceilMode,
  countIncludePad: p.countIncludePad,
  divisorOverride: p.divisorOverride ?? null,
});
const unfoldOpts = (p: UnfoldParams): UnfoldOptions => ({ stride: p.stride, padding: p.padding, dilation: p.dilation });

export class Conv2d extends Function {
  constructor(private readonly p: Conv2dParams) {
    super();
  }
  forward(x: Tensor, w: Tensor, b?: Tensor): Tensor {
    return tConv2d(x, w, b ?? null, convOpts(this.p));
  }
  backward(gy: Variable): (Variable | null)[] {
    const [x, w, b] = this.inputs;
    const gx = x.requiresGrad ? new Conv2dBackwardInput(x.shape, this.p).apply(gy, w) : null;
    const gw = w.requiresGrad ? new Conv2dBackwardWeight(w.shape, this.p).apply(gy, x) : null;
    if (b === undefined) return [gx, gw]; // one gradient per input: no bias, no third
    const gb = b.requiresGrad ? sum(gy, { dim: [0, 2, 3] }) : null;
    return [gx, gw, gb];
  }
}

export class Conv2dBackwardInput extends Function {
  constructor(
    private readonly xShape: readonly number[],
    private readonly p: Conv2dParams,
  ) {
    super();
  }
  forward(gy: Tensor, w: Tensor): Tensor {
    return tConv2dBackwardInput(gy, w, this.xShape, this.p);
  }
  backward(ggx: Variable): Variable[] {
    const [gy, w] = this.inputs;
    return [new Conv2d(this.p).apply(ggx, w), new Conv2dBackwardWeight(w.shape, this.p).apply(gy, ggx)];
  }
}

export class Conv2dBackwardWeight extends Function {
  constructor(
    private readonly wShape: readonly number[],
    private readonly p: Conv2dParams,
  ) {
    super();
  }
  forward(gy: Tensor, x: Tensor): Tensor {
    return tConv2dBackwardWeight(gy, x, this.wShape, this.p);
  }
  backward(ggw: Variable): Variable[] {
    const [gy, x] = this.inputs;
    return [new Conv2d(this.p).apply(x, ggw), new Conv2dBackwardInput(x.shape, this.p).apply(gy, ggw)];
  }
}

export class MaxPool2d extends Function {
  indices: Tensor | null = null;
  constructor(private readonly p: Pool2dParams) {
    super();
  }
  forward(x: Tensor): Tensor {
    const { values, indices } = maxPool2dWithIndices(x, this.p.kernelSize, maxOpts(this.p));
    this.indices = indices;
    return values;
  }
  backward(gy: Variable): Variable {
    return new MaxPool2dBackward(this.indices as Tensor, this.inputs[0].shape, this.p).apply(gy);
  }
}

export class MaxPool2dBackward extends Function {
  constructor(
    private readonly indices: Tensor,
    private readonly xShape: readonly number[],
    private readonly p: Pool2dParams,
  ) {
    super();
  }
  forward(gy: Tensor): Tensor {
    return tMaxPool2dBackward(gy, this.indices, this.xShape, this.p);
  }
  backward(ggx: Variable): Variable {
    const gyShape = this.inputs[0].shape;
    const picked = gather(flatten(ggx, 2), 2, this.indices.flatten(2));
    return reshape(picked, gyShape);
  }
}

export class AvgPool2d extends Function {
  constructor(private readonly p: Pool2dParams) {
    super();
  }
  forward(x: Tensor): Tensor {
    return tAvgPool2d(x, this.p.kernelSize, avgOpts(this.p));
  }
  backward(gy: Variable): Variable {
    return new AvgPool2dBackward(this.inputs[0].shape, this.p).apply(gy);
  }
}

export class AvgPool2dBackward extends Function {
  constructor(
    private readonly xShape: readonly number[],
    private readonly p: Pool2dParams,
  ) {
    super();
  }
  forward(gy: Tensor): Tensor {
    return tAvgPool2dBackward(gy, this.xShape, this.p);
  }
  backward(ggx: Variable): Variable {
    return new AvgPool2d(this.p).apply(ggx);
  }
}

export class Im2col extends Function {
  constructor(private readonly p: UnfoldParams) {
    super();
  }
  forward(x: Tensor): Tensor {
    return tIm2col(x, this.p.kernelSize, unfoldOpts(this.p));
  }
  backward(gy: Variable): Variable {
    const xs = this.inputs[0].shape;
    return new Col2im([xs[2], xs[3]], this.p).apply(gy);
  }
}

export class Col2im extends Function {
  constructor(
    private readonly outputSize: [number, number],
    private readonly p: UnfoldParams,
  ) {
    super();
  }
  forward(cols: Tensor): Tensor {
    return tCol2im(cols, this.outputSize, this.p.kernelSize, unfoldOpts(this.p));
  }
  backward(ggx: Variable): Variable {
    return new Im2col(this.p).apply(ggx);
  }
}

/** Runs a 4-D op on an unbatched 3-D input. */
function batched(x: Variable, f: (x4: Variable) => Variable): Variable {
  return x.ndim === 3 ? squeeze(f(unsqueeze(x, 0)), 0) : f(x);
}

/**
 * 2-D convolution (cross-correlation) with stride, padding, dilation and groups.
 *
 * ```ts
 * const y = conv2d(x, w, b, { padding: 1 }); // x (N, C_in, H, W), w (C_out, C_in, 3, 3) -> (N, C_out, H, W)
 * ```
 */
export function conv2d(x: VariableLike, weight: VariableLike, bias: VariableLike | null = null, opts: Conv2dOptions = {}): Variable {
  const vx = toVariable(x);
  const w = toVariable(weight, vx);
  const p = conv2dParams(w.shape, opts);
  return batched(vx, (x4) => {
    const f = new Conv2d(p);
    return bias === null ? f.apply(x4, w) : f.apply(x4, w, toVariable(bias, vx));
  });
}

/** Max pooling (`F.max_pool2d`); the gradient goes to each window's argmax. Unknown option keys are an error. */
export function maxPool2d(x: VariableLike, kernelSize: Pair, opts: MaxPool2dOptions = {}): Variable {
  const p = maxPool2dParams(kernelSize, opts);
  return batched(toVariable(x), (x4) => new MaxPool2d(p).apply(x4));
}

/**
 * Average pooling (`F.avg_pool2d`), with countIncludePad and divisorOverride as PyTorch. Unknown
 * option keys are an error.
 */
export function avgPool2d(x: VariableLike, kernelSize: Pair, opts: AvgPool2dOptions = {}): Variable {
  const p = avgPool2dParams(kernelSize, opts);
  return batched(toVariable(x), (x4) => new AvgPool2d(p).apply(x4));
}

/** `F.unfold`: x `(N, C, H, W)` -> `(N, C kH kW, L)`. */
export function im2col(x: VariableLike, kernelSize: Pair, opts: UnfoldOptions = {}): Variable {
  return new Im2col(unfoldParams('im2col', kernelSize, opts)).apply(x);
}

/** `F.fold`: `(N, C kH kW, L)` -> `(N, C, H, W)`, summing overlaps. */
export function col2im(cols: VariableLike, outputSize: Pair, kernelSize: Pair, opts: UnfoldOptions = {}): Variable {
  const size: [number, number] = typeof outputSize === 'number' ? [outputSize, outputSize] : [outputSize[0], outputSize[1]];
  return new Col2im(size, unfoldParams('col2im', kernelSize, opts)).apply(cols);
}
