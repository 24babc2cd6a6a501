/**
 * Hidden tests of assignment 05: seeded random inputs for every task, properties computed here
 * (forward-difference error of x² is exactly h, central-difference gradient of a cubic is 3x² + h²,
 * gradient descent replayed with the student's own numericalGradient, minibatch SGD replayed on the
 * student's own shuffled orders), and the reference's RMSE on a random held-out split.
 * Feedback never shows an expected value.
 */
import { defineTests, type Check, type Rng, type Student, type Text, type Value } from '@dl/grader';

// ---- helpers (the same ones are used by the hidden tests) ----

function isRecord(v: Value): v is { readonly [k: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !('$tensor' in v);
}

/** A number (or a 0-d / 1-element tensor) as a number, else null. */
function num(v: Value): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { $tensor?: unknown }).$tensor === true) {
    const d = (v as { data: readonly number[] }).data;
    return d.length === 1 ? d[0] : null;
  }
  return null;
}

/** An array of numbers (or a 1-D tensor), else null. */
function nums(v: Value): number[] | null {
  if (Array.isArray(v)) return v.every((e) => typeof e === 'number') ? (v as number[]) : null;
  if (typeof v === 'object' && v !== null && (v as { $tensor?: unknown }).$tensor === true) return [...(v as { data: readonly number[] }).data];
  return null;
}

const near = (a: number, b: number, rtol = 1e-9, atol = 1e-12): boolean => Math.abs(a - b) <= atol + rtol * Math.abs(b);
const nearAll = (a: readonly number[], b: readonly number[], rtol = 1e-9, atol = 1e-12): boolean => a.length === b.length && a.every((v, i) => near(v, b[i], rtol, atol));
const t2 = (en: string, ja: string): Text => ({ en, ja });

/** Fails the check with `why` when the student's number equals one of the typical mistakes. */
function hint(check: Check, got: Value, mistakes: ReadonlyArray<readonly [number, Text]>, rtol = 1e-9): boolean {
  const g = num(got);
  if (g === null) return false;
  for (const [v, why] of mistakes) {
    if (near(g, v, rtol, 1e-15)) {
      check.fail(why);
      return true;
    }
  }
  return false;
}

// The test functions, defined exactly as in src/learning.ts (so that values agree to the bit).
const F1: Record<string, (x: number) => number> = {
  square: (x) => x * x,
  cube: (x) => x * x * x,
  poly: (x) => 0.01 * x * x + 0.1 * x,
  sin: (x) => Math.sin(x),
};
const FN: Record<string, (x: number[]) => number> = {
  sumSquares: (x) => x[0] * x[0] + x[1] * x[1],
  coupled: (x) => x[0] * x[0] + x[0] * x[1] + 2 * x[1] * x[1],
  shifted: (x) => (x[0] - 1) * (x[0] - 1) + 2 * (x[1] + 0.5) * (x[1] + 0.5),
  sumCubes: (x) => x[0] * x[0] * x[0] + x[1] * x[1] * x[1] + x[2] * x[2] * x[2],
};
/** Exact gradients of FN. */
const GRAD: Record<string, (x: number[]) => number[]> = {
  sumSquares: (x) => [2 * x[0], 2 * x[1]],
  coupled: (x) => [2 * x[0] + x[1], x[0] + 4 * x[1]],
  shifted: (x) => [2 * (x[0] - 1), 4 * (x[1] + 0.5)],
  sumCubes: (x) => x.map((v) => 3 * v * v),
};

const forward = (f: (x: number) => number, x: number, h: number): number => (f(x + h) - f(x)) / h;
const central = (f: (x: number) => number, x: number, h: number): number => (f(x + h) - f(x - h)) / (2 * h);

/** The typical mistakes of a numerical derivative, as feedback. */
function diffMistakes(f: (x: number) => number, x: number, h: number | undefined): Array<readonly [number, Text]> {
  const hh = h ?? 1e-4;
  const out: Array<readonly [number, Text]> = [
    [
      central(f, x, hh),
      t2(
        'this is the central difference (f(x+h) − f(x−h))/2h; numericalDiff is the course\'s numerical_diff, the forward difference (f(x+h) − f(x))/h',
        'これは中心差分 (f(x+h) − f(x−h))/2h の値です。numericalDiff は講義の numerical_diff、つまり前方差分 (f(x+h) − f(x))/h です',
      ),
    ],
    [
      (f(x) - f(x - hh)) / hh,
      t2('this is the backward difference (f(x) − f(x−h))/h; use the forward difference (f(x+h) − f(x))/h', 'これは後退差分 (f(x) − f(x−h))/h の値です。前方差分 (f(x+h) − f(x))/h を使ってください'),
    ],
  ];
  if (h !== undefined && h !== 1e-4) {
    out.push([forward(f, x, 1e-4), t2(`this is the forward difference with h = 1e-4: use the h passed in (here ${h})`, `これは h = 1e-4 の前方差分です。引数で渡された h (ここでは ${h}) を使ってください`)]);
  }
  if (h === undefined) {
    out.push([forward(f, x, 1e-7), t2('this is the forward difference with h = 1e-7: the default h is 1e-4, as in the course\'s numerical_diff', 'これは h = 1e-7 の前方差分です。講義の numerical_diff と同じく h の既定値は 1e-4 です')]);
  }
  return out;
}

/** The gradient the usual "forgot to put x[i] back" bug gives (x[i] stays at x_i − h). */
function noRestoreGradient(f: (x: number[]) => number, x0: readonly number[], h: number): number[] {
  const x = [...x0];
  const g: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const tmp = x[i];
    x[i] = tmp + h;
    const a = f(x);
    x[i] = tmp - h;
    const b = f(x);
    g.push((a - b) / (2 * h));
  }
  return g;
}

function centralGradient(f: (x: number[]) => number, x0: readonly number[], h: number): number[] {
  return x0.map((v, i) => {
    const plus = [...x0];
    const minus = [...x0];
    plus[i] = v + h;
    minus[i] = v - h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

function forwardGradient(f: (x: number[]) => number, x0: readonly number[], h: number): number[] {
  const fx = f([...x0]);
  return x0.map((v, i) => {
    const x = [...x0];
    x[i] = v + h;
    return (f(x) - fx) / h;
  });
}

/** Gradient descent with the exact gradient (the course's hand calculation). */
function exactDescent(name: string, x0: readonly number[], lr: number, steps: number): number[] {
  let x = [...x0];
  for (let k = 0; k < steps; k++) {
    const g = GRAD[name](x);
    x = x.map((v, i) => v - lr * g[i]);
  }
  return x;
}

/** Gradient descent with a forward-difference gradient (the usual mistake of the task `numerical-diff`). */
function forwardDescent(name: string, x0: readonly number[], lr: number, steps: number): number[] {
  let x = [...x0];
  for (let k = 0; k < steps; k++) {
    const g = forwardGradient(FN[name], x, 1e-4);
    x = x.map((v, i) => v - lr * g[i]);
  }
  return x;
}

/**
 * x after `steps` updates x ← x − lr·g, with g from the student's own numericalGradient (one request
 * per step): gradientDescent is judged on its own, whatever numericalGradient does.
 */
async function ownDescent(student: Student, check: Check, name: string, x0: readonly number[], lr: number, steps: number): Promise<number[] | null> {
  let x = [...x0];
  for (let k = 0; k < steps; k++) {
    const g = nums(await student.call('numericalGradientByName', name, x));
    if (g === null || g.length !== x.length) {
      check.fail(t2('numericalGradient must return an array with one number per variable (task numerical-diff)', 'numericalGradient は変数ごとに1つの数値を並べた配列を返してください (課題 numerical-diff)'));
      return null;
    }
    x = x.map((v, i) => v - lr * g[i]);
  }
  return x;
}

/** Feedback for the typical mistakes of gradient descent (no expected value in it). */
function descentMistake(name: string, x0: readonly number[], lr: number, steps: number, got: number[] | null): Text | null {
  if (got === null || got.length !== x0.length || steps === 0) return null;
  if (nearAll(got, forwardDescent(name, x0, lr, steps), 1e-6, 1e-12) && !nearAll(got, exactDescent(name, x0, lr, steps), 1e-6, 1e-12)) {
    return t2(
      'this is gradient descent with a forward-difference gradient: your numericalGradient (task numerical-diff) must use the central difference; the course\'s numbers need it',
      'これは前方差分の勾配による勾配降下法の結果です。numericalGradient (課題 numerical-diff) は中心差分を使ってください。講義の数値を再現するには中心差分が必要です',
    );
  }
  let up = [...x0];
  for (let k = 0; k < steps; k++) {
    const g = GRAD[name](up);
    up = up.map((v, i) => v + lr * g[i]);
  }
  if (nearAll(got, up, 1e-6, 1e-12)) return t2('the parameters went uphill: gradient descent subtracts, x ← x − lr·∇f(x)', 'パラメータが勾配の方向に動いています。勾配降下法では引き算します: x ← x − lr·∇f(x)');
  for (const s of [steps - 1, steps + 1]) {
    if (s >= 0 && nearAll(got, exactDescent(name, x0, lr, s), 1e-6, 1e-12)) return t2('off by one step: run exactly stepNum updates', '1ステップずれています。ちょうど stepNum 回更新してください');
  }
  return null;
}

function gradientMistakes(name: string, x: readonly number[], h: number, got: number[] | null): Text | null {
  if (got === null) return null;
  if (nearAll(got, forwardGradient(FN[name], x, h), 1e-7, 1e-9)) {
    return t2(
      'this is the forward difference (f(x + h·e_i) − f(x))/h for each variable: numericalGradient uses the central difference (f(x + h·e_i) − f(x − h·e_i))/2h (see the README: it is what reproduces the course\'s gradient_descent result)',
      'これは各変数の前方差分 (f(x + h·e_i) − f(x))/h の値です。numericalGradient は中心差分 (f(x + h·e_i) − f(x − h·e_i))/2h を使います (README 参照: 講義の gradient_descent の結果を再現するのは中心差分です)',
    );
  }
  if (!nearAll(got, centralGradient(FN[name], x, h), 1e-7, 1e-9) && nearAll(got, noRestoreGradient(FN[name], x, h), 1e-7, 1e-9)) {
    return t2(
      'after the i-th partial derivative, x[i] was not put back to its original value, so the next derivatives were computed at a shifted point',
      'i 番目の偏微分のあと x[i] を元の値に戻していないため、次の偏微分がずれた点で計算されています',
    );
  }
  return null;
}

// ---- least squares ----

interface Line {
  a: number;
  b: number;
}

/** Closed-form least squares (centered, for accuracy). */
function leastSquares(xs: readonly number[], ys: readonly number[]): Line {
  const n = xs.length;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) * (xs[i] - mx);
  }
  const a = sxy / sxx;
  return { a, b: my - a * mx };
}

const lineL = (xs: readonly number[], ys: readonly number[], a: number, b: number): number => xs.reduce((s, x, i) => s + (ys[i] - (a * x + b)) ** 2, 0);
const lineGrad = (xs: readonly number[], ys: readonly number[], a: number, b: number): [number, number] => [
  xs.reduce((s, x, i) => s - 2 * x * (ys[i] - (a * x + b)), 0),
  xs.reduce((s, x, i) => s - 2 * (ys[i] - (a * x + b)), 0),
];

/** The losses of gradient descent from (0, 0) on L(a, b); `accumulate` replays the forgotten zeroGrad. */
function replayLineGD(xs: readonly number[], ys: readonly number[], lr: number, steps: number, accumulate = false): { a: number; b: number; losses: number[] } {
  let a = 0;
  let b = 0;
  let ga = 0;
  let gb = 0;
  const losses: number[] = [];
  for (let k = 0; k < steps; k++) {
    losses.push(lineL(xs, ys, a, b));
    const [da, db] = lineGrad(xs, ys, a, b);
    ga = accumulate ? ga + da : da;
    gb = accumulate ? gb + db : db;
    a -= lr * ga;
    b -= lr * gb;
  }
  return { a, b, losses };
}

/** Reads { a, b, losses } from fitLineGD, or fails the check. */
function readFit(check: Check, got: Value, steps: number): { a: number; b: number; losses: number[] } | null {
  const a = isRecord(got) ? num(got.a) : null;
  const b = isRecord(got) ? num(got.b) : null;
  const losses = isRecord(got) ? nums(got.losses) : null;
  if (a === null || b === null || losses === null) {
    check.fail(t2('fitLineGD must return { a, b, losses } (numbers and an array of numbers)', 'fitLineGD は { a, b, losses } (数値と数値の配列) を返してください'));
    return null;
  }
  if (losses.length !== steps) {
    check.fail(t2(`losses must hold one loss per step: ${steps} values, got ${losses.length}`, `losses にはステップごとに1つ、${steps} 個の損失を入れてください (${losses.length} 個でした)`));
    return null;
  }
  return { a, b, losses };
}

/** Checks fitLineGD's losses: the first, a replay of the first steps, and that they never go up. */
function checkFitLosses(check: Check, fit: { losses: number[] }, xs: readonly number[], ys: readonly number[], lr: number, label: string): void {
  const steps = fit.losses.length;
  const want = replayLineGD(xs, ys, lr, Math.min(steps, 20));
  const head = fit.losses.slice(0, want.losses.length);
  if (!nearAll(head, want.losses, 1e-5, 1e-9)) {
    if (near(head[0], want.losses[0] / 2, 1e-5)) {
      check.fail(t2(`${label}: losses[0] is half of L(0, 0): the exercise's loss is L(a, b) = Σ(y − (a·x + b))², without ½`, `${label}: losses[0] が L(0, 0) の半分です。この演習の損失は ½ なしの L(a, b) = Σ(y − (a·x + b))² です`));
      return;
    }
    if (nearAll(head, replayLineGD(xs, ys, lr, head.length, true).losses, 1e-5, 1e-9)) {
      check.fail(
        t2(
          `${label}: the gradients were accumulated over the steps: autograd adds each backward into .grad, so reset it every step (a.zeroGrad(), b.zeroGrad())`,
          `${label}: 勾配がステップをまたいで足し合わされています。autograd は backward のたびに .grad に加算するので、毎ステップ a.zeroGrad()、b.zeroGrad() でリセットしてください`,
        ),
      );
      return;
    }
    check.close(head, want.losses, t2(`${label}: losses of the first ${head.length} steps (losses[k] = L before update k; start at a = b = 0)`, `${label}: 最初の ${head.length} ステップの損失 (losses[k] は k 回目の更新前の L。a = b = 0 から開始)`), { rtol: 1e-5, atol: 1e-9 });
    return;
  }
  for (let k = 1; k < steps; k++) {
    if (fit.losses[k] > fit.losses[k - 1] * (1 + 1e-6) + 1e-9) {
      check.fail(t2(`${label}: the loss went up at step ${k} (${fit.losses[k - 1]} → ${fit.losses[k]})`, `${label}: ステップ ${k} で損失が増えました (${fit.losses[k - 1]} → ${fit.losses[k]})`));
      return;
    }
  }
}

/** Feedback when linearRegression's (w, b) come from the wrong samples (no expected value in it). */
function regressionMistake(xs: readonly number[], ys: readonly number[], nTest: number, w: number | null, b: number | null): Text | null {
  if (w === null || b === null) return null;
  const fits = (l: Line): boolean => near(w, l.a, 1e-6, 1e-9) && near(b, l.b, 1e-6, 1e-9);
  const right = leastSquares(xs.slice(0, xs.length - nTest), ys.slice(0, ys.length - nTest));
  if (fits(right)) return null;
  if (fits(leastSquares(xs, ys))) {
    return t2('(w, b) were fitted on all the samples, test set included: fit on the training set only (all but the last nTest samples); the test set must not be used for training', '(w, b) をテスト集合を含むすべてのサンプルで求めています。訓練集合 (最後の nTest 件を除いたもの) だけで求めてください。テスト集合を学習に使ってはいけません');
  }
  if (fits(leastSquares(xs.slice(nTest), ys.slice(nTest)))) {
    return t2('the FIRST nTest samples were held out: the test set is the LAST nTest samples (like IDs 1001 and 1002 in the course)', '最初の nTest 件をテスト集合にしています。テスト集合は最後の nTest 件です (講義の ID 1001、1002 のように)');
  }
  return null;
}

// ---- minibatch SGD ----

interface SgdOpts {
  w0: number;
  b0: number;
  lr: number;
  batchSize: number;
  epochs: number;
}

/** The course's updates, replayed with the student's own orders. `sequential` replays the bug of updating b with the new w. */
function replaySGD(xs: readonly number[], ys: readonly number[], o: SgdOpts, orders: readonly number[][], sequential = false): { w: number; b: number; losses: number[] } {
  let w = o.w0;
  let b = o.b0;
  const n = xs.length;
  const losses: number[] = [];
  for (const order of orders) {
    for (let s = 0; s < n; s += o.batchSize) {
      const batch = order.slice(s, s + o.batchSize);
      let gw = 0;
      for (const i of batch) gw += (ys[i] - w * xs[i] - b) * -xs[i];
      const w1 = w - (o.lr / batch.length) * gw;
      let gb = 0;
      for (const i of batch) gb += (ys[i] - (sequential ? w1 : w) * xs[i] - b) * -1;
      w = w1;
      b -= (o.lr / batch.length) * gb;
    }
    let l = 0;
    for (let i = 0; i < n; i++) l += (ys[i] - w * xs[i] - b) ** 2;
    losses.push(l / (2 * n));
  }
  return { w, b, losses };
}

function initialLoss(xs: readonly number[], ys: readonly number[], o: SgdOpts): number {
  return xs.reduce((s, x, i) => s + (ys[i] - o.w0 * x - o.b0) ** 2, 0) / (2 * xs.length);
}

/** Reads minibatchSGD's answer, or fails the check. */
function readSGD(check: Check, got: Value, o: SgdOpts): { w: number; b: number; orders: number[][]; losses: number[] } | null {
  const bad = (): null => {
    check.fail(t2('minibatchSGD must return { w, b, orders, losses } (see SGDResult)', 'minibatchSGD は { w, b, orders, losses } を返してください (SGDResult を参照)'));
    return null;
  };
  if (!isRecord(got)) return bad();
  const w = num(got.w);
  const b = num(got.b);
  const losses = nums(got.losses);
  const orders = Array.isArray(got.orders) ? (got.orders as Value[]).map(nums) : null;
  if (w === null || b === null || losses === null || orders === null || orders.some((x) => x === null)) return bad();
  if (orders.length !== o.epochs || losses.length !== o.epochs) {
    check.fail(t2(`orders and losses must have one entry per epoch (${o.epochs}); got ${orders.length} and ${losses.length}`, `orders と losses にはエポックごとに1つ (${o.epochs} 個) の要素が必要です (${orders.length} 個と ${losses.length} 個でした)`));
    return null;
  }
  return { w, b, orders: orders as number[][], losses };
}

/** Each epoch's order is a permutation of 0..N−1 (so its consecutive minibatches partition the data). */
function checkPermutations(check: Check, orders: readonly number[][], n: number): boolean {
  for (const [e, order] of orders.entries()) {
    const seen = new Set(order);
    const ok = order.length === n && seen.size === n && order.every((i) => Number.isInteger(i) && i >= 0 && i < n);
    if (!ok) {
      return check.fail(
        t2(
          `epoch ${e + 1}: the order must be a permutation of 0..${n - 1} (each sample exactly once per epoch, so the minibatches partition the data); got ${JSON.stringify(order.slice(0, 12))}${order.length > 12 ? '…' : ''}`,
          `エポック ${e + 1}: 順番は 0..${n - 1} の並べ替え (順列) でなければなりません (1エポックで各サンプルをちょうど1回使い、ミニバッチがデータを分割するように)。結果: ${JSON.stringify(order.slice(0, 12))}${order.length > 12 ? '…' : ''}`,
        ),
      );
    }
  }
  return true;
}

/** The order changes from each epoch to the next (エポック毎に再シャッフル), and is shuffled already in epoch 1. */
function checkReshuffled(check: Check, orders: readonly number[][]): boolean {
  if (orders.length > 0 && orders[0].every((v, i) => v === i)) {
    return check.fail(t2('epoch 1 uses the original order 0, 1, 2, …: shuffle the data before the first epoch too', 'エポック 1 が元の順番 0, 1, 2, … のままです。最初のエポックの前にもシャッフルしてください'));
  }
  for (let e = 1; e < orders.length; e++) {
    if (orders[e].length === orders[e - 1].length && orders[e].every((v, i) => v === orders[e - 1][i])) {
      return check.fail(
        t2(
          `epoch ${e + 1} uses exactly the same order as epoch ${e}: reshuffle at the start of every epoch (エポック毎に再シャッフル), not only once`,
          `エポック ${e + 1} の順番がエポック ${e} とまったく同じです。1回だけでなく、エポックの初めに毎回シャッフルし直してください (エポック毎に再シャッフル)`,
        ),
      );
    }
  }
  return true;
}

/** w, b and the losses agree with the course's update formulas replayed on the student's own orders. */
function checkReplay(check: Check, xs: readonly number[], ys: readonly number[], o: SgdOpts, r: { w: number; b: number; orders: number[][]; losses: number[] }): boolean {
  const want = replaySGD(xs, ys, o, r.orders);
  if (nearAll([r.w, r.b, ...r.losses], [want.w, want.b, ...want.losses], 1e-9, 1e-12)) return true;
  const seq = replaySGD(xs, ys, o, r.orders, true);
  if (nearAll([r.w, r.b], [seq.w, seq.b], 1e-9, 1e-12)) {
    return check.fail(
      t2(
        'b was updated with the already-updated w: compute both gradients from the current (w⁽ᵗ⁾, b⁽ᵗ⁾) first, then update w and b',
        'b の更新に更新後の w が使われています。まず現在の (w⁽ᵗ⁾, b⁽ᵗ⁾) で両方の勾配を計算し、そのあと w と b を更新してください',
      ),
    );
  }
  if (!nearAll([r.w, r.b], [want.w, want.b], 1e-9, 1e-12)) {
    return check.close(
      [r.w, r.b],
      [want.w, want.b],
      t2(
        '[w, b] after training, replaying the slide\'s updates w ← w − (η/|B|)Σ(y − wx − b)(−x), b ← b − (η/|B|)Σ(y − wx − b)(−1) on the minibatches order[0:|B|], order[|B|:2|B|], … of your orders',
        '学習後の [w, b] (あなたの orders を先頭から |B| 個ずつ区切ったミニバッチで、スライドの更新式 w ← w − (η/|B|)Σ(y − wx − b)(−x)、b ← b − (η/|B|)Σ(y − wx − b)(−1) を再計算した値との比較)',
      ),
      { rtol: 1e-9, atol: 1e-12 },
    );
  }
  return check.close(
    r.losses,
    want.losses,
    t2('losses[e]: 1/(2N) Σ (y − w·x − b)² over all N samples after epoch e', 'losses[e]: エポック e の後の全 N サンプルでの 1/(2N) Σ (y − w·x − b)²'),
    { rtol: 1e-9, atol: 1e-12 },
  );
}

/** Deterministic 1-D data y ≈ slope·x + intercept with a little wiggle. */
function lineData(n: number, slope: number, intercept: number): { xs: number[]; ys: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = (2 * i) / (n - 1);
    xs.push(x);
    ys.push(slope * x + intercept + 0.2 * Math.sin(3 * i));
  }
  return { xs, ys };
}

async function callSGD(student: Student, xs: number[], ys: number[], o: SgdOpts): Promise<Value> {
  return student.call('minibatchSGD', xs, ys, { ...o });
}

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
