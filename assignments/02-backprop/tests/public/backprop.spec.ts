/**
 * Public tests of assignment 02 (computational graphs and backpropagation). Run them with
 * `npm test`.
 *
 * Course numbers used here:
 * - shopping graph: apples 100 yen × 2, oranges 150 yen × 3, tax 1.1 → 200, 450, 650, 715;
 *   backward 1 → 1.1 → 1.1, 1.1 → ∂L/∂(apple price) = 2.2 (the other gradients, 110, 3.3, 165
 *   and 650, follow from the same node rules);
 * - the backprop example s = x·w1, t = s², y = t + w2 at x = 2, w1 = 3, w2 = 4 → s = 6, t = 36,
 *   y = 40, ∂t/∂s = 12, ∂y/∂w1 = 24, ∂y/∂w2 = 1;
 * - the MLP example x = (1, 2), W = [[1, 2, 3], [4, 5, 6]] → x·W = (9, 12, 15);
 * - softmax of u = (3, 1, 4) → (0.259, 0.035, 0.705) and of the dog/cat/bird scores (9, 2, −1).
 *
 * Each Function test also compares your backward with central differences of your own forward
 * (eps = 1e-6, in float64).
 */
import { defineTests, T, type Check, type Student } from '@dl/grader';
import { isRecord, closeGrad, forwardBackward, numericalGrads, type Tv } from '../common/backprop';

/** Runs forward + backward once and checks the gradients of `wrt` against central differences. */
async function checkGradsNumerically(student: Student, check: Check, cls: string, inputs: Tv[], gradOutput: Tv, wrt: number[], names: string[]): Promise<void> {
  const res = await student.applyFunction(cls, { inputs, gradOutput });
  const num = await numericalGrads(student, cls, inputs, gradOutput, wrt, check);
  for (const k of wrt) {
    const want = num[k];
    if (want === null) return;
    closeGrad(check, res.grads[k], want, {
      en: `${cls}: analytic ∂L/∂${names[k]} vs numerical (central differences of your forward)`,
      ja: `${cls}: 解析的な ∂L/∂${names[k]} と数値微分 (自分の forward の中心差分) の比較`,
    }, { atol: 1e-6, rtol: 1e-4 });
  }
}

export default defineTests([
  // ================= mul-add =================
  {
    task: 'mul-add',
    name: { en: 'MulLayer: apples 100 yen × 2 = 200; backward of 1.1 gives [2.2, 110]', ja: 'MulLayer: りんご 100円 × 2個 = 200; 1.1 の逆伝播で [2.2, 110]' },
    run: async ({ student, check }) => {
      check.close(await student.callMethod('MulLayer', [], 'forward', 100, 2), 200, 'new MulLayer().forward(100, 2)');
      const r = await forwardBackward(student, check, 'MulLayer', 100, 2, 1.1);
      if (r === null) return;
      const [out, dx, dy] = r;
      check.close(out, 200, 'forward(100, 2)');
      check.close(dx, 2.2, 'backward(1.1)[0] = ∂L/∂x = y · dout');
      check.close(dy, 110, 'backward(1.1)[1] = ∂L/∂y = x · dout');
    },
  },
  {
    task: 'mul-add',
    name: { en: 'AddLayer: 200 + 450 = 650; backward passes 1.1 to both inputs', ja: 'AddLayer: 200 + 450 = 650; 逆伝播は両方の入力に 1.1 をそのまま流す' },
    run: async ({ student, check }) => {
      check.close(await student.callMethod('AddLayer', [], 'forward', 200, 450), 650, 'new AddLayer().forward(200, 450)');
      const r = await forwardBackward(student, check, 'AddLayer', 200, 450, 1.1);
      if (r === null) return;
      const [out, dx, dy] = r;
      check.close(out, 650, 'forward(200, 450)');
      check.close([dx, dy], [1.1, 1.1], 'backward(1.1)');
    },
  },
  {
    task: 'mul-add',
    name: { en: 'MulLayer and AddLayer with negative and fractional numbers', ja: '負の数・小数での MulLayer と AddLayer' },
    run: async ({ student, check }) => {
      const m = await forwardBackward(student, check, 'MulLayer', -1.5, 4, 0.5);
      const a = await forwardBackward(student, check, 'AddLayer', -1.5, 4, -2);
      if (m === null || a === null) return;
      check.close(m, [-6, 2, -0.75], 'MulLayer(-1.5, 4), dout 0.5: [out, dx, dy]');
      check.close(a, [2.5, -2, -2], 'AddLayer(-1.5, 4), dout -2: [out, dx, dy]');
    },
  },

  // ================= graph =================
  {
    task: 'graph',
    name: { en: 'shopping graph forward: 200, 450, 650, 715 yen', ja: '買い物の計算グラフの順伝播: 200円、450円、650円、715円' },
    run: async ({ student, check }) => {
      const r = await student.call('buyApplesAndOranges', 100, 2, 150, 3, 1.1);
      if (!isRecord(r)) return void check.fail('buyApplesAndOranges must return an object (see ShoppingGraph)');
      check.close(r.appleTotal, 200, 'appleTotal');
      check.close(r.orangeTotal, 450, 'orangeTotal');
      check.close(r.subtotal, 650, 'subtotal');
      check.close(r.total, 715, 'total L');
    },
  },
  {
    task: 'graph',
    name: { en: 'shopping graph backward: ∂L/∂(apple price) = 2.2 and every other gradient', ja: '買い物の計算グラフの逆伝播: ∂L/∂(りんごの値段) = 2.2 とその他すべての勾配' },
    run: async ({ student, check }) => {
      const r = await student.call('buyApplesAndOranges', 100, 2, 150, 3, 1.1);
      if (!isRecord(r)) return void check.fail('buyApplesAndOranges must return an object (see ShoppingGraph)');
      check.close(r.dSubtotal, 1.1, '∂L/∂subtotal');
      check.close(r.dAppleTotal, 1.1, '∂L/∂appleTotal');
      check.close(r.dOrangeTotal, 1.1, '∂L/∂orangeTotal');
      check.close(r.dApplePrice, 2.2, '∂L/∂applePrice');
      check.close(r.dAppleCount, 110, '∂L/∂appleCount');
      check.close(r.dOrangePrice, 3.3, '∂L/∂orangePrice');
      check.close(r.dOrangeCount, 165, '∂L/∂orangeCount');
      check.close(r.dTax, 650, '∂L/∂tax');
    },
  },
  {
    task: 'graph',
    name: { en: 'backprop example x = 2, w1 = 3, w2 = 4: y = 40, ∂y/∂w1 = 24, ∂y/∂w2 = 1', ja: '誤差逆伝播法の例 x = 2, w1 = 3, w2 = 4: y = 40、∂y/∂w1 = 24、∂y/∂w2 = 1' },
    run: async ({ student, check }) => {
      const r = await student.call('backpropExample', 2, 3, 4);
      if (!isRecord(r)) return void check.fail('backpropExample must return { s, t, y, ds, dw1, dw2 }');
      check.close(r.s, 6, 's = x·w1');
      check.close(r.t, 36, 't = s²');
      check.close(r.y, 40, 'y = t + w2');
      check.close(r.ds, 12, '∂y/∂s (= ∂t/∂s · 1)');
      check.close(r.dw1, 24, '∂y/∂w1');
      check.close(r.dw2, 1, '∂y/∂w2');
    },
  },

  // ================= affine =================
  {
    task: 'affine',
    name: { en: 'course MLP example: x = (1, 2), W = [[1,2,3],[4,5,6]] → (9, 12, 15)', ja: '講義の多層パーセプトロンの例: x = (1, 2)、W = [[1,2,3],[4,5,6]] → (9, 12, 15)' },
    run: async ({ student, check }) => {
      const r = await student.applyFunction('Affine', {
        inputs: [T([[1, 2]]), T([[1, 2, 3], [4, 5, 6]]), T([0, 0, 0])],
        gradOutput: T([[1, 1, 1]]),
      });
      check.close(r.output, T([[9, 12, 15]]), 'forward');
      closeGrad(check, r.grads[0], T([[6, 15]]), '∂L/∂x = ∂L/∂A · Wᵀ (∂L/∂A = ones)');
      closeGrad(check, r.grads[1], T([[1, 1, 1], [2, 2, 2]]), '∂L/∂W = xᵀ · ∂L/∂A');
      closeGrad(check, r.grads[2], T([1, 1, 1]), '∂L/∂b');
    },
  },
  {
    task: 'affine',
    name: { en: 'mini-batch of 2 with a bias and an upstream gradient', ja: 'バイアスと上流の勾配のある2件のミニバッチ' },
    run: async ({ student, check }) => {
      const r = await student.applyFunction('Affine', {
        inputs: [T([[1, 2], [3, -1]]), T([[1, 0, -1], [2, 1, 0]]), T([0.5, -1, 2])],
        gradOutput: T([[1, 0, 2], [-1, 1, 0.5]]),
      });
      check.close(r.output, T([[5.5, 1, 1], [1.5, -2, -1]]), 'forward');
      closeGrad(check, r.grads[0], T([[-1, 2], [-1.5, -1]]), '∂L/∂x');
      closeGrad(check, r.grads[1], T([[-2, 3, 3.5], [3, -1, 3.5]]), '∂L/∂W');
      closeGrad(check, r.grads[2], T([0, 1, 2.5]), '∂L/∂b (summed over the mini-batch)');
    },
  },
  {
    task: 'affine',
    name: { en: 'backward agrees with numerical differentiation', ja: '逆伝播が数値微分と一致する' },
    run: async ({ student, check }) => {
      const x = T([[0.3, -1.2, 0.8], [1.5, 0.1, -0.4]]);
      const W = T([[0.2, -0.5], [1.1, 0.7], [-0.3, 0.9]]);
      const b = T([0.1, -0.2]);
      await checkGradsNumerically(student, check, 'Affine', [x, W, b], T([[0.5, -1], [2, 0.25]]), [0, 1, 2], ['x', 'W', 'b']);
    },
  },

  // ================= relu =================
  {
    task: 'relu',
    name: { en: 'ReLU forward and backward', ja: 'ReLU の順伝播と逆伝播' },
    run: async ({ student, check }) => {
      const r = await student.applyFunction('ReLU', {
        inputs: [T([[-1, 2, -3, 4], [0.5, -0.5, 1.5, -2]])],
        gradOutput: T([[1, 2, 3, 4], [5, 6, 7, 8]]),
      });
      check.close(r.output, T([[0, 2, 0, 4], [0.5, 0, 1.5, 0]]), 'forward');
      closeGrad(check, r.grads[0], T([[0, 2, 0, 4], [5, 0, 7, 0]]), '∂L/∂x (passes ∂L/∂y where x > 0, 0 where x ≤ 0)');
    },
  },
  {
    task: 'relu',
    name: { en: 'ReLU backward agrees with numerical differentiation (1-D input)', ja: 'ReLU の逆伝播が数値微分と一致する (1次元入力)' },
    run: async ({ student, check }) => {
      await checkGradsNumerically(student, check, 'ReLU', [T([0.7, -0.2, 3.1, -2.5, 0.05])], T([1.5, -2, 0.5, 1, -1]), [0], ['x']);
    },
  },

  // ================= sigmoid =================
  {
    task: 'sigmoid',
    name: { en: 'sigmoid forward and backward y(1 − y)', ja: 'シグモイドの順伝播と逆伝播 y(1 − y)' },
    run: async ({ student, check }) => {
      const r = await student.applyFunction('Sigmoid', { inputs: [T([[0, 2, -2]])], gradOutput: T([[1, 1, 1]]) });
      check.close(r.output, T([[0.5, 0.8807970779778823, 0.11920292202211755]]), 'forward');
      closeGrad(check, r.grads[0], T([[0.25, 0.10499358540350662, 0.1049935854035065]]), '∂L/∂x = ∂L/∂y · y(1 − y) (∂L/∂y = ones)');
    },
  },
  {
    task: 'sigmoid',
    name: { en: 'sigmoid backward with an upstream gradient, and numerically', ja: '上流の勾配のあるシグモイドの逆伝播、および数値微分との比較' },
    run: async ({ student, check }) => {
      const r = await student.applyFunction('Sigmoid', { inputs: [T([0.5, -4])], gradOutput: T([2, -1]) });
      closeGrad(check, r.grads[0], T([2 * 0.2350037122015945, -0.017662706213291118]), '∂L/∂x');
      await checkGradsNumerically(student, check, 'Sigmoid', [T([[0.3, -1.7], [2.2, -0.05]])], T([[1, -0.5], [0.25, 2]]), [0], ['x']);
    },
  },

  // ================= softmax-ce =================
  {
    task: 'softmax-ce',
    name: { en: 'u = (3, 1, 4), t = (0, 0, 1): loss −log 0.705, gradient y − t', ja: 'u = (3, 1, 4)、t = (0, 0, 1): 損失 −log 0.705、勾配 y − t' },
    run: async ({ student, check }) => {
      const r = await student.applyFunction('SoftmaxWithCrossEntropy', { inputs: [T([[3, 1, 4]]), T([[0, 0, 1]])], gradOutput: T(1) });
      check.close(r.output, T(0.3490122167681865), 'loss = −log y₃');
      closeGrad(check, r.grads[0], T([[0.2594964603424191, 0.03511902695933972, -0.2946154873017589]]), '∂L/∂u = y − t, with y = (0.259, 0.035, 0.705)');
    },
  },
  {
    task: 'softmax-ce',
    name: { en: 'dog/cat/bird scores (9, 2, −1), teacher "dog"', ja: '犬猫鳥のスコア (9, 2, −1)、正解「犬」' },
    run: async ({ student, check }) => {
      const r = await student.applyFunction('SoftmaxWithCrossEntropy', { inputs: [T([[9, 2, -1]]), T([[1, 0, 0]])], gradOutput: T(1) });
      check.close(r.output, T(0.0009568239932077279), 'loss = −log y_dog');
      closeGrad(check, r.grads[0], T([[-0.0009563663830931546, 0.000911009872297311, 4.5356510795865224e-5]]), '∂L/∂scores = y − t');
    },
  },
  {
    task: 'softmax-ce',
    name: { en: 'mini-batch of both examples: mean loss, gradient (y − t)/N', ja: '両方の例のミニバッチ: 損失は平均、勾配は (y − t)/N' },
    run: async ({ student, check }) => {
      const r = await student.applyFunction('SoftmaxWithCrossEntropy', {
        inputs: [T([[3, 1, 4], [9, 2, -1]]), T([[0, 0, 1], [1, 0, 0]])],
        gradOutput: T(1),
      });
      check.close(r.output, T(0.17498452038069712), 'loss (mean over N = 2)');
      closeGrad(
        check,
        r.grads[0],
        T([
          [0.12974823017120954, 0.01755951347966986, -0.14730774365087945],
          [-0.0004781831915465773, 0.0004555049361486555, 2.2678255397932612e-5],
        ]),
        '∂L/∂scores = (y − t)/N',
      );
    },
  },
  {
    task: 'softmax-ce',
    name: { en: 'large scores (1000) do not overflow; backward uses the upstream gradient', ja: '大きなスコア (1000) でもオーバーフローしない; 逆伝播は上流の勾配を使う' },
    run: async ({ student, check }) => {
      const r = await student.applyFunction('SoftmaxWithCrossEntropy', {
        inputs: [T([[1000, 0, -1000]]), T([[1, 0, 0]])],
        gradOutput: T(2),
      });
      check.close(r.output, T(0), 'loss', { atol: 1e-6 });
      closeGrad(check, r.grads[0], T([[0, 0, 0]]), '∂L/∂scores', { atol: 1e-9 });
      await checkGradsNumerically(student, check, 'SoftmaxWithCrossEntropy', [T([[0.5, -1, 2, 0], [1, 1, -0.5, 0.3]]), T([[0, 0, 1, 0], [0, 1, 0, 0]])], T(0.7), [0], ['scores', 't']);
    },
  },
]);
