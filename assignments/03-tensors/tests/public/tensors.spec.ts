/**
 * Public tests of assignment 03 (tensors and the basics of autograd). Run them with `npm test`.
 *
 * The numbers are the course's:
 * - x = tensor([1., 2., 3.]); A = [[1, 2, 3], [4, 5, 6]], A.size() = [2, 3], A.dtype = int64
 *   (@dl: int32);
 * - x = [1, 2, 3], y = [2, 4, 6]: x + y = [3, 6, 9], x − y = [−1, −2, −3], x * y = [2, 8, 18],
 *   x / y = [0.5, 0.5, 0.5]; A = [[1, 2], [3, 4]], B = [[−1, 1], [5, 6]]: A + B = [[0, 3], [8, 10]],
 *   A * B = [[−1, 2], [15, 24]], matmul(A, B) = [[9, 13], [17, 27]];
 * - A * 10 = [[10, 20], [30, 40]], A + 10 = [[11, 12], [13, 14]], A * [10, 20] = [[10, 40], [30, 80]];
 * - X = [[10, 40], [15, 30], [1, 0]]: X[0] = [10, 40], X[0][1] = 40, flatten → [10, 40, 15, 30, 1, 0],
 *   X[[0, 2, 4]] = [10, 15, 1], X > 20 → [F, T, F, T, F, F], X[X > 20] = [40, 30];
 * - zeros and ones of shape (10, 20) (the code) and "10x15" (the text), and [1, 2, 3], float32 or
 *   float64, with requires_grad;
 * - relu(1.5) = 1.5, mse_loss(1.5, 0.75) = 0.5625 (and its gradient 2·(1.5 − 0.75) = 1.5);
 * - the 2×3 Parameter [[1., 2., 3.], [4., 5., 6.]] (used with the course's x = (1, 2): x·W = (9, 12, 15)).
 *
 * Tensors are compared with their shape and dtype: returning float32 where the course has an
 * integer tensor (int64 in PyTorch, int32 in @dl) fails, with a hint.
 */
import { defineTests, T, type Check, type TensorValue, type Value } from '@dl/grader';

// ---- helpers (the same ones are used by the hidden tests) ----

type Tv = TensorValue;
type Txt = { en: string; ja: string };

function isRecord(v: Value): v is { readonly [k: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !('$tensor' in v);
}

function isTensor(v: Value | undefined): v is Tv {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { $tensor?: unknown }).$tensor === true;
}

function kind(v: Value | undefined): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a plain array';
  if (typeof v === 'object') return 'an object';
  return `the ${typeof v} ${JSON.stringify(v)}`;
}

/** Why a dtype differs, in the words of this assignment (short: a task's own hint can be added). */
function dtypeHint(got: string, want: string): Txt {
  if (want === 'int32' && got === 'float32') {
    return {
      en: " (@dl's integer dtype is int32, where PyTorch has int64; an int32 tensor combined with a float tensor becomes float32)",
      ja: ' (@dl の整数のデータ型は int32 です (PyTorch の int64 にあたります)。int32 のテンソルを float のテンソルと計算すると float32 になります)',
    };
  }
  if (want === 'float32' && got === 'float64') {
    return { en: " (keep float32: the course's tensors are float32 unless it says float64)", ja: ' (float32 のままにしてください。講義では float64 と書かない限り float32 です)' };
  }
  return { en: '', ja: '' };
}

/**
 * Compares a returned tensor with `want`: it must be a tensor (a Tensor or a Variable), of want's
 * shape and dtype, with values within the tolerances. `hint` is added to a dtype mismatch.
 */
function closeTensor(check: Check, got: Value | undefined, want: Tv, label: string, opts: { atol?: number; rtol?: number; hint?: Txt } = {}): boolean {
  if (!isTensor(got)) {
    return check.fail({
      en: `${label}: expected a tensor (an @dl Tensor or Variable) of shape [${want.shape.join(', ')}], got ${kind(got)}; use @dl's operations and return their result`,
      ja: `${label}: 形状 [${want.shape.join(', ')}] のテンソル (@dl の Tensor または Variable) を返してください (結果: ${kind(got)})。@dl の演算を使い、その結果を返します`,
    });
  }
  const sameShape = got.shape.length === want.shape.length && got.shape.every((s, i) => s === want.shape[i]);
  if (sameShape && got.dtype !== want.dtype) {
    const h = opts.hint ?? dtypeHint(got.dtype, want.dtype);
    return check.fail({
      en: `${label}: dtype ${got.dtype}, expected ${want.dtype}${h.en}`,
      ja: `${label}: dtype が ${got.dtype} です。正しくは ${want.dtype}${h.ja}`,
    });
  }
  return check.close(got, want, label, { atol: opts.atol, rtol: opts.rtol, dtype: true });
}

/** `X > threshold` and `X[X > threshold]`, with hints for the two usual mistakes (>= for >, a result of X's shape). */
function checkMaskSelect(check: Check, r: { readonly [k: string]: Value }, Xv: Tv, th: number, at: string): void {
  const gt = Xv.data.map((v) => (v > th ? 1 : 0));
  const ge = Xv.data.map((v) => (v >= th ? 1 : 0));
  const m = r.mask;
  if (isTensor(m) && m.data.length === ge.length && m.data.join() === ge.join() && ge.join() !== gt.join()) {
    check.fail({
      en: `X > ${th}${at}: your mask is also true where X equals ${th} (X >= ${th}); X > ${th} is strictly greater: use X.gt(${th})`,
      ja: `X > ${th}${at}: マスクが X = ${th} の位置でも true です (X >= ${th})。X > ${th} は「より大きい」なので X.gt(${th}) を使ってください`,
    });
  } else closeTensor(check, m, { $tensor: true, dtype: 'bool', shape: [...Xv.shape], data: gt }, `X > ${th}${at}`);
  const sel = Xv.data.filter((v) => v > th);
  const s = r.selected;
  if (isTensor(s) && Xv.shape.length !== 1 && s.shape.join() === Xv.shape.join()) {
    check.fail({
      en: `X[X > ${th}]${at}: the result has X's shape [${Xv.shape.join(', ')}]; X[mask] keeps only the elements where the mask is true, as a 1-D tensor (multiplying by the mask or where() keeps the others as 0): use X.maskedSelect(mask)`,
      ja: `X[X > ${th}]${at}: 結果が X と同じ形状 [${Xv.shape.join(', ')}] です。X[mask] はマスクが true の要素だけを1次元のテンソルとして取り出します (マスクを掛ける・where() では他の要素が 0 として残ります)。X.maskedSelect(mask) を使ってください`,
    });
  } else if (isTensor(s) && Xv.shape.length === 1 && sel.length !== Xv.shape[0] && s.shape.join() === Xv.shape.join()) {
    check.fail({
      en: `X[X > ${th}]${at}: the result keeps all ${Xv.shape[0]} elements; X[mask] keeps only the elements where the mask is true (multiplying by the mask or where() keeps the others as 0): use X.maskedSelect(mask)`,
      ja: `X[X > ${th}]${at}: 結果に ${Xv.shape[0]} 個の要素がすべて残っています。X[mask] はマスクが true の要素だけを取り出します (マスクを掛ける・where() では他の要素が 0 として残ります)。X.maskedSelect(mask) を使ってください`,
    });
  } else closeTensor(check, s, { ...Xv, shape: [sel.length], data: sel }, `X[X > ${th}]${at}`);
}

/** z = mse_loss(x1, x2), with hints for a sum instead of the mean and for the ½ of the sum of squares. */
function checkMse(check: Check, got: Value | undefined, want: number, n: number, dtype: Tv['dtype'], label: string): void {
  const z = isTensor(got) && got.data.length === 1 ? got.data[0] : typeof got === 'number' ? got : null;
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));
  if (z !== null && !near(z, want) && want > 1e-3) {
    const why: Txt | null =
      n > 1 && near(z, want * n)
        ? { en: "this is the sum of the squared differences; mse_loss is their mean (PyTorch's default reduction)", ja: '2乗誤差の和になっています。mse_loss はその平均です (PyTorch の既定)' }
        : near(z, want / 2) || (n > 1 && near(z, (want * n) / 2))
          ? { en: "this has a factor ½; PyTorch's mse_loss is mean((x1 − x2)²) without ½ (the course prints 0.5625 for 1.5 and 0.75)", ja: '½ が掛かっています。PyTorch の mse_loss は ½ のない mean((x1 − x2)²) です (講義では 1.5 と 0.75 で 0.5625)' }
          : null;
    if (why !== null) {
      check.fail({ en: `${label}: ${why.en}`, ja: `${label}: ${why.ja}` });
      return;
    }
  }
  closeTensor(check, got, { $tensor: true, dtype, shape: [], data: [want] }, label);
}

/** Checks that a result is an object with the given keys; fails the case otherwise. */
function record(check: Check, v: Value, fn: string, keys: readonly string[]): { readonly [k: string]: Value } | null {
  if (isRecord(v) && keys.every((k) => k in v)) return v;
  check.fail({
    en: `${fn} must return an object { ${keys.join(', ')} }, got ${kind(v)}${isRecord(v) ? ` with keys ${Object.keys(v).join(', ') || '(none)'}` : ''}`,
    ja: `${fn} はオブジェクト { ${keys.join(', ')} } を返してください (結果: ${kind(v)}${isRecord(v) ? `、キー ${Object.keys(v).join(', ') || '(なし)'}` : ''})`,
  });
  return null;
}

/** The element X[i][j]: a 0-d tensor of X's dtype (PyTorch prints tensor(40)), or the number. */
function closeElement(check: Check, got: Value | undefined, want: number, dtype: Tv['dtype'], label: string): boolean {
  if (typeof got === 'number') return check.close(got, want, label);
  return closeTensor(check, got, T(want, { dtype }), label);
}

/** Checks one VariableInfo from the given inspect* functions: a Variable requiring grad (a Parameter if asked), holding `want`. */
function checkInfo(check: Check, info: Value | undefined, want: Tv, name: string, parameter = false): void {
  if (!isRecord(info)) {
    check.fail(`${name}: the given inspect function returned ${kind(info)} (do not change the given code)`);
    return;
  }
  if (info.isVariable !== true) {
    check.fail({
      en: `${name} is a Tensor, not a Variable: a Tensor never requires gradients; ${parameter ? 'make it with new Parameter(data)' : "wrap it: variable(t, { requiresGrad: true })"}`,
      ja: `${name} が Variable ではなく Tensor です。Tensor は勾配を計算しません。${parameter ? 'new Parameter(data) で作ってください' : "variable(t, { requiresGrad: true }) で包んでください"}`,
    });
  } else if (parameter && info.isParameter !== true) {
    check.fail({
      en: `${name} is a Variable but not a Parameter: requiresGrad alone does not make a parameter (the course: nn.Parameter(x)); use new Parameter(data)`,
      ja: `${name} は Variable ですが Parameter ではありません。requiresGrad を付けるだけではパラメータになりません (講義: nn.Parameter(x))。new Parameter(data) を使ってください`,
    });
  } else if (info.requiresGrad !== true) {
    check.fail({
      en: `${name} does not require gradients: pass { requiresGrad: true } (PyTorch's requires_grad=True)`,
      ja: `${name} が勾配を計算しない設定です。{ requiresGrad: true } を渡してください (PyTorch の requires_grad=True)`,
    });
  }
  closeTensor(check, info.value, want, `${name} (values)`);
}

/** A null gradient gets a hint about requiresGrad and backward. */
function closeGrad(check: Check, got: Value | undefined, want: Tv, label: string, leaf: string): boolean {
  if (got === null || got === undefined) {
    return check.fail({
      en: `${label}: got ${got === null ? 'null' : 'undefined'}; ${leaf} must be a Variable with { requiresGrad: true }, and call backward() on the result before reading ${leaf}.grad`,
      ja: `${label}: 結果が ${got === null ? 'null' : 'undefined'} です。${leaf} を { requiresGrad: true } の Variable にし、結果の backward() を呼んでから ${leaf}.grad を読んでください`,
    });
  }
  return closeTensor(check, got, want, label);
}

/** Task hints for a float32 result where int32 is expected. */
const INT_DATA: Txt = {
  en: " (JS numbers do not say whether they are integers, so tensor(data) is float32 unless you pass { dtype: 'int32' }; PyTorch would infer int64, @dl's integer dtype is int32)",
  ja: " (JS の数値は整数かどうかを区別しないので、tensor(data) は { dtype: 'int32' } を渡さない限り float32 です。PyTorch なら int64、@dl の整数型は int32 です)",
};
const DTYPE_ARG: Txt = { en: ' (pass the dtype on: tensor(data, { dtype }))', ja: ' (引数の dtype を渡してください: tensor(data, { dtype }))' };
const TIMES_NUMBER: Txt = {
  en: ' (use the JS number 10: an int32 tensor times a JS integer stays int32, but tensor(10) is a float32 tensor and makes the result float32)',
  ja: ' (JS の数値 10 を使ってください。int32 のテンソルと JS の整数の計算は int32 のままですが、tensor(10) は float32 のテンソルなので結果が float32 になります)',
};

const i32 = (d: Parameters<typeof T>[0]) => T(d, { dtype: 'int32' });
const f32 = (d: Parameters<typeof T>[0]) => T(d, { dtype: 'float32' });
const f64 = (d: Parameters<typeof T>[0]) => T(d, { dtype: 'float64' });

// The course's matrices.
const X = i32([
  [10, 40],
  [15, 30],
  [1, 0],
]);
const A2 = i32([
  [1, 2],
  [3, 4],
]);
const B2 = i32([
  [-1, 1],
  [5, 6],
]);

export default defineTests([
  // ================= create =================
  {
    task: 'create',
    name: { en: 'x = tensor([1., 2., 3.]); A = [[1, 2, 3], [4, 5, 6]] with A.size() = [2, 3] and A.dtype (int64 → int32)', ja: 'x = tensor([1., 2., 3.]); A = [[1, 2, 3], [4, 5, 6]] と A.size() = [2, 3]、A.dtype (int64 → int32)' },
    run: async ({ student, check }) => {
      const r = record(check, await student.call('courseTensors'), 'courseTensors', ['x', 'A', 'size', 'dtype']);
      if (r === null) return;
      closeTensor(check, r.x, f32([1, 2, 3]), 'x');
      closeTensor(check, r.A, i32([[1, 2, 3], [4, 5, 6]]), 'A', { hint: INT_DATA });
      check.equal(r.size, [2, 3], 'A.size()');
      if (r.dtype === 'int64') {
        check.fail({ en: "dtype: @dl has no int64; return A.dtype, which is 'int32' for an integer tensor", ja: "dtype: @dl に int64 はありません。A.dtype (整数テンソルなら 'int32') を返してください" });
      } else check.equal(r.dtype, 'int32', 'A.dtype');
    },
  },
  {
    task: 'create',
    name: { en: "makeTensor on the course's data: int32, float32 and float64", ja: '講義のデータでの makeTensor: int32、float32、float64' },
    run: async ({ student, check }) => {
      const cases: Array<[Value, Tv]> = [
        [[[1, 2, 3], [4, 5, 6]], i32([[1, 2, 3], [4, 5, 6]])],
        [[1.0, 2.0, 3.0], f32([1, 2, 3])],
        [[0.5, -1.25], f64([0.5, -1.25])],
      ];
      for (const [data, want] of cases) {
        const label = `makeTensor(${JSON.stringify(data)}, '${want.dtype}')`;
        const r = record(check, await student.call('makeTensor', data, want.dtype), 'makeTensor', ['t', 'size', 'dtype']);
        if (r === null) return;
        closeTensor(check, r.t, want, `${label}.t`, { hint: DTYPE_ARG });
        check.equal(r.size, [...want.shape], `${label}.size`);
        check.equal(r.dtype, want.dtype, `${label}.dtype`);
      }
    },
  },

  // ================= ops =================
  {
    task: 'ops',
    name: { en: 'x = [1, 2, 3], y = [2, 4, 6]: x + y, x − y, x * y, x / y', ja: 'x = [1, 2, 3]、y = [2, 4, 6]: x + y、x − y、x * y、x / y' },
    run: async ({ student, check }) => {
      const r = record(check, await student.call('elementwise', f32([1, 2, 3]), f32([2, 4, 6])), 'elementwise', ['add', 'sub', 'mul', 'div']);
      if (r === null) return;
      closeTensor(check, r.add, f32([3, 6, 9]), 'x + y');
      closeTensor(check, r.sub, f32([-1, -2, -3]), 'x - y');
      closeTensor(check, r.mul, f32([2, 8, 18]), 'x * y');
      closeTensor(check, r.div, f32([0.5, 0.5, 0.5]), 'x / y');
    },
  },
  {
    task: 'ops',
    name: { en: 'A = [[1, 2], [3, 4]], B = [[−1, 1], [5, 6]] (integers): A + B, A * B elementwise; A / B is float', ja: 'A = [[1, 2], [3, 4]]、B = [[−1, 1], [5, 6]] (整数): A + B、要素ごとの A * B; A / B は float' },
    run: async ({ student, check }) => {
      const r = record(check, await student.call('elementwise', A2, B2), 'elementwise', ['add', 'sub', 'mul', 'div']);
      if (r === null) return;
      closeTensor(check, r.add, i32([[0, 3], [8, 10]]), 'A + B');
      closeTensor(check, r.sub, i32([[2, 1], [-2, -2]]), 'A - B');
      closeTensor(check, r.mul, i32([[-1, 2], [15, 24]]), 'A * B (elementwise)');
      closeTensor(check, r.div, f32([[-1, 2], [0.6, 4 / 6]]), 'A / B (true division: float32)');
    },
  },
  {
    task: 'ops',
    name: { en: 'matmul(A, B) = [[9, 13], [17, 27]], and rectangular matrices', ja: 'matmul(A, B) = [[9, 13], [17, 27]] と長方形の行列' },
    run: async ({ student, check }) => {
      const got = await student.call('matrixProduct', A2, B2);
      if (isTensor(got) && got.data.join() === '-1,2,15,24') {
        check.fail({ en: 'matrixProduct(A, B) is the elementwise product A * B; the matrix product is A.matmul(B)', ja: 'matrixProduct(A, B) が要素ごとの積 A * B になっています。行列積は A.matmul(B) です' });
        return;
      }
      closeTensor(check, got, i32([[9, 13], [17, 27]]), 'matmul(A, B)');
      closeTensor(check, await student.call('matrixProduct', i32([[1, 2, 3]]), i32([[1], [2], [3]])), i32([[14]]), 'matmul([[1, 2, 3]], [[1], [2], [3]])');
      closeTensor(
        check,
        await student.call('matrixProduct', f64([[1, 2, 3], [4, 5, 6]]), f64([[1, 0], [0.5, 1], [-1, 2]])),
        f64([[-1, 8], [0.5, 17]]),
        'matmul of a [2, 3] and a [3, 2] matrix (float64)',
      );
    },
  },

  // ================= broadcast =================
  {
    task: 'broadcast',
    name: { en: 'A = [[1, 2], [3, 4]]: A * 10, A + 10, A * [10, 20]', ja: 'A = [[1, 2], [3, 4]]: A * 10、A + 10、A * [10, 20]' },
    run: async ({ student, check }) => {
      const r = record(check, await student.call('broadcastExamples', A2, i32([10, 20])), 'broadcastExamples', ['times10', 'plus10', 'timesB']);
      if (r === null) return;
      closeTensor(check, r.times10, i32([[10, 20], [30, 40]]), 'A * 10', { hint: TIMES_NUMBER });
      closeTensor(check, r.plus10, i32([[11, 12], [13, 14]]), 'A + 10', { hint: TIMES_NUMBER });
      closeTensor(check, r.timesB, i32([[10, 40], [30, 80]]), 'A * B, B = [10, 20]');
    },
  },
  {
    task: 'broadcast',
    name: { en: 'a float64 [2, 3] matrix times a column [[2], [−1]] (shape [2, 1])', ja: 'float64 の [2, 3] 行列と列 [[2], [−1]] (形状 [2, 1]) の積' },
    run: async ({ student, check }) => {
      const A = f64([[1, 2, 3], [0.5, -1, 4]]);
      const r = record(check, await student.call('broadcastExamples', A, f64([[2], [-1]])), 'broadcastExamples', ['times10', 'plus10', 'timesB']);
      if (r === null) return;
      closeTensor(check, r.times10, f64([[10, 20, 30], [5, -10, 40]]), 'A * 10');
      closeTensor(check, r.plus10, f64([[11, 12, 13], [10.5, 9, 14]]), 'A + 10');
      closeTensor(check, r.timesB, f64([[2, 4, 6], [-0.5, 1, -4]]), 'A * B, B = [[2], [-1]]');
    },
  },

  // ================= index =================
  {
    task: 'index',
    name: { en: 'X = [[10, 40], [15, 30], [1, 0]]: X[0], X[0][1], flatten, X[[0, 2, 4]]', ja: 'X = [[10, 40], [15, 30], [1, 0]]: X[0]、X[0][1]、flatten、X[[0, 2, 4]]' },
    run: async ({ student, check }) => {
      const r = record(check, await student.call('indexExamples', X, 0, 1, [0, 2, 4]), 'indexExamples', ['row', 'element', 'flat', 'picked']);
      if (r === null) return;
      closeTensor(check, r.row, i32([10, 40]), 'X[0]');
      closeElement(check, r.element, 40, 'int32', 'X[0][1]');
      closeTensor(check, r.flat, i32([10, 40, 15, 30, 1, 0]), 'X.flatten()');
      closeTensor(check, r.picked, i32([10, 15, 1]), 'X.flatten()[[0, 2, 4]]');
    },
  },
  {
    task: 'index',
    name: { en: 'negative indices count from the end: X[-1], X[-1][-2], picks [-1, 0, 5, 1]', ja: '負のインデックスは末尾から数える: X[-1]、X[-1][-2]、[-1, 0, 5, 1] の要素' },
    run: async ({ student, check }) => {
      const r = record(check, await student.call('indexExamples', X, -1, -2, [-1, 0, 5, 1]), 'indexExamples', ['row', 'element', 'flat', 'picked']);
      if (r === null) return;
      closeTensor(check, r.row, i32([1, 0]), 'X[-1]');
      closeElement(check, r.element, 1, 'int32', 'X[-1][-2]');
      closeTensor(check, r.picked, i32([0, 10, 0, 40]), 'X.flatten()[[-1, 0, 5, 1]]');
    },
  },

  // ================= mask =================
  {
    task: 'mask',
    name: { en: 'flattened X: X > 20 = [F, T, F, T, F, F] and X[X > 20] = [40, 30]', ja: '1次元にした X: X > 20 = [F, T, F, T, F, F]、X[X > 20] = [40, 30]' },
    run: async ({ student, check }) => {
      const Xf = i32([10, 40, 15, 30, 1, 0]);
      const r = record(check, await student.call('maskSelect', Xf, 20), 'maskSelect', ['mask', 'selected']);
      if (r === null) return;
      checkMaskSelect(check, r, Xf, 20, ''); // mask [F, T, F, T, F, F], selected [40, 30]
    },
  },
  {
    task: 'mask',
    name: { en: 'the 2-D X: the mask has X\'s shape, X[X > 20] is still [40, 30]', ja: '2次元の X: マスクは X と同じ形状、X[X > 20] はやはり [40, 30]' },
    run: async ({ student, check }) => {
      const r = record(check, await student.call('maskSelect', X, 20), 'maskSelect', ['mask', 'selected']);
      if (r === null) return;
      checkMaskSelect(check, r, X, 20, ' (2-D X)'); // mask [[F, T], [F, T], [F, F]], selected [40, 30]
    },
  },
  {
    task: 'mask',
    name: { en: 'float64 values: strictly greater (a value equal to the threshold is not selected), all or none', ja: 'float64 の値: 閾値より真に大きいもの (閾値と等しい値は選ばない)、すべて、なし' },
    run: async ({ student, check }) => {
      const Xf64 = f64([[0.5, -1.5, 2], [2, 3.25, -0.25]]);
      // thresholds 2 (selects [3.25]; the two 2s are not greater), -10 (all six), 10 (none: shape [0])
      for (const th of [2, -10, 10]) {
        const r = record(check, await student.call('maskSelect', Xf64, th), 'maskSelect', ['mask', 'selected']);
        if (r === null) return;
        checkMaskSelect(check, r, Xf64, th, ' (X = [[0.5, -1.5, 2], [2, 3.25, -0.25]])');
      }
    },
  },

  // ================= grad =================
  {
    task: 'grad',
    name: { en: 'zeros and ones of shape (10, 20) and [1, 2, 3], float32, requiresGrad (the course\'s code)', ja: '形状 (10, 20) の zeros と ones、[1, 2, 3]、float32、requiresGrad (講義のコード)' },
    run: async ({ student, check }) => {
      const r = record(check, await student.call('inspectMakeTensors', 10, 20, 'float32'), 'makeTensors', ['zeros', 'ones', 'x']);
      if (r === null) return;
      checkInfo(check, r.zeros, T(new Array(200).fill(0), { shape: [10, 20], dtype: 'float32' }), 'zeros');
      checkInfo(check, r.ones, T(new Array(200).fill(1), { shape: [10, 20], dtype: 'float32' }), 'ones');
      checkInfo(check, r.x, f32([1, 2, 3]), 'x');
    },
  },
  {
    task: 'grad',
    name: { en: '"10x15" (the course\'s text) and float64: the shape and the dtype are arguments', ja: '「10x15」(講義の文章) と float64: 形状とデータ型は引数' },
    run: async ({ student, check }) => {
      for (const [rows, cols, dtype] of [[10, 15, 'float32'], [10, 20, 'float64']] as const) {
        const r = record(check, await student.call('inspectMakeTensors', rows, cols, dtype), 'makeTensors', ['zeros', 'ones', 'x']);
        if (r === null) return;
        const n = rows * cols;
        checkInfo(check, r.zeros, T(new Array(n).fill(0), { shape: [rows, cols], dtype }), `makeTensors(${rows}, ${cols}, '${dtype}').zeros`);
        checkInfo(check, r.ones, T(new Array(n).fill(1), { shape: [rows, cols], dtype }), `makeTensors(${rows}, ${cols}, '${dtype}').ones`);
        checkInfo(check, r.x, T([1, 2, 3], { dtype }), `makeTensors(${rows}, ${cols}, '${dtype}').x`);
      }
    },
  },
  {
    task: 'grad',
    name: { en: 'relu(1.5) = 1.5, mse_loss(1.5, 0.75) = 0.5625, ∂z/∂x1 = 1.5', ja: 'relu(1.5) = 1.5、mse_loss(1.5, 0.75) = 0.5625、∂z/∂x1 = 1.5' },
    run: async ({ student, check }) => {
      const r = record(check, await student.call('reluAndMse', f32(1.5), f32(0.75)), 'reluAndMse', ['y', 'z', 'grad']);
      if (r === null) return;
      closeTensor(check, r.y, f32(1.5), 'y = relu(x1)');
      checkMse(check, r.z, 0.5625, 1, 'float32', 'z = mse_loss(x1, x2)');
      closeGrad(check, r.grad, f32(1.5), '∂z/∂x1 = 2·(x1 − x2)', 'x1');
    },
  },
  {
    task: 'grad',
    name: { en: 'vectors: relu is 0 for negative inputs; mse_loss is the mean over the elements', ja: 'ベクトル: 負の入力で relu は 0; mse_loss は要素の平均' },
    run: async ({ student, check }) => {
      const r = record(check, await student.call('reluAndMse', f64([-1.5, 2, 0.5]), f64([1, 1, 1])), 'reluAndMse', ['y', 'z', 'grad']);
      if (r === null) return;
      closeTensor(check, r.y, f64([0, 2, 0.5]), 'y = relu(x1)');
      checkMse(check, r.z, 2.5, 3, 'float64', 'z = mse_loss(x1, x2) = (6.25 + 1 + 0.25) / 3');
      closeGrad(check, r.grad, f64([-5 / 3, 2 / 3, -1 / 3]), '∂z/∂x1 = 2·(x1 − x2) / 3', 'x1');
    },
  },

  // ================= parameter =================
  {
    task: 'parameter',
    name: { en: 'W = Parameter([[1., 2., 3.], [4., 5., 6.]]): a Parameter that requires grad', ja: 'W = Parameter([[1., 2., 3.], [4., 5., 6.]]): 勾配を計算するパラメータ' },
    run: async ({ student, check }) => {
      const data = f32([[1, 2, 3], [4, 5, 6]]);
      checkInfo(check, await student.call('inspectMakeParameter', data), data, 'W', true);
    },
  },
  {
    task: 'parameter',
    name: { en: 'y = x·W for x = (1, 2) is (9, 12, 15); ∂(Σy)/∂W = [[1, 1, 1], [2, 2, 2]]', ja: 'x = (1, 2) で y = x·W = (9, 12, 15); ∂(Σy)/∂W = [[1, 1, 1], [2, 2, 2]]' },
    run: async ({ student, check }) => {
      const r = record(check, await student.call('parameterGrad', f32([[1, 2, 3], [4, 5, 6]]), f32([[1, 2]])), 'parameterGrad', ['y', 'grad']);
      if (r === null) return;
      closeTensor(check, r.y, f32([[9, 12, 15]]), 'y = x·W');
      closeGrad(check, r.grad, f32([[1, 1, 1], [2, 2, 2]]), 'W.grad', 'W');
    },
  },
]);
