/**
 * Public tests of assignment 05 (learning: losses, numerical differentiation, gradient descent,
 * least squares, minibatch SGD). Run them with `npm test`.
 *
 * Course numbers used here:
 * - 2乗和誤差: y = (13.5, 20.1, 0.7), t = (12.1, 22.8, 0.3) → ½(1.4² + 2.7² + 0.4²) = 4.705;
 * - 交差エントロピー誤差: y = (0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0), t one-hot at
 *   index 2 → −log 0.6 = 0.51 (0.5108…);
 * - ベルヌーイ分布: the 20 observations {1,0,0,0,1,0,1,0,0,1,0,0,0,0,1,0,0,0,1,0} → μ̂ = 0.3;
 * - numerical_diff: f(x) = x², x = 2, h = 0.0000001 → 4.000000091153311 (checked to the last bit);
 * - 勾配: x0² + x1² at (3, 4) → (6, 8);
 * - 勾配降下法: η = 0.1 from (1, 0.9) → (0.8, 0.72) → (0.64, 0.576); gradient_descent from
 *   (−3, 2), lr 0.1, 100 steps → tensor([-6.1111e-10, 4.0741e-10]) ("ほとんど(0,0)");
 * - 最小二乗法: D = {(1, 2), (2, 3), (3, 5)} → ∂L/∂a = −46 + 28a + 12b, ∂L/∂b = −20 + 12a + 6b,
 *   a = 3/2, b = 1/3;
 * - the CO₂ example's rows (風速, 濃度) (2.0, 685), (1.2, 790), (1.8, 733), (1.6, 743) for training
 *   and (1.8, 740), (2.6, 677) for testing ("※数値は適当です");
 * - minibatch SGD from the course's initial (w, b) = (1, 2).
 *
 * Other expected values are computed here from the definitions in the README.
 */
import { defineTests, type Text, type Value } from '@dl/grader';
import {
  isRecord,
  num,
  nums,
  near,
  nearAll,
  t2,
  hint,
  F1,
  forward,
  diffMistakes,
  ownDescent,
  descentMistake,
  gradientMistakes,
  leastSquares,
  lineL,
  readFit,
  checkFitLosses,
  regressionMistake,
  initialLoss,
  readSGD,
  checkPermutations,
  checkReshuffled,
  checkReplay,
  lineData,
  callSGD,
  type SgdOpts,
} from '../common/learning';

// ---- course data ----

const SSE_Y = [13.5, 20.1, 0.7];
const SSE_T = [12.1, 22.8, 0.3];
const CE_Y = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0];
const CE_T = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
const COIN = [1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0];
const D_X = [1, 2, 3];
const D_Y = [2, 3, 5];
const CO2_X = [2.0, 1.2, 1.8, 1.6, 1.8, 2.6];
const CO2_Y = [685, 790, 733, 743, 740, 677];

const HALF_MISSING = t2('your value is twice the expected one: the course\'s 2乗和誤差 has the factor ½, ½Σ(y_k − t_k)²', '結果が期待値のちょうど2倍です。講義の2乗和誤差には ½ がつきます: ½Σ(y_k − t_k)²');

export default defineTests([
  // ================= losses =================
  {
    task: 'losses',
    name: { en: '2乗和誤差 of the course\'s example: ½(1.4² + 2.7² + 0.4²) = 4.705', ja: '講義の例の2乗和誤差: ½(1.4² + 2.7² + 0.4²) = 4.705' },
    run: async ({ student, check }) => {
      const got = await student.call('sumSquaredError', SSE_Y, SSE_T);
      if (hint(check, got, [[9.41, HALF_MISSING]], 1e-9)) return;
      check.close(got, 4.705, 'sumSquaredError([13.5, 20.1, 0.7], [12.1, 22.8, 0.3])', { atol: 1e-9, rtol: 0 });
      check.close(await student.call('sumSquaredError', [1, 2, 3], [1, 2, 3]), 0, 'sumSquaredError(y, y)', { atol: 1e-12, rtol: 0 });
      check.close(await student.call('sumSquaredError', [0.5], [0]), 0.125, 'sumSquaredError([0.5], [0])', { atol: 1e-12, rtol: 0 });
    },
  },
  {
    task: 'losses',
    name: { en: '交差エントロピー誤差 of the course\'s handwritten-digit example: −log 0.6 = 0.51', ja: '講義の手書き数字認識の例の交差エントロピー誤差: −log 0.6 = 0.51' },
    run: async ({ student, check }) => {
      const got = await student.call('crossEntropyError', CE_Y, CE_T);
      const g = num(got);
      if (g !== null && !Number.isFinite(g)) {
        check.fail(
          t2(
            `got ${g}: the terms with t_k = 0 where y_k = 0.0 give 0·log 0 = 0·(−∞) = NaN in JavaScript; skip the terms with t_k = 0 (or add a tiny δ such as 1e-7 inside the log)`,
            `結果は ${g} です。y_k = 0.0 かつ t_k = 0 の項は JavaScript では 0·log 0 = 0·(−∞) = NaN になります。t_k = 0 の項を飛ばしてください (または log の中に 1e-7 のような小さな δ を足してください)`,
          ),
        );
        return;
      }
      check.close(got, -Math.log(0.6), 'crossEntropyError(y, t) (course: 0.51)', { atol: 1e-6, rtol: 0 });
      const t0 = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
      check.close(await student.call('crossEntropyError', CE_Y, t0), -Math.log(0.1), 'crossEntropyError(y, one-hot at index 0) = −log 0.1', { atol: 1e-6, rtol: 0 });
    },
  },
  {
    task: 'losses',
    name: { en: '平均2乗誤差 of a mini-batch of 3 samples: 1/(2N) ΣΣ (y − t)²', ja: '3件のミニバッチの平均2乗誤差: 1/(2N) ΣΣ (y − t)²' },
    run: async ({ student, check }) => {
      const Y = [SSE_Y, [1, 2, 3], [0, 0, 0]];
      const T = [SSE_T, [1, 2, 4], [0.5, 0, 0]];
      // ΣΣ (y − t)² = 9.41 + 1 + 0.25 = 10.66 over N = 3 samples of K = 3; the course's 1/(2N) gives 10.66/6
      const ss = 10.66;
      const got = await student.call('meanSquaredError', Y, T);
      const mistakes: Array<readonly [number, Text]> = [
        [ss / 3, t2('your value is twice the expected one: the course\'s 平均2乗誤差 is 1/(2N) ΣΣ (y − t)², with the ½', '結果が期待値のちょうど2倍です。講義の平均2乗誤差は ½ のついた 1/(2N) ΣΣ (y − t)² です')],
        [ss / 9, t2('this is PyTorch\'s mse_loss (the mean over all N·K numbers, without ½); the course\'s 平均2乗誤差 is 1/(2N) ΣΣ (y − t)²', 'これは PyTorch の mse_loss (N·K 個すべての平均、½ なし) の値です。講義の平均2乗誤差は 1/(2N) ΣΣ (y − t)² です')],
        [ss / 2, t2('your value is the sum over the samples, not the mean: divide by N', '結果がサンプルについての和になっています。N で割って平均にしてください')],
      ];
      if (!hint(check, got, mistakes)) check.close(got, ss / 6, 'meanSquaredError(Y, T) = 1/(2N) ΣΣ (y − t)²', { atol: 1e-9, rtol: 0 });
    },
  },
  {
    task: 'losses',
    name: { en: 'mean cross-entropy of a mini-batch of 2 samples: −(1/N) ΣΣ t log y', ja: '2件のミニバッチの交差エントロピー損失: −(1/N) ΣΣ t log y' },
    run: async ({ student, check }) => {
      const Yc = [CE_Y, CE_Y];
      const Tc = [CE_T, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]];
      const want = (-Math.log(0.6) - Math.log(0.1)) / 2;
      const gotC = await student.call('meanCrossEntropyError', Yc, Tc);
      if (!hint(check, gotC, [[2 * want, t2('your value is the sum over the samples: the course\'s loss for N samples is the mean, −(1/N) ΣΣ t log y', '結果がサンプルについての和になっています。N 個のデータに対する講義の損失は平均 −(1/N) ΣΣ t log y です')]], 1e-5)) {
        check.close(gotC, want, 'meanCrossEntropyError(Y, T) = −(1/N) ΣΣ t log y', { atol: 1e-6, rtol: 0 });
      }
    },
  },

  // ================= mle =================
  {
    task: 'mle',
    name: { en: 'the course\'s 20 coin tosses (6 ones): μ̂ = 0.3', ja: '講義の20回の観測 (1 が6回): μ̂ = 0.3' },
    run: async ({ student, check }) => {
      check.close(await student.call('bernoulliMLE', COIN), 0.3, 'bernoulliMLE(course sample)', { atol: 1e-9, rtol: 0 });
      check.close(await student.call('bernoulliMLE', [1, 1, 0, 1]), 0.75, 'bernoulliMLE([1, 1, 0, 1])', { atol: 1e-9, rtol: 0 });
    },
  },
  {
    task: 'mle',
    name: { en: 'likelihood L(μ) = Π μ^x (1 − μ)^(1−x) and the negative log-likelihood at μ = 0.3', ja: '尤度 L(μ) = Π μ^x (1 − μ)^(1−x) と μ = 0.3 での負の対数尤度' },
    run: async ({ student, check }) => {
      const L = 0.3 ** 6 * 0.7 ** 14;
      check.close(await student.call('bernoulliLikelihood', 0.3, COIN), L, 'bernoulliLikelihood(0.3, course sample) = 0.3⁶ · 0.7¹⁴', { atol: 0, rtol: 1e-9 });
      check.close(await student.call('bernoulliNLL', 0.3, COIN), -(6 * Math.log(0.3) + 14 * Math.log(0.7)), 'bernoulliNLL(0.3, course sample) = −(6 log 0.3 + 14 log 0.7)', { atol: 1e-9, rtol: 1e-12 });
      check.close(await student.call('bernoulliNLL', 0.5, [1, 0]), 2 * Math.log(2), 'bernoulliNLL(0.5, [1, 0]) = 2 log 2', { atol: 1e-12, rtol: 1e-12 });
    },
  },
  {
    task: 'mle',
    name: { en: 'your negative log-likelihood is smallest at your μ̂ (NLL = −log L)', ja: '自分の負の対数尤度が自分の μ̂ で最小になる (NLL = −log L)' },
    run: async ({ student, check }) => {
      const xs = [0, 1, 1, 0, 1, 1, 1, 0, 1, 1];
      const mle = num(await student.call('bernoulliMLE', xs));
      if (mle === null) return void check.fail(t2('bernoulliMLE must return a number', 'bernoulliMLE は数値を返してください'));
      const at = num(await student.call('bernoulliNLL', mle, xs));
      if (at === null) return void check.fail(t2('bernoulliNLL must return a number', 'bernoulliNLL は数値を返してください'));
      for (const d of [-0.2, -0.05, -0.01, 0.01, 0.05, 0.2]) {
        const mu = mle + d;
        if (mu <= 0 || mu >= 1) continue;
        const v = num(await student.call('bernoulliNLL', mu, xs));
        check.ok(v !== null && v > at, `bernoulliNLL(${mu.toFixed(2)}) > bernoulliNLL(μ̂ = ${mle})`, t2(`the NLL at μ = ${mu.toFixed(2)} is ${v}, not larger than at your μ̂ (${at})`, `μ = ${mu.toFixed(2)} での NLL が ${v} で、μ̂ での値 (${at}) より大きくありません`));
      }
      const L = num(await student.call('bernoulliLikelihood', 0.6, xs));
      const nll = num(await student.call('bernoulliNLL', 0.6, xs));
      check.ok(L !== null && nll !== null && near(-Math.log(L), nll, 1e-9, 1e-12), 'bernoulliNLL(0.6) = −log bernoulliLikelihood(0.6)', t2(`−log L = ${L === null ? L : -Math.log(L)} but NLL = ${nll}`, `−log L = ${L === null ? L : -Math.log(L)} ですが NLL = ${nll} です`));
    },
  },

  // ================= numerical-diff =================
  {
    task: 'numerical-diff',
    name: { en: 'the course\'s example to the last bit: f(x) = x², x = 2, h = 1e-7 → 4.000000091153311', ja: '講義の例をビット単位で: f(x) = x²、x = 2、h = 1e-7 → 4.000000091153311' },
    run: async ({ student, check }) => {
      const course = 4.000000091153311;
      const got = await student.call('numericalDiffByName', 'square', 2, 1e-7);
      const g = num(got);
      if (g === course) return;
      if (hint(check, got, diffMistakes(F1.square, 2, 1e-7), 1e-12)) return;
      check.fail(
        t2(
          `numericalDiff(x², 2, 1e-7) returned ${g === null ? JSON.stringify(got) : String(g)}, but the course prints ${course}: compute exactly (f(x + h) − f(x)) / h (the same float64 arithmetic as Python gives the same digits)`,
          `numericalDiff(x², 2, 1e-7) の結果は ${g === null ? JSON.stringify(got) : String(g)} ですが、講義の値は ${course} です。(f(x + h) − f(x)) / h をそのまま計算してください (Python と同じ float64 の計算なので同じ桁が得られます)`,
        ),
      );
    },
  },
  {
    task: 'numerical-diff',
    name: { en: 'the default h is 1e-4: numericalDiff(x², 2) = (f(2.0001) − f(2)) / 0.0001', ja: 'h の既定値は 1e-4: numericalDiff(x², 2) = (f(2.0001) − f(2)) / 0.0001' },
    run: async ({ student, check }) => {
      const got = await student.call('numericalDiffByName', 'square', 2);
      if (hint(check, got, diffMistakes(F1.square, 2, undefined), 1e-12)) return;
      check.close(got, forward(F1.square, 2, 1e-4), 'numericalDiff(x², 2) with the default h', { rtol: 1e-12, atol: 0 });
    },
  },
  {
    task: 'numerical-diff',
    name: { en: 'forward differences of x³, 0.01x² + 0.1x and sin x', ja: 'x³、0.01x² + 0.1x、sin x の前方差分' },
    run: async ({ student, check }) => {
      const cases: Array<[string, number, number | undefined]> = [
        ['cube', 1.5, 1e-3],
        ['poly', 5, undefined],
        ['poly', 10, 1e-2],
        ['sin', 0.5, 1e-5],
      ];
      for (const [name, x, h] of cases) {
        const got = await student.call('numericalDiffByName', name, x, h);
        if (hint(check, got, diffMistakes(F1[name], x, h), 1e-12)) return;
        check.close(got, forward(F1[name], x, h ?? 1e-4), `numericalDiff(${name}, ${x}${h === undefined ? '' : `, ${h}`})`, { rtol: 1e-12, atol: 0 });
      }
    },
  },

  // ================= numerical-diff: the gradient =================
  {
    task: 'numerical-diff',
    name: { en: 'the course\'s gradient of x0² + x1² at (3, 4) is (6, 8)', ja: '講義の例: x0² + x1² の (3, 4) での勾配は (6, 8)' },
    run: async ({ student, check }) => {
      const got = await student.call('numericalGradientByName', 'sumSquares', [3, 4]);
      const why = gradientMistakes('sumSquares', [3, 4], 1e-4, nums(got));
      if (why) return void check.fail(why);
      check.close(got, [6, 8], 'numericalGradient(x0² + x1², [3, 4])', { atol: 1e-6, rtol: 0 });
    },
  },
  {
    task: 'numerical-diff',
    name: { en: 'variables that interact: x0² + x0·x1 + 2·x1² at (1, −2) is (0, −7)', ja: '変数が影響し合う関数: x0² + x0·x1 + 2·x1² の (1, −2) での勾配は (0, −7)' },
    run: async ({ student, check }) => {
      const got = await student.call('numericalGradientByName', 'coupled', [1, -2]);
      const why = gradientMistakes('coupled', [1, -2], 1e-4, nums(got));
      if (why) return void check.fail(why);
      check.close(got, [0, -7], 'numericalGradient(coupled, [1, -2])', { atol: 1e-6, rtol: 0 });
    },
  },
  {
    task: 'numerical-diff',
    name: { en: 'three variables and a given h: x0³ + x1³ + x2³ with h = 0.01 (central difference: 3x² + h²)', ja: '3変数と h の指定: x0³ + x1³ + x2³、h = 0.01 (中心差分では 3x² + h²)' },
    run: async ({ student, check }) => {
      const x = [1, -2, 0.5];
      const got = await student.call('numericalGradientByName', 'sumCubes', x, 0.01);
      const why = gradientMistakes('sumCubes', x, 0.01, nums(got));
      if (why) return void check.fail(why);
      // For a cubic, the central difference is exactly 3x² + h² (up to rounding).
      check.close(got, x.map((v) => 3 * v * v + 1e-4), 'numericalGradient(sumCubes, [1, -2, 0.5], 0.01)', { atol: 1e-9, rtol: 1e-9 });
    },
  },

  // ================= gradient-descent =================
  {
    task: 'gradient-descent',
    name: { en: 'the course\'s two steps by hand: η = 0.1 from (1, 0.9) → (0.8, 0.72) → (0.64, 0.576)', ja: '講義の手計算の2ステップ: η = 0.1、(1, 0.9) → (0.8, 0.72) → (0.64, 0.576)' },
    run: async ({ student, check }) => {
      for (const [steps, want] of [[1, [0.8, 0.72]], [2, [0.64, 0.576]]] as Array<[number, number[]]>) {
        const got = await student.call('gradientDescentByName', 'sumSquares', [1, 0.9], 0.1, steps);
        const why = descentMistake('sumSquares', [1, 0.9], 0.1, steps, nums(got));
        if (why) return void check.fail(why);
        check.close(got, want, `gradientDescent(x0² + x1², [1, 0.9], 0.1, ${steps})`, { atol: 1e-9, rtol: 0 });
      }
    },
  },
  {
    task: 'gradient-descent',
    name: { en: 'the course\'s gradient_descent: from (−3, 2), lr 0.1, 100 steps → (−6.1111e-10, 4.0741e-10) ("almost (0, 0)")', ja: '講義の gradient_descent: (−3, 2) から lr 0.1 で 100 ステップ → (−6.1111e-10, 4.0741e-10) (「ほとんど(0,0)」)' },
    run: async ({ student, check }) => {
      const got = nums(await student.call('gradientDescentByName', 'sumSquares', [-3, 2], 0.1, 100));
      // The exact trajectory is (−3, 2)·0.8^100; the course prints (−6.1111e-10, 4.0741e-10). A float32
      // port gives about (−6.110e-10, 4.071e-10): rtol 1e-2 accepts both.
      const want = [-3 * 0.8 ** 100, 2 * 0.8 ** 100];
      if (got && got.length === 2 && got.every((v) => Math.abs(v + 5e-5) < 2e-6)) {
        return void check.fail(
          t2(
            `got ${got.map((v) => v.toExponential(4)).join(', ')}: both coordinates stall near −h/2 = −5e-5. That is what a forward-difference gradient (error +h on x²) does; numericalGradient (task numerical-diff) must use the central difference`,
            `結果は ${got.map((v) => v.toExponential(4)).join(', ')} です。両方の座標が −h/2 = −5e-5 付近で止まっています。前方差分の勾配 (x² では誤差 +h) だとこうなります。numericalGradient (課題 numerical-diff) は中心差分を使ってください`,
          ),
        );
      }
      const why = descentMistake('sumSquares', [-3, 2], 0.1, 100, got);
      if (why) return void check.fail(why);
      check.close(got, want, 'gradientDescent(x0² + x1², [-3, 2], 0.1, 100) (the course\'s float64 result and float32 ports are both accepted)', { atol: 0, rtol: 1e-2 });
    },
  },
  {
    task: 'gradient-descent',
    name: { en: 'zero steps return the start; 20 steps on (x0 − 1)² + 2(x1 + 0.5)² are 20 updates with your numericalGradient', ja: '0 ステップでは初期値のまま。(x0 − 1)² + 2(x1 + 0.5)² での 20 ステップが自分の numericalGradient による 20 回の更新と一致' },
    run: async ({ student, check }) => {
      check.close(await student.call('gradientDescentByName', 'shifted', [3, 3], 0.1, 0), [3, 3], 'gradientDescent(shifted, [3, 3], 0.1, 0)', { atol: 0, rtol: 0 });
      const want = await ownDescent(student, check, 'shifted', [3, 3], 0.1, 20);
      if (!want) return;
      const got = await student.call('gradientDescentByName', 'shifted', [3, 3], 0.1, 20);
      const why = descentMistake('shifted', [3, 3], 0.1, 20, nums(got));
      if (why && !nearAll(nums(got) ?? [], want, 1e-10, 1e-12)) return void check.fail(why);
      check.close(got, want, 'gradientDescent(shifted, [3, 3], 0.1, 20) vs x ← x − 0.1·numericalGradient(shifted, x), 20 times', { rtol: 1e-10, atol: 1e-12 });
    },
  },

  // ================= least-squares =================
  {
    task: 'least-squares',
    name: { en: 'normal equations for D = {(1, 2), (2, 3), (3, 5)}: a = 3/2, b = 1/3', ja: 'D = {(1, 2), (2, 3), (3, 5)} の正規方程式: a = 3/2、b = 1/3' },
    run: async ({ student, check }) => {
      const got = await student.call('normalEquation', D_X, D_Y);
      if (!isRecord(got)) return void check.fail(t2('normalEquation must return { a, b }', 'normalEquation は { a, b } を返してください'));
      const a = num(got.a);
      const b = num(got.b);
      if (a !== null && b !== null && near(a, 1 / 3, 1e-6, 1e-9) && near(b, 1.5, 1e-6, 1e-9)) {
        return void check.fail(t2('a and b are swapped: a is the slope (3/2), b the intercept (1/3)', 'a と b が入れ替わっています。a は傾き (3/2)、b は切片 (1/3) です'));
      }
      check.close([got.a, got.b] as Value, [1.5, 1 / 3], 'normalEquation([1, 2, 3], [2, 3, 5]) → [a, b]', { atol: 1e-9, rtol: 0 });
    },
  },
  {
    task: 'least-squares',
    name: { en: 'loss and gradient by autograd: at (0, 0) L = 38, ∂L/∂a = −46, ∂L/∂b = −20; zero at (3/2, 1/3)', ja: '自動微分による損失と勾配: (0, 0) で L = 38、∂L/∂a = −46、∂L/∂b = −20。(3/2, 1/3) では勾配 0' },
    run: async ({ student, check }) => {
      const got = await student.call('lineLossAndGrad', D_X, D_Y, 0, 0);
      if (!isRecord(got)) return void check.fail(t2('lineLossAndGrad must return { loss, dA, dB }', 'lineLossAndGrad は { loss, dA, dB } を返してください'));
      const v = [num(got.loss), num(got.dA), num(got.dB)];
      if (v.every((x) => x !== null) && nearAll(v as number[], [19, -23, -10], 1e-9, 1e-9)) {
        return void check.fail(t2('all three are half of the expected values: the exercise\'s loss is L(a, b) = Σ(y − (a·x + b))², without ½ (the slide: ∂L/∂a = −46 + 28a + 12b)', '3つとも期待値の半分です。この演習の損失は ½ なしの L(a, b) = Σ(y − (a·x + b))² です (スライド: ∂L/∂a = −46 + 28a + 12b)'));
      }
      check.close([got.loss, got.dA, got.dB] as Value, [38, -46, -20], 'lineLossAndGrad(D, a = 0, b = 0) → [loss, dA, dB]', { atol: 1e-9, rtol: 0 });
      const at = await student.call('lineLossAndGrad', D_X, D_Y, 1.5, 1 / 3);
      if (!isRecord(at)) return;
      check.close([at.loss, at.dA, at.dB] as Value, [1 / 6, 0, 0], 'lineLossAndGrad(D, 3/2, 1/3) → [loss, dA, dB] (the minimum: L = 1/6)', { atol: 1e-9, rtol: 0 });
      const p = await student.call('lineLossAndGrad', D_X, D_Y, 1, 2);
      if (!isRecord(p)) return;
      // the slide: ∂L/∂a = −46 + 28a + 12b, ∂L/∂b = −20 + 12a + 6b
      check.close([p.loss, p.dA, p.dB] as Value, [lineL(D_X, D_Y, 1, 2), -46 + 28 + 24, -20 + 12 + 12], 'lineLossAndGrad(D, 1, 2) → [loss, dA, dB]', { atol: 1e-9, rtol: 0 });
    },
  },
  {
    task: 'least-squares',
    weight: 2,
    name: { en: 'gradient descent with autograd (lr 0.05, 200 steps) reaches a = 3/2, b = 1/3 within 1e-3', ja: '自動微分による勾配降下法 (lr 0.05、200 ステップ) で a = 3/2、b = 1/3 に 1e-3 以内で到達' },
    run: async ({ student, check }) => {
      const fit = readFit(check, await student.call('fitLineGD', D_X, D_Y, 0.05, 200), 200);
      if (!fit) return;
      checkFitLosses(check, fit, D_X, D_Y, 0.05, 'fitLineGD(D, 0.05, 200)');
      check.close([fit.a, fit.b], [1.5, 1 / 3], 'fitLineGD(D, 0.05, 200) → [a, b]', { atol: 1e-3, rtol: 0 });
    },
  },

  // ================= least-squares: regression on a test set =================
  {
    task: 'least-squares',
    name: { en: 'RMSE = sqrt((1/N) Σ (y − ŷ)²)', ja: 'RMSE = sqrt((1/N) Σ (y − ŷ)²)' },
    run: async ({ student, check }) => {
      const got = await student.call('rmse', [1, 2, 3], [1, 2, 5]);
      if (hint(check, got, [[Math.sqrt(2 / 3), t2('RMSE has no ½: sqrt((1/N) Σ (y − ŷ)²)', 'RMSE には ½ はつきません: sqrt((1/N) Σ (y − ŷ)²)')], [4 / 3, t2('this is the MSE: take the square root', 'これは MSE (平均二乗誤差) です。平方根をとってください')]])) return;
      check.close(got, Math.sqrt(4 / 3), 'rmse([1, 2, 3], [1, 2, 5])', { atol: 1e-12, rtol: 1e-12 });
      check.close(await student.call('rmse', [740, 677], [740, 677]), 0, 'rmse(y, y)', { atol: 1e-12, rtol: 0 });
    },
  },
  {
    task: 'least-squares',
    name: { en: 'the CO₂ example: train on IDs 1, 2, 3, 1000, test on IDs 1001, 1002', ja: 'CO₂ 濃度の例: ID 1、2、3、1000 で訓練し、ID 1001、1002 でテスト' },
    run: async ({ student, check }) => {
      const got = await student.call('linearRegression', CO2_X, CO2_Y, 2);
      if (!isRecord(got)) return void check.fail(t2('linearRegression must return { w, b, trainRmse, testRmse }', 'linearRegression は { w, b, trainRmse, testRmse } を返してください'));
      const tr = leastSquares(CO2_X.slice(0, 4), CO2_Y.slice(0, 4));
      const why = regressionMistake(CO2_X, CO2_Y, 2, num(got.w), num(got.b));
      if (why) return void check.fail(why);
      const r = (xs: number[], ys: number[]): number => Math.sqrt(xs.reduce((s, x, i) => s + (ys[i] - tr.a * x - tr.b) ** 2, 0) / xs.length);
      check.close([got.w, got.b] as Value, [tr.a, tr.b], 'linearRegression(CO₂ rows, nTest = 2) → [w, b] (fitted on the first 4 rows)', { rtol: 1e-8, atol: 1e-8 });
      check.close(got.trainRmse, r(CO2_X.slice(0, 4), CO2_Y.slice(0, 4)), 'trainRmse', { rtol: 1e-8, atol: 1e-8 });
      check.close(got.testRmse, r(CO2_X.slice(4), CO2_Y.slice(4)), 'testRmse (IDs 1001, 1002)', { rtol: 1e-8, atol: 1e-8 });
    },
  },

  // ================= minibatch-sgd =================
  {
    task: 'minibatch-sgd',
    name: { en: 'each epoch\'s order is a permutation of the samples (the minibatches partition the data)', ja: '各エポックの順番はサンプルの並べ替えである (ミニバッチがデータを分割する)' },
    run: async ({ student, check }) => {
      const { xs, ys } = lineData(20, 2, 1);
      const o: SgdOpts = { w0: 1, b0: 2, lr: 0.1, batchSize: 4, epochs: 6 };
      const r = readSGD(check, await callSGD(student, xs, ys, o), o);
      if (r) checkPermutations(check, r.orders, 20);
    },
  },
  {
    task: 'minibatch-sgd',
    name: { en: 'the data are reshuffled every epoch (エポック毎に再シャッフル)', ja: 'エポック毎に再シャッフルしている' },
    weight: 2,
    run: async ({ student, check }) => {
      const { xs, ys } = lineData(20, 2, 1);
      const o: SgdOpts = { w0: 1, b0: 2, lr: 0.1, batchSize: 4, epochs: 6 };
      const r = readSGD(check, await callSGD(student, xs, ys, o), o);
      if (r && checkPermutations(check, r.orders, 20)) checkReshuffled(check, r.orders);
    },
  },
  {
    task: 'minibatch-sgd',
    name: { en: 'the updates follow the slide\'s formulas on your minibatches (N = 20, |B| = 4, η = 0.1, from (w, b) = (1, 2))', ja: '更新があなたのミニバッチでスライドの式どおり (N = 20、|B| = 4、η = 0.1、(w, b) = (1, 2) から)' },
    run: async ({ student, check }) => {
      const { xs, ys } = lineData(20, 2, 1);
      const o: SgdOpts = { w0: 1, b0: 2, lr: 0.1, batchSize: 4, epochs: 6 };
      const r = readSGD(check, await callSGD(student, xs, ys, o), o);
      if (r && checkPermutations(check, r.orders, 20)) checkReplay(check, xs, ys, o, r);
    },
  },
  {
    task: 'minibatch-sgd',
    name: { en: 'a smaller last minibatch (N = 10, |B| = 3) is averaged over its own size', ja: '最後の小さいミニバッチ (N = 10、|B| = 3) はその大きさで平均する' },
    run: async ({ student, check }) => {
      const { xs, ys } = lineData(10, -1, 0.5);
      const o: SgdOpts = { w0: 1, b0: 2, lr: 0.2, batchSize: 3, epochs: 4 };
      const r = readSGD(check, await callSGD(student, xs, ys, o), o);
      if (r && checkPermutations(check, r.orders, 10)) checkReplay(check, xs, ys, o, r);
    },
  },
  {
    task: 'minibatch-sgd',
    name: { en: 'the loss decreases: after 10 epochs the excess over the least-squares minimum is at most half of that at (1, 2)', ja: '損失が減る: 10 エポック後には最小二乗解の損失からの超過分が (1, 2) での超過分の半分以下' },
    run: async ({ student, check }) => {
      const { xs, ys } = lineData(20, 2, 1);
      const o: SgdOpts = { w0: 1, b0: 2, lr: 0.1, batchSize: 4, epochs: 10 };
      const r = readSGD(check, await callSGD(student, xs, ys, o), o);
      if (!r) return;
      const l0 = initialLoss(xs, ys, o);
      const best = leastSquares(xs, ys);
      const lmin = xs.reduce((s, x, i) => s + (ys[i] - best.a * x - best.b) ** 2, 0) / (2 * xs.length);
      const last = r.losses[r.losses.length - 1];
      check.ok(
        last <= r.losses[0] && last - lmin < 0.5 * (l0 - lmin),
        'losses',
        t2(
          `the loss went from ${l0} (before training) and ${r.losses[0]} (epoch 1) to ${last} (epoch 10); the smallest possible is ${lmin}: after 10 epochs the excess over it should be at most half of the initial excess`,
          `損失が ${l0} (学習前)、${r.losses[0]} (エポック 1) から ${last} (エポック 10) になりました。最小値は ${lmin} です。10 エポック後には最小値からの超過分が初期の超過分の半分以下になるはずです`,
        ),
      );
    },
  },
]);
