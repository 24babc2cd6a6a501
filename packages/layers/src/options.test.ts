/**
 * Every constructor, forward and function of @dl/layers that takes an options object rejects a
 * key it does not know (PyTorch's snake_case spellings, typos) with a ValueError naming the class
 * or function, the key and the key probably meant; the table below covers every export (a new
 * export must be added to it or to NO_OPTIONS, or the first test fails).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Variable } from '@dl/autograd';
import { Tensor, ValueError, zeros } from '@dl/tensor';
import * as L from './index';

const seq = (shape: number[]): Variable => new Variable(zeros(shape));
const encLayer = () => new L.TransformerEncoderLayer(4, 2, { dimFeedforward: 4 });
const decLayer = () => new L.TransformerDecoderLayer(4, 2, { dimFeedforward: 4 });

/** [export (or Class.method), name in messages, call with the options]. */
const CASES: [string, string, (o: object) => unknown][] = [
  ['Linear', 'Linear', (o) => new L.Linear(2, 3, o)],
  ['Conv2d', 'Conv2d', (o) => new L.Conv2d(1, 1, 3, o)],
  ['MaxPool2d', 'MaxPool2d', (o) => new L.MaxPool2d(2, o)],
  ['AvgPool2d', 'AvgPool2d', (o) => new L.AvgPool2d(2, o)],
  ['Dropout', 'Dropout', (o) => new L.Dropout(0.5, o)],
  ['BatchNorm1d', 'BatchNorm1d', (o) => new L.BatchNorm1d(3, o)],
  ['BatchNorm2d', 'BatchNorm2d', (o) => new L.BatchNorm2d(3, o)],
  ['LayerNorm', 'LayerNorm', (o) => new L.LayerNorm(4, o)],
  ['Embedding', 'Embedding', (o) => new L.Embedding(5, 2, o)],
  ['RNNCell', 'RNNCell', (o) => new L.RNNCell(3, 4, o)],
  ['LSTMCell', 'LSTMCell', (o) => new L.LSTMCell(3, 4, o)],
  ['GRUCell', 'GRUCell', (o) => new L.GRUCell(3, 4, o)],
  ['RNN', 'RNN', (o) => new L.RNN(3, 4, o)],
  ['LSTM', 'LSTM', (o) => new L.LSTM(3, 4, o)],
  ['GRU', 'GRU', (o) => new L.GRU(3, 4, o)],
  ['MultiheadAttention', 'MultiheadAttention', (o) => new L.MultiheadAttention(4, 2, o)],
  ['MultiheadAttention.forward', 'MultiheadAttention.forward', (o) => new L.MultiheadAttention(4, 2).call(seq([3, 1, 4]), seq([3, 1, 4]), seq([3, 1, 4]), o)],
  ['scaledDotProductAttention', 'scaledDotProductAttention', (o) => L.scaledDotProductAttention(seq([2, 3]), seq([2, 3]), seq([2, 3]), o)],
  ['functional.scaledDotProductAttention', 'scaledDotProductAttention', (o) => L.functional.scaledDotProductAttention(seq([2, 3]), seq([2, 3]), seq([2, 3]), o)],
  ['functional.pad', 'pad', (o) => L.functional.pad(seq([1, 2, 3]), [1, 1], o)],
  ['TransformerEncoderLayer', 'TransformerEncoderLayer', (o) => new L.TransformerEncoderLayer(4, 2, o)],
  ['TransformerEncoderLayer.forward', 'TransformerEncoderLayer.forward', (o) => encLayer().call(seq([3, 1, 4]), o)],
  ['TransformerDecoderLayer', 'TransformerDecoderLayer', (o) => new L.TransformerDecoderLayer(4, 2, o)],
  ['TransformerDecoderLayer.forward', 'TransformerDecoderLayer.forward', (o) => decLayer().call(seq([3, 1, 4]), seq([2, 1, 4]), o)],
  ['TransformerEncoder', 'TransformerEncoder', (o) => new L.TransformerEncoder(encLayer(), 1, o)],
  ['TransformerEncoder.forward', 'TransformerEncoder.forward', (o) => new L.TransformerEncoder(encLayer(), 1).call(seq([3, 1, 4]), o)],
  ['TransformerDecoder', 'TransformerDecoder', (o) => new L.TransformerDecoder(decLayer(), 1, o)],
  ['TransformerDecoder.forward', 'TransformerDecoder.forward', (o) => new L.TransformerDecoder(decLayer(), 1).call(seq([3, 1, 4]), seq([2, 1, 4]), o)],
  ['SinusoidalPositionalEncoding', 'SinusoidalPositionalEncoding', (o) => new L.SinusoidalPositionalEncoding(4, o)],
  ['SinusoidalPositionalEncoding.forward', 'SinusoidalPositionalEncoding.forward', (o) => new L.SinusoidalPositionalEncoding(4).call(seq([3, 1, 4]), o)],
  ['LearnedPositionalEncoding', 'LearnedPositionalEncoding', (o) => new L.LearnedPositionalEncoding(8, 4, o)],
  ['LearnedPositionalEncoding.forward', 'LearnedPositionalEncoding.forward', (o) => new L.LearnedPositionalEncoding(8, 4).call(seq([3, 1, 4]), o)],
  ['RotaryPositionalEmbedding', 'RotaryPositionalEmbedding', (o) => new L.RotaryPositionalEmbedding(4, o)],
  ['RotaryPositionalEmbedding.forward', 'RotaryPositionalEmbedding.forward', (o) => new L.RotaryPositionalEmbedding(4).call(seq([3, 4]), o)],
  ['summary', 'summary', (o) => L.summary(new L.Linear(2, 2), [1, 2], o)],
  ['serialize', 'serialize', (o) => L.serialize({ w: zeros([2]) }, o)],
  ['save', 'save', (o) => L.save({ w: zeros([2]) }, path.join(os.tmpdir(), `dl-options-test-${process.pid}.safetensors`), o)],
  ['init.uniform', 'init.uniform', (o) => L.init.uniform(zeros([2, 2]), 0, 1, o)],
  ['init.normal', 'init.normal', (o) => L.init.normal(zeros([2, 2]), 0, 1, o)],
  ['init.xavierUniform', 'init.xavierUniform', (o) => L.init.xavierUniform(zeros([2, 2]), o)],
  ['init.xavierNormal', 'init.xavierNormal', (o) => L.init.xavierNormal(zeros([2, 2]), o)],
  ['init.kaimingUniform', 'init.kaimingUniform', (o) => L.init.kaimingUniform(zeros([2, 2]), o)],
  ['init.kaimingNormal', 'init.kaimingNormal', (o) => L.init.kaimingNormal(zeros([2, 2]), o)],
  ['Module.registerBuffer', 'registerBuffer', (o) => new L.Linear(1, 1).registerBuffer('extra', null, o)],
  ['Module.namedParameters', 'namedParameters', (o) => new L.Linear(1, 1).namedParameters(o)],
  ['Module.parameters', 'parameters', (o) => new L.Linear(1, 1).parameters(o)],
  ['Module.namedBuffers', 'namedBuffers', (o) => new L.Linear(1, 1).namedBuffers(o)],
  ['Module.buffers', 'buffers', (o) => new L.Linear(1, 1).buffers(o)],
  ['Module.loadStateDict', 'loadStateDict', (o) => { const m = new L.Linear(1, 1); return m.loadStateDict(m.stateDict(), o); }],
];

/** Exports that take no options object (positional arguments only), with what they are. */
const NO_OPTIONS: Record<string, string> = {
  Module: 'abstract base', asVariable: 'one input', ModuleDict: 'modules', ModuleList: 'modules', Sequential: 'modules',
  Flatten: 'dims', Identity: 'nothing', Unflatten: 'dim and sizes', AdaptiveAvgPool2d: 'output size',
  BatchNormBase: 'abstract base (BatchNorm1d/2d are covered)', BatchNormTrain: 'autograd Function (dims, eps)', NormalizeAffine: 'autograd Function (dims, eps)',
  GELU: 'approximate', LeakyReLU: 'negativeSlope', LogSoftmax: 'dim', ReLU: 'nothing', Sigmoid: 'nothing', Softmax: 'dim', Step: 'nothing', Tanh: 'nothing',
  RNNCellBase: 'abstract base (the cells are covered)', RNNBase: 'abstract base (RNN/LSTM/GRU are covered)',
  causalMask: 'sizes', generateSquareSubsequentMask: 'size and dtype', cloneModule: 'a module', sinusoidalTable: 'sizes and dtype',
  SAFETENSORS_DTYPES: 'a constant', CHECKSUM_KEY: 'a constant', SafetensorsError: 'an error class', SafetensorsChecksumError: 'an error class',
  nodeAtomicFs: 'the file-system calls (an object of functions, not options)', processAlive: 'a pid', removeStaleTemps: 'dir and target',
  syncDirectory: 'a dir', tempPrefix: 'a path', writeFileAtomic: 'path, data and an AtomicFs', deserialize: 'bytes', deserializeWithMetadata: 'bytes', load: 'a path', loadWithMetadata: 'a path',
  'init.calculateFans': 'a tensor', 'init.calculateGain': 'nonlinearity and param', 'init.constant': 'tensor and value', 'init.zeros': 'a tensor',
  'init.ones': 'a tensor', 'init.emptyParameter': 'shape and dtype',
  'functional.erf': 'input', 'functional.gelu': 'input, approximate', 'functional.leakyRelu': 'input, slope', 'functional.logSoftmax': 'input, dim',
  'functional.relu': 'input', 'functional.sigmoid': 'input', 'functional.softmax': 'input, dim', 'functional.step': 'input', 'functional.tanh': 'input',
  'functional.dropout': 'input, p, training, generator', 'functional.layerNorm': 'input, shape, weight, bias, eps',
};

/** Every export by name, with the members of the namespaces (`init.uniform`, `functional.pad`). */
function exportNames(): string[] {
  const names: string[] = [];
  for (const [k, v] of Object.entries(L)) {
    if (k === 'init' || k === 'functional') names.push(...Object.keys(v as object).map((m) => `${k}.${m}`));
    else names.push(k);
  }
  return names;
}

/** The known keys, read from the message of a call with a key nobody would use. */
function knownKeys(name: string, call: (o: object) => unknown): string[] {
  try {
    call({ zzzNotAnOption: 1 });
  } catch (e) {
    const m = /; the options are (.*)$/.exec((e as Error).message);
    if (m && (e as Error).message.startsWith(`${name}: unknown option 'zzzNotAnOption'`)) return m[1].split(', ');
    throw e;
  }
  throw new Error(`${name} accepted an unknown option`);
}

/** A typo of `key`: the first two different neighbouring letters after the first swapped (`bias` -> `bais`). */
function typo(key: string): string {
  const i = [...key].findIndex((c, k) => k >= 1 && k + 1 < key.length && c !== key[k + 1]);
  return i < 0 ? `${key}${key.slice(-1)}` : key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
}

/** PyTorch's spelling of a camelCase key (`batchFirst` -> `batch_first`), or the key capitalised. */
function pytorchSpelling(key: string): string {
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return snake !== key ? snake : key[0].toUpperCase() + key.slice(1);
}

afterAll(() => fs.rmSync(path.join(os.tmpdir(), `dl-options-test-${process.pid}.safetensors`), { force: true }));

it('the table covers every export of @dl/layers', () => {
  const covered = new Set([...CASES.map(([k]) => k), ...Object.keys(NO_OPTIONS)]);
  expect(exportNames().filter((n) => !covered.has(n))).toEqual([]);
  // and names nothing that is not exported
  const exported = new Set(exportNames());
  expect(Object.keys(NO_OPTIONS).filter((n) => !exported.has(n))).toEqual([]);
  expect(CASES.map(([k]) => k).filter((k) => !exported.has(k) && !/\.(forward|registerBuffer|namedParameters|parameters|namedBuffers|buffers|loadStateDict)$/.test(k))).toEqual([]);
});

describe.each(CASES)('%s', (_key, name, call) => {
  it('rejects an unknown key, naming the class or function and listing the options', () => {
    expect(() => call({ zzzNotAnOption: 1 })).toThrow(ValueError);
    expect(() => call({ zzzNotAnOption: 1 })).toThrow(new RegExp(`^${name.replace('.', '\\.')}: unknown option 'zzzNotAnOption'; the options are \\w+`));
  });

  it("suggests the key meant, for PyTorch's spelling and for a typo of each option", () => {
    for (const key of knownKeys(name, call)) {
      for (const wrong of [pytorchSpelling(key), typo(key)]) {
        expect(() => call({ [wrong]: undefined })).toThrow(`${name}: unknown option '${wrong}' (did you mean '${key}'?)`);
      }
    }
  });

  it('accepts no options at all', () => {
    expect(() => call({})).not.toThrow();
  });
});

describe('the examples of the issue', () => {
  it.each([
    ['LSTM batch_first', () => new L.LSTM(3, 4, { batch_first: true } as never), "LSTM: unknown option 'batch_first' (did you mean 'batchFirst'?)"],
    ['Linear bais', () => new L.Linear(3, 4, { bais: false } as never), "Linear: unknown option 'bais' (did you mean 'bias'?)"],
    ['AvgPool2d divisor_override', () => new L.AvgPool2d(2, { divisor_override: 2 } as never), "AvgPool2d: unknown option 'divisor_override' (did you mean 'divisorOverride'?)"],
    ['Conv2d padding_mode', () => new L.Conv2d(1, 1, 3, { padding_mode: 'reflect' } as never), "Conv2d: unknown option 'padding_mode' (did you mean 'paddingMode'?)"],
  ])('%s', (_what, f, message) => {
    expect(f).toThrow(ValueError);
    expect(f).toThrow(message);
  });

  it('options that are not an object are an error too', () => {
    expect(() => new L.Linear(3, 4, null as never)).toThrow(/^Linear: options must be an object such as \{ bias: \.\.\. \}, got null/);
    expect(() => new L.Dropout(0.5, 3 as never)).toThrow(/^Dropout: options must be an object/);
  });

  it('the tensors are not touched by a rejected call', () => {
    const t = new Tensor(Float64Array.of(1, 2), [2]);
    expect(() => L.init.uniform(t, 0, 1, { seed: 1 } as never)).toThrow(/^init\.uniform: unknown option 'seed'; the options are generator$/);
    expect(Array.from(t.toTypedArray())).toEqual([1, 2]);
  });
});
