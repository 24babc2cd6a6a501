/**
 * Assignment 04: activation functions and the forward pass (活性化関数と順伝播).
 *
 * Write your code between the `// BEGIN SOLUTION <task>` and `// END SOLUTION` lines (in the copy
 * you were given, each of those places holds a `throw new Error(...)` line: replace it). Keep the
 * names and the signatures: the grader calls these exports by name. Code outside the markers is
 * given; do not change it.
 *
 * - Tasks `activations`, `layer-mean` and `logit` work on plain numbers, as the course's scalar
 *   formulas do.
 * - Tasks `softmax`, `forward` and `one-hot` use @dl Tensors (`@dl/tensor`), as the course's
 *   matrix form (行列計算) and PyTorch do. Tensors the tests give you are float64.
 *
 * Conventions of this assignment (see the README):
 * - the step function at exactly 0 is never graded (the course defines it both as `> 0` and `≥ 0`);
 * - every function must give finite, correct values for large inputs (|x| = 1000): no NaN.
 */
import { zeros, type Tensor } from '@dl/tensor';

// =============================================================================================
// Task `activations`: activation functions (活性化関数) on numbers.
// =============================================================================================

/**
 * Step function (ステップ関数): 1 for x > 0, 0 for x < 0.
 * (At exactly x = 0 the course gives both 0 and 1; either answer is accepted.)
 *
 * @example step(2.5) === 1; step(-0.1) === 0
 */
export function step(x: number): number {
  // BEGIN SOLUTION activations
  return x > 0 ? 1 : 0;
  // END SOLUTION
}

/**
 * Sigmoid function (シグモイド関数, also called the logistic function): 1 / (1 + exp(-x)).
 * Must give a finite number in [0, 1] for every finite x, also x = ±1000 (no NaN).
 *
 * @example sigmoid(0) === 0.5; sigmoid(2) ≈ 0.8808; sigmoid(-1000) === 0
 */
export function sigmoid(x: number): number {
  // BEGIN SOLUTION activations
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x); // x < 0: exp(x) cannot overflow
  return e / (1 + e);
  // END SOLUTION
}

/**
 * Hyperbolic tangent (ハイパボリックタンジェント): (e^x − e^−x) / (e^x + e^−x), between −1 and 1.
 * Must give a finite number for every finite x, also x = ±1000 (no NaN).
 *
 * @example tanh(0) === 0; tanh(1) ≈ 0.7616; tanh(1000) === 1
 */
export function tanh(x: number): number {
  // BEGIN SOLUTION activations
  // The course's formula, rewritten with e^(−2|x|) (which cannot overflow).
  const e = Math.exp(-2 * Math.abs(x));
  const t = (1 - e) / (1 + e);
  return x < 0 ? -t : t;
  // END SOLUTION
}

/**
 * ReLU: max(x, 0).
 *
 * @example relu(2.5) === 2.5; relu(-3) === 0
 */
export function relu(x: number): number {
  // BEGIN SOLUTION activations
  return x > 0 ? x : 0;
  // END SOLUTION
}

/**
 * Identity function (恒等関数), the output activation for regression: returns its input.
 *
 * @example identity(-1.5) === -1.5
 */
export function identity(x: number): number {
  // BEGIN SOLUTION activations
  return x;
  // END SOLUTION
}

// =============================================================================================
// Task `softmax`: the softmax function (ソフトマックス関数) on a 1-D tensor.
// =============================================================================================

/**
 * Softmax of a vector a (a 1-D tensor of K scores): y_k = exp(a_k) / Σ_i exp(a_i).
 * Returns a 1-D tensor of the same length whose values are in [0, 1] and sum to 1.
 * Must work for large scores: softmax of (1000, 1001, 1002) is finite (subtract the maximum first).
 * Write it from `exp`, `sum`, `amax` (or `max`), `sub`, `div`; do not call the built-in `softmax`.
 *
 * @example softmax(tensor([3, 1, 4])) ≈ [0.259, 0.035, 0.705]
 */
export function softmax(a: Tensor): Tensor {
  // BEGIN SOLUTION softmax
  const e = a.sub(a.amax()).exp();
  return e.div(e.sum());
  // END SOLUTION
}

/**
 * Classification (分類): the label of the class with the highest softmax probability.
 * `labels[k]` names class k; `scores` is a 1-D tensor with one score per label.
 *
 * @example predictClass(tensor([9, 2, -1]), ['犬', '猫', '鳥']) === '犬'
 */
export function predictClass(scores: Tensor, labels: string[]): string {
  // BEGIN SOLUTION softmax
  return labels[softmax(scores).argmax().item()];
  // END SOLUTION
}

// =============================================================================================
// Task `forward`: the forward pass (順伝播) of the 2-3-2 network in matrix form (行列計算).
// =============================================================================================

/** The activation functions a layer can use. */
export type ActivationName = 'step' | 'sigmoid' | 'tanh' | 'relu' | 'identity';

/**
 * Applies the activation h to every element of a (ベクトルに対する活性化関数の適用: 各要素に関数を
 * 適用). Any shape; returns a tensor of the same shape. Throws an Error for an unknown name.
 *
 * @example activate(tensor([-1, 0.5]), 'relu') → [0, 0.5]
 */
export function activate(a: Tensor, h: ActivationName): Tensor {
  // BEGIN SOLUTION forward
  switch (h) {
    case 'step':
      return a.step();
    case 'sigmoid':
      return a.sigmoid();
    case 'tanh':
      return a.tanh();
    case 'relu':
      return a.relu();
    case 'identity':
      return a;
    default:
      throw new Error(`unknown activation '${String(h)}'`);
  }
  // END SOLUTION
}

/**
 * One layer j from layer i (n units) to layer j (m units): z_j = h(W z_i + b).
 * W has shape [m, n] (row k holds the weights into unit k), z has shape [n], b has shape [m];
 * the result has shape [m].
 *
 * @example layer(tensor([[1, 2, 3], [4, 5, 6]]), tensor([1, 0, -1]), tensor([0.5, 0]), 'identity') → [-1.5, -2]
 */
export function layer(W: Tensor, z: Tensor, b: Tensor, h: ActivationName): Tensor {
  // BEGIN SOLUTION forward
  return activate(W.matmul(z).add(b), h);
  // END SOLUTION
}

/** Weights and biases of the course's 2-3-2 network (3層NN): 2 → 3 → 2 → 2. */
export interface Network3 {
  /** [3, 2], b1 [3]: input (layer 0) → layer 1 */
  W1: Tensor;
  b1: Tensor;
  /** [2, 3], b2 [2]: layer 1 → layer 2 */
  W2: Tensor;
  b2: Tensor;
  /** [2, 2], b3 [2]: layer 2 → output layer 3 */
  W3: Tensor;
  b3: Tensor;
}

/** Every value of the forward pass (names as on the course's slides: a^(l), z^(l), y). */
export interface Forward3 {
  a1: Tensor;
  z1: Tensor;
  a2: Tensor;
  z2: Tensor;
  a3: Tensor;
  y: Tensor;
}

/**
 * The forward pass (推論) of the 3-layer network: a1 = W1 x + b1, z1 = σ(a1) (sigmoid);
 * a2 = W2 z1 + b2, z2 = σ(a2) (sigmoid); a3 = W3 z2 + b3, y = id(a3) (identity).
 * x has shape [2]; returns every intermediate value.
 */
export function forward3(x: Tensor, net: Network3): Forward3 {
  // BEGIN SOLUTION forward
  const a1 = net.W1.matmul(x).add(net.b1);
  const z1 = activate(a1, 'sigmoid');
  const a2 = net.W2.matmul(z1).add(net.b2);
  const z2 = activate(a2, 'sigmoid');
  const a3 = net.W3.matmul(z2).add(net.b3);
  const y = activate(a3, 'identity');
  return { a1, z1, a2, z2, a3, y };
  // END SOLUTION
}

// =============================================================================================
// Task `layer-mean`: the seminar's network with the "layer mean" activation (層の平均).
// =============================================================================================

// ---- given: exact fractions (you may use them, or return plain numbers instead) ----

/** An exact fraction num/den (integers, den ≠ 0). Return it as a plain object `{ num, den }`. */
export interface Fraction {
  num: number;
  den: number;
}

/** A value that is either a float or an exact fraction: the tests accept both. */
export type Exact = number | Fraction;

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The fraction num/den, reduced, with a positive denominator. Throws unless both are integers and den ≠ 0. */
export function frac(num: number, den = 1): Fraction {
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || den === 0) {
    throw new RangeError(`frac(${num}, ${den}): num and den must be (safe) integers and den must not be 0 (the fraction helpers work on integers and fractions only; for floats, use plain numbers)`);
  }
  const g = gcd(num, den) || 1;
  const s = den < 0 ? -1 : 1;
  return { num: (s * num) / g + 0, den: (s * den) / g };
}

export function isFraction(v: Exact): v is Fraction {
  return typeof v === 'object' && v !== null && typeof v.num === 'number' && typeof v.den === 'number';
}

/** An integer number or a fraction, as a fraction. */
export function toFraction(v: Exact): Fraction {
  return isFraction(v) ? frac(v.num, v.den) : frac(v, 1);
}

/** The value of a fraction (or number) as a float. */
export function toNumber(v: Exact): number {
  return isFraction(v) ? v.num / v.den : v;
}

export function fracAdd(a: Exact, b: Exact): Fraction {
  const x = toFraction(a);
  const y = toFraction(b);
  return frac(x.num * y.den + y.num * x.den, x.den * y.den);
}

export function fracSub(a: Exact, b: Exact): Fraction {
  const y = toFraction(b);
  return fracAdd(a, { num: -y.num, den: y.den });
}

export function fracMul(a: Exact, b: Exact): Fraction {
  const x = toFraction(a);
  const y = toFraction(b);
  return frac(x.num * y.num, x.den * y.den);
}

export function fracDiv(a: Exact, b: Exact): Fraction {
  const x = toFraction(a);
  const y = toFraction(b);
  return frac(x.num * y.den, x.den * y.num);
}

// ---- your part ----

/**
 * The layer-mean activation (活性化関数: 層の平均): h_i = h'_i / Σ_j h'_j (every unit divided by the
 * SUM over the layer, so that the outputs sum to 1). The tests pass integers whose sum is not 0.
 *
 * @example layerMean([9, 12, 15]) → [9/36, 12/36, 15/36] (as fractions or as numbers)
 */
export function layerMean(hPrime: Exact[]): Exact[] {
  // BEGIN SOLUTION layer-mean
  const total = hPrime.reduce<Exact>((s, v) => fracAdd(s, v), 0);
  return hPrime.map((v) => fracDiv(v, total));
  // END SOLUTION
}

/** Every value of the seminar's network, as fractions or numbers (your choice, per value). */
export interface LayerMeanResult {
  /** h'_j = Σ_i x_i W1[i][j] (course: 9, 12, 15) */
  hPrime: Exact[];
  /** h = layerMean(h') (course: 9/36, 12/36, 15/36) */
  h: Exact[];
  /** y'_k = Σ_j h_j W2[j][k] (course: 120/36, 156/36) */
  yPrime: Exact[];
  /** y = layerMean(y') (course: y_1 = 120/276 = 10/23, y_2 = 13/23) */
  y: Exact[];
  /** target − y_1 (course: 真値 1, 乖離 = 1 − 10/23 = 13/23) */
  gap: Exact;
}

/**
 * The seminar's hand-computed network (多層パーセプトロン ~計算してみよう~), no biases, with the
 * layer-mean activation in the hidden layer AND in the output layer.
 * W1[i][j] is the weight from input x_i to hidden unit h_j, W2[j][k] from h_j to output y_k
 * (rows = the layer the weight comes from, as in the seminar's tables).
 *
 * @example layerMeanNetwork([1, 2], [[1, 2, 3], [4, 5, 6]], [[1, 2], [3, 4], [5, 6]], 1).y[0] = 10/23
 */
export function layerMeanNetwork(x: number[], W1: number[][], W2: number[][], target: number): LayerMeanResult {
  // BEGIN SOLUTION layer-mean
  const nHidden = W1[0].length;
  const nOut = W2[0].length;
  const hPrime: Exact[] = [];
  for (let j = 0; j < nHidden; j++) {
    let s: Exact = 0;
    for (let i = 0; i < x.length; i++) s = fracAdd(s, fracMul(x[i], W1[i][j]));
    hPrime.push(s);
  }
  const h = layerMean(hPrime);
  const yPrime: Exact[] = [];
  for (let k = 0; k < nOut; k++) {
    let s: Exact = 0;
    for (let j = 0; j < nHidden; j++) s = fracAdd(s, fracMul(h[j], W2[j][k]));
    yPrime.push(s);
  }
  const y = layerMean(yPrime);
  return { hPrime, h, yPrime, y, gap: fracSub(target, y[0]) };
  // END SOLUTION
}

// =============================================================================================
// Task `logit`: binary classification, odds and the logit (ロジット).
// =============================================================================================

/**
 * Odds (オッズ) of a probability p (0 < p < 1): p / (1 − p).
 *
 * @example odds(0.98) ≈ 49
 */
export function odds(p: number): number {
  // BEGIN SOLUTION logit
  return p / (1 - p);
  // END SOLUTION
}

/**
 * Logit (ロジット, log-odds 対数オッズ) of p (0 < p < 1): u = log(p / (1 − p)), the inverse of the
 * logistic sigmoid: sigmoid(logit(p)) = p.
 *
 * @example logit(0.98) ≈ 3.8918 (= log 49); logit(0.5) === 0
 */
export function logit(p: number): number {
  // BEGIN SOLUTION logit
  return Math.log(p / (1 - p));
  // END SOLUTION
}

/**
 * Binary classification (2値分類): from the logit u, the probabilities
 * [P(ŷ = 1 | x), P(ŷ = 0 | x)] = [σ(u), 1 − σ(u)] (e.g. "pumpkin" and "not pumpkin").
 * (You may use your `sigmoid`.) Must not give NaN for u = ±1000.
 *
 * @example binaryProbs(logit(0.98)) ≈ [0.98, 0.02]
 */
export function binaryProbs(u: number): [number, number] {
  // BEGIN SOLUTION logit
  return [sigmoid(u), sigmoid(-u)];
  // END SOLUTION
}

// =============================================================================================
// Task `one-hot`: one-hot vectors (ワンホット表現, 1-of-K 表現).
// =============================================================================================

/**
 * The one-hot vector of a class label: a 1-D tensor of `numClasses` values, 1 at index `label`
 * and 0 elsewhere. `label` is an integer with 0 ≤ label < numClasses.
 *
 * @example oneHot(2) → [0, 0, 1, 0, 0, 0, 0, 0, 0, 0] (MNIST's "Two", 10 classes)
 */
export function oneHot(label: number, numClasses = 10): Tensor {
  // BEGIN SOLUTION one-hot
  const t = zeros([numClasses]);
  t.select(0, label).fill_(1);
  return t;
  // END SOLUTION
}

/**
 * One-hot rows for a mini-batch of labels: shape [N, numClasses], row n is oneHot(labels[n]).
 *
 * @example oneHotBatch([0, 2], 3) → [[1, 0, 0], [0, 0, 1]]
 */
export function oneHotBatch(labels: number[], numClasses = 10): Tensor {
  // BEGIN SOLUTION one-hot
  const t = zeros([labels.length, numClasses]);
  labels.forEach((label, n) => t.select(0, n).select(0, label).fill_(1));
  return t;
  // END SOLUTION
}
