/**
 * Assignment 03: tensors and the basics of autograd (テンソルと自動微分の基礎).
 *
 * Write your code between the `// BEGIN SOLUTION <task>` and `// END SOLUTION` lines (in the copy
 * you were given, each of those places holds a `throw new Error(...)` line: replace it). Keep the
 * names and the signatures: the grader calls these exports by name. Code outside the markers is
 * given; do not change it.
 *
 * Every task is one of the course's PyTorch examples, written with @dl, whose API follows
 * PyTorch's (`torch.tensor(...)` is `tensor(...)`, `torch.matmul(A, B)` is `A.matmul(B)`,
 * `x + y` is `x.add(y)`, `X[X > 20]` is `X.maskedSelect(X.gt(20))`, ...). Use @dl's operations,
 * not loops over the numbers: the tests check the values, the shapes and the dtypes of the
 * tensors you return.
 *
 * @dl has no int64: where the course's PyTorch gives `torch.int64`, use 'int32'.
 */
import { Tensor, tensor, zeros, ones, type DType } from '@dl/tensor';
import { Parameter, Variable, variable } from '@dl/autograd';

/** Nested lists of numbers or booleans, as given to `tensor(...)`. */
export type Nested = number | boolean | Nested[];

// ---------------------------------------------------------------------------------------------
// Task `create`: creating tensors (torch.tensor), their shape (size()) and data type (dtype).
// ---------------------------------------------------------------------------------------------

/**
 * The course's first tensors:
 * - `x = torch.tensor([1.0, 2.0, 3.0])`, a float32 tensor;
 * - `A = torch.tensor([[1, 2, 3], [4, 5, 6]])`, a 2×3 matrix of integers (PyTorch: int64; in @dl
 *   use 'int32': number data is float32 unless you give a dtype);
 * - `A.size()` (→ [2, 3]) and `A.dtype`.
 */
export function courseTensors(): { x: Tensor; A: Tensor; size: number[]; dtype: DType } {
  // BEGIN SOLUTION create
  const x = tensor([1.0, 2.0, 3.0]);
  const A = tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    { dtype: 'int32' },
  );
  return { x, A, size: A.size(), dtype: A.dtype };
  // END SOLUTION
}

/**
 * A tensor of the given dtype made from nested lists, with its shape (`size()`) and its dtype.
 *
 * @example makeTensor([[1, 2, 3], [4, 5, 6]], 'int32') → { t: tensor([[1, 2, 3], [4, 5, 6]]), size: [2, 3], dtype: 'int32' }
 */
export function makeTensor(data: Nested, dtype: DType): { t: Tensor; size: number[]; dtype: DType } {
  // BEGIN SOLUTION create
  const t = tensor(data, { dtype });
  return { t, size: t.size(), dtype: t.dtype };
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Task `ops`: elementwise arithmetic (要素ごとの演算) and the matrix product (行列積).
// ---------------------------------------------------------------------------------------------

/**
 * The four arithmetic operators, elementwise, on two tensors of the same shape:
 * `x + y`, `x - y`, `x * y` and `x / y` (true division: integer tensors give a float result).
 *
 * @example x = [1, 2, 3], y = [2, 4, 6] → add [3, 6, 9], sub [-1, -2, -3], mul [2, 8, 18], div [0.5, 0.5, 0.5]
 */
export function elementwise(x: Tensor, y: Tensor): { add: Tensor; sub: Tensor; mul: Tensor; div: Tensor } {
  // BEGIN SOLUTION ops
  return { add: x.add(y), sub: x.sub(y), mul: x.mul(y), div: x.div(y) };
  // END SOLUTION
}

/**
 * The matrix product `torch.matmul(A, B)` of an [m, k] and a [k, n] matrix: an [m, n] matrix
 * whose (i, j) entry is Σ_k A[i, k]·B[k, j] (not the elementwise product `A * B`).
 *
 * @example A = [[1, 2], [3, 4]], B = [[-1, 1], [5, 6]] → [[9, 13], [17, 27]]
 */
export function matrixProduct(A: Tensor, B: Tensor): Tensor {
  // BEGIN SOLUTION ops
  return A.matmul(B);
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Task `broadcast`: broadcasting (ブロードキャスト).
// ---------------------------------------------------------------------------------------------

/**
 * The course's broadcasting examples: `A * 10`, `A + 10` and `A * B` where B has fewer dims or
 * size-1 dims (the course: B = [10, 20], repeated for every row of A). Keep A's dtype where the
 * course does (an int32 A times the number 10 stays int32).
 *
 * @example A = [[1, 2], [3, 4]], B = [10, 20] → times10 [[10, 20], [30, 40]], plus10 [[11, 12], [13, 14]], timesB [[10, 40], [30, 80]]
 */
export function broadcastExamples(A: Tensor, B: Tensor): { times10: Tensor; plus10: Tensor; timesB: Tensor } {
  // BEGIN SOLUTION broadcast
  return { times10: A.mul(10), plus10: A.add(10), timesB: A.mul(B) };
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Task `index`: indexing (インデックス): a row, an element, flatten, and an index tensor.
// ---------------------------------------------------------------------------------------------

/**
 * For a matrix X: the row `X[i]`, the element `X[i][j]` (a 0-d tensor, PyTorch's `tensor(40)`),
 * `X.flatten()`, and the elements of the flattened X at the positions `picks`
 * (`X[torch.tensor([0, 2, 4])]` in the course). Negative indices count from the end, as in Python.
 *
 * @example X = [[10, 40], [15, 30], [1, 0]], i = 0, j = 1, picks = [0, 2, 4]
 *          → row [10, 40], element 40, flat [10, 40, 15, 30, 1, 0], picked [10, 15, 1]
 */
export function indexExamples(
  X: Tensor,
  i: number,
  j: number,
  picks: number[],
): { row: Tensor; element: Tensor | number; flat: Tensor; picked: Tensor } {
  // BEGIN SOLUTION index
  const row = X.select(0, i);
  const element = row.select(0, j);
  const flat = X.flatten();
  const picked = flat.index(tensor(picks, { dtype: 'int32' }));
  return { row, element, flat, picked };
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Task `mask`: comparisons give masks (マスク, bool tensors); a mask selects elements.
// ---------------------------------------------------------------------------------------------

/**
 * `X > threshold` (a bool tensor of X's shape) and `X[X > threshold]`: the elements of X greater
 * than the threshold, in row-major order, as a 1-D tensor of X's dtype.
 *
 * @example X = [10, 40, 15, 30, 1, 0], threshold 20 → mask [false, true, false, true, false, false], selected [40, 30]
 */
export function maskSelect(X: Tensor, threshold: number): { mask: Tensor; selected: Tensor } {
  // BEGIN SOLUTION mask
  const mask = X.gt(threshold);
  return { mask, selected: X.maskedSelect(mask) };
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Task `grad`: tensors that require gradients (requires_grad=True), torch.nn.functional.
// ---------------------------------------------------------------------------------------------

/**
 * The course's program "テンソルを作る": a zero matrix and a matrix of ones of shape
 * (rows, cols), and the tensor [1, 2, 3], all of `dtype` and all requiring gradients
 * (`requires_grad=True`): return Variables.
 *
 * @example makeTensors(10, 20, 'float32') → zeros and ones of shape [10, 20], x = [1, 2, 3], float32, requiresGrad
 */
export function makeTensors(rows: number, cols: number, dtype: DType): { zeros: Variable; ones: Variable; x: Variable } {
  // BEGIN SOLUTION grad
  return {
    zeros: variable(zeros([rows, cols], { dtype }), { requiresGrad: true }),
    ones: variable(ones([rows, cols], { dtype }), { requiresGrad: true }),
    x: variable([1, 2, 3], { dtype, requiresGrad: true }),
  };
  // END SOLUTION
}

/**
 * The course's torch.nn.functional example, plus its gradient:
 * `y = relu(x1)`, `z = mse_loss(x1, x2)` (the mean of (x1 − x2)² over all elements, PyTorch's
 * default), and `grad` = ∂z/∂x1, computed by autograd (x1 requires grad; call `z.backward()`).
 * x1 and x2 have the same shape and dtype; the results keep that dtype.
 *
 * @example x1 = 1.5, x2 = 0.75 → y 1.5, z 0.5625, grad 1.5
 */
export function reluAndMse(x1: Tensor, x2: Tensor): { y: Variable | Tensor; z: Variable | Tensor; grad: Variable | Tensor | null } {
  // BEGIN SOLUTION grad
  const a = variable(x1, { requiresGrad: true });
  const y = a.relu();
  const z = a.sub(x2).pow(2).mean();
  z.backward();
  return { y, z, grad: a.grad };
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Task `parameter`: torch.nn.Parameter, a weight that autograd and models treat as a parameter.
// ---------------------------------------------------------------------------------------------

/**
 * `W = torch.nn.Parameter(data)`: a Parameter (requiresGrad without asking) holding `data`, of
 * data's dtype.
 *
 * @example makeParameter(tensor([[1, 2, 3], [4, 5, 6]])) → Parameter containing tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
 */
export function makeParameter(data: Tensor): Parameter {
  // BEGIN SOLUTION parameter
  return new Parameter(data);
  // END SOLUTION
}

/**
 * Uses the Parameter: `W = makeParameter(data)` (shape [k, n]), `y = x·W` for x of shape [m, k]
 * (not a Parameter: x is the input), then `y.sum().backward()`. Returns y and ∂(Σy)/∂W, i.e. `W.grad`.
 *
 * @example data = [[1, 2, 3], [4, 5, 6]], x = [[1, 2]] → y [[9, 12, 15]], grad [[1, 1, 1], [2, 2, 2]]
 */
export function parameterGrad(data: Tensor, x: Tensor): { y: Variable | Tensor; grad: Variable | Tensor | null } {
  // BEGIN SOLUTION parameter
  const W = makeParameter(data);
  const y = variable(x).matmul(W);
  y.sum().backward();
  return { y, grad: W.grad };
  // END SOLUTION
}

// =============================================================================================
// Given code (do not change): how the tests look at the Variables you return. A Variable that
// crosses to the grader arrives as its values only, so the tests call these, which call your
// functions and add what autograd knows about each result.
// =============================================================================================

/** A returned value with its autograd flags. */
export interface VariableInfo {
  /** The values (a Variable's data, or the Tensor itself). */
  value: Tensor | null;
  /** Is it a Variable (of @dl/autograd)? A plain Tensor never requires gradients. */
  isVariable: boolean;
  /** Is it a Parameter (`new Parameter(...)`)? */
  isParameter: boolean;
  /** Does it require gradients (`requiresGrad`)? */
  requiresGrad: boolean;
  /** Is it a leaf (made by you, not computed from other Variables)? */
  isLeaf: boolean;
}

function describeValue(v: unknown): VariableInfo {
  if (v instanceof Variable) {
    return { value: v.data, isVariable: true, isParameter: v instanceof Parameter, requiresGrad: v.requiresGrad, isLeaf: v.isLeaf };
  }
  return { value: v instanceof Tensor ? v : null, isVariable: false, isParameter: false, requiresGrad: false, isLeaf: true };
}

/** Calls `makeTensors` and describes its three results. */
export function inspectMakeTensors(rows: number, cols: number, dtype: DType): { zeros: VariableInfo; ones: VariableInfo; x: VariableInfo } {
  const r = makeTensors(rows, cols, dtype);
  return { zeros: describeValue(r.zeros), ones: describeValue(r.ones), x: describeValue(r.x) };
}

/** Calls `makeParameter` and describes its result. */
export function inspectMakeParameter(data: Tensor): VariableInfo {
  return describeValue(makeParameter(data));
}
