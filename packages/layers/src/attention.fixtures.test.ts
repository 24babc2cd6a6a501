/**
 * PyTorch parity: replays fixtures/attention.json (made by fixtures/make_attention_fixtures.py with
 * PyTorch 1.13). For MultiheadAttention, the Transformer layers and TransformerEncoder: the module
 * is built with the same configuration, its stateDict keys are compared with PyTorch's, PyTorch's
 * (random) weights are loaded with loadStateDict, and the output, the attention weights and the
 * gradients of `sum(output * R) (+ sum(weights * R_w))` w.r.t. every input and every parameter
 * must match: 1e-10 relative in float64, 1e-4 in float32. Causal cases use `isCausal` here and an
 * explicit causal mask on the PyTorch side (1.13 has no is_causal). The sinusoidal table and RoPE
 * are compared with independent PyTorch computations (the textbook formula; complex products).
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Variable, mul, sum } from '@dl/autograd';
import { Tensor, type DType } from '@dl/tensor';
import { MultiheadAttention } from './attention';
import type { Module, StateDict } from './module';
import { LayerNorm } from './normalization';
import { LearnedPositionalEncoding, RotaryPositionalEmbedding, SinusoidalPositionalEncoding, sinusoidalTable } from './positional';
import { TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer, type TransformerActivation } from './transformer';

interface T {
  shape: number[];
  data: number[];
}
interface StoredMask {
  dtype: 'bool' | 'float';
  shape: number[];
  data: (number | '-inf')[];
}
interface Config {
  embedDim: number;
  numHeads: number;
  bias: boolean;
  kdim: number | null;
  vdim: number | null;
  batchFirst: boolean;
  addBiasKV: boolean;
  addZeroAttn: boolean;
  dModel: number;
  nhead: number;
  dimFeedforward: number;
  activation: TransformerActivation;
  layerNormEps: number;
  normFirst: boolean;
  numLayers: number;
  finalNorm: boolean;
  maxLen: number;
  headDim: number;
  base: number;
  offset: number;
}
interface Case {
  name: string;
  kind: 'mha' | 'encoderLayer' | 'decoderLayer' | 'encoder' | 'sinusoidal' | 'rope';
  dtype: 'float32' | 'float64';
  config: Config;
  stateDictKeys: string[];
  params: Record<string, T>;
  inputs: Record<string, T>;
  shared: '' | 'qkv' | 'kv';
  masks: Record<string, StoredMask>;
  options: { needWeights?: boolean; averageAttnWeights?: boolean; isCausal?: boolean; tgtIsCausal?: boolean };
  weights: Record<string, T>;
  expected: Record<string, T>;
  grads: { inputs: Record<string, T>; params: Record<string, T> };
}

const file = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'attention.json'), 'utf8')) as { torch: string; cases: Case[] };
const cases = file.cases;

function toTensor(t: T, dtype: DType): Tensor {
  return new Tensor(Float64Array.from(t.data), t.shape).to(dtype);
}

function toMask(m: StoredMask | undefined, dtype: DType): Tensor | undefined {
  if (!m) return undefined;
  const vals = Float64Array.from(m.data, (v) => (v === '-inf' ? -Infinity : v));
  const t = new Tensor(vals, m.shape);
  return m.dtype === 'bool' ? t.bool() : t.to(dtype);
}

/**
 * Max over elements of |a - e| / (|e| + floor * max|E|): a relative error that tolerates tiny
 * entries. The floor is 1e-3 in float64 and 1e-2 in float32, where entries that are zero in exact
 * arithmetic (e.g. the key part of in_proj_bias's gradient: softmax ignores a shift shared by a
 * row) hold rounding noise of about 1e-7 of the tensor's scale, on both sides.
 */
function relError(actual: Tensor, expected: T): number {
  expect([...actual.shape]).toEqual(expected.shape);
  const a = actual.to('float64').contiguous().toTypedArray();
  const maxAbs = expected.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const floor = actual.dtype === 'float32' ? 1e-2 : 1e-3;
  let worst = 0;
  expected.data.forEach((e, i) => {
    const err = Math.abs(a[i] - e) / (Math.abs(e) + floor * maxAbs + 1e-300);
    if (!(err <= worst)) worst = err; // NaN propagates
  });
  return worst;
}

function expectClose(what: string, actual: Tensor | undefined | null, expected: T, tol: number): void {
  if (!actual) throw new Error(`${what}: no value (expected shape [${expected.shape.join(', ')}])`);
  const err = relError(actual, expected);
  if (!(err <= tol)) throw new Error(`${what}: relative error ${err.toExponential(2)} > ${tol}`);
}

function layerOptions(c: Case) {
  const k = c.config;
  return {
    dimFeedforward: k.dimFeedforward,
    dropout: 0,
    activation: k.activation,
    layerNormEps: k.layerNormEps,
    batchFirst: k.batchFirst,
    normFirst: k.normFirst,
    dtype: c.dtype,
  };
}

/** Builds the module, runs the case's forward and returns the module and its results by name. */
function run(c: Case, inputs: Record<string, Variable>): { module: Module; results: Record<string, Variable> } {
  const k = c.config;
  const mask = (name: string) => toMask(c.masks[name], c.dtype);
  switch (c.kind) {
    case 'mha': {
      const m = new MultiheadAttention(k.embedDim, k.numHeads, {
        bias: k.bias,
        kdim: k.kdim,
        vdim: k.vdim,
        batchFirst: k.batchFirst,
        addBiasKV: k.addBiasKV,
        addZeroAttn: k.addZeroAttn,
        dtype: c.dtype,
      });
      load(m, c);
      const q = inputs.query;
      const key = c.shared === 'qkv' ? q : inputs.key;
      const value = c.shared === '' ? inputs.value : key;
      const r = m.call(q, key, value, {
        keyPaddingMask: mask('keyPaddingMask'),
        attnMask: mask('attnMask'),
        needWeights: c.options.needWeights,
        averageAttnWeights: c.options.averageAttnWeights,
        isCausal: c.options.isCausal,
      });
      const results: Record<string, Variable> = { output: r.output };
      if (r.weights) results.attnWeights = r.weights;
      return { module: m, results };
    }
    case 'encoderLayer': {
      const m = new TransformerEncoderLayer(k.dModel, k.nhead, layerOptions(c));
      load(m, c);
      const out = m.call(inputs.src, { srcMask: mask('srcMask'), srcKeyPaddingMask: mask('srcKeyPaddingMask'), isCausal: c.options.isCausal });
      return { module: m, results: { output: out } };
    }
    case 'decoderLayer': {
      const m = new TransformerDecoderLayer(k.dModel, k.nhead, layerOptions(c));
      load(m, c);
      const out = m.call(inputs.tgt, inputs.memory, {
        tgtIsCausal: c.options.tgtIsCausal,
        memoryMask: mask('memoryMask'),
        tgtKeyPaddingMask: mask('tgtKeyPaddingMask'),
        memoryKeyPaddingMask: mask('memoryKeyPaddingMask'),
      });
      return { module: m, results: { output: out } };
    }
    case 'encoder': {
      const layer = new TransformerEncoderLayer(k.dModel, k.nhead, layerOptions(c));
      const m = new TransformerEncoder(layer, k.numLayers, { norm: k.finalNorm ? new LayerNorm(k.dModel, { dtype: c.dtype }) : null });
      load(m, c);
      const out = m.call(inputs.src, { srcKeyPaddingMask: mask('srcKeyPaddingMask'), isCausal: c.options.isCausal });
      return { module: m, results: { output: out } };
    }
    default:
      throw new Error(`not a module case: ${c.kind}`);
  }
}

function load(m: Module, c: Case): void {
  expect(Object.keys(m.stateDict())).toEqual(c.stateDictKeys);
  const sd: StateDict = {};
  for (const [n, t] of Object.entries(c.params)) sd[n] = toTensor(t, c.dtype);
  m.loadStateDict(sd);
}

const moduleCases = cases.filter((c) => c.kind !== 'sinusoidal' && c.kind !== 'rope');

describe(`attention and Transformer parity with PyTorch ${file.torch}`, () => {
  it('has the cases the issue asks for', () => {
    const names = moduleCases.map((c) => c.name).join('\n');
    for (const must of ['batchFirst', 'key padding', 'bool 2-D', 'float 2-D', 'kdim', 'needWeights false', 'per-head', 'unbatched', 'pre-LN', 'post-LN', 'gelu', 'causal tgt', 'TransformerEncoder 2']) {
      expect(names).toContain(must);
    }
    expect(moduleCases.some((c) => c.dtype === 'float32')).toBe(true);
  });

  it.each(moduleCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const tol = c.dtype === 'float64' ? 1e-10 : 1e-4;
    const inputs: Record<string, Variable> = {};
    for (const [n, t] of Object.entries(c.inputs)) inputs[n] = new Variable(toTensor(t, c.dtype), { requiresGrad: true });
    const { module, results } = run(c, inputs);
    expect(Object.keys(results).sort()).toEqual(Object.keys(c.expected).sort());
    let loss: Variable | null = null;
    for (const [n, r] of Object.entries(results)) {
      expectClose(`${n}`, r.data, c.expected[n], tol);
      const term = sum(mul(r, toTensor(c.weights[n], c.dtype)));
      loss = loss === null ? term : loss.add(term);
    }
    (loss as Variable).backward();
    for (const [n, x] of Object.entries(inputs)) expectClose(`d loss / d ${n}`, x.grad?.data, c.grads.inputs[n], tol);
    const params = new Map(module.namedParameters());
    expect([...params.keys()].sort()).toEqual(Object.keys(c.grads.params).sort());
    for (const [n, g] of Object.entries(c.grads.params)) expectClose(`d loss / d ${n}`, params.get(n)?.grad?.data, g, tol);
  });
});

describe('positional encodings against PyTorch computations', () => {
  it.each(cases.filter((c) => c.kind === 'sinusoidal').map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const { dModel, maxLen } = c.config;
    expectClose('sinusoidalTable', sinusoidalTable(maxLen, dModel, 'float64'), c.expected.pe, 1e-12);
    const pe = new SinusoidalPositionalEncoding(dModel, { maxLen, dropout: 0, dtype: 'float64' });
    expectClose('pe buffer', pe.pe, c.expected.pe, 1e-12);
    // the module adds the table: zeros in -> the table out ([L, 1, d] seq-first)
    const y = pe.call(new Tensor(new Float64Array(maxLen * dModel), [maxLen, 1, dModel]));
    expectClose('forward of zeros', y.data.reshape([maxLen, dModel]), c.expected.pe, 1e-12);
    expect(Object.keys(pe.stateDict())).toEqual([]); // non-persistent buffer
  });

  it.each(cases.filter((c) => c.kind === 'rope').map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const rope = new RotaryPositionalEmbedding(c.config.headDim, { base: c.config.base });
    const y = rope.call(toTensor(c.inputs.x, 'float64'), { offset: c.config.offset });
    expectClose('rope', y.data, c.expected.output, 1e-12);
  });

  it('LearnedPositionalEncoding state dict key is weight', () => {
    expect(Object.keys(new LearnedPositionalEncoding(4, 2).stateDict())).toEqual(['weight']);
  });
});
