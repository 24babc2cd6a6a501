/**
 * Recurrent cells, one time step each, as `torch.nn.RNNCell`, `LSTMCell` and `GRUCell` (PyTorch
 * 1.13's formulas, gate order, parameter names, shapes and initialisation).
 *
 * Shapes: input `x` `[B, I]` (or unbatched `[I]`), hidden state `h` `[B, H]` (or `[H]`; zeros when
 * not given). With G gates (1 for RNN, 4 for LSTM, 3 for GRU) the parameters are
 *
 * | name        | shape      |                                    |
 * |-------------|------------|------------------------------------|
 * | `weight_ih` | `[G*H, I]` | the gates' input weights, stacked  |
 * | `weight_hh` | `[G*H, H]` | the gates' hidden weights, stacked |
 * | `bias_ih`   | `[G*H]`    | (null with `bias: false`)          |
 * | `bias_hh`   | `[G*H]`    | (null with `bias: false`)          |
 *
 * all drawn from U(-1/sqrt(H), 1/sqrt(H)). The names are PyTorch's, snake_case on purpose: the
 * `stateDict()` keys then equal PyTorch's, so weights saved from PyTorch (safetensors) load
 * unchanged.
 *
 * ```ts
 * const cell = new LSTMCell(10, 20);
 * let state = cell.call(x0);            // x0: [3, 10] -> { h: [3, 20], c: [3, 20] }
 * state = cell.call(x1, state);         // or cell.call(x1, [h, c])
 * ```
 */
import { Parameter, Variable, matmul, reshape, sigmoid, tanh, transpose, unbind } from '@dl/autograd';
import { DTypeError, Generator, ShapeError, Tensor, ValueError, checkOptions, fmtShape, optionKeys, zeros, type DType } from '@dl/tensor';
import { uniform } from './init';
import { Module, asVariable, type Input } from './module';

/** The activation of a plain (Elman) RNN. */
export type RNNNonlinearity = 'tanh' | 'relu';

/** What every recurrent cell and recurrent layer accepts. */
export interface RecurrentBaseOptions {
  /** Add the biases `bias_ih` and `bias_hh` (default true). */
  bias?: boolean;
  /** dtype of the parameters (default float32). */
  dtype?: 'float32' | 'float64';
  /** Generator for the initialisation (default: the global one, seeded by `manualSeed`). */
  generator?: Generator;
}

export interface RNNCellOptions extends RecurrentBaseOptions {
  /** `'tanh'` (default) or `'relu'`. */
  nonlinearity?: RNNNonlinearity;
}

/** The option keys of the cells (and the base of the recurrent layers'). */
export const RECURRENT_BASE_OPTIONS = optionKeys<RecurrentBaseOptions>({ bias: true, dtype: true, generator: true });
const RNN_CELL_OPTIONS = optionKeys<RNNCellOptions>({ bias: true, dtype: true, generator: true, nonlinearity: true });

/** An LSTM state: `[h, c]` or `{ h, c }` (what LSTMCell and LSTM return can be passed back). */
export type LSTMState = readonly [Input, Input] | { readonly h: Input; readonly c: Input };

// ---- the time step, shared with RNN / LSTM / GRU ----------------------------------------------
//
// The G gates are computed one by one, each as a contiguous `[B, H]` (gate k uses rows
// k*H..(k+1)*H of the stacked weights: `W_hh[k]` below): the elementwise gate math then runs on
// contiguous memory, and no step has to slice columns out of a `[B, G*H]` block.

/**
 * One layer-direction's parameters split per gate (prepared once per forward): for gate k,
 * `wihT[k] = W_ih[k]^T` `[I, H]`, `whhT[k] = W_hh[k]^T` `[H, H]`, and `bi[k]` the bias added to
 * the input part of the gate: `b_ih[k] + b_hh[k]` (both biases are plain sums there), except for
 * GRU's n gate whose `b_hh[n]` is multiplied by r and so stays apart, as `bhn`.
 */
export interface GateWeights {
  wihT: Variable[];
  whhT: Variable[];
  bi: (Variable | null)[];
  bhn: Variable | null;
}

/**
 * One time step: `gi[k]` is the input part of gate k (`x W_ih[k]^T + bi[k]`, `[B, H]`, computed
 * for all time steps at once by the sequence modules), `state` is `[h]` (LSTM: `[h, c]`), each
 * `[B, H]`; returns the new state, `h` first.
 */
export type RecurrentStep = (gi: readonly Variable[], state: readonly Variable[], w: GateWeights) => Variable[];

/** A kind of recurrence: its number of gates, its step, and whether its last gate keeps `b_hh` apart (GRU). */
export interface RecurrentKind {
  gates: number;
  step: RecurrentStep;
  separateLastHiddenBias: boolean;
}

/** `gi[k] + h W_hh[k]^T`: gate k before its activation. */
function gate(gi: readonly Variable[], h: Variable, w: GateWeights, k: number): Variable {
  return gi[k].add(matmul(h, w.whhT[k]));
}

/** Elman RNN: `h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`. */
export const RNN_TANH: RecurrentKind = { gates: 1, separateLastHiddenBias: false, step: (gi, [h], w) => [tanh(gate(gi, h, w, 0))] };

/** Elman RNN with relu: `h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)`. */
export const RNN_RELU: RecurrentKind = { gates: 1, separateLastHiddenBias: false, step: (gi, [h], w) => [gate(gi, h, w, 0).relu()] };

/**
 * LSTM, gates in PyTorch's order i, f, g, o: `i = sigmoid(gi_i + h W_hi^T)`, ... (biases in gi),
 * `c' = f * c + i * g`, `h' = o * tanh(c')`.
 */
export const LSTM_KIND: RecurrentKind = {
  gates: 4,
  separateLastHiddenBias: false,
  step: (gi, [h, c], w) => {
    const i = sigmoid(gate(gi, h, w, 0));
    const f = sigmoid(gate(gi, h, w, 1));
    const g = tanh(gate(gi, h, w, 2));
    const o = sigmoid(gate(gi, h, w, 3));
    const c2 = f.mul(c).add(i.mul(g));
    return [o.mul(tanh(c2)), c2];
  },
};

/**
 * GRU, gates in PyTorch's order r, z, n (the hidden part of n is gated by r after its bias):
 * `r = sigmoid(gi_r + h W_hr^T)`, `z = sigmoid(gi_z + h W_hz^T)` (both biases in gi),
 * `n = tanh(gi_n + r * (h W_hn^T + b_hn))`, `h' = (1 - z) * n + z * h = (h - n) * z + n`.
 */
export const GRU_KIND: RecurrentKind = {
  gates: 3,
  separateLastHiddenBias: true,
  step: (gi, [h], w) => {
    const r = sigmoid(gate(gi, h, w, 0));
    const z = sigmoid(gate(gi, h, w, 1));
    const hn = matmul(h, w.whhT[2]);
    const n = tanh(gi[2].add(r.mul(w.bhn === null ? hn : hn.add(w.bhn))));
    return [h.sub(n).mul(z).add(n)];
  },
};

/** Splits the stacked parameters `W_ih` `[G*H, I]`, `W_hh` `[G*H, H]`, `b_ih`, `b_hh` `[G*H]` per gate. */
export function gateWeights(kind: RecurrentKind, wih: Variable, whh: Variable, bih: Variable | null, bhh: Variable | null): GateWeights {
  const G = kind.gates;
  const H = whh.shape[1];
  const perGate = (w: Variable) => unbind(reshape(w, [G, H, w.shape[1]])).map((wk) => transpose(wk, 0, 1));
  const bIn = bih === null ? null : unbind(reshape(bih, [G, H]));
  const bHid = bhh === null ? null : unbind(reshape(bhh, [G, H]));
  const apart = (k: number) => kind.separateLastHiddenBias && k === G - 1;
  const bi = Array.from({ length: G }, (_, k) => {
    const a = bIn?.[k] ?? null;
    const b = apart(k) ? null : (bHid?.[k] ?? null);
    return a !== null && b !== null ? a.add(b) : (a ?? b);
  });
  const bhn = apart(G - 1) ? (bHid?.[G - 1] ?? null) : null;
  return { wihT: perGate(wih), whhT: perGate(whh), bi, bhn };
}

/** The input part of every gate for N rows of input at once: `x` `[N, I]` -> G x `[N, H]`. */
export function inputGates(x: Variable, w: GateWeights): Variable[] {
  return w.wihT.map((wk, k) => {
    const g = matmul(x, wk);
    const b = w.bi[k];
    return b === null ? g : g.add(b);
  });
}

// ---- shared helpers ------------------------------------------------------------------------------

/** Checks the common constructor arguments of cells and sequence modules. */
export function checkSizes(layer: string, inputSize: number, hiddenSize: number): void {
  for (const [name, v] of [
    ['inputSize', inputSize],
    ['hiddenSize', hiddenSize],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) {
      throw new ValueError(`${layer}: ${name} must be a positive integer, got ${String(v)}`);
    }
  }
}

/** A Parameter of `shape` drawn from U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)). */
export function recurrentParameter(shape: number[], hiddenSize: number, opts: RecurrentBaseOptions): Parameter {
  const p = new Parameter(zeros(shape, { dtype: opts.dtype ?? 'float32' }));
  const k = 1 / Math.sqrt(hiddenSize);
  return uniform(p, -k, k, { generator: opts.generator });
}

/** The input as a Variable, after checking that it is floating point and of the parameters' dtype. */
export function floatInput(layer: string, what: string, x: Input, dtype: DType): Variable {
  const v = asVariable(x);
  if (v.dtype !== dtype) {
    const conv = dtype === 'float64' ? '.double()' : '.float()';
    throw new DTypeError(
      `${layer}: ${what} is ${v.dtype} but the parameters are ${dtype}; convert it with ${what}${conv}` +
        (v.dtype === 'float32' || v.dtype === 'float64' ? ` or the module with module.to('${v.dtype}')` : ''),
    );
  }
  return v;
}

/** Checks that `v` has exactly `shape`. */
export function expectShape(layer: string, what: string, v: Variable, shape: readonly number[], meaning: string): void {
  if (v.ndim !== shape.length || v.shape.some((s, i) => s !== shape[i])) {
    throw new ShapeError(`${layer}: expected ${what} of shape ${fmtShape(shape)} (${meaning}), got ${fmtShape(v.shape)}`);
  }
}

// ---- cells ---------------------------------------------------------------------------------------

/** What RNNCell, LSTMCell and GRUCell share: sizes, parameters and the input checks. */
export abstract class RNNCellBase extends Module {
  /** `[G*H, I]`: the input weights of the G gates, stacked in PyTorch's order. */
  weight_ih: Parameter;
  /** `[G*H, H]`: the hidden weights of the G gates, stacked. */
  weight_hh: Parameter;
  /** `[G*H]`, or null with `bias: false`. */
  bias_ih: Parameter | null;
  /** `[G*H]`, or null with `bias: false`. */
  bias_hh: Parameter | null;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    private readonly kind: RecurrentKind,
    opts: RecurrentBaseOptions,
  ) {
    super();
    checkSizes(new.target.name, inputSize, hiddenSize);
    const bias = opts.bias ?? true;
    const G = kind.gates * hiddenSize;
    this.weight_ih = recurrentParameter([G, inputSize], hiddenSize, opts);
    this.weight_hh = recurrentParameter([G, hiddenSize], hiddenSize, opts);
    this.bias_ih = bias ? recurrentParameter([G], hiddenSize, opts) : null;
    this.bias_hh = bias ? recurrentParameter([G], hiddenSize, opts) : null;
  }

  /** Whether the cell has biases. */
  get bias(): boolean {
    return this.bias_ih !== null;
  }

  /** Redraws every parameter from U(-1/sqrt(H), 1/sqrt(H)), as PyTorch's `reset_parameters`. */
  resetParameters(generator?: Generator): void {
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform(p, -k, k, { generator });
  }

  protected get label(): string {
    return `${this.constructor.name}(${this.inputSize} -> ${this.hiddenSize})`;
  }

  /**
   * Checks the input (`[B, I]` or `[I]`) and returns it as `[B, I]`, with whether it was unbatched.
   */
  protected batchedInput(x: Input): { x: Variable; unbatched: boolean } {
    const v = floatInput(this.label, 'input', x, this.weight_ih.dtype);
    if ((v.ndim !== 1 && v.ndim !== 2) || v.shape[v.ndim - 1] !== this.inputSize) {
      throw new ShapeError(
        `${this.label}: input must be [batch, ${this.inputSize}] or unbatched [${this.inputSize}], got ${fmtShape(v.shape)}`,
      );
    }
    return v.ndim === 1 ? { x: v.unsqueeze(0), unbatched: true } : { x: v, unbatched: false };
  }

  /** A state tensor (`what` = 'h' or 'c') as `[B, H]`, checked, or zeros when not given. */
  protected batchedState(what: string, s: Input | null | undefined, batch: number, unbatched: boolean): Variable {
    const H = this.hiddenSize;
    if (s === null || s === undefined) return new Variable(zeros([batch, H], { dtype: this.weight_ih.dtype }));
    const v = floatInput(this.label, what, s, this.weight_ih.dtype);
    if (unbatched) {
      expectShape(this.label, what, v, [H], 'unbatched input: [hiddenSize]');
      return v.unsqueeze(0);
    }
    expectShape(this.label, what, v, [batch, H], 'batch, hiddenSize');
    return v;
  }

  /** The gates' input parts for `x` `[B, I]`, then the step; returns the new state as `[B, H]` each. */
  protected runStep(x: Variable, state: Variable[]): Variable[] {
    const w = gateWeights(this.kind, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    return this.kind.step(inputGates(x, w), state, w);
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}` + (this.bias ? '' : ', bias=False');
  }
}

/**
 * An Elman RNN cell: `h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)` with act = tanh (default) or
 * relu. Input `[B, I]` or `[I]`, `h` `[B, H]` or `[H]` (zeros if omitted) -> `h'` of h's shape.
 * Parameters `weight_ih` `[H, I]`, `weight_hh` `[H, H]`, `bias_ih`, `bias_hh` `[H]`.
 *
 * ```ts
 * const cell = new RNNCell(10, 20, { nonlinearity: 'relu' });
 * let h = cell.call(x0);       // [3, 10] -> [3, 20]
 * h = cell.call(x1, h);
 * ```
 */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: RNNNonlinearity;

  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    checkOptions('RNNCell', opts, RNN_CELL_OPTIONS);
    const nonlinearity = checkNonlinearity('RNNCell', opts.nonlinearity);
    super(inputSize, hiddenSize, nonlinearity === 'tanh' ? RNN_TANH : RNN_RELU, opts);
    this.nonlinearity = nonlinearity;
  }

  forward(input: Input, hx?: Input | null): Variable {
    const { x, unbatched } = this.batchedInput(input);
    const h = this.batchedState('h', hx, x.shape[0], unbatched);
    const [h2] = this.runStep(x, [h]);
    return unbatched ? h2.squeeze(0) : h2;
  }

  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity === 'tanh' ? '' : `, nonlinearity=${this.nonlinearity}`);
  }
}

/** Validates the `nonlinearity` option of RNNCell and RNN. */
export function checkNonlinearity(layer: string, nl: RNNNonlinearity | undefined): RNNNonlinearity {
  const v = nl ?? 'tanh';
  if (v !== 'tanh' && v !== 'relu') {
    throw new ValueError(`${layer}: unknown nonlinearity '${String(v)}'; use 'tanh' or 'relu'`);
  }
  return v;
}

/**
 * An LSTM cell (gates i, f, g, o stacked in that order):
 * ```
 * i = sigmoid(x W_ii^T + b_ii + h W_hi^T + b_hi)    f = sigmoid(... _f ...)
 * g = tanh(x W_ig^T + b_ig + h W_hg^T + b_hg)       o = sigmoid(... _o ...)
 * c' = f * c + i * g                                h' = o * tanh(c')
 * ```
 * Input `[B, I]` or `[I]`; state `[h, c]` or `{ h, c }`, each `[B, H]` or `[H]` (zeros if omitted).
 * Returns `{ h, c }` (PyTorch returns the tuple `(h, c)`); it can be passed back as the next state.
 * Parameters `weight_ih` `[4H, I]`, `weight_hh` `[4H, H]`, `bias_ih`, `bias_hh` `[4H]`.
 *
 * ```ts
 * const cell = new LSTMCell(10, 20);
 * let s = cell.call(x0);       // { h: [3, 20], c: [3, 20] }
 * s = cell.call(x1, s);
 * ```
 */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentBaseOptions = {}) {
    checkOptions('LSTMCell', opts, RECURRENT_BASE_OPTIONS);
    super(inputSize, hiddenSize, LSTM_KIND, opts);
  }

  forward(input: Input, hx?: LSTMState | null): { h: Variable; c: Variable } {
    const { x, unbatched } = this.batchedInput(input);
    const [h0, c0] = lstmStateParts(this.label, hx);
    const B = x.shape[0];
    const [h, c] = this.runStep(x, [this.batchedState('h', h0, B, unbatched), this.batchedState('c', c0, B, unbatched)]);
    return unbatched ? { h: h.squeeze(0), c: c.squeeze(0) } : { h, c };
  }
}

/** `[h, c]` or `{ h, c }` (or nothing) -> `[h, c]` (or nulls). */
export function lstmStateParts(layer: string, hx: LSTMState | null | undefined): [Input | null, Input | null] {
  if (hx === null || hx === undefined) return [null, null];
  if (Array.isArray(hx)) {
    if (hx.length !== 2) throw new ValueError(`${layer}: the state must be [h, c] (two tensors), got an array of ${hx.length}`);
    return [hx[0], hx[1]];
  }
  if (hx instanceof Tensor || hx instanceof Variable || typeof hx !== 'object' || !('h' in hx) || !('c' in hx)) {
    throw new ValueError(`${layer}: the state must be [h, c] or { h, c } (an LSTM carries a hidden and a cell state)`);
  }
  const s = hx as { readonly h: Input; readonly c: Input };
  return [s.h, s.c];
}

/**
 * A GRU cell (gates r, z, n stacked in that order, as PyTorch):
 * ```
 * r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)
 * z = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)
 * n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))
 * h' = (1 - z) * n + z * h
 * ```
 * Input `[B, I]` or `[I]`, `h` `[B, H]` or `[H]` (zeros if omitted) -> `h'`.
 * Parameters `weight_ih` `[3H, I]`, `weight_hh` `[3H, H]`, `bias_ih`, `bias_hh` `[3H]`.
 *
 * ```ts
 * const cell = new GRUCell(10, 20);
 * const h = cell.call(x1, cell.call(x0));
 * ```
 */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentBaseOptions = {}) {
    checkOptions('GRUCell', opts, RECURRENT_BASE_OPTIONS);
    super(inputSize, hiddenSize, GRU_KIND, opts);
  }

  forward(input: Input, hx?: Input | null): Variable {
    const { x, unbatched } = this.batchedInput(input);
    const [h2] = this.runStep(x, [this.batchedState('h', hx, x.shape[0], unbatched)]);
    return unbatched ? h2.squeeze(0) : h2;
  }
}
