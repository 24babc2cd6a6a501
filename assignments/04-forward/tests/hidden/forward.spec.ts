/**
 * Hidden tests of assignment 04: seeded random inputs, large values (|x| up to 1e300 for the
 * activation functions, scores shifted by ±900 for the softmax, saturated sigmoid layers), other
 * sizes, and properties (σ(−x) = 1 − σ(x), softmax sums to 1, the layer mean is scale-invariant,
 * σ(logit(p)) = p). Expected values are computed here from the definitions (exactly, with
 * fractions, for the layer mean); the step function is never evaluated at 0.
 */
import { defineTests, T, type Rng } from '@dl/grader';
import {
  isRecord,
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

// ---- helpers of the hidden tests ----

/** A number from [lo, hi) that is at least `away` from 0. */
function nonZero(rng: Rng, lo: number, hi: number, away = 1e-6): number {
  let v: number;
  do v = rng.uniform(lo, hi);
  while (Math.abs(v) < away);
  return v;
}

function randVec(rng: Rng, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => rng.uniform(lo, hi));
}

function randMat(rng: Rng, m: number, n: number, lo: number, hi: number): number[][] {
  return Array.from({ length: m }, () => randVec(rng, n, lo, hi));
}

function randIntMat(rng: Rng, m: number, n: number, lo: number, hi: number): number[][] {
  return Array.from({ length: m }, () => Array.from({ length: n }, () => rng.int(lo, hi)));
}

const NAMES = ['step', 'sigmoid', 'tanh', 'relu', 'identity'];

export default defineTests([
  // ================= activations =================
  {
    task: 'activations',
    name: { en: 'step on random, tiny and huge non-zero numbers', ja: 'ランダム・ごく小さい・とても大きい 0 以外の値での step' },
    run: async ({ student, check, rng }) => {
      const xs = [1e-300, -1e-300, 1e300, -1e300];
      for (let i = 0; i < 12; i++) xs.push(nonZero(rng, -10, 10));
      for (const x of xs) check.equal(await student.call('step', x), x > 0 ? 1 : 0, `step(${x})`);
    },
  },
  {
    task: 'activations',
    name: { en: 'sigmoid on random and extreme x (±709 … ±1e300), and σ(−x) = 1 − σ(x)', ja: 'ランダムな x と極端な x (±709 〜 ±1e300) でのシグモイド、σ(−x) = 1 − σ(x)' },
    run: async ({ student, check, rng }) => {
      const xs = [709, -709, 710, -710, 745, -745, 800, -800, 1e4, -1e4, 1e300, -1e300];
      for (let i = 0; i < 12; i++) xs.push(rng.uniform(-30, 30));
      for (const x of xs) {
        const y = await student.call('sigmoid', x);
        if (!closeFinite(check, y, sigmoidRef(x), `sigmoid(${x})`, SIGMOID_HINT, { atol: 1e-12, rtol: 1e-9 })) continue;
        check.ok(typeof y === 'number' && y >= 0 && y <= 1, `sigmoid(${x})`, { en: `got ${y}, outside [0, 1]`, ja: `結果 ${y} が [0, 1] の外です` });
      }
      for (let i = 0; i < 5; i++) {
        const x = rng.uniform(-8, 8);
        const a = await student.call('sigmoid', x);
        const b = await student.call('sigmoid', -x);
        if (typeof a === 'number' && typeof b === 'number') check.close(a + b, 1, `sigmoid(${x}) + sigmoid(${-x})`, { atol: 1e-12 });
        else check.fail({ en: `sigmoid(${x}) must return a number`, ja: `sigmoid(${x}) は数値を返してください` });
      }
    },
  },
  {
    task: 'activations',
    name: { en: 'tanh on random and extreme x; ReLU and identity on random x', ja: 'ランダムな x と極端な x での tanh; ランダムな x での ReLU と恒等関数' },
    run: async ({ student, check, rng }) => {
      const xs = [355, -355, 710, -710, 1e4, -1e4, 1e300, -1e300];
      for (let i = 0; i < 10; i++) xs.push(rng.uniform(-5, 5));
      for (const x of xs) closeFinite(check, await student.call('tanh', x), Math.tanh(x), `tanh(${x})`, TANH_HINT, { atol: 1e-12, rtol: 1e-9 });
      for (let i = 0; i < 10; i++) {
        const x = nonZero(rng, -50, 50);
        check.close(await student.call('relu', x), Math.max(x, 0), `relu(${x})`, { atol: 0, rtol: 1e-15 });
        check.close(await student.call('identity', x), x, `identity(${x})`, { atol: 0, rtol: 0 });
      }
    },
  },

  // ================= softmax =================
  {
    task: 'softmax',
    name: { en: 'softmax of random vectors (K = 1, 2, 4, 10): values, sum 1, shape', ja: 'ランダムなベクトル (K = 1, 2, 4, 10) のソフトマックス: 値、合計 1、形状' },
    run: async ({ student, check, rng }) => {
      for (const k of [1, 2, 4, 10, 10]) {
        const a = randVec(rng, k, -6, 6);
        const y = await student.call('softmax', T(a));
        const label = `softmax of a random vector of length ${k}`;
        if (!closeFinite(check, y, T(softmaxRef(a)), label, SOFTMAX_HINT, { atol: 1e-12, rtol: 1e-6 })) continue;
        const d = numbersOf(y) as number[];
        check.close(d.reduce((s, v) => s + v, 0), 1, `${label}: sum`, { atol: 1e-9 });
      }
    },
  },
  {
    task: 'softmax',
    name: { en: 'shifted and spread-out scores (±900, ±800): no overflow, same softmax', ja: 'ずらしたスコア・離れたスコア (±900、±800): オーバーフローせず同じソフトマックス' },
    run: async ({ student, check, rng }) => {
      const a = randVec(rng, 5, -3, 3);
      const want = T(softmaxRef(a));
      for (const c of [900, -900, 500.5]) {
        closeFinite(check, await student.call('softmax', T(a.map((v) => v + c))), want, `softmax(a + ${c}) for a random a of length 5`, SOFTMAX_HINT, { atol: 1e-9, rtol: 1e-6 });
      }
      const spread = [0, 800, -800, 799];
      closeFinite(check, await student.call('softmax', T(spread)), T(softmaxRef(spread)), `softmax(${spread.join(', ')})`, SOFTMAX_HINT, { atol: 1e-12, rtol: 1e-6 });
    },
  },
  {
    task: 'softmax',
    name: { en: 'predictClass on random scores with the 10 MNIST labels', ja: 'MNIST の 10 ラベルとランダムなスコアでの predictClass' },
    run: async ({ student, check, rng }) => {
      const labels = Array.from({ length: 10 }, (_, i) => String(i));
      for (let t = 0; t < 6; t++) {
        const a = randVec(rng, 10, -4, 4).map((v) => v + (t >= 4 ? 1000 : 0));
        const best = a.indexOf(Math.max(...a));
        const ok = check.equal(await student.call('predictClass', T(a), labels), labels[best], `predictClass(random scores${t >= 4 ? ' + 1000' : ''}, ['0', …, '9'])`);
        if (!ok && t >= 4 && firstTime(check, SOFTMAX_HINT)) check.fail(SOFTMAX_HINT);
      }
      check.equal(await student.call('predictClass', T([-1, 9, 2]), ['cat', 'dog', 'bird']), 'dog', "predictClass((−1, 9, 2), ['cat', 'dog', 'bird'])");
    },
  },

  // ================= forward =================
  {
    task: 'forward',
    name: { en: 'activate on a random matrix, every activation, shape kept', ja: 'ランダムな行列での activate (すべての活性化関数、形状を保つ)' },
    run: async ({ student, check, rng }) => {
      const m = Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => nonZero(rng, -6, 6)));
      m[0][0] = 1000;
      m[2][3] = -1000;
      for (const h of NAMES) {
        closeFinite(check, await student.call('activate', T(m), h), T(m.map((r) => r.map(ACT[h]))), `activate(random [3, 4] matrix, '${h}')`, h === 'tanh' ? TANH_HINT : SIGMOID_HINT, { atol: 1e-12, rtol: 1e-9 });
      }
    },
  },
  {
    task: 'forward',
    name: { en: 'layer with random W of other shapes ([4, 3], [1, 5], [3, 3])', ja: '別の形状のランダムな W ([4, 3]、[1, 5]、[3, 3]) での layer' },
    run: async ({ student, check, rng }) => {
      for (const [m, n] of [[4, 3], [1, 5], [3, 3]]) {
        for (const h of NAMES) {
          const W = randMat(rng, m, n, -1, 1);
          const z = randVec(rng, n, -2, 2);
          let b = randVec(rng, m, -1, 1);
          // keep the step function away from 0
          b = b.map((bi, i) => (Math.abs(matVec(W, z, b)[i]) < 1e-6 ? bi + 0.5 : bi));
          const want = T(matVec(W, z, b).map(ACT[h]));
          check.close(await student.call('layer', T(W), T(z), T(b), h), want, `layer(random W [${m}, ${n}], z, b, '${h}')`, { atol: 1e-12, rtol: 1e-9 });
        }
      }
    },
  },
  {
    task: 'forward',
    name: { en: 'the 2-3-2 network with random weights: every intermediate value', ja: 'ランダムな重みの 2-3-2 ネットワーク: すべての途中の値' },
    run: async ({ student, check, rng }) => {
      for (const scale of [1, 1, 600]) {
        const p = {
          W1: randMat(rng, 3, 2, -scale, scale),
          b1: randVec(rng, 3, -1, 1),
          W2: randMat(rng, 2, 3, -scale, scale),
          b2: randVec(rng, 2, -1, 1),
          W3: randMat(rng, 2, 2, -2, 2),
          b3: randVec(rng, 2, -1, 1),
        };
        const x = randVec(rng, 2, -2, 2);
        const a1 = matVec(p.W1, x, p.b1);
        const z1 = a1.map(sigmoidRef);
        const a2 = matVec(p.W2, z1, p.b2);
        const z2 = a2.map(sigmoidRef);
        const a3 = matVec(p.W3, z2, p.b3);
        const net = { W1: T(p.W1), b1: T(p.b1), W2: T(p.W2), b2: T(p.b2), W3: T(p.W3), b3: T(p.b3) };
        const r = await student.call('forward3', T(x), net);
        if (!isRecord(r)) return void check.fail({ en: 'forward3 must return { a1, z1, a2, z2, a3, y }', ja: 'forward3 は { a1, z1, a2, z2, a3, y } を返してください' });
        const o = { atol: 1e-9, rtol: 1e-7 };
        const tag = scale > 1 ? ' (large weights: saturated sigmoids)' : '';
        const want: Record<string, number[]> = { a1, z1, a2, z2, a3, y: a3 };
        for (const k of ['a1', 'z1', 'a2', 'z2', 'a3', 'y']) {
          if (!closeFinite(check, r[k], T(want[k]), `${k}${tag}`, SIGMOID_HINT, o)) break;
        }
      }
    },
  },

  // ================= layer-mean =================
  {
    task: 'layer-mean',
    name: { en: 'layerMean of random integer vectors', ja: 'ランダムな整数ベクトルの layerMean' },
    run: async ({ student, check, hidden, rng }) => {
      for (let t = 0; t < 6; t++) {
        const v = Array.from({ length: rng.int(2, 5) }, () => rng.int(1, 40));
        if (t === 5) v[0] = -v[0]; // one negative entry (a sum of 0 is avoided below)
        if (v.reduce((a, b) => a + b, 0) === 0) v[1] += 1;
        const s = v.reduce((a, b) => a + b, 0);
        const h = await student.call('layerMean', v);
        if (!checkExactVec(check, hidden, h, v.map((e) => q(e, s)), `layerMean([${v.join(', ')}])`)) meanHint(check, h, `layerMean([${v.join(', ')}])`);
      }
    },
  },
  {
    task: 'layer-mean',
    name: { en: 'the layer-mean network with random integer inputs and weights (other sizes)', ja: 'ランダムな整数の入力と重み (別のサイズ) での層の平均のネットワーク' },
    run: async ({ student, check, hidden, rng }) => {
      for (const [nIn, nH, nOut] of [[2, 3, 2], [3, 4, 2], [2, 2, 3]]) {
        const x = Array.from({ length: nIn }, () => rng.int(1, 5));
        const W1 = randIntMat(rng, nIn, nH, 1, 6);
        const W2 = randIntMat(rng, nH, nOut, 1, 6);
        const target = rng.int(0, 2);
        const r = await student.call('layerMeanNetwork', x, W1, W2, target);
        if (!isRecord(r)) return void check.fail({ en: 'layerMeanNetwork must return { hPrime, h, yPrime, y, gap }', ja: 'layerMeanNetwork は { hPrime, h, yPrime, y, gap } を返してください' });
        const w = layerMeanExact(x, W1, W2, target);
        const at = `${nIn}-${nH}-${nOut} network`;
        const before = check.failures;
        checkExactVec(check, hidden, r.hPrime, w.hPrime, `${at}: h'`);
        checkExactVec(check, hidden, r.h, w.h, `${at}: h`);
        checkExactVec(check, hidden, r.yPrime, w.yPrime, `${at}: y'`);
        checkExactVec(check, hidden, r.y, w.y, `${at}: y`);
        checkExact(check, hidden, r.gap, w.gap, `${at}: gap = target − y_1`);
        if (check.failures > before) return void layerMeanHints(check, r);
      }
    },
  },
  {
    task: 'layer-mean',
    name: { en: "the seminar's weights with x = (2, 4): the layer mean does not depend on the input's scale", ja: 'ゼミの重みで x = (2, 4): 層の平均は入力の大きさによらない' },
    run: async ({ student, check, hidden }) => {
      const W1 = [[1, 2, 3], [4, 5, 6]];
      const W2 = [[1, 2], [3, 4], [5, 6]];
      const r = await student.call('layerMeanNetwork', [2, 4], W1, W2, 1);
      if (!isRecord(r)) return void check.fail({ en: 'layerMeanNetwork must return { hPrime, h, yPrime, y, gap }', ja: 'layerMeanNetwork は { hPrime, h, yPrime, y, gap } を返してください' });
      checkExactVec(check, hidden, r.hPrime, [q(18), q(24), q(30)], "h' for x = (2, 4)");
      checkExactVec(check, hidden, r.h, [q(1, 4), q(1, 3), q(5, 12)], 'h for x = (2, 4) (same as for x = (1, 2))');
      checkExactVec(check, hidden, r.y, [q(10, 23), q(13, 23)], 'y for x = (2, 4) (same as for x = (1, 2))');
      checkExact(check, hidden, r.gap, q(13, 23), 'gap for x = (2, 4)');
      if (check.failures > 0) layerMeanHints(check, r);
    },
  },

  // ================= logit =================
  {
    task: 'logit',
    name: { en: 'odds and logit of random p; σ(logit(p)) = p; logit(1 − p) = −logit(p)', ja: 'ランダムな p のオッズとロジット; σ(logit(p)) = p; logit(1 − p) = −logit(p)' },
    run: async ({ student, check, rng }) => {
      const ps = [1e-9, 0.999999, 0.25];
      for (let i = 0; i < 8; i++) ps.push(rng.uniform(0.001, 0.999));
      for (const p of ps) {
        check.close(await student.call('odds', p), p / (1 - p), `odds(${p})`, { atol: 1e-12, rtol: 1e-9 });
        const u = await student.call('logit', p);
        if (!check.close(u, Math.log(p / (1 - p)), `logit(${p})`, { atol: 1e-12, rtol: 1e-9 })) continue;
        check.close(sigmoidRef(u as number), p, `σ(logit(${p})) (σ computed by the test)`, { atol: 1e-12, rtol: 1e-9 });
      }
      for (let i = 0; i < 4; i++) {
        const p = rng.uniform(0.01, 0.99);
        const a = await student.call('logit', p);
        const b = await student.call('logit', 1 - p);
        if (typeof a === 'number' && typeof b === 'number') check.close(a + b, 0, `logit(${p}) + logit(1 − ${p})`, { atol: 1e-9 });
        else check.fail({ en: 'logit must return a number', ja: 'logit は数値を返してください' });
      }
    },
  },
  {
    task: 'logit',
    name: { en: 'binaryProbs on random and extreme logits: [σ(u), 1 − σ(u)], sums to 1', ja: 'ランダムなロジットと極端なロジットでの binaryProbs: [σ(u), 1 − σ(u)]、合計 1' },
    run: async ({ student, check, rng }) => {
      const us = [800, -800, 1e4, -1e4];
      for (let i = 0; i < 8; i++) us.push(rng.uniform(-20, 20));
      for (const u of us) {
        const r = await student.call('binaryProbs', u);
        if (!closeFinite(check, r, [sigmoidRef(u), sigmoidRef(-u)], `binaryProbs(${u})`, SIGMOID_HINT, { atol: 1e-12, rtol: 1e-9 })) continue;
        const d = numbersOf(r) as number[];
        check.close(d[0] + d[1], 1, `binaryProbs(${u}): sum`, { atol: 1e-12 });
      }
    },
  },

  // ================= one-hot =================
  {
    task: 'one-hot',
    name: { en: 'oneHot of random labels and class counts', ja: 'ランダムなラベルとクラス数での oneHot' },
    run: async ({ student, check, rng }) => {
      for (let t = 0; t < 8; t++) {
        const k = [10, 3, 12, 1][t % 4];
        const label = rng.int(0, k - 1);
        const want = Array.from({ length: k }, (_, i) => (i === label ? 1 : 0));
        check.close(await student.call('oneHot', label, k), T(want), `oneHot(${label}, ${k})`, { atol: 0, rtol: 0 });
      }
      const l = rng.int(0, 9);
      check.close(await student.call('oneHot', l), T(Array.from({ length: 10 }, (_, i) => (i === l ? 1 : 0))), `oneHot(${l})`, { atol: 0, rtol: 0 });
    },
  },
  {
    task: 'one-hot',
    name: { en: 'oneHotBatch of a random mini-batch (N = 8, and N = 1)', ja: 'ランダムなミニバッチ (N = 8、N = 1) の oneHotBatch' },
    run: async ({ student, check, rng }) => {
      const labels = Array.from({ length: 8 }, () => rng.int(0, 9));
      const rows = (ls: number[], k: number) => ls.map((l) => Array.from({ length: k }, (_, i) => (i === l ? 1 : 0)));
      check.close(await student.call('oneHotBatch', labels, 10), T(rows(labels, 10)), `oneHotBatch([${labels.join(', ')}], 10)`, { atol: 0, rtol: 0 });
      check.close(await student.call('oneHotBatch', [4], 5), T(rows([4], 5)), 'oneHotBatch([4], 5)', { atol: 0, rtol: 0 });
    },
  },
]);
