/**
 * Public tests of assignment 04 (activation functions and the forward pass). Run them with
 * `npm test`.
 *
 * Course numbers used here:
 * - activation functions: step, sigmoid, tanh, ReLU, identity (001 "活性化関数の例"), also at
 *   x = ±1000, where no answer may be NaN; step(0) is never graded (defined both ways);
 * - softmax of u = (3, 1, 4) → 0.259, 0.035, 0.705 (003); the dog/cat/bird scores (9, 2, −1) →
 *   0.99904, 0.000911, 0.0000454 and the class 犬 (001 "例：犬猫鳥判別機");
 * - the 2-3-2 network z = h(Wz + b) (001 "3層NNの推論", "多層パーセプトロンの行列計算"): the course
 *   gives no weights, so these tests give them;
 * - the seminar's network with the layer-mean activation: x = (1, 2), W1 = [[1,2,3],[4,5,6]],
 *   W2 = [[1,2],[3,4],[5,6]] → h' = (9, 12, 15), h = (9/36, 12/36, 15/36), y = 120/276 = 10/23,
 *   gap from the true value 1: 13/23 (000);
 * - P("pumpkin") = 0.98: odds 49, logit log 49 (003);
 * - one-hot vectors of MNIST's 10 classes (003; the slide prints 9 components, a typo).
 */
import { defineTests, T } from '@dl/grader';
import {
  isRecord,
  isTensor,
  numbersOf,
  firstTime,
  closeFinite,
  SIGMOID_HINT,
  TANH_HINT,
  SOFTMAX_HINT,
  sigmoidRef,
  softmaxRef,
  ACT,
  matVec,
  q,
  checkExactVec,
  checkExact,
  layerMeanExact,
  meanHint,
  layerMeanHints,
} from '../common/forward';

export default defineTests([
  // ================= activations =================
  {
    task: 'activations',
    name: { en: 'step(x) is 1 for x > 0 and 0 for x < 0; step(0) is not graded', ja: 'step(x) は x > 0 で 1、x < 0 で 0 (step(0) は採点しない)' },
    run: async ({ student, check }) => {
      for (const x of [3, 0.5, 1e-9, -1e-9, -2, 1000, -1000]) check.equal(await student.call('step', x), x > 0 ? 1 : 0, `step(${x})`);
      const y0 = await student.call('step', 0);
      check.ok(y0 === 0 || y0 === 1, 'step(0)', {
        en: `got ${JSON.stringify(y0)}; step(0) may be 0 or 1 (the course defines it both ways), but it must be the number 0 or 1`,
        ja: `結果は ${JSON.stringify(y0)} です。step(0) は 0 でも 1 でも構いません (講義に2通りの定義がある) が、数値 0 か 1 を返してください`,
      });
    },
  },
  {
    task: 'activations',
    name: { en: 'sigmoid: σ(0) = 0.5, σ(±2), and σ(±1000) without NaN', ja: 'シグモイド: σ(0) = 0.5、σ(±2)、NaN にならない σ(±1000)' },
    run: async ({ student, check }) => {
      const cases: Array<[number, number]> = [
        [0, 0.5],
        [2, 0.8807970779778823],
        [-2, 0.11920292202211755],
        [10, 0.9999546021312976],
        [1000, 1],
        [-1000, 0],
      ];
      for (const [x, y] of cases) closeFinite(check, await student.call('sigmoid', x), y, `sigmoid(${x})`, SIGMOID_HINT, { atol: 1e-12, rtol: 1e-12 });
    },
  },
  {
    task: 'activations',
    name: { en: 'tanh (also at ±1000), ReLU and the identity function', ja: 'tanh (±1000 でも)、ReLU、恒等関数' },
    run: async ({ student, check }) => {
      const tanh: Array<[number, number]> = [
        [0, 0],
        [1, 0.7615941559557649],
        [-0.5, -0.46211715726000974],
        [1000, 1],
        [-1000, -1],
      ];
      for (const [x, y] of tanh) closeFinite(check, await student.call('tanh', x), y, `tanh(${x})`, TANH_HINT, { atol: 1e-12, rtol: 1e-12 });
      for (const [x, y] of [[2.5, 2.5], [-3, 0], [0, 0], [1000, 1000], [-1000, 0]]) check.close(await student.call('relu', x), y, `relu(${x})`);
      for (const x of [-1.5, 0, 7, 1000]) check.close(await student.call('identity', x), x, `identity(${x})`);
    },
  },

  // ================= softmax =================
  {
    task: 'softmax',
    name: { en: 'u = (3, 1, 4) → (0.259, 0.035, 0.705)', ja: 'u = (3, 1, 4) → (0.259, 0.035, 0.705)' },
    run: async ({ student, check }) => {
      const y = await student.call('softmax', T([3, 1, 4]));
      if (!check.close(y, T([0.259, 0.035, 0.705]), 'softmax(3, 1, 4) to the course\'s 3 decimals', { atol: 5e-4, rtol: 0 })) return;
      check.close(y, T(softmaxRef([3, 1, 4])), 'softmax(3, 1, 4)', { atol: 1e-9, rtol: 1e-6 });
      const d = numbersOf(y);
      if (d) check.close(d.reduce((a, b) => a + b, 0), 1, 'sum of softmax(3, 1, 4)', { atol: 1e-9 });
    },
  },
  {
    task: 'softmax',
    name: { en: 'dog/cat/bird scores (9, 2, −1) → 0.99904, 0.000911, 0.0000454; the class is 犬', ja: '犬猫鳥判別機のスコア (9, 2, −1) → 0.99904、0.000911、0.0000454; 分類は「犬」' },
    run: async ({ student, check }) => {
      const y = await student.call('softmax', T([9, 2, -1]));
      check.close(y, T([0.99904, 0.000911, 0.0000454]), 'softmax(9, 2, −1) to the course\'s digits', { atol: 5e-6, rtol: 5e-4 });
      check.close(y, T(softmaxRef([9, 2, -1])), 'softmax(9, 2, −1)', { atol: 1e-12, rtol: 1e-6 });
      check.equal(await student.call('predictClass', T([9, 2, -1]), ['犬', '猫', '鳥']), '犬', "predictClass((9, 2, −1), ['犬', '猫', '鳥'])");
      check.equal(await student.call('predictClass', T([-1, 2, 9]), ['犬', '猫', '鳥']), '鳥', "predictClass((−1, 2, 9), ['犬', '猫', '鳥'])");
    },
  },
  {
    task: 'softmax',
    name: { en: 'large scores: softmax(1000, 1001, 1002) = softmax(0, 1, 2), no NaN', ja: '大きなスコア: softmax(1000, 1001, 1002) = softmax(0, 1, 2)、NaN にならない' },
    run: async ({ student, check }) => {
      const want = T(softmaxRef([0, 1, 2]));
      closeFinite(check, await student.call('softmax', T([1000, 1001, 1002])), want, 'softmax(1000, 1001, 1002)', SOFTMAX_HINT, { atol: 1e-9, rtol: 1e-6 });
      closeFinite(check, await student.call('softmax', T([-1000, -999, -998])), want, 'softmax(−1000, −999, −998)', SOFTMAX_HINT, { atol: 1e-9, rtol: 1e-6 });
      if (!check.equal(await student.call('predictClass', T([1000, 1002, 1001]), ['a', 'b', 'c']), 'b', "predictClass((1000, 1002, 1001), ['a', 'b', 'c'])")) {
        if (firstTime(check, SOFTMAX_HINT)) check.fail(SOFTMAX_HINT);
      }
    },
  },

  // ================= forward =================
  {
    task: 'forward',
    name: { en: 'activate applies each activation to every element of a vector', ja: 'activate はベクトルの各要素に活性化関数を適用する' },
    run: async ({ student, check }) => {
      const a = [-1000, -2, -0.5, 0.25, 3, 1000];
      for (const h of Object.keys(ACT)) {
        const want = T(a.map(ACT[h]));
        closeFinite(check, await student.call('activate', T(a), h), want, `activate([${a.join(', ')}], '${h}')`, h === 'tanh' ? TANH_HINT : SIGMOID_HINT, { atol: 1e-12, rtol: 1e-9 });
      }
      const m = [[0.5, -1], [2, -3]];
      check.close(await student.call('activate', T(m), 'relu'), T([[0.5, 0], [2, 0]]), "activate([[0.5, −1], [2, −3]], 'relu') keeps the shape");
    },
  },
  {
    task: 'forward',
    name: { en: 'layer: z_j = h(W z_i + b) with W of shape [m, n]', ja: 'layer: z_j = h(W z_i + b)、W の形状は [m, n]' },
    run: async ({ student, check }) => {
      const W = [[1, 2, 3], [4, 5, 6]];
      const z = [1, 0, -1];
      const b = [0.5, 0];
      check.close(await student.call('layer', T(W), T(z), T(b), 'identity'), T([-1.5, -2]), "layer(W, z, b, 'identity') = W z + b");
      check.close(await student.call('layer', T(W), T(z), T(b), 'relu'), T([0, 0]), "layer(W, z, b, 'relu')");
      const z2 = [0.5, -0.25, 0.125];
      const b2 = [-0.6, 0.1];
      for (const h of ['sigmoid', 'tanh', 'step']) {
        check.close(await student.call('layer', T(W), T(z2), T(b2), h), T(matVec(W, z2, b2).map(ACT[h])), `layer(W, [${z2.join(', ')}], [${b2.join(', ')}], '${h}')`, { atol: 1e-12, rtol: 1e-9 });
      }
    },
  },
  {
    task: 'forward',
    name: { en: 'the 2-3-2 network: sigmoid, sigmoid, identity (weights given by the test)', ja: '2-3-2 のネットワーク: シグモイド、シグモイド、恒等関数 (重みはテストが与える)' },
    run: async ({ student, check }) => {
      const net = {
        W1: T([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]),
        b1: T([0.1, 0.2, 0.3]),
        W2: T([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]),
        b2: T([0.1, 0.2]),
        W3: T([[0.1, 0.2], [0.3, 0.4]]),
        b3: T([0.1, 0.2]),
      };
      const r = await student.call('forward3', T([1.0, 0.5]), net);
      if (!isRecord(r)) return void check.fail({ en: 'forward3 must return { a1, z1, a2, z2, a3, y }', ja: 'forward3 は { a1, z1, a2, z2, a3, y } を返してください' });
      const o = { atol: 1e-9, rtol: 1e-7 };
      check.close(r.a1, T([0.3, 0.7, 1.1]), 'a1 = W1 x + b1', o);
      check.close(r.z1, T([0.574442516811659, 0.6681877721681662, 0.7502601055951177]), 'z1 = σ(a1)', o);
      check.close(r.a2, T([0.5161598377933344, 1.2140269561658172]), 'a2 = W2 z1 + b2', o);
      check.close(r.z2, T([0.6262493703990729, 0.7710106968556123]), 'z2 = σ(a2)', o);
      check.close(r.a3, T([0.3168270764110298, 0.6962790898619668]), 'a3 = W3 z2 + b3', o);
      check.close(r.y, T([0.3168270764110298, 0.6962790898619668]), 'y = id(a3)', o);
    },
  },

  // ================= layer-mean =================
  {
    task: 'layer-mean',
    name: { en: "layerMean(9, 12, 15) = (9/36, 12/36, 15/36)", ja: 'layerMean(9, 12, 15) = (9/36, 12/36, 15/36)' },
    run: async ({ student, check, hidden }) => {
      const h = await student.call('layerMean', [9, 12, 15]);
      if (!checkExactVec(check, hidden, h, [q(9, 36), q(12, 36), q(15, 36)], 'layerMean([9, 12, 15])')) meanHint(check, h, 'layerMean([9, 12, 15])');
      const h2 = await student.call('layerMean', [1, 3]);
      if (!checkExactVec(check, hidden, h2, [q(1, 4), q(3, 4)], 'layerMean([1, 3])')) meanHint(check, h2, 'layerMean([1, 3])');
    },
  },
  {
    task: 'layer-mean',
    name: { en: "the seminar's network: h' = (9, 12, 15), y = 120/276 = 10/23, gap 1 − 10/23 = 13/23", ja: "ゼミの計算例: h' = (9, 12, 15)、y = 120/276 = 10/23、乖離 1 − 10/23 = 13/23" },
    run: async ({ student, check, hidden }) => {
      const x = [1, 2];
      const W1 = [[1, 2, 3], [4, 5, 6]];
      const W2 = [[1, 2], [3, 4], [5, 6]];
      const r = await student.call('layerMeanNetwork', x, W1, W2, 1);
      if (!isRecord(r)) return void check.fail({ en: 'layerMeanNetwork must return { hPrime, h, yPrime, y, gap }', ja: 'layerMeanNetwork は { hPrime, h, yPrime, y, gap } を返してください' });
      const w = layerMeanExact(x, W1, W2, 1);
      checkExactVec(check, hidden, r.hPrime, [q(9), q(12), q(15)], "h' (hPrime), h'_j = Σ_i x_i W1[i][j]");
      checkExactVec(check, hidden, r.h, [q(9, 36), q(12, 36), q(15, 36)], 'h = layer mean of h\'');
      checkExactVec(check, hidden, r.yPrime, w.yPrime, "y' (yPrime), y'_k = Σ_j h_j W2[j][k]");
      checkExactVec(check, hidden, r.y, [q(10, 23), q(13, 23)], 'y = layer mean of y\' (y_1 = 120/276 = 10/23)');
      checkExact(check, hidden, r.gap, q(13, 23), 'gap = 1 − y_1 (乖離)');
      if (check.failures > 0) layerMeanHints(check, r);
    },
  },

  // ================= logit =================
  {
    task: 'logit',
    name: { en: 'P("pumpkin") = 0.98: odds 49, logit log 49, σ(logit) = 0.98', ja: 'P("かぼちゃ") = 0.98: オッズ 49、ロジット log 49、σ(ロジット) = 0.98' },
    run: async ({ student, check }) => {
      check.close(await student.call('odds', 0.98), 49, 'odds(0.98)', { atol: 1e-9, rtol: 1e-9 });
      const u = await student.call('logit', 0.98);
      check.close(u, Math.log(49), 'logit(0.98) = log(0.98 / 0.02)', { atol: 1e-12, rtol: 1e-9 });
      if (typeof u === 'number') check.close(sigmoidRef(u), 0.98, 'σ(logit(0.98)) (σ computed by the test)', { atol: 1e-12, rtol: 1e-9 });
      check.close(await student.call('logit', 0.5), 0, 'logit(0.5)', { atol: 1e-12 });
      check.close(await student.call('logit', 0.02), -Math.log(49), 'logit(0.02)', { atol: 1e-12, rtol: 1e-9 });
    },
  },
  {
    task: 'logit',
    name: { en: 'binaryProbs(logit(0.98)) = [0.98, 0.02]; no NaN at u = ±1000', ja: 'binaryProbs(logit(0.98)) = [0.98, 0.02]; u = ±1000 でも NaN にならない' },
    run: async ({ student, check }) => {
      check.close(await student.call('binaryProbs', Math.log(49)), [0.98, 0.02], 'binaryProbs(log 49) = [P("pumpkin"), P("not pumpkin")]', { atol: 1e-12, rtol: 1e-9 });
      check.close(await student.call('binaryProbs', 0), [0.5, 0.5], 'binaryProbs(0)', { atol: 1e-12 });
      closeFinite(check, await student.call('binaryProbs', 1000), [1, 0], 'binaryProbs(1000)', SIGMOID_HINT, { atol: 1e-12 });
      closeFinite(check, await student.call('binaryProbs', -1000), [0, 1], 'binaryProbs(−1000)', SIGMOID_HINT, { atol: 1e-12 });
    },
  },

  // ================= one-hot =================
  {
    task: 'one-hot',
    name: { en: 'Zero, One, Two as one-hot vectors of 10 classes', ja: 'Zero、One、Two の 10 クラスのワンホット表現' },
    run: async ({ student, check }) => {
      for (const label of [0, 1, 2]) {
        const want = Array.from({ length: 10 }, (_, i) => (i === label ? 1 : 0));
        const got = await student.call('oneHot', label);
        if (isTensor(got) && got.shape.length === 1 && got.shape[0] === 9) {
          check.fail({
            en: `oneHot(${label}) has 9 components: MNIST has 10 classes (0-9), so a one-hot vector has 10 (the slide's examples print 9, a typo)`,
            ja: `oneHot(${label}) の要素数が 9 です。MNIST は 10 クラス (0〜9) なので、ワンホット表現の要素数は 10 です (スライドの例は 9 要素で印刷されていますが誤植です)`,
          });
          continue;
        }
        check.close(got, T(want), `oneHot(${label}) (numClasses defaults to 10)`);
      }
      check.close(await student.call('oneHot', 9, 10), T([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), 'oneHot(9, 10)');
      check.close(await student.call('oneHot', 1, 3), T([0, 1, 0]), 'oneHot(1, 3)');
    },
  },
  {
    task: 'one-hot',
    name: { en: 'one-hot rows of a mini-batch', ja: 'ミニバッチのワンホット表現 (行ごと)' },
    run: async ({ student, check }) => {
      check.close(await student.call('oneHotBatch', [0, 2], 3), T([[1, 0, 0], [0, 0, 1]]), 'oneHotBatch([0, 2], 3)');
      const labels = [7, 2, 1, 0];
      const want = labels.map((l) => Array.from({ length: 10 }, (_, i) => (i === l ? 1 : 0)));
      check.close(await student.call('oneHotBatch', labels), T(want), 'oneHotBatch([7, 2, 1, 0]) (numClasses defaults to 10)');
    },
  },
]);
