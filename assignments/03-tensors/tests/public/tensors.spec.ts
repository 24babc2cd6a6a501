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
import { defineTests, T, type Value } from '@dl/grader';
import {
  isTensor,
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
