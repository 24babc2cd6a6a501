/**
 * 2-D convolution layer `Conv2d` (cross-correlation, as in every deep-learning library).
 *
 * ```ts
 * const conv = new Conv2d(1, 6, 5, { padding: 2 });   // LeNet's first layer
 * conv.call(x).shape;                                   // [N, 1, 28, 28] -> [N, 6, 28, 28]
 * ```
 */
import { Parameter, Variable, cat, conv2d, pad, squeeze, unsqueeze } from '@dl/autograd';
import { ShapeError, ValueError, checkOptions, fmtShape, optionKeys, zeros, type Generator } from '@dl/tensor';
import { floatInput, pyRepr, toPair, type Pair } from './checks';
import { emptyParameter, kaimingUniform, uniform } from './init';
import { checkSize } from './linear';
import { Module, type Input } from './module';

export type { Pair } from './checks';

/**
 * How the input is padded (PyTorch's `padding_mode`): with zeros, or by mirroring the input at its
 * edges without repeating them ('reflect', padding < the input size), repeating the edges
 * ('replicate') or wrapping around ('circular', padding <= the input size).
 */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

export interface Conv2dOptions {
  /** Step of the sliding window (default 1). */
  stride?: Pair;
  /**
   * Zeros added on each side (default 0), or 'valid' (no padding) or 'same' (output size = input
   * size; needs stride 1; an odd total padding puts the extra row/column at the bottom/right, as PyTorch).
   */
  padding?: Pair | 'same' | 'valid';
  /** Spacing between kernel taps (default 1). */
  dilation?: Pair;
  /** Split the channels into `groups` independent convolutions (default 1). */
  groups?: number;
  /** Learn a bias per output channel (default true). */
  bias?: boolean;
  /**
   * How the padding is filled (default 'zeros'); 'reflect', 'replicate' and 'circular' pad the
   * input as `pad` does (PyTorch's F.pad) and then convolve without padding, as PyTorch does.
   */
  paddingMode?: PaddingMode;
  /** Generator for the initial weights (default: the global one). */
  generator?: Generator;
  /** dtype of the parameters (default float32). */
  dtype?: 'float32' | 'float64';
}

const CONV2D_OPTIONS = optionKeys<Conv2dOptions>({
  stride: true,
  padding: true,
  dilation: true,
  groups: true,
  bias: true,
  paddingMode: true,
  generator: true,
  dtype: true,
});

/**
 * 2-D convolution over `(N, C_in, H, W)` (or unbatched `(C_in, H, W)`) inputs:
 * `y[n, co] = b[co] + sum_{ci in group(co)} w[co, ci] * x[n, ci]` (`*` is cross-correlation with
 * stride, padding and dilation).
 *
 * Shapes: weight `(C_out, C_in / groups, kH, kW)`, bias `(C_out)`, output `(N, C_out, H_out, W_out)`
 * with `H_out = floor((H + 2 padding - dilation (kH - 1) - 1) / stride) + 1`.
 *
 * Initialisation (PyTorch's): weight Kaiming uniform with `a = sqrt(5)`, i.e. `U(-1/sqrt(fanIn),
 * 1/sqrt(fanIn))` with `fanIn = C_in / groups * kH * kW`; bias from the same range.
 *
 * It runs on the backend's conv2d kernels (on the native backend: im2col + GEMM per image, or
 * direct loops when C_in * kH * kW is small, with both gradients in C++).
 *
 * ```ts
 * const conv = new Conv2d(3, 16, 3, { stride: 2, padding: 1 });
 * conv.toString(); // 'Conv2d(3, 16, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))'
 * conv.call(x).shape; // [8, 3, 32, 32] -> [8, 16, 16, 16]
 * ```
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  /** `[ph, pw]`, or the string given ('same' / 'valid'). */
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  /** `(C_out, C_in / groups, kH, kW)`. */
  weight: Parameter;
  /** `(C_out)`, or null with `{ bias: false }`. */
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, opts: Conv2dOptions = {}) {
    super();
    const L = 'Conv2d';
    checkOptions(L, opts, CONV2D_OPTIONS);
    checkSize(L, 'inChannels', inChannels, 1);
    checkSize(L, 'outChannels', outChannels, 1);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = toPair(L, 'kernelSize', kernelSize, 1);
    this.stride = toPair(L, 'stride', opts.stride ?? 1, 1);
    this.dilation = toPair(L, 'dilation', opts.dilation ?? 1, 1);
    const groups = opts.groups ?? 1;
    checkSize(L, 'groups', groups, 1);
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new ValueError(`Conv2d: inChannels (${inChannels}) and outChannels (${outChannels}) must both be divisible by groups (${groups})`);
    }
    this.groups = groups;
    const pad = opts.padding ?? 0;
    if (pad === 'same' || pad === 'valid') {
      if (pad === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
        throw new ValueError(
          `Conv2d: padding='same' needs stride 1, got stride ${pyRepr(this.stride)}; give the padding as numbers for a strided convolution`,
        );
      }
      this.padding = pad;
    } else if (typeof pad === 'string') {
      throw new ValueError(`Conv2d: padding must be a number, a pair, 'same' or 'valid', got '${String(pad)}'`);
    } else this.padding = toPair(L, 'padding', pad, 0);
    const mode = opts.paddingMode ?? 'zeros';
    if (!PADDING_MODES.includes(mode)) {
      throw new ValueError(`Conv2d: paddingMode must be one of ${PADDING_MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(mode)}`);
    }
    this.paddingMode = mode;
    this.weight = emptyParameter([outChannels, inChannels / groups, this.kernelSize[0], this.kernelSize[1]], opts.dtype);
    this.bias = opts.bias === false ? null : emptyParameter([outChannels], opts.dtype);
    this.resetParameters(opts.generator);
  }

  /** Draws fresh initial values (PyTorch's `reset_parameters`). */
  resetParameters(generator?: Generator): void {
    kaimingUniform(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias) {
      const fanIn = (this.inChannels / this.groups) * this.kernelSize[0] * this.kernelSize[1];
      const bound = 1 / Math.sqrt(fanIn);
      uniform(this.bias, -bound, bound, { generator });
    }
  }

  private get label(): string {
    return `Conv2d(${this.inChannels} -> ${this.outChannels}, kernel_size=${pyRepr(this.kernelSize)})`;
  }

  /** Symmetric padding and the extra bottom/right zeros that an uneven 'same' padding needs. */
  private paddings(): { sym: [number, number]; extra: [number, number] } {
    if (this.padding === 'valid') return { sym: [0, 0], extra: [0, 0] };
    if (this.padding !== 'same') return { sym: this.padding, extra: [0, 0] };
    const total = [0, 1].map((i) => this.dilation[i] * (this.kernelSize[i] - 1));
    return { sym: [Math.floor(total[0] / 2), Math.floor(total[1] / 2)], extra: [total[0] % 2, total[1] % 2] };
  }

  forward(x: Input): Variable {
    const label = this.label;
    let v = floatInput(label, x, this.weight.dtype);
    if (v.ndim !== 3 && v.ndim !== 4) {
      throw new ShapeError(`${label}: expected a 4-D input (N, C, H, W) or a 3-D unbatched one (C, H, W), got ${v.ndim}-D ${fmtShape(v.shape)}`);
    }
    const c = v.shape[v.ndim - 3];
    if (c !== this.inChannels) {
      throw new ShapeError(
        `${label}: input ${fmtShape(v.shape)} has ${c} channels (dim ${v.ndim - 3}), expected ${this.inChannels}; ` +
          `the input must be ${v.ndim === 4 ? '(N, C, H, W)' : '(C, H, W)'} with C = ${this.inChannels}`,
      );
    }
    const { sym, extra } = this.paddings();
    const span = [0, 1].map((i) => this.dilation[i] * (this.kernelSize[i] - 1) + 1);
    const hw = [v.shape[v.ndim - 2], v.shape[v.ndim - 1]];
    if (hw.some((s, i) => s + 2 * sym[i] + extra[i] < span[i])) {
      throw new ShapeError(
        `${label}: the input's spatial size ${hw[0]}x${hw[1]} (input ${fmtShape(v.shape)}, padding ${pyRepr(sym)}) is smaller ` +
          `than the (dilated) kernel ${span[0]}x${span[1]}; use a larger input, more padding or a smaller kernel`,
      );
    }
    let padding = sym;
    if (this.paddingMode !== 'zeros') {
      // as PyTorch: pad the input (top/left get the smaller half of an uneven 'same' padding),
      // then convolve without padding
      const [top, left] = sym;
      const [bottom, right] = [sym[0] + extra[0], sym[1] + extra[1]];
      checkModeLimits(label, this.paddingMode, v.shape, [top, bottom, left, right]);
      v = pad(v, [left, right, top, bottom], { mode: this.paddingMode });
      padding = [0, 0];
    } else if (extra[0] || extra[1]) v = padBottomRight(v, extra[0], extra[1]);
    const full = { stride: this.stride, padding, dilation: this.dilation, groups: this.groups };
    return v.ndim === 3 ? squeeze(conv2d(unsqueeze(v, 0), this.weight, this.bias, full), 0) : conv2d(v, this.weight, this.bias, full);
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${pyRepr(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${pyRepr(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/**
 * PyTorch's limits on a non-zeros padding: reflect needs each padding < the input size along its
 * dim, circular <= it (it may wrap around once only); checked here to name the layer and the fix.
 */
function checkModeLimits(label: string, mode: PaddingMode, shape: readonly number[], [top, bottom, left, right]: number[]): void {
  const [h, w] = [shape[shape.length - 2], shape[shape.length - 1]];
  const tooBig = (p: number, n: number): boolean => (mode === 'reflect' ? p >= n : mode === 'circular' ? p > n : false);
  if (!(tooBig(top, h) || tooBig(bottom, h) || tooBig(left, w) || tooBig(right, w))) return;
  const rule = mode === 'reflect' ? 'smaller than' : 'at most';
  const pads = top === bottom && left === right ? pyRepr([top, left]) : `(top ${top}, bottom ${bottom}, left ${left}, right ${right})`;
  throw new ShapeError(
    `${label}: paddingMode '${mode}' needs the padding to be ${rule} the input's height and width (as in PyTorch), ` +
      `but the padding ${pads} does not fit the ${h}x${w} planes of the input ${fmtShape(shape)}; ` +
      `use a larger input, a smaller padding${mode === 'reflect' ? ", or paddingMode 'replicate' or 'circular'" : ", or paddingMode 'reflect' or 'replicate'"}`,
  );
}

/** Appends `rows` zero rows at the bottom and `cols` zero columns at the right of a (.., H, W) input. */
function padBottomRight(v: Variable, rows: number, cols: number): Variable {
  let out = v;
  if (rows > 0) {
    const shape = [...out.shape];
    shape[shape.length - 2] = rows;
    out = cat([out, new Variable(zeros(shape, { dtype: v.dtype }))], -2);
  }
  if (cols > 0) {
    const shape = [...out.shape];
    shape[shape.length - 1] = cols;
    out = cat([out, new Variable(zeros(shape, { dtype: v.dtype }))], -1);
  }
  return out;
}
