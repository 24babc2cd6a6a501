/**
 * Parameter initialisation, as `torch.nn.init`: each function fills a Parameter (or Tensor) in
 * place, without recording gradients, and returns it. Random ones draw from `opts.generator`
 * (default: the global generator, seeded with `manualSeed(n)` from @dl/tensor), so a seeded run is
 * reproducible.
 *
 * Fans, for a weight of shape `[out, in, ...kernel]`: `fanIn = in * prod(kernel)`,
 * `fanOut = out * prod(kernel)` (a Linear weight `[out, in]` has fanIn = in).
 *
 * ```ts
 * const w = new Parameter(zeros([300, 784]));
 * kaimingUniform(w, { a: Math.sqrt(5) });   // what Linear does: U(-1/sqrt(784), 1/sqrt(784))
 * xavierNormal(w, { gain: calculateGain('tanh') });
 * ```
 */
import { Parameter, Variable } from '@dl/autograd';
import { Generator, Tensor, ValueError, checkOptions, defaultGenerator, optionKeys } from '@dl/tensor';

export interface InitOptions {
  generator?: Generator;
}

const INIT_OPTIONS = optionKeys<InitOptions>({ generator: true });
const XAVIER_OPTIONS = optionKeys<InitOptions & { gain?: number }>({ generator: true, gain: true });

type Target = Tensor | Variable;

function tensorOf(op: string, t: Target): Tensor {
  const data = t instanceof Variable ? t.data : t;
  if (!(data instanceof Tensor)) throw new ValueError(`init.${op}: expected a Parameter, Variable or Tensor`);
  if (data.dtype !== 'float32' && data.dtype !== 'float64') {
    throw new ValueError(`init.${op}: can only fill floating-point tensors, got ${data.dtype}`);
  }
  return data;
}

/** Writes draw() into every element of t (in place; t may be a view). */
function fill<T extends Target>(op: string, t: T, draw: () => number): T {
  const data = tensorOf(op, t);
  const n = data.numel();
  const vals = data.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) vals[i] = draw();
  data.copy_(new Tensor(vals, data.shape));
  return t;
}

/** `[fanIn, fanOut]` of a weight with at least 2 dims (see the module docs). */
export function calculateFans(t: Target): [number, number] {
  const shape = (t instanceof Variable ? t.data : t).shape;
  if (shape.length < 2) {
    throw new ValueError(`init: fan in and fan out need a tensor with at least 2 dims, got shape [${shape.join(', ')}]`);
  }
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i];
  return [shape[1] * receptive, shape[0] * receptive];
}

export type Nonlinearity = 'linear' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/**
 * The recommended gain for a nonlinearity (PyTorch's table): 1 for linear/conv/sigmoid, 5/3 for
 * tanh, sqrt(2) for relu, sqrt(2 / (1 + a^2)) for leaky_relu with slope `a` (default 0.01), 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv2d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const a = param ?? 0.01;
      return Math.sqrt(2 / (1 + a * a));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ValueError(`calculateGain: unknown nonlinearity '${String(nonlinearity)}'`);
  }
}

/** U(a, b) in place. */
export function uniform<T extends Target>(t: T, a = 0, b = 1, opts: InitOptions = {}): T {
  checkOptions('init.uniform', opts, INIT_OPTIONS);
  if (!(a <= b)) throw new ValueError(`init.uniform: need a <= b, got a=${a}, b=${b}`);
  const g = opts.generator ?? defaultGenerator;
  return fill('uniform', t, () => a + (b - a) * g.uniform());
}

/** N(mean, std^2) in place. */
export function normal<T extends Target>(t: T, mean = 0, std = 1, opts: InitOptions = {}): T {
  checkOptions('init.normal', opts, INIT_OPTIONS);
  if (!(std >= 0)) throw new ValueError(`init.normal: std must be >= 0, got ${std}`);
  const g = opts.generator ?? defaultGenerator;
  return fill('normal', t, () => mean + std * g.normal());
}

/** Fills with `value`. */
export function constant<T extends Target>(t: T, value: number): T {
  tensorOf('constant', t).fill_(value);
  return t;
}

export function zeros<T extends Target>(t: T): T {
  return constant(t, 0);
}

export function ones<T extends Target>(t: T): T {
  return constant(t, 1);
}

/** Glorot/Xavier uniform: U(-b, b) with b = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform<T extends Target>(t: T, opts: InitOptions & { gain?: number } = {}): T {
  checkOptions('init.xavierUniform', opts, XAVIER_OPTIONS);
  const [fanIn, fanOut] = calculateFans(t);
  const b = (opts.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -b, b, { generator: opts.generator });
}

/** Glorot/Xavier normal: N(0, std^2) with std = gain * sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal<T extends Target>(t: T, opts: InitOptions & { gain?: number } = {}): T {
  checkOptions('init.xavierNormal', opts, XAVIER_OPTIONS);
  const [fanIn, fanOut] = calculateFans(t);
  return normal(t, 0, (opts.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), { generator: opts.generator });
}

export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky ReLU that follows (only for 'leaky_relu'; default 0). */
  a?: number;
  /** Preserve the variance forward ('fanIn', default) or backward ('fanOut'). */
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: Nonlinearity;
}

const KAIMING_OPTIONS = optionKeys<KaimingOptions>({ generator: true, a: true, mode: true, nonlinearity: true });

function kaimingStd(t: Target, opts: KaimingOptions): number {
  const [fanIn, fanOut] = calculateFans(t);
  const fan = (opts.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  return calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) / Math.sqrt(fan);
}

/** True for a tensor with a zero-size dim: initialising it is a no-op, as in PyTorch. */
function isEmpty(t: Target): boolean {
  return (t instanceof Variable ? t.data : t).numel() === 0;
}

/** He/Kaiming uniform: U(-b, b) with b = gain * sqrt(3 / fan), gain from `nonlinearity` (default leaky_relu with slope a = 0). */
export function kaimingUniform<T extends Target>(t: T, opts: KaimingOptions = {}): T {
  checkOptions('init.kaimingUniform', opts, KAIMING_OPTIONS);
  if (isEmpty(t)) return t;
  const b = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform(t, -b, b, { generator: opts.generator });
}

/** He/Kaiming normal: N(0, std^2) with std = gain / sqrt(fan). */
export function kaimingNormal<T extends Target>(t: T, opts: KaimingOptions = {}): T {
  checkOptions('init.kaimingNormal', opts, KAIMING_OPTIONS);
  if (isEmpty(t)) return t;
  return normal(t, 0, kaimingStd(t, opts), { generator: opts.generator });
}

/** A Parameter of `shape` (float32 unless `dtype`), zero-filled, for layers to initialise. */
export function emptyParameter(shape: number[], dtype: 'float32' | 'float64' = 'float32'): Parameter {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Parameter(new Tensor(dtype === 'float64' ? new Float64Array(n) : new Float32Array(n), shape));
}
