/**
 * Hidden tests of assignment 05: seeded random inputs for every task, properties computed here
 * (forward-difference error of x² is exactly h, central-difference gradient of a cubic is 3x² + h²,
 * gradient descent replayed with the student's own numericalGradient, minibatch SGD replayed on the
 * student's own shuffled orders), and the reference's RMSE on a random held-out split.
 * Feedback never shows an expected value.
 */
import { defineTests, type Check, type Rng, type Text, type Value } from '@dl/grader';
import {
  isRecord,
  num,
  nums,
  nearAll,
  t2,
  hint,
  F1,
  GRAD,
  forward,
  diffMistakes,
  ownDescent,
  descentMistake,
  gradientMistakes,
  leastSquares,
  lineL,
  lineGrad,
  replayLineGD,
  readFit,
  checkFitLosses,
  regressionMistake,
  initialLoss,
  readSGD,
  checkPermutations,
  checkReshuffled,
  checkReplay,
  callSGD,
  type SgdOpts,
} from '../common/learning';

// ---- random data ----

function randomVector(rng: Rng, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => rng.uniform(lo, hi));
}

/** A probability vector (softmax of random scores) with a one-hot target whose probability is >= 0.05. */
function randomClassification(rng: Rng, k: number): { y: number[]; t: number[] } {
  const s = randomVector(rng, k, -2, 2);
  const m = Math.max(...s);
  const e = s.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  const y = e.map((v) => v / z);
  let label = rng.int(0, k - 1);
  if (y[label] < 0.05) label = y.indexOf(Math.max(...y));
  // a zero probability where t = 0 (as in the course's example) must not break the loss
  const zero = (label + 1 + rng.int(0, k - 2)) % k;
  y[zero] = 0;
  const t = y.map((_, i) => (i === label ? 1 : 0));
  return { y, t };
}

const sse = (y: readonly number[], t: readonly number[]): number => 0.5 * y.reduce((s, v, i) => s + (v - t[i]) ** 2, 0);
const ce = (y: readonly number[], t: readonly number[]): number => -y.reduce((s, v, i) => s + (t[i] === 0 ? 0 : t[i] * Math.log(v)), 0);

function randomCoins(rng: Rng, n: number, mu: number): number[] {
  const xs = Array.from({ length: n }, () => (rng.next() < mu ? 1 : 0));
  if (!xs.includes(1)) xs[rng.int(0, n - 1)] = 1;
  if (!xs.includes(0)) xs[rng.int(0, n - 1)] = 0;
  return xs;
}

function randomLine(rng: Rng, n: number, xlo: number, xhi: number, slope: number, intercept: number, noise: number): { xs: number[]; ys: number[] } {
  const xs = randomVector(rng, n, xlo, xhi);
  const ys = xs.map((x) => slope * x + intercept + noise * rng.normal());
  return { xs, ys };
}

function readLineFit(check: Check, got: Value, keys: readonly string[], what: string): number[] | null {
  const v = isRecord(got) ? keys.map((k) => num(got[k])) : null;
  if (v === null || v.some((x) => x === null)) {
    check.fail(t2(`${what} must return { ${keys.join(', ')} } with numbers`, `${what} は数値の { ${keys.join(', ')} } を返してください`));
    return null;
  }
  return v as number[];
}

export default defineTests([
  // ================= losses =================
  {
    task: 'losses',
    name: { en: '2乗和誤差 of random vectors; a batch of one sample equals it', ja: 'ランダムなベクトルの2乗和誤差。1件のバッチの平均2乗誤差はそれに等しい' },
    run: async ({ student, check, rng }) => {
      for (let i = 0; i < 5; i++) {
        const k = rng.int(2, 10);
        const y = randomVector(rng, k, -5, 5);
        const t = randomVector(rng, k, -5, 5);
        const got = await student.call('sumSquaredError', y, t);
        if (hint(check, got, [[2 * sse(y, t), t2('twice the expected value: the 2乗和誤差 has the factor ½', '期待値の2倍です。2乗和誤差には ½ がつきます')]])) return;
        check.close(got, sse(y, t), `sumSquaredError (K = ${k})`, { rtol: 1e-12, atol: 1e-12 });
        check.close(await student.call('meanSquaredError', [y], [t]), sse(y, t), `meanSquaredError of one sample (K = ${k})`, { rtol: 1e-12, atol: 1e-12 });
      }
    },
  },
  {
    task: 'losses',
    name: { en: 'cross-entropy of random softmax outputs (with a 0.0 where t = 0)', ja: 'ランダムなソフトマックス出力の交差エントロピー誤差 (t = 0 の位置に 0.0 を含む)' },
    run: async ({ student, check, rng }) => {
      for (let i = 0; i < 5; i++) {
        const { y, t } = randomClassification(rng, rng.int(3, 10));
        const got = await student.call('crossEntropyError', y, t);
        const g = num(got);
        if (g !== null && !Number.isFinite(g)) {
          return void check.fail(t2(`got ${g}: a term with t_k = 0 and y_k = 0 gives 0·log 0 = NaN; skip the terms with t_k = 0`, `結果は ${g} です。t_k = 0 かつ y_k = 0 の項が 0·log 0 = NaN になります。t_k = 0 の項は飛ばしてください`));
        }
        check.close(got, ce(y, t), `crossEntropyError (K = ${y.length})`, { rtol: 1e-5, atol: 2e-6 });
      }
    },
  },
  {
    task: 'losses',
    name: { en: '平均2乗誤差 of a random mini-batch (N = 4 to 6)', ja: 'ランダムなミニバッチ (N = 4〜6) の平均2乗誤差' },
    run: async ({ student, check, rng }) => {
      const n = rng.int(4, 6);
      const k = rng.int(3, 6);
      const Y: number[][] = [];
      const T: number[][] = [];
      for (let i = 0; i < n; i++) {
        Y.push(randomVector(rng, k, -3, 3));
        T.push(randomVector(rng, k, -3, 3));
      }
      const mse = Y.reduce((s, y, i) => s + sse(y, T[i]), 0) / n;
      const got = await student.call('meanSquaredError', Y, T);
      const mistakes: Array<readonly [number, Text]> = [
        [2 * mse, t2('twice the expected value: the course\'s 平均2乗誤差 is 1/(2N) ΣΣ (y − t)², with the ½', '期待値の2倍です。講義の平均2乗誤差は ½ のついた 1/(2N) ΣΣ (y − t)² です')],
        [(2 * mse) / k, t2('this is PyTorch\'s mse_loss (mean over all N·K numbers, without ½), not the course\'s 平均2乗誤差', 'これは PyTorch の mse_loss (N·K 個すべての平均、½ なし) で、講義の平均2乗誤差ではありません')],
        [n * mse, t2('this is the sum over the samples: divide by N', 'サンプルについての和になっています。N で割ってください')],
      ];
      if (!hint(check, got, mistakes)) check.close(got, mse, `meanSquaredError (N = ${n}, K = ${k})`, { rtol: 1e-12, atol: 1e-12 });
    },
  },
  {
    task: 'losses',
    name: { en: 'mean cross-entropy of a random mini-batch (N = 4 to 6)', ja: 'ランダムなミニバッチ (N = 4〜6) の交差エントロピー損失' },
    run: async ({ student, check, rng }) => {
      const n = rng.int(4, 6);
      const k = rng.int(3, 6);
      const Yc: number[][] = [];
      const Tc: number[][] = [];
      for (let i = 0; i < n; i++) {
        const c = randomClassification(rng, k);
        Yc.push(c.y);
        Tc.push(c.t);
      }
      const mce = Yc.reduce((s, y, i) => s + ce(y, Tc[i]), 0) / n;
      const gotC = await student.call('meanCrossEntropyError', Yc, Tc);
      if (!hint(check, gotC, [[n * mce, t2('this is the sum over the samples: the course\'s loss for N samples is the mean −(1/N) ΣΣ t log y', 'サンプルについての和になっています。講義の N 個のデータに対する損失は平均 −(1/N) ΣΣ t log y です')]], 1e-5)) {
        check.close(gotC, mce, `meanCrossEntropyError (N = ${n}, K = ${k})`, { rtol: 1e-5, atol: 2e-6 });
      }
    },
  },

  // ================= mle =================
  {
    task: 'mle',
    name: { en: 'MLE, likelihood and NLL of random Bernoulli samples', ja: 'ランダムなベルヌーイ標本の最尤推定値・尤度・負の対数尤度' },
    run: async ({ student, check, rng }) => {
      for (let i = 0; i < 4; i++) {
        const n = rng.int(8, 40);
        const xs = randomCoins(rng, n, rng.uniform(0.1, 0.9));
        const ones = xs.filter((x) => x === 1).length;
        check.close(await student.call('bernoulliMLE', xs), ones / n, `bernoulliMLE (N = ${n})`, { atol: 1e-12, rtol: 0 });
        const mu = rng.uniform(0.05, 0.95);
        const nll = -(ones * Math.log(mu) + (n - ones) * Math.log(1 - mu));
        check.close(await student.call('bernoulliNLL', mu, xs), nll, `bernoulliNLL (N = ${n})`, { rtol: 1e-10, atol: 1e-12 });
        check.close(await student.call('bernoulliLikelihood', mu, xs), Math.exp(-nll), `bernoulliLikelihood (N = ${n})`, { rtol: 1e-9, atol: 0 });
      }
    },
  },

  // ================= numerical-diff =================
  {
    task: 'numerical-diff',
    name: { en: 'forward differences at random points with various h', ja: 'ランダムな点とさまざまな h での前方差分' },
    run: async ({ student, check, rng }) => {
      const names = ['square', 'cube', 'poly', 'sin'];
      const hs = [1e-2, 1e-3, 1e-4, 1e-5, undefined];
      for (let i = 0; i < 8; i++) {
        const name = names[i % names.length];
        const x = rng.uniform(-3, 3);
        const h = hs[rng.int(0, hs.length - 1)];
        const got = await student.call('numericalDiffByName', name, x, h);
        if (hint(check, got, diffMistakes(F1[name], x, h), 1e-12)) return;
        check.close(got, forward(F1[name], x, h ?? 1e-4), `numericalDiff(${name}, x${h === undefined ? '' : `, ${h}`})`, { rtol: 1e-12, atol: 1e-15 });
      }
    },
  },
  {
    task: 'numerical-diff',
    name: { en: 'the forward difference of x² overestimates 2x by exactly h', ja: 'x² の前方差分は 2x よりちょうど h だけ大きい' },
    run: async ({ student, check, rng }) => {
      for (const h of [1e-1, 1e-2, 1e-3]) {
        const x = rng.uniform(-3, 3);
        const g = num(await student.call('numericalDiffByName', 'square', x, h));
        check.ok(
          g !== null && Math.abs(g - 2 * x - h) < 1e-9,
          `numericalDiff(x², x, ${h}) − 2x`,
          t2(
            `the error of your derivative of x² with h = ${h} is ${g === null ? 'not a number' : (g - 2 * x).toExponential(3)}, not h = ${h}: ((x + h)² − x²)/h = 2x + h for the forward difference`,
            `h = ${h} での x² の微分の誤差が ${g === null ? '数値ではありません' : (g - 2 * x).toExponential(3)} で、h = ${h} ではありません。前方差分では ((x + h)² − x²)/h = 2x + h です`,
          ),
        );
      }
    },
  },

  // ================= numerical-diff: the gradient =================
  {
    task: 'numerical-diff',
    name: { en: 'numerical gradients at random points of three functions of two variables', ja: 'ランダムな点での2変数関数3つの数値勾配' },
    run: async ({ student, check, rng }) => {
      for (const name of ['sumSquares', 'coupled', 'shifted', 'coupled']) {
        const x = randomVector(rng, 2, -4, 4);
        const got = await student.call('numericalGradientByName', name, x);
        const why = gradientMistakes(name, x, 1e-4, nums(got));
        if (why) return void check.fail(why);
        check.close(got, GRAD[name](x), `numericalGradient(${name}, x)`, { atol: 1e-6, rtol: 1e-6 });
      }
    },
  },
  {
    task: 'numerical-diff',
    name: { en: 'central differences of a cubic with a given h are 3x² + h²', ja: 'h を指定した3次関数の中心差分は 3x² + h²' },
    run: async ({ student, check, rng }) => {
      for (const h of [1e-2, 1e-3, 5e-2]) {
        const x = randomVector(rng, 3, -2, 2);
        const got = await student.call('numericalGradientByName', 'sumCubes', x, h);
        const why = gradientMistakes('sumCubes', x, h, nums(got));
        if (why) return void check.fail(why);
        check.close(got, x.map((v) => 3 * v * v + h * h), `numericalGradient(sumCubes, x, ${h})`, { atol: 1e-9, rtol: 1e-9 });
      }
    },
  },

  // ================= gradient-descent =================
  {
    task: 'gradient-descent',
    name: { en: 'each step is x ← x − lr · (your numericalGradient at x)', ja: '各ステップが x ← x − lr · (自分の numericalGradient の x での値)' },
    run: async ({ student, check, rng }) => {
      const x0 = randomVector(rng, 2, -3, 3);
      const lr = rng.uniform(0.05, 0.2);
      const want = await ownDescent(student, check, 'coupled', x0, lr, 5);
      if (!want) return;
      const got = await student.call('gradientDescentByName', 'coupled', x0, lr, 5);
      check.close(got, want, 'gradientDescent(coupled, x0, lr, 5) vs 5 updates with your numericalGradient', { rtol: 1e-10, atol: 1e-12 });
    },
  },
  {
    task: 'gradient-descent',
    name: { en: 'random starts, learning rates and step counts: updates with your numericalGradient', ja: 'ランダムな初期値・学習率・ステップ数: 自分の numericalGradient による更新と一致' },
    run: async ({ student, check, rng }) => {
      for (const name of ['sumSquares', 'coupled', 'shifted']) {
        const x0 = randomVector(rng, 2, -5, 5);
        const lr = rng.uniform(0.05, 0.2);
        const steps = rng.int(5, 20);
        const want = await ownDescent(student, check, name, x0, lr, steps);
        if (!want) return;
        const got = await student.call('gradientDescentByName', name, x0, lr, steps);
        const why = descentMistake(name, x0, lr, steps, nums(got));
        if (why && !nearAll(nums(got) ?? [], want, 1e-10, 1e-12)) return void check.fail(why);
        check.close(got, want, `gradientDescent(${name}, x0, ${lr.toFixed(3)}, ${steps}) vs updates with your numericalGradient`, { rtol: 1e-10, atol: 1e-12 });
      }
    },
  },
  {
    task: 'gradient-descent',
    name: { en: '100 steps with lr 0.1 from another start shrink by 0.8¹⁰⁰ (float32 accepted)', ja: '別の初期値から lr 0.1 で 100 ステップ: 0.8¹⁰⁰ 倍に縮む (float32 も可)' },
    run: async ({ student, check, rng }) => {
      const x0 = randomVector(rng, 2, -5, 5);
      const got = await student.call('gradientDescentByName', 'sumSquares', x0, 0.1, 100);
      const why = descentMistake('sumSquares', x0, 0.1, 100, nums(got));
      if (why) return void check.fail(why);
      check.close(got, x0.map((v) => v * 0.8 ** 100), 'gradientDescent(x0² + x1², x0, 0.1, 100)', { atol: 0, rtol: 1e-2 });
    },
  },

  // ================= least-squares =================
  {
    task: 'least-squares',
    name: { en: 'normal equations on random data', ja: 'ランダムなデータでの正規方程式' },
    run: async ({ student, check, rng }) => {
      for (let i = 0; i < 4; i++) {
        const { xs, ys } = randomLine(rng, rng.int(4, 12), -3, 3, rng.uniform(-3, 3), rng.uniform(-3, 3), 0.5);
        const v = readLineFit(check, await student.call('normalEquation', xs, ys), ['a', 'b'], 'normalEquation');
        if (!v) return;
        const want = leastSquares(xs, ys);
        check.close(v, [want.a, want.b], `normalEquation (N = ${xs.length}) → [a, b]`, { rtol: 1e-8, atol: 1e-9 });
      }
    },
  },
  {
    task: 'least-squares',
    name: { en: 'loss and gradient by autograd at random (a, b)', ja: 'ランダムな (a, b) での自動微分による損失と勾配' },
    run: async ({ student, check, rng }) => {
      for (let i = 0; i < 4; i++) {
        const { xs, ys } = randomLine(rng, rng.int(3, 8), -2, 2, rng.uniform(-2, 2), rng.uniform(-2, 2), 0.3);
        const a = rng.uniform(-3, 3);
        const b = rng.uniform(-3, 3);
        const v = readLineFit(check, await student.call('lineLossAndGrad', xs, ys, a, b), ['loss', 'dA', 'dB'], 'lineLossAndGrad');
        if (!v) return;
        const want = [lineL(xs, ys, a, b), ...lineGrad(xs, ys, a, b)];
        if (nearAll(v, want.map((w) => w / 2), 1e-6, 1e-9)) {
          return void check.fail(t2('half of the expected values: the exercise\'s loss is L(a, b) = Σ(y − (a·x + b))², without ½', '期待値の半分です。この演習の損失は ½ なしの L(a, b) = Σ(y − (a·x + b))² です'));
        }
        check.close(v, want, `lineLossAndGrad (N = ${xs.length}) → [loss, dA, dB]`, { rtol: 1e-9, atol: 1e-9 });
      }
    },
  },
  {
    task: 'least-squares',
    weight: 2,
    name: { en: 'gradient descent with autograd on random data follows the exact updates', ja: 'ランダムなデータでの自動微分による勾配降下法が正確な更新と一致' },
    run: async ({ student, check, rng }) => {
      const { xs, ys } = randomLine(rng, rng.int(4, 8), 0, 2, rng.uniform(-2, 2), rng.uniform(-2, 2), 0.2);
      const sxx = xs.reduce((s, x) => s + x * x, 0);
      const sx = xs.reduce((s, x) => s + x, 0);
      const n = xs.length;
      // largest eigenvalue of the Hessian 2 [[Σx², Σx], [Σx, N]]
      const lmax = sxx + n + Math.sqrt((sxx - n) ** 2 + 4 * sx * sx);
      const lr = 0.5 / lmax;
      const steps = 80;
      const fit = readFit(check, await student.call('fitLineGD', xs, ys, lr, steps), steps);
      if (!fit) return;
      checkFitLosses(check, fit, xs, ys, lr, `fitLineGD (N = ${n})`);
      const want = replayLineGD(xs, ys, lr, steps);
      check.close([fit.a, fit.b], [want.a, want.b], `fitLineGD (N = ${n}) → [a, b] after ${steps} steps`, { rtol: 1e-6, atol: 1e-7 });
    },
  },

  // ================= least-squares: regression on a test set =================
  {
    task: 'least-squares',
    name: { en: 'RMSE of random predictions', ja: 'ランダムな予測値の RMSE' },
    run: async ({ student, check, rng }) => {
      for (let i = 0; i < 3; i++) {
        const n = rng.int(2, 20);
        const y = randomVector(rng, n, 600, 800);
        const yHat = y.map((v) => v + rng.uniform(-30, 30));
        check.close(await student.call('rmse', y, yHat), Math.sqrt(y.reduce((s, v, j) => s + (v - yHat[j]) ** 2, 0) / n), `rmse (N = ${n})`, { rtol: 1e-12, atol: 1e-12 });
      }
    },
  },
  {
    task: 'least-squares',
    name: { en: 'a random CO₂-like data set (40 samples, the last 8 held out): same fit and RMSEs as the reference', ja: 'ランダムな CO₂ 風のデータ (40件、最後の8件がテスト集合): 模範解答と同じ直線と RMSE' },
    run: async ({ student, reference, check, rng }) => {
      const { xs, ys } = randomLine(rng, 40, 1, 3, -60, 850, 15);
      const keys = ['w', 'b', 'trainRmse', 'testRmse'];
      const got = readLineFit(check, await student.call('linearRegression', xs, ys, 8), keys, 'linearRegression');
      const want = readLineFit(check, await reference.call('linearRegression', xs, ys, 8), keys, 'the reference');
      if (!got || !want) return;
      const why = regressionMistake(xs, ys, 8, got[0], got[1]);
      if (why) return void check.fail(why);
      check.close(got.slice(0, 2), want.slice(0, 2), 'linearRegression → [w, b]', { rtol: 1e-8, atol: 1e-8 });
      check.close(got[2], want[2], 'trainRmse', { rtol: 1e-8, atol: 1e-8 });
      check.close(got[3], want[3], 'testRmse', { rtol: 1e-8, atol: 1e-8 });
    },
  },
  {
    task: 'least-squares',
    name: { en: 'test samples far off the training trend: they must not change the fit', ja: '訓練データの傾向から外れたテストサンプル: 直線を変えてはいけない' },
    run: async ({ student, reference, check, rng }) => {
      const { xs, ys } = randomLine(rng, 25, 1, 3, -60, 850, 10);
      const nTest = 5;
      for (let i = xs.length - nTest; i < xs.length; i++) ys[i] += rng.uniform(80, 120);
      const keys = ['w', 'b', 'trainRmse', 'testRmse'];
      const got = readLineFit(check, await student.call('linearRegression', xs, ys, nTest), keys, 'linearRegression');
      const want = readLineFit(check, await reference.call('linearRegression', xs, ys, nTest), keys, 'the reference');
      if (!got || !want) return;
      const why = regressionMistake(xs, ys, nTest, got[0], got[1]);
      if (why) return void check.fail(why);
      check.close(got, want, 'linearRegression → [w, b, trainRmse, testRmse]', { rtol: 1e-8, atol: 1e-8 });
    },
  },

  // ================= minibatch-sgd =================
  {
    task: 'minibatch-sgd',
    name: { en: 'random data, |B| = 8 with a last minibatch of 6: permutations, reshuffling and the slide\'s updates', ja: 'ランダムなデータ、|B| = 8 で最後のミニバッチは6件: 順列、再シャッフル、スライドの更新式' },
    weight: 2,
    run: async ({ student, check, rng }) => {
      const { xs, ys } = randomLine(rng, 30, 0, 2, rng.uniform(-2, 2), rng.uniform(-2, 2), 0.1);
      const o: SgdOpts = { w0: 1, b0: 2, lr: 0.05, batchSize: 8, epochs: 5 };
      const r = readSGD(check, await callSGD(student, xs, ys, o), o);
      if (r && checkPermutations(check, r.orders, 30) && checkReshuffled(check, r.orders)) checkReplay(check, xs, ys, o, r);
    },
  },
  {
    task: 'minibatch-sgd',
    name: { en: 'SGD in the strict sense (|B| = 1)', ja: '厳密な意味の SGD (|B| = 1)' },
    run: async ({ student, check, rng }) => {
      const { xs, ys } = randomLine(rng, 15, -1, 1, rng.uniform(-2, 2), rng.uniform(-2, 2), 0.1);
      const o: SgdOpts = { w0: 1, b0: 2, lr: 0.05, batchSize: 1, epochs: 4 };
      const r = readSGD(check, await callSGD(student, xs, ys, o), o);
      if (r && checkPermutations(check, r.orders, 15)) checkReplay(check, xs, ys, o, r);
    },
  },
  {
    task: 'minibatch-sgd',
    name: { en: 'the loss falls over 20 epochs on random data, and the order is reshuffled each epoch', ja: 'ランダムなデータで20エポックの間に損失が下がり、エポックごとに順番が変わる' },
    run: async ({ student, check, rng }) => {
      const { xs, ys } = randomLine(rng, 24, 0, 2, rng.uniform(1, 3), rng.uniform(-3, -1), 0.1);
      const o: SgdOpts = { w0: 1, b0: 2, lr: 0.1, batchSize: 5, epochs: 20 };
      const r = readSGD(check, await callSGD(student, xs, ys, o), o);
      if (!r || !checkPermutations(check, r.orders, 24) || !checkReshuffled(check, r.orders)) return;
      const l0 = initialLoss(xs, ys, o);
      const last = r.losses[r.losses.length - 1];
      const best = leastSquares(xs, ys);
      const lmin = xs.reduce((s, x, i) => s + (ys[i] - best.a * x - best.b) ** 2, 0) / (2 * xs.length);
      check.ok(last <= r.losses[0] && last - lmin < 0.25 * (l0 - lmin), 'losses', t2('after 20 epochs the loss has not come down towards the least-squares minimum (the excess over it should be at most a quarter of the initial excess)', '20 エポック後の損失が最小二乗解の損失に近づいていません (最小値からの超過分は初期の超過分の 1/4 以下になるはずです)'));
    },
  },
]);
