/**
 * Hidden tests of assignment 02: seeded random inputs. Forward values are compared with the
 * course's formulas (computed here), gradients with central differences of the student's own
 * forward (eps = 1e-6, float64) and with the reference solution's gradients.
 */
import { defineTests, T, type Rng, type TestContext, type Value } from '@dl/grader';
import { isRecord, closeGrad, forwardBackward, numericalGrads, type Tv } from '../common/backprop';

type Ctx = TestContext;

/**
 * Forward + backward once; checks the output against `wantOutput`, and the gradients of `wrt`
 * against central differences of the student's forward and against the reference's gradients.
 */
async function checkFunction(
  ctx: Ctx,
  cls: string,
  inputs: Tv[],
  gradOutput: Tv,
  wrt: number[],
  names: string[],
  wantOutput: Tv,
  outputTol: { atol: number; rtol: number } = { atol: 1e-6, rtol: 1e-5 },
): Promise<void> {
  const { student, reference, check } = ctx;
  const res = await student.applyFunction(cls, { inputs, gradOutput });
  if (!check.close(res.output, wantOutput, `${cls}: forward`, outputTol)) return;
  const num = await numericalGrads(student, cls, inputs, gradOutput, wrt, check);
  const ref = await reference.applyFunction(cls, { inputs, gradOutput });
  for (const k of wrt) {
    const n = num[k];
    if (n === null) return;
    const got = res.grads[k];
    closeGrad(check, got, n, { en: `${cls}: ∂L/∂${names[k]} vs numerical differentiation`, ja: `${cls}: ∂L/∂${names[k]} と数値微分の比較` }, { atol: 1e-6, rtol: 1e-4 });
    closeGrad(check, got, ref.grads[k] ?? null, { en: `${cls}: ∂L/∂${names[k]} vs the exact gradient`, ja: `${cls}: ∂L/∂${names[k]} と正確な勾配の比較` }, { atol: 1e-9, rtol: 1e-7 });
  }
}

function rand(rng: Rng, shape: number[], lo: number, hi: number, awayFromZero = 0): Tv {
  const n = shape.reduce((a, b) => a * b, 1);
  const data: number[] = [];
  for (let i = 0; i < n; i++) {
    let v: number;
    do v = rng.uniform(lo, hi);
    while (Math.abs(v) < awayFromZero);
    data.push(v);
  }
  return { $tensor: true, dtype: 'float64', shape, data };
}

function affineForward(x: Tv, W: Tv, b: Tv): Tv {
  const [n, d] = x.shape;
  const m = W.shape[1];
  const data: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = b.data[j];
      for (let k = 0; k < d; k++) s += x.data[i * d + k] * W.data[k * m + j];
      data.push(s);
    }
  }
  return { $tensor: true, dtype: 'float64', shape: [n, m], data };
}

function map(x: Tv, f: (v: number) => number): Tv {
  return { ...x, data: x.data.map(f) };
}

/** Softmax + mean cross-entropy, computed stably (log-sum-exp), and the softmax itself. */
function softmaxCE(scores: Tv, t: Tv): { loss: number; y: number[] } {
  const [n, k] = scores.shape;
  let loss = 0;
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = scores.data.slice(i * k, (i + 1) * k);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    for (let j = 0; j < k; j++) {
      loss -= (t.data[i * k + j] * (row[j] - lse)) / n;
      y.push(Math.exp(row[j] - lse));
    }
  }
  return { loss, y };
}

/** Random scores and one-hot targets whose target probability is not tiny (>= 0.02). */
function classification(rng: Rng, n: number, k: number, scale: number): { scores: Tv; t: Tv } {
  const scores = rand(rng, [n, k], -scale, scale);
  const t: number[] = new Array(n * k).fill(0);
  for (let i = 0; i < n; i++) {
    const row = scores.data.slice(i * k, (i + 1) * k);
    const m = Math.max(...row);
    const z = row.reduce((s, v) => s + Math.exp(v - m), 0);
    let label = rng.int(0, k - 1);
    if (Math.exp(row[label] - m) / z < 0.02) label = row.indexOf(m);
    t[i * k + label] = 1;
  }
  return { scores, t: { $tensor: true, dtype: 'float64', shape: [n, k], data: t } };
}

export default defineTests([
  // ================= mul-add =================
  {
    task: 'mul-add',
    name: { en: 'MulLayer on random numbers', ja: 'ランダムな数での MulLayer' },
    run: async ({ student, check, rng }) => {
      for (let i = 0; i < 8; i++) {
        const [x, y, d] = [rng.uniform(-50, 50), rng.uniform(-5, 5), rng.uniform(-2, 2)];
        const r = await forwardBackward(student, check, 'MulLayer', x, y, d);
        if (r === null) return;
        check.close(r, [x * y, d * y, d * x], `MulLayer(${x}, ${y}), dout ${d}: [out, dx, dy]`);
      }
    },
  },
  {
    task: 'mul-add',
    name: { en: 'AddLayer on random numbers', ja: 'ランダムな数での AddLayer' },
    run: async ({ student, check, rng }) => {
      for (let i = 0; i < 8; i++) {
        const [x, y, d] = [rng.uniform(-50, 50), rng.uniform(-5, 5), rng.uniform(-2, 2)];
        const r = await forwardBackward(student, check, 'AddLayer', x, y, d);
        if (r === null) return;
        check.close(r, [x + y, d, d], `AddLayer(${x}, ${y}), dout ${d}: [out, dx, dy]`);
      }
      check.close(await student.callMethod('AddLayer', [], 'backward', 3.5), [3.5, 3.5], 'new AddLayer().backward(3.5)');
    },
  },

  // ================= graph =================
  {
    task: 'graph',
    name: { en: 'shopping graph with random prices, counts and tax', ja: 'ランダムな値段・個数・税率の買い物の計算グラフ' },
    run: async ({ student, check, rng }) => {
      for (let i = 0; i < 5; i++) {
        const ap = rng.int(50, 300);
        const ac = rng.int(1, 9);
        const op = rng.int(50, 300);
        const oc = rng.int(1, 9);
        const tax = [1.08, 1.1, 1.05, 1.2][rng.int(0, 3)];
        const r = await student.call('buyApplesAndOranges', ap, ac, op, oc, tax);
        if (!isRecord(r)) return void check.fail('buyApplesAndOranges must return an object (see ShoppingGraph)');
        const sub = ap * ac + op * oc;
        const want: Record<string, number> = {
          appleTotal: ap * ac,
          orangeTotal: op * oc,
          subtotal: sub,
          total: sub * tax,
          dSubtotal: tax,
          dTax: sub,
          dAppleTotal: tax,
          dOrangeTotal: tax,
          dApplePrice: tax * ac,
          dAppleCount: tax * ap,
          dOrangePrice: tax * oc,
          dOrangeCount: tax * op,
        };
        for (const [k, v] of Object.entries(want)) check.close(r[k], v, `buyApplesAndOranges(${ap}, ${ac}, ${op}, ${oc}, ${tax}).${k}`);
      }
    },
  },
  {
    task: 'graph',
    name: { en: 'shopping graph with fractional values agrees with the reference', ja: '小数の値での買い物の計算グラフが模範解答と一致する' },
    run: async ({ student, reference, check, rng }) => {
      const args = [rng.uniform(0.5, 3), rng.uniform(0.5, 3), rng.uniform(0.5, 3), rng.uniform(0.5, 3), rng.uniform(1, 1.3)];
      const got = await student.call('buyApplesAndOranges', ...args);
      const want = await reference.call('buyApplesAndOranges', ...args);
      if (!isRecord(got) || !isRecord(want)) return void check.fail('buyApplesAndOranges must return an object (see ShoppingGraph)');
      for (const k of Object.keys(want)) check.close(got[k], want[k], `buyApplesAndOranges(…).${k}`);
    },
  },
  {
    task: 'graph',
    name: { en: 'backprop example at random x, w1, w2', ja: 'ランダムな x, w1, w2 での誤差逆伝播法の例' },
    run: async ({ student, check, rng }) => {
      for (let i = 0; i < 5; i++) {
        const [x, w1, w2] = [rng.uniform(-3, 3), rng.uniform(-3, 3), rng.uniform(-3, 3)];
        const r = await student.call('backpropExample', x, w1, w2);
        if (!isRecord(r)) return void check.fail('backpropExample must return { s, t, y, ds, dw1, dw2 }');
        const s = x * w1;
        check.close([r.s, r.t, r.y, r.ds, r.dw1, r.dw2] as Value, [s, s * s, s * s + w2, 2 * s, 2 * s * x, 1], `backpropExample(${x}, ${w1}, ${w2}): [s, t, y, ds, dw1, dw2]`);
      }
    },
  },

  // ================= affine =================
  {
    task: 'affine',
    name: { en: 'Affine on a random mini-batch (N = 4, D = 3, M = 5)', ja: 'ランダムなミニバッチでの Affine (N = 4, D = 3, M = 5)' },
    run: async (ctx) => {
      const { rng } = ctx;
      const x = rand(rng, [4, 3], -2, 2);
      const W = rand(rng, [3, 5], -1, 1);
      const b = rand(rng, [5], -1, 1);
      await checkFunction(ctx, 'Affine', [x, W, b], rand(rng, [4, 5], -1, 1), [0, 1, 2], ['x', 'W', 'b'], affineForward(x, W, b));
    },
  },
  {
    task: 'affine',
    name: { en: 'Affine with one sample (N = 1) and one output (M = 1)', ja: '1件 (N = 1)、出力1つ (M = 1) の Affine' },
    run: async (ctx) => {
      const { rng } = ctx;
      const x = rand(rng, [1, 4], -2, 2);
      const W = rand(rng, [4, 1], -1, 1);
      const b = rand(rng, [1], -1, 1);
      await checkFunction(ctx, 'Affine', [x, W, b], rand(rng, [1, 1], -1, 1), [0, 1, 2], ['x', 'W', 'b'], affineForward(x, W, b));
    },
  },

  // ================= relu =================
  {
    task: 'relu',
    name: { en: 'ReLU on a random 3-D tensor', ja: 'ランダムな3次元テンソルでの ReLU' },
    run: async (ctx) => {
      const { rng } = ctx;
      const x = rand(ctx.rng, [2, 3, 4], -2, 2, 1e-3);
      await checkFunction(ctx, 'ReLU', [x], rand(rng, [2, 3, 4], -1, 1), [0], ['x'], map(x, (v) => (v > 0 ? v : 0)));
    },
  },

  // ================= sigmoid =================
  {
    task: 'sigmoid',
    name: { en: 'Sigmoid on a random matrix, including large |x|', ja: '|x| の大きい値を含むランダムな行列でのシグモイド' },
    run: async (ctx) => {
      const { rng } = ctx;
      const x = rand(rng, [3, 4], -6, 6);
      const big: Tv = { ...x, data: [...x.data.slice(0, 10), 30, -30] };
      for (const input of [x, big]) {
        await checkFunction(ctx, 'Sigmoid', [input], rand(rng, [3, 4], -1, 1), [0], ['x'], map(input, (v) => 1 / (1 + Math.exp(-v))));
      }
    },
  },

  // ================= softmax-ce =================
  {
    task: 'softmax-ce',
    name: { en: 'softmax + cross-entropy on a random mini-batch (N = 4, K = 5)', ja: 'ランダムなミニバッチでのソフトマックス＋交差エントロピー (N = 4, K = 5)' },
    run: async (ctx) => {
      const { rng, student, check } = ctx;
      const { scores, t } = classification(rng, 4, 5, 2);
      const gy = T(rng.uniform(0.5, 2));
      const { loss, y } = softmaxCE(scores, t);
      await checkFunction(ctx, 'SoftmaxWithCrossEntropy', [scores, t], gy, [0], ['scores', 't'], T(loss), { atol: 1e-5, rtol: 1e-4 });
      const r = await student.applyFunction('SoftmaxWithCrossEntropy', { inputs: [scores, t], gradOutput: gy });
      const want = y.map((v, i) => (gy.data[0] * (v - t.data[i])) / 4);
      closeGrad(check, r.grads[0], { ...scores, data: want }, '∂L/∂scores = gy · (y − t)/N', { atol: 1e-7, rtol: 1e-5 });
    },
  },
  {
    task: 'softmax-ce',
    name: { en: 'one sample, two classes', ja: '1件、2クラス' },
    run: async (ctx) => {
      const { scores, t } = classification(ctx.rng, 1, 2, 3);
      await checkFunction(ctx, 'SoftmaxWithCrossEntropy', [scores, t], T(1), [0], ['scores', 't'], T(softmaxCE(scores, t).loss), { atol: 1e-5, rtol: 1e-4 });
    },
  },
  {
    task: 'softmax-ce',
    name: { en: 'large scores (hundreds) give a finite loss and gradient', ja: '大きなスコア (数百) でも損失と勾配が有限' },
    run: async ({ student, check, rng }) => {
      const scores = rand(rng, [3, 4], -5, 5);
      const data = [...scores.data];
      const t: number[] = new Array(12).fill(0);
      for (let i = 0; i < 3; i++) {
        const j = rng.int(0, 3);
        data[i * 4 + j] += 800; // the target class gets a huge score
        t[i * 4 + j] = 1;
      }
      const s: Tv = { ...scores, data };
      const tt: Tv = { ...scores, data: t };
      const r = await student.applyFunction('SoftmaxWithCrossEntropy', { inputs: [s, tt], gradOutput: T(1) });
      const { loss, y } = softmaxCE(s, tt);
      check.close(r.output, T(loss), 'loss', { atol: 1e-6, rtol: 1e-6 });
      closeGrad(check, r.grads[0], { ...s, data: y.map((v, i) => (v - t[i]) / 3) }, '∂L/∂scores', { atol: 1e-9, rtol: 1e-6 });
    },
  },
]);
