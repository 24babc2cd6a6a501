/**
 * Replays fixtures/ops.json (made by fixtures/make_op_fixtures.py with PyTorch 1.13): every case
 * runs an op through the public API and compares shape, dtype (PyTorch's, mapped to @dl's:
 * int64 -> int32) and values (float64 to 1e-10, float32 to float32 precision, ints and bools
 * exactly).
 *
 * Each case runs twice: with contiguous inputs, and with the same values laid out as strided views
 * (storage offset 1, reversed strides), so every kernel also sees non-contiguous operands.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Tensor, cat, linear, matmul, stack, tensor, where, zeros, type DType } from '../index';

type JsonNumber = number | 'nan' | 'inf' | '-inf';

interface FixtureTensor {
  shape: number[];
  dtype: DType;
  values: JsonNumber[];
}

type Step = [string, ...(number | number[] | null)[]];

interface Args {
  other?: number | boolean;
  dim?: number | number[];
  keepdim?: boolean;
  unbiased?: boolean;
  min?: JsonNumber;
  max?: JsonNumber;
  minInput?: boolean;
  maxInput?: boolean;
  a?: number;
  b?: number;
  steps?: Step[];
  size?: number | number[];
  chunks?: number;
  dtype?: DType;
}

interface FixtureCase {
  name: string;
  op: string;
  inputs: FixtureTensor[];
  args: Args;
  expected: FixtureTensor[];
}

const cases = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'ops.json'), 'utf8')) as FixtureCase[];

function decode(v: JsonNumber): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v;
}

function decodeOpt(v: JsonNumber | undefined): number | undefined {
  return v === undefined ? undefined : decode(v);
}

function makeInput(f: FixtureTensor): Tensor {
  const values = f.values.map(decode);
  const storage =
    f.dtype === 'float64'
      ? Float64Array.from(values)
      : f.dtype === 'float32'
        ? Float32Array.from(values)
        : f.dtype === 'int32'
          ? Int32Array.from(values)
          : Uint8Array.from(values);
  return tensor(storage, { shape: f.shape });
}

/** The same values as `t`, as a view with storage offset 1 and reversed (non-contiguous) strides. */
function stridedCopy(t: Tensor): Tensor {
  const rev = t.T.contiguous();
  const buf = cat([zeros([1], { dtype: t.dtype }), rev.reshape(-1)]);
  return buf.narrow(0, 1, t.numel()).view(rev.shape).T;
}

function applyStep(x: Tensor, step: Step): Tensor {
  const [name, ...r] = step;
  const n = (i: number) => r[i] as number;
  const opt = (i: number) => (r[i] === null ? undefined : (r[i] as number));
  const list = (i: number) => r[i] as number[];
  switch (name) {
    case 'transpose':
      return x.transpose(n(0), n(1));
    case 'permute':
      return x.permute(list(0));
    case 'reshape':
      return x.reshape(list(0));
    case 'view':
      return x.view(list(0));
    case 'narrow':
      return x.narrow(n(0), n(1), n(2));
    case 'select':
      return x.select(n(0), n(1));
    case 'slice':
      return x.slice(n(0), opt(1), opt(2), opt(3));
    case 'expand':
      return x.expand(list(0));
    case 'squeeze':
      return x.squeeze(opt(0));
    case 'unsqueeze':
      return x.unsqueeze(n(0));
    case 'flatten':
      return x.flatten(n(0), n(1));
    case 'T':
      return x.T;
    case 'mT':
      return x.mT;
    case 'contiguous':
      return x.contiguous();
    default:
      throw new Error(`unknown view step ${name}`);
  }
}

type Output = Tensor | Tensor[];
type OpFn = (x: Tensor[], a: Args) => Output;

const bin =
  (f: (a: Tensor, b: Tensor | number | boolean) => Tensor): OpFn =>
  (x, a) =>
    f(x[0], a.other !== undefined ? a.other : x[1]);
const un =
  (f: (a: Tensor) => Tensor): OpFn =>
  (x) =>
    f(x[0]);
const red = (a: Args) => ({ dim: a.dim, keepdim: a.keepdim });

const OPS: Record<string, OpFn> = {
  add: bin((a, b) => a.add(b)),
  sub: bin((a, b) => a.sub(b)),
  mul: bin((a, b) => a.mul(b)),
  div: bin((a, b) => a.div(b)),
  pow: bin((a, b) => a.pow(b)),
  maximum: bin((a, b) => a.maximum(b)),
  minimum: bin((a, b) => a.minimum(b)),
  eq: bin((a, b) => a.eq(b)),
  ne: bin((a, b) => a.ne(b)),
  lt: bin((a, b) => a.lt(b)),
  le: bin((a, b) => a.le(b)),
  gt: bin((a, b) => a.gt(b)),
  ge: bin((a, b) => a.ge(b)),
  logicalAnd: bin((a, b) => a.logicalAnd(b)),
  logicalOr: bin((a, b) => a.logicalOr(b)),
  logicalXor: bin((a, b) => a.logicalXor(b)),
  neg: un((a) => a.neg()),
  abs: un((a) => a.abs()),
  sign: un((a) => a.sign()),
  exp: un((a) => a.exp()),
  log: un((a) => a.log()),
  sqrt: un((a) => a.sqrt()),
  sin: un((a) => a.sin()),
  cos: un((a) => a.cos()),
  tanh: un((a) => a.tanh()),
  sigmoid: un((a) => a.sigmoid()),
  relu: un((a) => a.relu()),
  step: un((a) => a.step()),
  logicalNot: un((a) => a.logicalNot()),
  clamp: (x, a) => x[0].clamp(a.minInput ? x[1] : decodeOpt(a.min), a.maxInput ? x[x.length - 1] : decodeOpt(a.max)),
  where: (x, a) => where(x[0], a.a !== undefined ? a.a : x[1], a.b !== undefined ? a.b : x[2]),
  sum: (x, a) => x[0].sum(red(a)),
  mean: (x, a) => x[0].mean(red(a)),
  prod: (x, a) => x[0].prod(red(a)),
  amax: (x, a) => x[0].amax(red(a)),
  amin: (x, a) => x[0].amin(red(a)),
  max: (x) => x[0].max(),
  min: (x) => x[0].min(),
  maxDim: (x, a) => {
    const r = x[0].max({ dim: a.dim as number, keepdim: a.keepdim });
    return [r.values, r.indices];
  },
  minDim: (x, a) => {
    const r = x[0].min({ dim: a.dim as number, keepdim: a.keepdim });
    return [r.values, r.indices];
  },
  argmax: (x, a) => x[0].argmax({ dim: a.dim as number | undefined, keepdim: a.keepdim }),
  argmin: (x, a) => x[0].argmin({ dim: a.dim as number | undefined, keepdim: a.keepdim }),
  var: (x, a) => x[0].var({ ...red(a), unbiased: a.unbiased }),
  std: (x, a) => x[0].std({ ...red(a), unbiased: a.unbiased }),
  logsumexp: (x, a) => x[0].logsumexp(red(a)),
  softmax: (x, a) => x[0].softmax(a.dim as number),
  logSoftmax: (x, a) => x[0].logSoftmax(a.dim as number),
  cumsum: (x, a) => x[0].cumsum(a.dim as number),
  matmul: (x) => matmul(x[0], x[1]),
  linear: (x) => linear(x[0], x[1], x[2]),
  views: (x, a) => (a.steps ?? []).reduce(applyStep, x[0]),
  index: (x) => x[0].index(x[1]),
  indexSelect: (x, a) => x[0].indexSelect(a.dim as number, x[1]),
  gather: (x, a) => x[0].gather(a.dim as number, x[1]),
  scatterAdd: (x, a) => x[0].scatterAdd(a.dim as number, x[1], x[2]),
  indexAdd: (x, a) => x[0].indexAdd(a.dim as number, x[1], x[2]),
  cat: (x, a) => cat(x, a.dim as number),
  stack: (x, a) => stack(x, a.dim as number),
  split: (x, a) => x[0].split(a.size as number | number[], a.dim as number),
  chunk: (x, a) => x[0].chunk(a.chunks as number, a.dim as number),
  to: (x, a) => x[0].to(a.dtype as DType),
};

/** Allowed |actual - expected|: float64 1e-10 (abs and rel), float32 about 10 ulps; ints/bools exact. */
function tolerance(dtype: DType, expected: number): number {
  if (dtype === 'float64') return 1e-10 + 1e-10 * Math.abs(expected);
  if (dtype === 'float32') return 1e-6 + 2e-6 * Math.abs(expected);
  return 0;
}

/** Human-readable mismatches between one output and its expectation (empty when they agree). */
function mismatches(actual: Tensor, want: FixtureTensor): string[] {
  const problems: string[] = [];
  if (actual.dtype !== want.dtype) problems.push(`dtype ${actual.dtype}, expected ${want.dtype}`);
  if (JSON.stringify(actual.shape) !== JSON.stringify(want.shape)) {
    problems.push(`shape ${JSON.stringify(actual.shape)}, expected ${JSON.stringify(want.shape)}`);
    return problems;
  }
  const got = actual.toTypedArray();
  const exp = want.values.map(decode);
  if (got.length !== exp.length) return [...problems, `${got.length} values, expected ${exp.length}`];
  for (let i = 0; i < exp.length && problems.length < 5; i++) {
    const g = got[i];
    const e = exp[i];
    const ok = Number.isNaN(e) ? Number.isNaN(g) : !Number.isFinite(e) ? g === e : Math.abs(g - e) <= tolerance(want.dtype, e);
    if (!ok) problems.push(`value ${i}: ${g}, expected ${e}`);
  }
  return problems;
}

function run(c: FixtureCase, layout: (t: Tensor) => Tensor): string[] {
  const fn = OPS[c.op];
  if (!fn) return [`no replay for op ${c.op}`];
  const out = fn(c.inputs.map((f) => layout(makeInput(f))), c.args);
  const outs = Array.isArray(out) ? out : [out];
  if (outs.length !== c.expected.length) return [`${outs.length} outputs, expected ${c.expected.length}`];
  return outs.flatMap((t, k) => mismatches(t, c.expected[k]).map((m) => `output ${k}: ${m}`));
}

describe('ops.json: forward values match PyTorch 1.13', () => {
  it('has a broad set of cases, each with a replay', () => {
    expect(cases.length).toBeGreaterThanOrEqual(400);
    const ops = new Set(cases.map((c) => c.op));
    expect([...ops].filter((op) => !(op in OPS))).toEqual([]);
    // every replay in the table is exercised by some case
    expect(Object.keys(OPS).filter((op) => !ops.has(op))).toEqual([]);
    // each result dtype and some float32/int32 inputs are covered
    const outDtypes = new Set(cases.flatMap((c) => c.expected.map((e) => e.dtype)));
    expect([...outDtypes].sort()).toEqual(['bool', 'float32', 'float64', 'int32']);
  });

  it('builds strided inputs with the same values, offset 1 and non-contiguous strides', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });
    const s = stridedCopy(t);
    expect(s.toArray()).toEqual(t.toArray());
    expect(s.offset).toBe(1);
    expect(s.isContiguous()).toBe(false);
    expect(s.strides).toEqual([1, 2]);
  });

  describe('contiguous inputs', () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      expect(run(c, (t) => t)).toEqual([]);
    });
  });

  describe('strided inputs (offset 1, reversed strides)', () => {
    // `view` needs a viewable layout by design, so those cases only run on contiguous inputs
    const strided = cases.filter((c) => !(c.args.steps ?? []).some((s) => s[0] === 'view'));
    it.each(strided.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      expect(run(c, stridedCopy)).toEqual([]);
    });
  });
});
