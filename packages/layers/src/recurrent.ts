/**
 * Multi-layer recurrent networks over whole sequences, as `torch.nn.RNN`, `LSTM` and `GRU`
 * (PyTorch 1.13's formulas, gate order, parameter names, shapes, initialisation and the layout of
 * the final states).
 *
 * Shapes (T = sequence length, B = batch, I = inputSize, H = hiddenSize, D = 2 if bidirectional
 * else 1, L = numLayers):
 *
 * | tensor          | shape                                                              |
 * |-----------------|--------------------------------------------------------------------|
 * | input           | `[T, B, I]`, `[B, T, I]` with `batchFirst`, or unbatched `[T, I]`  |
 * | h0 (and c0)     | `[L*D, B, H]` (unbatched: `[L*D, H]`); zeros when not given        |
 * | output          | `[T, B, D*H]` (`[B, T, D*H]` with `batchFirst`; unbatched `[T, D*H]`): the last layer's h at every step, forward direction first |
 * | h (and c)       | `[L*D, B, H]`: the final state of each layer and direction, index `layer * D + direction` |
 *
 * `forward` returns `{ output, h }` (LSTM: `{ output, h, c }`) where PyTorch returns the tuples
 * `(output, h_n)` and `(output, (h_n, c_n))`.
 *
 * Parameters, for each layer k and direction (suffix `''`, or `'_reverse'` for the backward one),
 * in this order: `weight_ih_l{k}{suffix}` `[G*H, I_k]` (I_0 = I, I_k = D*H above), `weight_hh_l{k}{suffix}`
 * `[G*H, H]`, `bias_ih_l{k}{suffix}`, `bias_hh_l{k}{suffix}` `[G*H]`, with G = 1 (RNN), 4 (LSTM,
 * gates i, f, g, o) or 3 (GRU, gates r, z, n); all drawn from U(-1/sqrt(H), 1/sqrt(H)). The names
 * are PyTorch's, snake_case on purpose: the `stateDict()` keys equal PyTorch's, so weights saved
 * from PyTorch (safetensors) load unchanged.
 *
 * Computation: for each layer and direction, the input part of the gates is computed for all
 * time steps at once (one `[T*B, I_k] x [I_k, H]` product per gate, with `b_ih + b_hh` added
 * there), then the time loop does one `[B, H] x [H, H]` product per gate and step, and the gate
 * math on contiguous `[B, H]` blocks (see {@link RecurrentStep}). Between layers, `dropout`
 * zeroes activations with probability p in training mode (not after the last layer).
 *
 * ```ts
 * const lstm = new LSTM(10, 20, { numLayers: 2, batchFirst: true, bidirectional: true });
 * const { output, h, c } = lstm.call(x);       // x: [3, 5, 10] -> output [3, 5, 40], h and c [4, 3, 20]
 * const next = lstm.call(x2, { h, c });        // carry the state on (or [h, c])
 * ```
 */
import { Parameter, Variable, cat, stack, transpose, unbind } from '@dl/autograd';
import { Generator, ShapeError, ValueError, checkOptions, fmtShape, optionKeys, rand, zeros, type DType } from '@dl/tensor';
import { uniform } from './init';
import { Module, type Input } from './module';
import {
  checkNonlinearity,
  checkSizes,
  expectShape,
  floatInput,
  GRU_KIND,
  LSTM_KIND,
  RNN_RELU,
  RNN_TANH,
  gateWeights,
  inputGates,
  lstmStateParts,
  recurrentParameter,
  type LSTMState,
  type RNNNonlinearity,
  type RecurrentBaseOptions,
  type GateWeights,
  type RecurrentKind,
} from './rnn-cells';

export interface RecurrentOptions extends RecurrentBaseOptions {
  /** Number of stacked layers (default 1): layer k+1 reads layer k's output sequence. */
  numLayers?: number;
  /** Input and output as `[B, T, *]` instead of `[T, B, *]` (default false; h and c are not affected). */
  batchFirst?: boolean;
  /** Probability of zeroing the outputs of each layer but the last, in training mode (default 0). */
  dropout?: number;
  /** Run a second set of layers over the reversed sequence and concatenate (default false). */
  bidirectional?: boolean;
  /** Generator for the dropout masks (default: the global one); `generator` seeds the initialisation. */
  dropoutGenerator?: Generator;
}

export interface RNNOptions extends RecurrentOptions {
  /** `'tanh'` (default) or `'relu'`. */
  nonlinearity?: RNNNonlinearity;
}

export interface LSTMOptions extends RecurrentOptions {
  /** LSTM with projections (PyTorch's `proj_size`) is not implemented: only 0 is accepted. */
  projSize?: number;
}

const RECURRENT_KEYS = {
  bias: true,
  dtype: true,
  generator: true,
  numLayers: true,
  batchFirst: true,
  dropout: true,
  bidirectional: true,
  dropoutGenerator: true,
} as const;
const RECURRENT_OPTIONS = optionKeys<RecurrentOptions>(RECURRENT_KEYS);
const RNN_OPTIONS = optionKeys<RNNOptions>({ ...RECURRENT_KEYS, nonlinearity: true });
const LSTM_OPTIONS = optionKeys<LSTMOptions>({ ...RECURRENT_KEYS, projSize: true });

/** What RNN and GRU return: PyTorch's `(output, h_n)`. */
export interface RNNOutput {
  /** `[T, B, D*H]` (`[B, T, D*H]` with batchFirst, `[T, D*H]` unbatched): the last layer's h at every step. */
  output: Variable;
  /** `[L*D, B, H]` (`[L*D, H]` unbatched): the final h of each layer and direction. */
  h: Variable;
}

/** What LSTM returns: PyTorch's `(output, (h_n, c_n))`. */
export interface LSTMOutput extends RNNOutput {
  /** `[L*D, B, H]` (`[L*D, H]` unbatched): the final cell state of each layer and direction. */
  c: Variable;
}

/** What RNN, LSTM and GRU share: the parameters, the checks and the layer/direction/time loops. */
export abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** Where the dropout masks are drawn from (null: the global generator). */
  dropoutGenerator: Generator | null;
  /** Layer 0's input weights `[G*H, I]`; the other layers' are `weight_ih_l1`, ... (see namedParameters()). */
  declare readonly weight_ih_l0: Parameter;
  /** Layer 0's hidden weights `[G*H, H]`. */
  declare readonly weight_hh_l0: Parameter;
  /** Layer 0's input bias `[G*H]` (null with `bias: false`). */
  declare readonly bias_ih_l0: Parameter | null;
  /** Layer 0's hidden bias `[G*H]` (null with `bias: false`). */
  declare readonly bias_hh_l0: Parameter | null;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    private readonly kind: RecurrentKind,
    opts: RecurrentOptions,
  ) {
    super();
    const layer = new.target.name;
    checkSizes(layer, inputSize, hiddenSize);
    this.numLayers = opts.numLayers ?? 1;
    if (!Number.isInteger(this.numLayers) || this.numLayers < 1) {
      throw new ValueError(`${layer}: numLayers must be a positive integer, got ${String(opts.numLayers)}`);
    }
    this.dropout = opts.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout <= 1)) {
      throw new ValueError(`${layer}: dropout must be a probability in [0, 1], got ${String(opts.dropout)}`);
    }
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.bidirectional = opts.bidirectional ?? false;
    this.dropoutGenerator = opts.dropoutGenerator ?? null;
    const G = kind.gates * hiddenSize;
    for (let k = 0; k < this.numLayers; k++) {
      const inK = k === 0 ? inputSize : this.numDirections * hiddenSize;
      for (let d = 0; d < this.numDirections; d++) {
        const sfx = `_l${k}${d === 1 ? '_reverse' : ''}`;
        this.registerParameter(`weight_ih${sfx}`, recurrentParameter([G, inK], hiddenSize, opts));
        this.registerParameter(`weight_hh${sfx}`, recurrentParameter([G, hiddenSize], hiddenSize, opts));
        this.registerParameter(`bias_ih${sfx}`, this.bias ? recurrentParameter([G], hiddenSize, opts) : null);
        this.registerParameter(`bias_hh${sfx}`, this.bias ? recurrentParameter([G], hiddenSize, opts) : null);
      }
    }
  }

  /** 2 if bidirectional, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /**
   * The parameters of each layer and direction, `[weight_ih, weight_hh, bias_ih, bias_hh]` (no
   * biases with `bias: false`), at index `layer * numDirections + direction` (PyTorch's `all_weights`).
   */
  get allWeights(): Parameter[][] {
    const out: Parameter[][] = [];
    for (let k = 0; k < this.numLayers; k++) {
      for (let d = 0; d < this.numDirections; d++) {
        const sfx = `_l${k}${d === 1 ? '_reverse' : ''}`;
        const ps = ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((n) => this.param(n + sfx));
        out.push(ps.filter((p): p is Parameter => p !== null));
      }
    }
    return out;
  }

  /** Redraws every parameter from U(-1/sqrt(H), 1/sqrt(H)), as PyTorch's `reset_parameters`. */
  resetParameters(generator?: Generator): void {
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform(p, -k, k, { generator });
  }

  private param(name: string): Parameter | null {
    const p: unknown = Reflect.get(this, name);
    return p instanceof Parameter ? p : null;
  }

  /** Layer k, direction d's parameters, split per gate. */
  private gateWeightsOf(k: number, d: number): GateWeights {
    const sfx = `_l${k}${d === 1 ? '_reverse' : ''}`;
    const weight = (name: string): Parameter => {
      const p = this.param(name + sfx);
      if (p === null) throw new ValueError(`${this.label}: parameter '${name}${sfx}' is missing (was it replaced by something else?)`);
      return p;
    };
    return gateWeights(this.kind, weight('weight_ih'), weight('weight_hh'), this.param(`bias_ih${sfx}`), this.param(`bias_hh${sfx}`));
  }

  protected get label(): string {
    return `${this.constructor.name}(${this.inputSize} -> ${this.hiddenSize})`;
  }

  /**
   * Runs the network: `input` as given by the user, `initial` the initial states (`[h0]`, or
   * `[h0, c0]`; null entries are zeros). Returns the output and the final states, in user layout.
   */
  protected run(input: Input, initial: (Input | null | undefined)[]): { output: Variable; states: Variable[] } {
    const dtype = this.weight_ih_l0.dtype;
    const x0 = floatInput(this.label, 'input', input, dtype);
    if ((x0.ndim !== 2 && x0.ndim !== 3) || x0.shape[x0.ndim - 1] !== this.inputSize) {
      const I = this.inputSize;
      const batched = this.batchFirst ? `[batch, seq, ${I}] (batchFirst)` : `[seq, batch, ${I}]`;
      throw new ShapeError(`${this.label}: input must be ${batched} or unbatched [seq, ${I}], got ${fmtShape(x0.shape)}`);
    }
    const unbatched = x0.ndim === 2;
    // time-major [T, B, I]
    const x = unbatched ? x0.unsqueeze(1) : this.batchFirst ? transpose(x0, 0, 1) : x0;
    const [T, B] = x.shape;
    if (T === 0) throw new ShapeError(`${this.label}: the input sequence is empty (input ${fmtShape(x0.shape)}); need at least one step`);
    const LD = this.numLayers * this.numDirections;
    const names = initial.length === 2 ? ['h0', 'c0'] : ['h0'];
    const states0 = initial.map((s, i) => this.initialState(names[i], s, B, unbatched, LD, dtype));

    const finals: Variable[][] = initial.map(() => []);
    let layerInput = x;
    for (let k = 0; k < this.numLayers; k++) {
      const outs: Variable[] = [];
      for (let d = 0; d < this.numDirections; d++) {
        const idx = k * this.numDirections + d;
        const w = this.gateWeightsOf(k, d);
        // the input part of every gate for all time steps at once ([T*B, I_k] x [I_k, H] per
        // gate), then split into time steps
        const rows = layerInput.reshape([T * B, layerInput.shape[2]]);
        const gi = inputGates(rows, w).map((g) => unbind(g.reshape([T, B, this.hiddenSize])));
        let state = states0.map((s) => s[idx]);
        const hs = new Array<Variable>(T);
        for (let s = 0; s < T; s++) {
          const t = d === 0 ? s : T - 1 - s; // the reverse direction runs from the last step
          state = this.kind.step(gi.map((g) => g[t]), state, w);
          hs[t] = state[0];
        }
        state.forEach((v, i) => finals[i].push(v));
        outs.push(stack(hs, 0));
      }
      layerInput = outs.length === 1 ? outs[0] : cat(outs, 2);
      if (k < this.numLayers - 1) layerInput = this.applyDropout(layerInput);
    }
    const output = unbatched ? layerInput.squeeze(1) : this.batchFirst ? transpose(layerInput, 0, 1) : layerInput;
    const states = finals.map((f) => (unbatched ? stack(f, 0).squeeze(1) : stack(f, 0)));
    return { output, states };
  }

  /** The initial state `[L*D, B, H]` (checked), split per layer-direction into `[B, H]`s. */
  private initialState(
    what: string,
    s: Input | null | undefined,
    B: number,
    unbatched: boolean,
    LD: number,
    dtype: DType,
  ): Variable[] {
    const H = this.hiddenSize;
    if (s === null || s === undefined) {
      const z = new Variable(zeros([B, H], { dtype }));
      return new Array<Variable>(LD).fill(z);
    }
    const v = floatInput(this.label, what, s, dtype);
    if (unbatched) expectShape(this.label, what, v, [LD, H], 'unbatched input: [numLayers * numDirections, hiddenSize]');
    else expectShape(this.label, what, v, [LD, B, H], 'numLayers * numDirections, batch, hiddenSize');
    return unbind(unbatched ? v.unsqueeze(1) : v);
  }

  private applyDropout(y: Variable): Variable {
    const p = this.dropout;
    if (!this.training || p === 0) return y;
    if (p === 1) return y.mul(0);
    const keep = rand([...y.shape], { dtype: y.dtype, generator: this.dropoutGenerator ?? undefined }).ge(p);
    return y.mul(keep.to(y.dtype).mul(1 / (1 - p)));
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`num_layers=${this.numLayers}`);
    if (!this.bias) parts.push('bias=False');
    if (this.batchFirst) parts.push('batch_first=True');
    if (this.dropout !== 0) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push('bidirectional=True');
    return parts.join(', ');
  }
}

/**
 * A multi-layer Elman RNN: for each layer, `h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`
 * with act = tanh (default) or relu; layer k+1's x_t is layer k's h_t (after dropout in training).
 * `forward(input, h0?)` returns `{ output, h }` (PyTorch: the tuple `(output, h_n)`); shapes and
 * parameter names in the module docs above.
 *
 * ```ts
 * const rnn = new RNN(10, 20, { numLayers: 2 });
 * const { output, h } = rnn.call(x);   // x: [5, 3, 10] -> output [5, 3, 20], h [2, 3, 20]
 * ```
 */
export class RNN extends RNNBase {
  readonly nonlinearity: RNNNonlinearity;

  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    checkOptions('RNN', opts, RNN_OPTIONS);
    const nonlinearity = checkNonlinearity('RNN', opts.nonlinearity);
    super(inputSize, hiddenSize, nonlinearity === 'tanh' ? RNN_TANH : RNN_RELU, opts);
    this.nonlinearity = nonlinearity;
  }

  forward(input: Input, h0?: Input | null): RNNOutput {
    const { output, states } = this.run(input, [h0]);
    return { output, h: states[0] };
  }

  override extraRepr(): string {
    const s = super.extraRepr();
    return this.nonlinearity === 'tanh' ? s : s.replace(/^(\d+, \d+)/, `$1, nonlinearity=${this.nonlinearity}`);
  }
}

/**
 * A multi-layer LSTM; each layer runs the {@link LSTMCell} recurrence over the sequence:
 * ```
 * [i, f, g, o] = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh      (gates stacked in this order)
 * c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g)            h_t = sigmoid(o) * tanh(c_t)
 * ```
 * `forward(input, state?)` takes the initial state as `[h0, c0]` or `{ h, c }` and returns
 * `{ output, h, c }` (PyTorch: the tuple `(output, (h_n, c_n))`).
 *
 * ```ts
 * const lstm = new LSTM(10, 20, { numLayers: 2, bidirectional: true });
 * const { output, h, c } = lstm.call(x);  // x: [5, 3, 10] -> output [5, 3, 40], h and c [4, 3, 20]
 * ```
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: LSTMOptions = {}) {
    checkOptions('LSTM', opts, LSTM_OPTIONS);
    if (opts.projSize !== undefined && opts.projSize !== 0) {
      throw new ValueError(
        `LSTM: projSize=${String(opts.projSize)} (LSTM with projections) is not implemented; ` +
          'leave projSize out, or add a Linear layer on the output instead',
      );
    }
    super(inputSize, hiddenSize, LSTM_KIND, opts);
  }

  forward(input: Input, hx?: LSTMState | null): LSTMOutput {
    const [h0, c0] = lstmStateParts(this.label, hx);
    const { output, states } = this.run(input, [h0, c0]);
    return { output, h: states[0], c: states[1] };
  }
}

/**
 * A multi-layer GRU; each layer runs the {@link GRUCell} recurrence over the sequence:
 * ```
 * r = sigmoid(x_t W_ir^T + b_ir + h W_hr^T + b_hr)    z = sigmoid(x_t W_iz^T + b_iz + h W_hz^T + b_hz)
 * n = tanh(x_t W_in^T + b_in + r * (h W_hn^T + b_hn))   h_t = (1 - z) * n + z * h      (h = h_{t-1})
 * ```
 * `forward(input, h0?)` returns `{ output, h }` (PyTorch: the tuple `(output, h_n)`).
 *
 * ```ts
 * const gru = new GRU(10, 20, { batchFirst: true });
 * const { output, h } = gru.call(x);      // x: [3, 5, 10] -> output [3, 5, 20], h [1, 3, 20]
 * ```
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions = {}) {
    checkOptions('GRU', opts, RECURRENT_OPTIONS);
    super(inputSize, hiddenSize, GRU_KIND, opts);
  }

  forward(input: Input, h0?: Input | null): RNNOutput {
    const { output, states } = this.run(input, [h0]);
    return { output, h: states[0] };
  }
}
