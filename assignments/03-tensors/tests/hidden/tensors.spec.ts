/**
 * Hidden tests of assignment 03: the same functions on seeded random inputs: shapes from 0-d to
 * 3-D (empty ones included), dtypes float32, float64, int32 and bool, negative indices, masks with
 * ties at the threshold (strictly greater), nothing or everything selected. Expected values are
 * computed here from the definitions (float32 inputs are rounded to float32 first); tensors are
 * compared with their shape and dtype.
 */
import { defineTests, T, type Rng, type Value } from '@dl/grader';
import {
  closeTensor,
  checkMaskSelect,
  checkMse,
  record,
  closeElement,
  checkInfo,
  closeGrad,
  INT_DATA,
  DTYPE_ARG,
  TIMES_NUMBER,
  type Tv,
} from '../common/tensors';

// ---- random inputs and plain-JS expectations ----

type DT = Tv['dtype'];

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A shape with ndim in [minDims, maxDims] and sizes in [minSize, maxSize]. */
function randShape(rng: Rng, minDims: number, maxDims: number, minSize = 1, maxSize = 4): number[] {
  const nd = rng.int(minDims, maxDims);
  return Array.from({ length: nd }, () => rng.int(minSize, maxSize));
}

/** One random value of `dtype`: integers in [-9, 9], floats in [-3, 3) (rounded to float32 for float32). */
function randValue(rng: Rng, dtype: DT, nonzero = false): number {
  for (;;) {
    let v: number;
    if (dtype === 'int32') v = rng.int(-9, 9);
    else if (dtype === 'bool') v = rng.int(0, 1);
    else {
      v = rng.uniform(-3, 3);
      if (dtype === 'float32') v = Math.fround(v);
    }
    if (!nonzero || Math.abs(v) >= 0.5) return v;
  }
}

function randTensor(rng: Rng, shape: readonly number[], dtype: DT, nonzero = false): Tv {
  return { $tensor: true, dtype, shape: [...shape], data: Array.from({ length: numel(shape) }, () => randValue(rng, dtype, nonzero)) };
}

/** Values of the result dtype: float32 results rounded as @dl stores them, int32 wrapped. */
function store(v: number, dtype: DT): number {
  if (dtype === 'float32') return Math.fround(v);
  if (dtype === 'int32') return v | 0;
  if (dtype === 'bool') return v ? 1 : 0;
  return v;
}

/** Elementwise f over a and b broadcast together (NumPy/PyTorch rules), stored as `dtype`. */
function broadcast2(a: Tv, b: Tv, dtype: DT, f: (x: number, y: number) => number): Tv {
  const n = Math.max(a.shape.length, b.shape.length);
  const pad = (s: readonly number[]) => [...new Array(n - s.length).fill(1), ...s];
  const sa = pad(a.shape);
  const sb = pad(b.shape);
  const out = sa.map((x, i) => (x === 1 ? sb[i] : x));
  const strides = (s: number[]) => s.map((_, i) => (s[i] === 1 ? 0 : numel(s.slice(i + 1))));
  const ta = strides(sa);
  const tb = strides(sb);
  const data: number[] = [];
  for (let k = 0; k < numel(out); k++) {
    let rem = k;
    let ia = 0;
    let ib = 0;
    for (let d = n - 1; d >= 0; d--) {
      const i = rem % out[d];
      rem = Math.floor(rem / out[d]);
      ia += i * ta[d];
      ib += i * tb[d];
    }
    data.push(store(f(a.data[ia], b.data[ib]), dtype));
  }
  return { $tensor: true, dtype, shape: out, data };
}

function map1(a: Tv, dtype: DT, f: (x: number) => number): Tv {
  return { $tensor: true, dtype, shape: [...a.shape], data: a.data.map((x) => store(f(x), dtype)) };
}

function matmul2(a: Tv, b: Tv): Tv {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const data: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a.data[i * k + t] * b.data[t * n + j];
      data.push(store(s, a.dtype));
    }
  }
  return { $tensor: true, dtype: a.dtype, shape: [m, n], data };
}

/** Nested arrays of a tensor's values (booleans for bool), as a student would pass to tensor(). */
function nested(t: Tv): Value {
  const leaf = (v: number): Value => (t.dtype === 'bool' ? v !== 0 : v);
  if (t.shape.length === 0) return leaf(t.data[0]);
  let i = 0;
  const build = (d: number): Value[] => {
    const out: Value[] = [];
    for (let k = 0; k < t.shape[d]; k++) out.push(d === t.shape.length - 1 ? leaf(t.data[i++]) : build(d + 1));
    return out;
  };
  return build(0);
}

const wrap = (i: number, n: number) => (i < 0 ? i + n : i);

export default defineTests([
  // ================= create =================
  {
    task: 'create',
    name: { en: 'makeTensor on random data: 0-d to 3-D, empty, every dtype', ja: 'ランダムなデータでの makeTensor: 0次元〜3次元、空、すべてのデータ型' },
    run: async ({ student, check, rng }) => {
      const shapes = [[], [0], randShape(rng, 1, 1), randShape(rng, 2, 2), randShape(rng, 3, 3, 1, 3), randShape(rng, 2, 3)];
      for (const [i, shape] of shapes.entries()) {
        const dtype = (['float32', 'float64', 'int32', 'bool'] as const)[i % 4];
        const want = randTensor(rng, shape, dtype);
        const label = `makeTensor(<data of shape [${shape.join(', ')}]>, '${dtype}')`;
        const r = record(check, await student.call('makeTensor', nested(want), dtype), 'makeTensor', ['t', 'size', 'dtype']);
        if (r === null) return;
        closeTensor(check, r.t, want, `${label}.t`, { hint: DTYPE_ARG });
        check.equal(r.size, [...shape], `${label}.size`);
        check.equal(r.dtype, dtype, `${label}.dtype`);
      }
    },
  },
  {
    task: 'create',
    name: { en: 'courseTensors: x and A again, from a fresh process', ja: 'courseTensors: x と A (別のプロセスで再確認)' },
    run: async ({ student, check }) => {
      const r = record(check, await student.call('courseTensors'), 'courseTensors', ['x', 'A', 'size', 'dtype']);
      if (r === null) return;
      closeTensor(check, r.x, T([1, 2, 3], { dtype: 'float32' }), 'x');
      closeTensor(check, r.A, T([[1, 2, 3], [4, 5, 6]], { dtype: 'int32' }), 'A', { hint: INT_DATA });
      check.equal([r.size, r.dtype] as Value, [[2, 3], 'int32'], '[A.size(), A.dtype]');
    },
  },

  // ================= ops =================
  {
    task: 'ops',
    name: { en: 'elementwise +, −, *, / on random tensors (0-d to 3-D; float32, float64, int32)', ja: 'ランダムなテンソルでの要素ごとの +、−、*、/ (0次元〜3次元; float32、float64、int32)' },
    run: async ({ student, check, rng }) => {
      for (const dtype of ['float32', 'float64', 'int32', 'float64', 'int32', 'float32'] as const) {
        const shape = randShape(rng, 0, 3);
        const x = randTensor(rng, shape, dtype);
        const y = randTensor(rng, shape, dtype, true);
        const r = record(check, await student.call('elementwise', x, y), 'elementwise', ['add', 'sub', 'mul', 'div']);
        if (r === null) return;
        const at = `${dtype} [${shape.join(', ')}]`;
        const divType: DT = dtype === 'int32' ? 'float32' : dtype;
        closeTensor(check, r.add, broadcast2(x, y, dtype, (a, b) => a + b), `x + y (${at})`);
        closeTensor(check, r.sub, broadcast2(x, y, dtype, (a, b) => a - b), `x - y (${at})`);
        closeTensor(check, r.mul, broadcast2(x, y, dtype, (a, b) => a * b), `x * y (${at})`);
        closeTensor(check, r.div, broadcast2(x, y, divType, (a, b) => a / b), `x / y (${at})`);
      }
    },
  },
  {
    task: 'ops',
    name: { en: 'matrix products of random [m, k] and [k, n] matrices', ja: 'ランダムな [m, k] と [k, n] の行列の積' },
    run: async ({ student, check, rng }) => {
      for (const dtype of ['int32', 'float64', 'float32', 'int32', 'float64'] as const) {
        const [m, k, n] = [rng.int(1, 4), rng.int(1, 4), rng.int(1, 4)];
        const A = randTensor(rng, [m, k], dtype);
        const B = randTensor(rng, [k, n], dtype);
        closeTensor(check, await student.call('matrixProduct', A, B), matmul2(A, B), `matmul of [${m}, ${k}] and [${k}, ${n}] (${dtype})`, { atol: 1e-5, rtol: 1e-5 });
      }
    },
  },

  // ================= broadcast =================
  {
    task: 'broadcast',
    name: { en: 'A * 10, A + 10 and A * B for random A and B of shapes [n], [1, n], [m, 1], [] and a 3-D A', ja: 'ランダムな A と形状 [n]、[1, n]、[m, 1]、[] の B、3次元の A での A * 10、A + 10、A * B' },
    run: async ({ student, check, rng }) => {
      const dtypes = ['int32', 'float64', 'float32', 'int32', 'float64'] as const;
      for (const [i, dtype] of dtypes.entries()) {
        const shape = i === 4 ? [rng.int(2, 3), rng.int(1, 3), rng.int(2, 4)] : [rng.int(1, 4), rng.int(2, 4)];
        const [m, n] = shape.slice(-2);
        const bShape = [[n], [1, n], [m, 1], [], [m, 1]][i];
        const A = randTensor(rng, shape, dtype);
        const B = randTensor(rng, bShape, dtype);
        const r = record(check, await student.call('broadcastExamples', A, B), 'broadcastExamples', ['times10', 'plus10', 'timesB']);
        if (r === null) return;
        const at = `A ${dtype} [${shape.join(', ')}]`;
        const hint = dtype === 'int32' ? TIMES_NUMBER : undefined;
        closeTensor(check, r.times10, map1(A, dtype, (a) => a * 10), `A * 10 (${at})`, { hint });
        closeTensor(check, r.plus10, map1(A, dtype, (a) => a + 10), `A + 10 (${at})`, { hint });
        closeTensor(check, r.timesB, broadcast2(A, B, dtype, (a, b) => a * b), `A * B (${at}, B [${bShape.join(', ')}])`);
      }
    },
  },

  // ================= index =================
  {
    task: 'index',
    name: { en: 'rows, elements, flatten and index lists on random matrices, negative indices included', ja: 'ランダムな行列での行・要素・flatten・インデックスの配列 (負のインデックスを含む)' },
    run: async ({ student, check, rng }) => {
      for (const dtype of ['int32', 'float64', 'float32', 'int32', 'float64', 'int32'] as const) {
        const [m, n] = [rng.int(1, 5), rng.int(1, 5)];
        const Xr = randTensor(rng, [m, n], dtype);
        const i = rng.int(-m, m - 1);
        const j = rng.int(-n, n - 1);
        const size = m * n;
        const picks = Array.from({ length: rng.int(1, 6) }, () => rng.int(-size, size - 1));
        const r = record(check, await student.call('indexExamples', Xr, i, j, picks), 'indexExamples', ['row', 'element', 'flat', 'picked']);
        if (r === null) return;
        const at = `X ${dtype} [${m}, ${n}]`;
        const wi = wrap(i, m);
        closeTensor(check, r.row, { ...Xr, shape: [n], data: Xr.data.slice(wi * n, wi * n + n) }, `X[${i}] (${at})`);
        closeElement(check, r.element, Xr.data[wi * n + wrap(j, n)], dtype, `X[${i}][${j}] (${at})`);
        closeTensor(check, r.flat, { ...Xr, shape: [size] }, `X.flatten() (${at})`);
        closeTensor(check, r.picked, { ...Xr, shape: [picks.length], data: picks.map((p) => Xr.data[wrap(p, size)]) }, `X.flatten()[${JSON.stringify(picks)}] (${at})`);
      }
    },
  },

  // ================= mask =================
  {
    task: 'mask',
    name: { en: 'integer tensors (1-D to 3-D) with a threshold equal to some of the values: strictly greater', ja: '閾値と等しい値を含む整数テンソル (1次元〜3次元): 閾値より真に大きいもの' },
    run: async ({ student, check, rng }) => {
      for (let round = 0; round < 5; round++) {
        const shape = randShape(rng, 1, 3);
        const Xr = randTensor(rng, shape, 'int32');
        const th = Xr.data[rng.int(0, Xr.data.length - 1)];
        const r = record(check, await student.call('maskSelect', Xr, th), 'maskSelect', ['mask', 'selected']);
        if (r === null) return;
        checkMaskSelect(check, r, Xr, th, ` (X int32 [${shape.join(', ')}])`);
      }
    },
  },
  {
    task: 'mask',
    name: { en: 'float32 and float64 tensors, a 0-d tensor, empty tensors, nothing or everything selected', ja: 'float32 と float64 のテンソル、0次元テンソル、空のテンソル、何も選ばれない・すべて選ばれる場合' },
    run: async ({ student, check, rng }) => {
      const inputs: Array<[Tv, number]> = [
        [randTensor(rng, randShape(rng, 2, 3), 'float32'), Math.round(rng.uniform(-1, 1) * 100) / 100],
        [randTensor(rng, randShape(rng, 1, 2), 'float64'), Math.round(rng.uniform(-1, 1) * 100) / 100],
        [randTensor(rng, [], 'float64'), -5],
        [randTensor(rng, [], 'int32'), 100],
        [randTensor(rng, [2, 0, 3], 'float32'), 0],
        [randTensor(rng, randShape(rng, 2, 2), 'float64'), 5],
        [randTensor(rng, randShape(rng, 2, 2), 'int32'), -10],
      ];
      for (const [Xr, th] of inputs) {
        const r = record(check, await student.call('maskSelect', Xr, th), 'maskSelect', ['mask', 'selected']);
        if (r === null) return;
        checkMaskSelect(check, r, Xr, th, ` (X ${Xr.dtype} [${Xr.shape.join(', ')}])`);
      }
    },
  },

  // ================= grad =================
  {
    task: 'grad',
    name: { en: 'makeTensors with random shapes, float32 and float64', ja: 'ランダムな形状、float32 と float64 での makeTensors' },
    run: async ({ student, check, rng }) => {
      for (const dtype of ['float64', 'float32', 'float64'] as const) {
        const [rows, cols] = [rng.int(1, 7), rng.int(1, 7)];
        const r = record(check, await student.call('inspectMakeTensors', rows, cols, dtype), 'makeTensors', ['zeros', 'ones', 'x']);
        if (r === null) return;
        const n = rows * cols;
        const at = `makeTensors(${rows}, ${cols}, '${dtype}')`;
        checkInfo(check, r.zeros, T(new Array(n).fill(0), { shape: [rows, cols], dtype }), `${at}.zeros`);
        checkInfo(check, r.ones, T(new Array(n).fill(1), { shape: [rows, cols], dtype }), `${at}.ones`);
        checkInfo(check, r.x, T([1, 2, 3], { dtype }), `${at}.x`);
      }
    },
  },
  {
    task: 'grad',
    name: { en: 'relu, mse_loss and ∂z/∂x1 on random tensors (0-d to 3-D, float32 and float64)', ja: 'ランダムなテンソルでの relu、mse_loss、∂z/∂x1 (0次元〜3次元、float32 と float64)' },
    run: async ({ student, check, rng }) => {
      const shapes = [[], randShape(rng, 1, 1), randShape(rng, 2, 2), randShape(rng, 3, 3, 1, 3)];
      for (const [i, shape] of shapes.entries()) {
        const dtype: DT = i % 2 === 0 ? 'float64' : 'float32';
        const x1 = randTensor(rng, shape, dtype);
        const x2 = randTensor(rng, shape, dtype);
        const n = numel(shape);
        const r = record(check, await student.call('reluAndMse', x1, x2), 'reluAndMse', ['y', 'z', 'grad']);
        if (r === null) return;
        const at = `${dtype} [${shape.join(', ')}]`;
        let z = 0;
        for (let k = 0; k < n; k++) z += (x1.data[k] - x2.data[k]) ** 2;
        closeTensor(check, r.y, map1(x1, dtype, (v) => Math.max(v, 0)), `y = relu(x1) (${at})`);
        checkMse(check, r.z, store(z / n, dtype), n, dtype, `z = mse_loss(x1, x2) (${at})`);
        closeGrad(check, r.grad, broadcast2(x1, x2, dtype, (a, b) => (2 * (a - b)) / n), `∂z/∂x1 (${at})`, 'x1');
      }
    },
  },

  // ================= parameter =================
  {
    task: 'parameter',
    name: { en: 'makeParameter on random data (1-D to 3-D, float32 and float64)', ja: 'ランダムなデータでの makeParameter (1次元〜3次元、float32 と float64)' },
    run: async ({ student, check, rng }) => {
      for (const [i, shape] of [randShape(rng, 1, 1), randShape(rng, 2, 2), randShape(rng, 3, 3, 1, 3)].entries()) {
        const data = randTensor(rng, shape, i === 1 ? 'float32' : 'float64');
        checkInfo(check, await student.call('inspectMakeParameter', data), data, `makeParameter(<${data.dtype} [${shape.join(', ')}]>)`, true);
      }
    },
  },
  {
    task: 'parameter',
    name: { en: 'y = x·W and W.grad for random x [m, k] and W [k, n]', ja: 'ランダムな x [m, k] と W [k, n] での y = x·W と W.grad' },
    run: async ({ student, check, rng }) => {
      for (const dtype of ['float64', 'float32', 'float64'] as const) {
        const [m, k, n] = [rng.int(1, 4), rng.int(1, 4), rng.int(1, 4)];
        const W = randTensor(rng, [k, n], dtype);
        const x = randTensor(rng, [m, k], dtype);
        const r = record(check, await student.call('parameterGrad', W, x), 'parameterGrad', ['y', 'grad']);
        if (r === null) return;
        const at = `x [${m}, ${k}], W [${k}, ${n}], ${dtype}`;
        closeTensor(check, r.y, matmul2(x, W), `y = x·W (${at})`, { atol: 1e-5, rtol: 1e-5 });
        const grad: number[] = [];
        for (let a = 0; a < k; a++) {
          let s = 0;
          for (let b = 0; b < m; b++) s += x.data[b * k + a];
          for (let c = 0; c < n; c++) grad.push(store(s, dtype));
        }
        closeGrad(check, r.grad, { $tensor: true, dtype, shape: [k, n], data: grad }, `W.grad (${at})`, 'W');
      }
    },
  },
]);
