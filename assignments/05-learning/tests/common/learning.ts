/**
 * Helpers shared by the public and hidden tests of assignment 05 (learning). Students get this
 * file with the public tests: it holds no expected values.
 */
import type { Check, Student, Text, Value } from '@dl/grader';

export function isRecord(v: Value): v is { readonly [k: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !('$tensor' in v);
}

/** A number (or a 0-d / 1-element tensor) as a number, else null. */
export function num(v: Value): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { $tensor?: unknown }).$tensor === true) {
    const d = (v as { data: readonly number[] }).data;
    return d.length === 1 ? d[0] : null;
  }
  return null;
}

/** An array of numbers (or a 1-D tensor), else null. */
export function nums(v: Value): number[] | null {
  if (Array.isArray(v)) return v.every((e) => typeof e === 'number') ? (v as number[]) : null;
  if (typeof v === 'object' && v !== null && (v as { $tensor?: unknown }).$tensor === true) return [...(v as { data: readonly number[] }).data];
  return null;
}

export const near = (a: number, b: number, rtol = 1e-9, atol = 1e-12): boolean => Math.abs(a - b) <= atol + rtol * Math.abs(b);
export const nearAll = (a: readonly number[], b: readonly number[], rtol = 1e-9, atol = 1e-12): boolean => a.length === b.length && a.every((v, i) => near(v, b[i], rtol, atol));
export const t2 = (en: string, ja: string): Text => ({ en, ja });

/** Fails the check with `why` when the student's number equals one of the typical mistakes. */
export function hint(check: Check, got: Value, mistakes: ReadonlyArray<readonly [number, Text]>, rtol = 1e-9): boolean {
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
export const F1: Record<string, (x: number) => number> = {
  square: (x) => x * x,
  cube: (x) => x * x * x,
  poly: (x) => 0.01 * x * x + 0.1 * x,
  sin: (x) => Math.sin(x),
};
export const FN: Record<string, (x: number[]) => number> = {
  sumSquares: (x) => x[0] * x[0] + x[1] * x[1],
  coupled: (x) => x[0] * x[0] + x[0] * x[1] + 2 * x[1] * x[1],
  shifted: (x) => (x[0] - 1) * (x[0] - 1) + 2 * (x[1] + 0.5) * (x[1] + 0.5),
  sumCubes: (x) => x[0] * x[0] * x[0] + x[1] * x[1] * x[1] + x[2] * x[2] * x[2],
};
/** Exact gradients of FN. */
export const GRAD: Record<string, (x: number[]) => number[]> = {
  sumSquares: (x) => [2 * x[0], 2 * x[1]],
  coupled: (x) => [2 * x[0] + x[1], x[0] + 4 * x[1]],
  shifted: (x) => [2 * (x[0] - 1), 4 * (x[1] + 0.5)],
  sumCubes: (x) => x.map((v) => 3 * v * v),
};

export const forward = (f: (x: number) => number, x: number, h: number): number => (f(x + h) - f(x)) / h;
export const central = (f: (x: number) => number, x: number, h: number): number => (f(x + h) - f(x - h)) / (2 * h);

/** The typical mistakes of a numerical derivative, as feedback. */
export function diffMistakes(f: (x: number) => number, x: number, h: number | undefined): Array<readonly [number, Text]> {
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
export function noRestoreGradient(f: (x: number[]) => number, x0: readonly number[], h: number): number[] {
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

export function centralGradient(f: (x: number[]) => number, x0: readonly number[], h: number): number[] {
  return x0.map((v, i) => {
    const plus = [...x0];
    const minus = [...x0];
    plus[i] = v + h;
    minus[i] = v - h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

export function forwardGradient(f: (x: number[]) => number, x0: readonly number[], h: number): number[] {
  const fx = f([...x0]);
  return x0.map((v, i) => {
    const x = [...x0];
    x[i] = v + h;
    return (f(x) - fx) / h;
  });
}

/** Gradient descent with the exact gradient (the course's hand calculation). */
export function exactDescent(name: string, x0: readonly number[], lr: number, steps: number): number[] {
  let x = [...x0];
  for (let k = 0; k < steps; k++) {
    const g = GRAD[name](x);
    x = x.map((v, i) => v - lr * g[i]);
  }
  return x;
}

/** Gradient descent with a forward-difference gradient (the usual mistake of the task `numerical-diff`). */
export function forwardDescent(name: string, x0: readonly number[], lr: number, steps: number): number[] {
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
export async function ownDescent(student: Student, check: Check, name: string, x0: readonly number[], lr: number, steps: number): Promise<number[] | null> {
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
export function descentMistake(name: string, x0: readonly number[], lr: number, steps: number, got: number[] | null): Text | null {
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

export function gradientMistakes(name: string, x: readonly number[], h: number, got: number[] | null): Text | null {
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

export interface Line {
  a: number;
  b: number;
}

/** Closed-form least squares (centered, for accuracy). */
export function leastSquares(xs: readonly number[], ys: readonly number[]): Line {
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

export const lineL = (xs: readonly number[], ys: readonly number[], a: number, b: number): number => xs.reduce((s, x, i) => s + (ys[i] - (a * x + b)) ** 2, 0);
export const lineGrad = (xs: readonly number[], ys: readonly number[], a: number, b: number): [number, number] => [
  xs.reduce((s, x, i) => s - 2 * x * (ys[i] - (a * x + b)), 0),
  xs.reduce((s, x, i) => s - 2 * (ys[i] - (a * x + b)), 0),
];

/** The losses of gradient descent from (0, 0) on L(a, b); `accumulate` replays the forgotten zeroGrad. */
export function replayLineGD(xs: readonly number[], ys: readonly number[], lr: number, steps: number, accumulate = false): { a: number; b: number; losses: number[] } {
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
export function readFit(check: Check, got: Value, steps: number): { a: number; b: number; losses: number[] } | null {
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
export function checkFitLosses(check: Check, fit: { losses: number[] }, xs: readonly number[], ys: readonly number[], lr: number, label: string): void {
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
export function regressionMistake(xs: readonly number[], ys: readonly number[], nTest: number, w: number | null, b: number | null): Text | null {
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

export interface SgdOpts {
  w0: number;
  b0: number;
  lr: number;
  batchSize: number;
  epochs: number;
}

/** The course's updates, replayed with the student's own orders. `sequential` replays the bug of updating b with the new w. */
export function replaySGD(xs: readonly number[], ys: readonly number[], o: SgdOpts, orders: readonly number[][], sequential = false): { w: number; b: number; losses: number[] } {
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

export function initialLoss(xs: readonly number[], ys: readonly number[], o: SgdOpts): number {
  return xs.reduce((s, x, i) => s + (ys[i] - o.w0 * x - o.b0) ** 2, 0) / (2 * xs.length);
}

/** Reads minibatchSGD's answer, or fails the check. */
export function readSGD(check: Check, got: Value, o: SgdOpts): { w: number; b: number; orders: number[][]; losses: number[] } | null {
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
export function checkPermutations(check: Check, orders: readonly number[][], n: number): boolean {
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
export function checkReshuffled(check: Check, orders: readonly number[][]): boolean {
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
export function checkReplay(check: Check, xs: readonly number[], ys: readonly number[], o: SgdOpts, r: { w: number; b: number; orders: number[][]; losses: number[] }): boolean {
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
export function lineData(n: number, slope: number, intercept: number): { xs: number[]; ys: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = (2 * i) / (n - 1);
    xs.push(x);
    ys.push(slope * x + intercept + 0.2 * Math.sin(3 * i));
  }
  return { xs, ys };
}

export async function callSGD(student: Student, xs: number[], ys: number[], o: SgdOpts): Promise<Value> {
  return student.call('minibatchSGD', xs, ys, { ...o });
}
