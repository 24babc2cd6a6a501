/**
 * Assignment 05: learning — loss functions, numerical differentiation and gradient descent
 * (学習: 損失関数・数値微分・勾配降下法).
 *
 * Write your code between the `// BEGIN SOLUTION <task>` and `// END SOLUTION` lines (in the copy
 * you were given, each of those places holds a `throw new Error(...)` line: replace it). Keep the
 * names and the signatures: the grader calls these exports by name. Code outside the markers is
 * given; do not change it.
 *
 * Everything works on plain JavaScript numbers (float64), as on the course's slides, except the
 * task `least-squares`, which uses @dl's autograd (`variable`, `backward`, `.grad`).
 *
 * Conventions of this assignment (see the README for why):
 * - 2乗和誤差 and 平均2乗誤差 have the course's ½: ½Σ(y−t)² and 1/(2N)ΣΣ(y−t)² (PyTorch's
 *   mse_loss has no ½); the least-squares exercise's L(a, b) = Σ(y − f(x))² has none, as on its
 *   slide; RMSE never has one.
 * - numericalDiff is the course's forward difference (f(x+h) − f(x))/h; numericalGradient uses
 *   central differences (f(x+h) − f(x−h))/2h, which is what reproduces the course's printed
 *   gradient_descent result.
 */
import { randperm } from '@dl/tensor';
import { noGrad, variable, type Variable } from '@dl/autograd';

// =============================================================================================
// The test functions (given: do not change them)
// =============================================================================================
//
// The grader runs in another process and cannot send you a JavaScript function. So the functions
// that the tests differentiate and minimize are defined here, by name, and the tests call the
// wrappers `numericalDiffByName`, `numericalGradientByName` and `gradientDescentByName` below,
// which look the function up and call YOUR `numericalDiff(f, x, h)`, `numericalGradient(f, x, h)`
// and `gradientDescent(f, initX, lr, stepNum)` with it. You can use them in your own experiments:
// `numericalDiff(FUNCTIONS_1D.square, 2, 1e-7)`.

/** Functions of one variable, by name (the tests differentiate these with your numericalDiff). */
export const FUNCTIONS_1D: { readonly [name: string]: (x: number) => number } = {
  /** f(x) = x², the course's example: f'(2) = 4. */
  square: (x) => x * x,
  /** f(x) = x³. */
  cube: (x) => x * x * x,
  /** f(x) = 0.01x² + 0.1x. */
  poly: (x) => 0.01 * x * x + 0.1 * x,
  /** f(x) = sin x. */
  sin: (x) => Math.sin(x),
};

/** Functions of a vector x = [x0, x1, ...], by name (for numericalGradient and gradientDescent). */
export const FUNCTIONS_ND: { readonly [name: string]: (x: number[]) => number } = {
  /** f(x0, x1) = x0² + x1², the course's example: gradient (6, 8) at (3, 4), minimum at (0, 0). */
  sumSquares: (x) => x[0] * x[0] + x[1] * x[1],
  /** f(x0, x1) = x0² + x0·x1 + 2·x1² (the variables interact): gradient (2x0 + x1, x0 + 4x1). */
  coupled: (x) => x[0] * x[0] + x[0] * x[1] + 2 * x[1] * x[1],
  /** f(x0, x1) = (x0 − 1)² + 2(x1 + 0.5)²: minimum at (1, −0.5). */
  shifted: (x) => (x[0] - 1) * (x[0] - 1) + 2 * (x[1] + 0.5) * (x[1] + 0.5),
  /** f(x0, x1, x2) = x0³ + x1³ + x2³ (three variables): gradient (3x0², 3x1², 3x2²). */
  sumCubes: (x) => x[0] * x[0] * x[0] + x[1] * x[1] * x[1] + x[2] * x[2] * x[2],
};

function lookup<F>(table: { readonly [name: string]: F }, name: string): F {
  if (!Object.prototype.hasOwnProperty.call(table, name)) {
    throw new Error(`unknown test function '${name}' (known: ${Object.keys(table).join(', ')})`);
  }
  return table[name];
}

/** What the tests call: your numericalDiff on the function named `name` (h undefined → your default). */
export function numericalDiffByName(name: string, x: number, h?: number): number {
  return numericalDiff(lookup(FUNCTIONS_1D, name), x, h);
}

/** What the tests call: your numericalGradient on the function named `name`. */
export function numericalGradientByName(name: string, x: number[], h?: number): number[] {
  return numericalGradient(lookup(FUNCTIONS_ND, name), [...x], h);
}

/** What the tests call: your gradientDescent on the function named `name`. */
export function gradientDescentByName(name: string, initX: number[], lr: number, stepNum: number): number[] {
  return gradientDescent(lookup(FUNCTIONS_ND, name), [...initX], lr, stepNum);
}

// =============================================================================================
// Task `losses`: loss functions (損失関数)
// =============================================================================================

/**
 * 2乗和誤差 (sum of squares error) of one sample: ½ Σ_k (y_k − t_k)², with the course's ½.
 * y is the network's output, t the teacher data (same length).
 *
 * @example sumSquaredError([13.5, 20.1, 0.7], [12.1, 22.8, 0.3]) ≈ 4.705
 */
export function sumSquaredError(y: number[], t: number[]): number {
  // BEGIN SOLUTION losses
  let s = 0;
  for (let k = 0; k < y.length; k++) {
    const d = y[k] - t[k];
    s += d * d;
  }
  return 0.5 * s;
  // END SOLUTION
}

/**
 * 交差エントロピー誤差 (cross-entropy error) of one sample: −Σ_k t_k log_e y_k.
 * t is one-hot (or any non-negative weights). A term with t_k = 0 contributes 0, even where
 * y_k = 0 (the course's own example has y_k = 0.0 there): it must not give NaN.
 *
 * @example crossEntropyError([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0], [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]) ≈ 0.51
 */
export function crossEntropyError(y: number[], t: number[]): number {
  // BEGIN SOLUTION losses
  let s = 0;
  for (let k = 0; k < y.length; k++) {
    if (t[k] !== 0) s += t[k] * Math.log(y[k]);
  }
  return -s;
  // END SOLUTION
}

/**
 * 平均2乗誤差 of N samples, as on the course's slide (with the ½):
 * L = 1/(2N) Σ_n Σ_k (y_nk − t_nk)². Y and T are N rows of K numbers.
 * (This is the mean over the samples of sumSquaredError; it is NOT PyTorch's mse_loss.)
 */
export function meanSquaredError(Y: number[][], T: number[][]): number {
  // BEGIN SOLUTION losses
  let s = 0;
  for (let n = 0; n < Y.length; n++) s += sumSquaredError(Y[n], T[n]);
  return s / Y.length;
  // END SOLUTION
}

/**
 * 交差エントロピー損失 of N samples, as on the course's slide: L = −(1/N) Σ_n Σ_k t_nk log_e y_nk
 * (the mean over the samples of crossEntropyError).
 */
export function meanCrossEntropyError(Y: number[][], T: number[][]): number {
  // BEGIN SOLUTION losses
  let s = 0;
  for (let n = 0; n < Y.length; n++) s += crossEntropyError(Y[n], T[n]);
  return s / Y.length;
  // END SOLUTION
}

// =============================================================================================
// Task `mle`: maximum likelihood (最尤推定) for a Bernoulli distribution
// =============================================================================================

/**
 * 尤度 (likelihood) of the parameter mu given observations xs (each 0 or 1), i.i.d. from
 * Bern(mu): L(mu) = Π_n mu^x_n (1 − mu)^(1 − x_n).
 */
export function bernoulliLikelihood(mu: number, xs: number[]): number {
  // BEGIN SOLUTION mle
  let p = 1;
  for (const x of xs) p *= x === 1 ? mu : 1 - mu;
  return p;
  // END SOLUTION
}

/**
 * 負の対数尤度 (negative log-likelihood): −log L(mu) = −Σ_n [x_n log mu + (1 − x_n) log(1 − mu)],
 * which is the (binary) cross-entropy error with P(ŷ_n) = mu. (0 < mu < 1 in the tests.)
 */
export function bernoulliNLL(mu: number, xs: number[]): number {
  // BEGIN SOLUTION mle
  let s = 0;
  for (const x of xs) s += x === 1 ? Math.log(mu) : Math.log(1 - mu);
  return -s;
  // END SOLUTION
}

/**
 * 最尤推定 (maximum likelihood estimate): the mu in [0, 1] that maximizes L(mu), i.e. minimizes
 * the negative log-likelihood.
 *
 * @example bernoulliMLE([1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0]) === 0.3
 */
export function bernoulliMLE(xs: number[]): number {
  // BEGIN SOLUTION mle
  let ones = 0;
  for (const x of xs) ones += x;
  return ones / xs.length;
  // END SOLUTION
}

// =============================================================================================
// Task `numerical-diff`: numerical differentiation (数値微分) and the gradient (勾配)
// =============================================================================================

/**
 * The course's `numerical_diff`: the forward difference (前方差分) (f(x + h) − f(x)) / h, with
 * h = 1e-4 by default. Compute exactly that expression (the course's value is checked to the
 * last bit).
 *
 * @example numericalDiff(FUNCTIONS_1D.square, 2, 1e-7) === 4.000000091153311
 */
export function numericalDiff(f: (x: number) => number, x: number, h = 1e-4): number {
  // BEGIN SOLUTION numerical-diff
  return (f(x + h) - f(x)) / h;
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// (task `numerical-diff`, continued) partial derivatives and the gradient (偏微分と勾配)
// ---------------------------------------------------------------------------------------------

/**
 * The numerical gradient of f at x: for each variable x_i in turn (the others held constant),
 * the central difference (中心差分) (f(.., x_i + h, ..) − f(.., x_i − h, ..)) / 2h.
 * Returns an array of x.length partial derivatives. You may change x[i] temporarily, but put the
 * original value back before moving on to the next variable.
 *
 * @example numericalGradient(FUNCTIONS_ND.sumSquares, [3, 4]) ≈ [6, 8]
 */
export function numericalGradient(f: (x: number[]) => number, x: number[], h = 1e-4): number[] {
  // BEGIN SOLUTION numerical-diff
  const grad: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const tmp = x[i];
    x[i] = tmp + h;
    const fxh1 = f(x);
    x[i] = tmp - h;
    const fxh2 = f(x);
    grad.push((fxh1 - fxh2) / (2 * h));
    x[i] = tmp;
  }
  return grad;
  // END SOLUTION
}

// =============================================================================================
// Task `gradient-descent`: gradient descent (勾配降下法)
// =============================================================================================

/**
 * The course's `gradient_descent(f, init_x, lr, step_num)`: starting from initX, repeat stepNum
 * times x ← x − lr · ∇f(x), with ∇f computed by your numericalGradient (default h). Returns the
 * final x.
 *
 * @example gradientDescent(FUNCTIONS_ND.sumSquares, [1, 0.9], 0.1, 2) ≈ [0.64, 0.576]
 */
export function gradientDescent(f: (x: number[]) => number, initX: number[], lr: number, stepNum: number): number[] {
  // BEGIN SOLUTION gradient-descent
  const x = [...initX];
  for (let i = 0; i < stepNum; i++) {
    const grad = numericalGradient(f, x);
    for (let j = 0; j < x.length; j++) x[j] -= lr * grad[j];
  }
  return x;
  // END SOLUTION
}

// =============================================================================================
// Task `least-squares`: 最小二乗法, by hand (normal equations), by autograd, and judged by test RMSE
// =============================================================================================

/**
 * The least-squares line f(x) = a·x + b for the data (xs[n], ys[n]), from the normal equations
 * (正規方程式) ∂L/∂a = 0, ∂L/∂b = 0, solved by hand (a 2×2 linear system):
 *   [Σx²  Σx] [a]   [Σxy]
 *   [Σx   N ] [b] = [Σy ]
 *
 * @example normalEquation([1, 2, 3], [2, 3, 5]) → { a: 1.5, b: 0.3333… }
 */
export function normalEquation(xs: number[], ys: number[]): { a: number; b: number } {
  // BEGIN SOLUTION least-squares
  const n = xs.length;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i];
    sy += ys[i];
    sxx += xs[i] * xs[i];
    sxy += xs[i] * ys[i];
  }
  const det = sxx * n - sx * sx;
  return { a: (sxy * n - sx * sy) / det, b: (sxx * sy - sx * sxy) / det };
  // END SOLUTION
}

/**
 * The exercise's loss L(a, b) = Σ_n (y_n − (a·x_n + b))² (no ½, as on its slide) as an autograd
 * Variable, computed from the Variables a and b (so that `backward` can reach them).
 */
export function lineLoss(xs: number[], ys: number[], a: Variable, b: Variable): Variable {
  // BEGIN SOLUTION least-squares
  const x = variable(xs, { dtype: 'float64' });
  const y = variable(ys, { dtype: 'float64' });
  return y.sub(a.mul(x).add(b)).pow(2).sum();
  // END SOLUTION
}

/**
 * L(a, b) and its gradient at the given (a, b), by autograd: make a and b float64 Variables that
 * require grad, compute lineLoss, call backward, and read a.grad and b.grad.
 *
 * @example lineLossAndGrad([1, 2, 3], [2, 3, 5], 0, 0) → { loss: 38, dA: -46, dB: -20 }
 */
export function lineLossAndGrad(xs: number[], ys: number[], a: number, b: number): { loss: number; dA: number; dB: number } {
  // BEGIN SOLUTION least-squares
  const va = variable(a, { requiresGrad: true, dtype: 'float64' });
  const vb = variable(b, { requiresGrad: true, dtype: 'float64' });
  const loss = lineLoss(xs, ys, va, vb);
  loss.backward();
  return { loss: loss.item(), dA: (va.grad as Variable).item(), dB: (vb.grad as Variable).item() };
  // END SOLUTION
}

/**
 * Least squares by gradient descent with autograd (the course's "PyTorchを使った勾配降下法による
 * 最小二乗法"): start from a = b = 0; at each of `steps` steps compute the loss L(a, b) on all
 * the data, record it in `losses`, compute the gradient with backward, and update
 * a ← a − lr·∂L/∂a, b ← b − lr·∂L/∂b. Returns the final a, b and the `steps` losses (losses[k]
 * is the loss before update k, so losses[0] = L(0, 0)).
 */
export function fitLineGD(xs: number[], ys: number[], lr: number, steps: number): { a: number; b: number; losses: number[] } {
  // BEGIN SOLUTION least-squares
  const a = variable(0, { requiresGrad: true, dtype: 'float64' });
  const b = variable(0, { requiresGrad: true, dtype: 'float64' });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = lineLoss(xs, ys, a, b);
    losses.push(loss.item());
    a.zeroGrad();
    b.zeroGrad();
    loss.backward();
    noGrad(() => {
      a.data = a.data.sub((a.grad as Variable).data.mul(lr));
      b.data = b.data.sub((b.grad as Variable).data.mul(lr));
    });
  }
  return { a: a.item(), b: b.item(), losses };
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// (task `least-squares`, continued) linear regression evaluated on a test set (訓練集合とテスト集合, RMSE)
// ---------------------------------------------------------------------------------------------

/** 二乗平均平方根誤差 (RMSE): sqrt((1/N) Σ_n (y_n − ŷ_n)²) (no ½). */
export function rmse(y: number[], yHat: number[]): number {
  // BEGIN SOLUTION least-squares
  let s = 0;
  for (let n = 0; n < y.length; n++) {
    const d = y[n] - yHat[n];
    s += d * d;
  }
  return Math.sqrt(s / y.length);
  // END SOLUTION
}

/**
 * The course's CO₂ example: the LAST nTest samples are the test set (テスト集合: "new samples
 * whose value we pretend not to know", like IDs 1001 and 1002), the others the training set
 * (訓練集合). Fit ŷ = w·x + b on the training set only, by least squares (you may call your
 * normalEquation), and evaluate the RMSE of (w*, b*) on both sets.
 */
export function linearRegression(
  xs: number[],
  ys: number[],
  nTest: number,
): { w: number; b: number; trainRmse: number; testRmse: number } {
  // BEGIN SOLUTION least-squares
  const nTrain = xs.length - nTest;
  const trainX = xs.slice(0, nTrain);
  const trainY = ys.slice(0, nTrain);
  const testX = xs.slice(nTrain);
  const testY = ys.slice(nTrain);
  const { a: w, b } = normalEquation(trainX, trainY);
  return {
    w,
    b,
    trainRmse: rmse(trainY, trainX.map((x) => w * x + b)),
    testRmse: rmse(testY, testX.map((x) => w * x + b)),
  };
  // END SOLUTION
}

// =============================================================================================
// Task `minibatch-sgd`: ミニバッチ確率的勾配降下法 (minibatch SGD) with reshuffling
// =============================================================================================

export interface SGDOptions {
  /** Initial parameters (w⁽⁰⁾, b⁽⁰⁾) (the course's example: (1, 2)). */
  readonly w0: number;
  readonly b0: number;
  /** 学習率 η. */
  readonly lr: number;
  /** ミニバッチサイズ |B| (the last minibatch of an epoch may be smaller). */
  readonly batchSize: number;
  /** エポック数. */
  readonly epochs: number;
}

export interface SGDResult {
  /** The final parameters. */
  readonly w: number;
  readonly b: number;
  /** orders[e]: the order of the sample indices 0..N−1 you used in epoch e (a permutation). */
  readonly orders: number[][];
  /** losses[e]: 1/(2N) Σ_n (y_n − w·x_n − b)² over ALL N samples, after epoch e. */
  readonly losses: number[];
}

/**
 * Minibatch SGD for the linear unit ŷ = w·x + b with the squared error, as on the course's slides.
 * Each epoch: shuffle the indices 0..N−1 again (エポック毎に再シャッフル), cut the shuffled order
 * into consecutive minibatches of batchSize (the last one may be smaller), and for each
 * minibatch B update both parameters at once from the current (w, b):
 *   w ← w − (η/|B|) Σ_{n∈B} (y_n − w·x_n − b)(−x_n)
 *   b ← b − (η/|B|) Σ_{n∈B} (y_n − w·x_n − b)(−1)
 * Return the final (w, b), the order of each epoch, and the loss after each epoch.
 * (For a random permutation you can use `randperm(n).toArray()` from @dl/tensor, imported above.)
 */
export function minibatchSGD(xs: number[], ys: number[], opts: SGDOptions): SGDResult {
  // BEGIN SOLUTION minibatch-sgd
  const n = xs.length;
  let w = opts.w0;
  let b = opts.b0;
  const orders: number[][] = [];
  const losses: number[] = [];
  for (let e = 0; e < opts.epochs; e++) {
    const order = randperm(n).toArray() as number[];
    orders.push(order);
    for (let s = 0; s < n; s += opts.batchSize) {
      const batch = order.slice(s, s + opts.batchSize);
      let gw = 0;
      let gb = 0;
      for (const i of batch) {
        const r = ys[i] - w * xs[i] - b;
        gw += r * -xs[i];
        gb += r * -1;
      }
      w -= (opts.lr / batch.length) * gw;
      b -= (opts.lr / batch.length) * gb;
    }
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const r = ys[i] - w * xs[i] - b;
      loss += r * r;
    }
    losses.push(loss / (2 * n));
  }
  return { w, b, orders, losses };
  // END SOLUTION
}
