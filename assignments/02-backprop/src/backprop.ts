/**
 * Assignment 02: computational graphs and backpropagation (計算グラフと誤差逆伝播法).
 *
 * Write your code between the `// BEGIN SOLUTION <task>` and `// END SOLUTION` lines (in the copy
 * you were given, each of those places holds a `throw new Error(...)` line: replace it). Keep the
 * names and the signatures: the grader calls these exports by name. Code outside the markers is
 * given; do not change it.
 *
 * Part 1 (tasks `mul-add`, `graph`) works on plain numbers, as on the course's slides.
 * Part 2 (tasks `affine`, `relu`, `sigmoid`, `softmax-ce`) writes layers as @dl autograd
 * `Function`s: `forward` computes on Tensors, `backward(gy)` receives the upstream gradient
 * ∂L/∂(output) as a Variable and returns ∂L/∂(input) for each input, as Variables.
 */
import type { Tensor } from '@dl/tensor';
import { Function, type Variable } from '@dl/autograd';

// =============================================================================================
// Part 1: nodes of a computational graph on numbers
// =============================================================================================

// ---------------------------------------------------------------------------------------------
// Task `mul-add`: the multiplication node and the addition node.
// ---------------------------------------------------------------------------------------------

/**
 * Multiplication node z = x * y. Backward: ∂L/∂x = y * dout and ∂L/∂y = x * dout, where
 * dout = ∂L/∂z comes from upstream. (Forward must keep x and y for backward: the tests call
 * forward, then backward, on the same instance.)
 */
export class MulLayer {
  /** Inputs saved by forward. */
  x = 0;
  y = 0;

  /** Returns x * y. */
  forward(x: number, y: number): number {
    // BEGIN SOLUTION mul-add
    this.x = x;
    this.y = y;
    return x * y;
    // END SOLUTION
  }

  /** Returns [∂L/∂x, ∂L/∂y] for the upstream gradient dout = ∂L/∂z. */
  backward(dout: number): [number, number] {
    // BEGIN SOLUTION mul-add
    return [dout * this.y, dout * this.x];
    // END SOLUTION
  }
}

/** Addition node z = x + y. Backward: ∂L/∂x = ∂L/∂y = 1 * dout (passed on unchanged). */
export class AddLayer {
  /** Returns x + y. */
  forward(x: number, y: number): number {
    // BEGIN SOLUTION mul-add
    return x + y;
    // END SOLUTION
  }

  /** Returns [∂L/∂x, ∂L/∂y] for the upstream gradient dout = ∂L/∂z. */
  backward(dout: number): [number, number] {
    // BEGIN SOLUTION mul-add
    return [dout * 1, dout * 1];
    // END SOLUTION
  }
}

// ---------------------------------------------------------------------------------------------
// Task `graph`: whole graphs built from the nodes above.
// ---------------------------------------------------------------------------------------------

/** Values of every node of the shopping graph (forward) and the gradient of the total L (backward). */
export interface ShoppingGraph {
  /** Forward: applePrice * appleCount (course: 200). */
  appleTotal: number;
  /** Forward: orangePrice * orangeCount (course: 450). */
  orangeTotal: number;
  /** Forward: appleTotal + orangeTotal (course: 650). */
  subtotal: number;
  /** Forward: subtotal * tax, the total price L (course: 715). */
  total: number;
  /** ∂L/∂subtotal (course: 1.1). */
  dSubtotal: number;
  /** ∂L/∂tax. */
  dTax: number;
  /** ∂L/∂appleTotal (course: 1.1). */
  dAppleTotal: number;
  /** ∂L/∂orangeTotal (course: 1.1). */
  dOrangeTotal: number;
  /** ∂L/∂applePrice (course: 2.2). */
  dApplePrice: number;
  /** ∂L/∂appleCount. */
  dAppleCount: number;
  /** ∂L/∂orangePrice. */
  dOrangePrice: number;
  /** ∂L/∂orangeCount. */
  dOrangeCount: number;
}

/**
 * The course's shopping graph: apples (price × count) and oranges (price × count) are added, and
 * the sum is multiplied by the consumption tax: L = (applePrice·appleCount + orangePrice·orangeCount)·tax.
 * Build it from MulLayer and AddLayer nodes, run forward, then backward from ∂L/∂L = 1.
 *
 * @example buyApplesAndOranges(100, 2, 150, 3, 1.1).total ≈ 715, .dApplePrice ≈ 2.2
 */
export function buyApplesAndOranges(
  applePrice: number,
  appleCount: number,
  orangePrice: number,
  orangeCount: number,
  tax: number,
): ShoppingGraph {
  // BEGIN SOLUTION graph
  const mulApple = new MulLayer();
  const mulOrange = new MulLayer();
  const addFruit = new AddLayer();
  const mulTax = new MulLayer();
  // forward (順伝播)
  const appleTotal = mulApple.forward(applePrice, appleCount);
  const orangeTotal = mulOrange.forward(orangePrice, orangeCount);
  const subtotal = addFruit.forward(appleTotal, orangeTotal);
  const total = mulTax.forward(subtotal, tax);
  // backward (逆伝播)
  const dTotal = 1;
  const [dSubtotal, dTax] = mulTax.backward(dTotal);
  const [dAppleTotal, dOrangeTotal] = addFruit.backward(dSubtotal);
  const [dApplePrice, dAppleCount] = mulApple.backward(dAppleTotal);
  const [dOrangePrice, dOrangeCount] = mulOrange.backward(dOrangeTotal);
  return {
    appleTotal,
    orangeTotal,
    subtotal,
    total,
    dSubtotal,
    dTax,
    dAppleTotal,
    dOrangeTotal,
    dApplePrice,
    dAppleCount,
    dOrangePrice,
    dOrangeCount,
  };
  // END SOLUTION
}

/**
 * The course's backpropagation example (誤差逆伝播法の例): s = x × w1, t = s², y = t + w2.
 * Returns the forward values and the gradients ∂y/∂s, ∂y/∂w1, ∂y/∂w2.
 * (Hint: t = s² is a multiplication node whose two inputs are both s; at a node where paths
 * meet, the gradients coming back along each path are added.)
 *
 * @example backpropExample(2, 3, 4) → { s: 6, t: 36, y: 40, ds: 12, dw1: 24, dw2: 1 }
 */
export function backpropExample(
  x: number,
  w1: number,
  w2: number,
): { s: number; t: number; y: number; ds: number; dw1: number; dw2: number } {
  // BEGIN SOLUTION graph
  const mulS = new MulLayer();
  const square = new MulLayer();
  const addY = new AddLayer();
  const s = mulS.forward(x, w1);
  const t = square.forward(s, s);
  const y = addY.forward(t, w2);
  const [dt, dw2] = addY.backward(1);
  const [ds1, ds2] = square.backward(dt);
  const ds = ds1 + ds2;
  const [, dw1] = mulS.backward(ds);
  return { s, t, y, ds, dw1, dw2 };
  // END SOLUTION
}

// =============================================================================================
// Part 2: layers as @dl autograd Functions (inputs and outputs are float64 Tensors)
// =============================================================================================

// ---------------------------------------------------------------------------------------------
// Task `affine`: the fully connected (Affine) layer A = X·W + B.
// ---------------------------------------------------------------------------------------------

/**
 * Affine layer (全結合層): inputs x of shape [N, D], W of shape [D, M], b of shape [M];
 * output x·W + b of shape [N, M] (b is added to every row).
 * Backward: ∂L/∂x = ∂L/∂A·Wᵀ, ∂L/∂W = xᵀ·∂L/∂A, ∂L/∂b = ∂L/∂A summed over the N rows.
 *
 * Use `this.inputs` in backward: `const [x, W] = this.inputs;` (Variables).
 */
export class Affine extends Function {
  forward(x: Tensor, W: Tensor, b: Tensor): Tensor {
    // BEGIN SOLUTION affine
    return x.matmul(W).add(b);
    // END SOLUTION
  }

  backward(gy: Variable): [Variable, Variable, Variable] {
    // BEGIN SOLUTION affine
    const [x, W] = this.inputs;
    return [gy.matmul(W.T), x.T.matmul(gy), gy.sum({ dim: 0 })];
    // END SOLUTION
  }
}

// ---------------------------------------------------------------------------------------------
// Task `relu`: the ReLU layer.
// ---------------------------------------------------------------------------------------------

/**
 * ReLU: y = x (x > 0), 0 (x ≤ 0), elementwise, any shape.
 * Backward: ∂L/∂x = ∂L/∂y where the forward input was > 0, and 0 elsewhere (x ≤ 0).
 */
export class ReLU extends Function {
  /** Where the forward input was > 0 (saved by forward, if you want to use it). */
  mask: Tensor | null = null;

  forward(x: Tensor): Tensor {
    // BEGIN SOLUTION relu
    this.mask = x.gt(0);
    return x.where(this.mask, 0);
    // END SOLUTION
  }

  backward(gy: Variable): Variable {
    // BEGIN SOLUTION relu
    return gy.mul(this.mask as Tensor);
    // END SOLUTION
  }
}

// ---------------------------------------------------------------------------------------------
// Task `sigmoid`: the sigmoid layer.
// ---------------------------------------------------------------------------------------------

/**
 * Sigmoid: y = 1 / (1 + exp(-x)), elementwise, any shape.
 * Backward: ∂L/∂x = ∂L/∂y · y(1 − y), using the forward output y (`this.outputs[0]`).
 */
export class Sigmoid extends Function {
  forward(x: Tensor): Tensor {
    // BEGIN SOLUTION sigmoid
    return x.neg().exp().add(1).pow(-1);
    // END SOLUTION
  }

  backward(gy: Variable): Variable {
    // BEGIN SOLUTION sigmoid
    const y = this.outputs[0];
    return gy.mul(y).mul(y.neg().add(1));
    // END SOLUTION
  }
}

// ---------------------------------------------------------------------------------------------
// Task `softmax-ce`: softmax + cross-entropy loss (ソフトマックス層＋交差エントロピー損失).
// ---------------------------------------------------------------------------------------------

/**
 * Softmax + cross-entropy loss, averaged over the mini-batch.
 * Inputs: scores o of shape [N, K] and one-hot teacher data t of shape [N, K].
 * Forward: y = softmax(o) along each row, y_k = exp(o_k) / Σ_j exp(o_j), and the loss
 * L = −(1/N) Σ_n Σ_k t_nk log y_nk, a scalar Tensor (shape []).
 * Backward: ∂L/∂o = gy · (y − t) / N; return `[that, null]` (no gradient for t).
 *
 * Compute it so that large scores (e.g. 1000) do not overflow exp (subtract each row's maximum).
 */
export class SoftmaxWithCrossEntropy extends Function {
  /** The softmax output and the teacher data, saved by forward for backward. */
  y: Tensor | null = null;
  t: Tensor | null = null;

  forward(scores: Tensor, t: Tensor): Tensor {
    // BEGIN SOLUTION softmax-ce
    const n = scores.shape[0];
    const z = scores.sub(scores.amax({ dim: 1, keepdim: true }));
    const logY = z.sub(z.exp().sum({ dim: 1, keepdim: true }).log());
    this.y = logY.exp();
    this.t = t;
    return t.mul(logY).sum().neg().div(n);
    // END SOLUTION
  }

  backward(gy: Variable): [Variable, null] {
    // BEGIN SOLUTION softmax-ce
    const y = this.y as Tensor;
    const t = this.t as Tensor;
    const n = y.shape[0];
    return [gy.mul(y.sub(t)).div(n), null];
    // END SOLUTION
  }
}
