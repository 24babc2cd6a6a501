/**
 * Assignment 01: perceptrons and logic gates (パーセプトロンと論理ゲート).
 *
 * Write your code between the `// BEGIN SOLUTION <task>` and `// END SOLUTION` lines of each
 * function (in the copy you were given, each of those places holds a `throw new Error(...)` line:
 * replace it). Keep the names and the signatures: the grader calls these exports by name.
 *
 * Every output is the number 0 or 1 (not `true` / `false`).
 *
 * Convention of this assignment (see the README): a unit fires when its weighted sum plus bias is
 * strictly greater than 0, `y = 1 if w1*x1 + w2*x2 + b > 0 else 0`, as on the course's perceptron
 * slides. The tests never evaluate a unit exactly at 0, so the other slide's `>= 0` also passes.
 */

// ---------------------------------------------------------------------------------------------
// Task `step`: the step function (ステップ関数), the perceptron's activation function.
// ---------------------------------------------------------------------------------------------

/**
 * The step function: 1 when x > 0, and 0 when x < 0.
 *
 * (At x = 0 the course gives both 0 and 1; either answer is accepted.)
 *
 * @example step(2.5) === 1; step(-0.1) === 0
 */
export function step(x: number): number {
  // BEGIN SOLUTION step
  return x > 0 ? 1 : 0;
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Task `perceptron`: a simple perceptron (単純パーセプトロン) with two inputs and a bias.
// ---------------------------------------------------------------------------------------------

/**
 * A simple perceptron with weights w1, w2 and bias b:
 * `y = 1 if w1*x1 + w2*x2 + b > 0 else 0`.
 *
 * The inputs may be any real numbers (not only 0 and 1).
 *
 * @example perceptron(1, 1, 1.0, 1.0, -1.5) === 1; perceptron(1, 0, 1.0, 1.0, -1.5) === 0
 */
export function perceptron(x1: number, x2: number, w1: number, w2: number, b: number): number {
  // BEGIN SOLUTION perceptron
  return step(w1 * x1 + w2 * x2 + b);
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Task `bias`: the threshold θ and the bias b = -θ (バイアスの導入).
// ---------------------------------------------------------------------------------------------

/**
 * The perceptron in its first form, with a threshold (閾値) θ:
 * `y = 1 if w1*x1 + w2*x2 > theta else 0` ("fires when the weighted sum exceeds the threshold").
 *
 * @example perceptronTheta(1, 0, 1.0, 1.0, 0.5) === 1
 */
export function perceptronTheta(x1: number, x2: number, w1: number, w2: number, theta: number): number {
  // BEGIN SOLUTION bias
  return w1 * x1 + w2 * x2 > theta ? 1 : 0;
  // END SOLUTION
}

/**
 * Converts the threshold form (w1, w2, θ) into the bias form (w1, w2, b) of the same perceptron.
 *
 * @example thetaToBias(1.0, 1.0, 0.5) → { w1: 1.0, w2: 1.0, b: -0.5 }
 */
export function thetaToBias(w1: number, w2: number, theta: number): { w1: number; w2: number; b: number } {
  // BEGIN SOLUTION bias
  return { w1, w2, b: -theta };
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Task `gates`: AND, NAND and OR gates as perceptrons (inputs and outputs are 0 or 1).
// ---------------------------------------------------------------------------------------------

/** AND gate: 1 only when both inputs are 1. Build it with `perceptron` and weights you choose. */
export function AND(x1: number, x2: number): number {
  // BEGIN SOLUTION gates
  return perceptron(x1, x2, 1.0, 1.0, -1.5);
  // END SOLUTION
}

/** NAND gate (NOT AND): 0 only when both inputs are 1. */
export function NAND(x1: number, x2: number): number {
  // BEGIN SOLUTION gates
  return perceptron(x1, x2, -1.0, -1.0, 1.5);
  // END SOLUTION
}

/** OR gate: 1 when at least one input is 1. */
export function OR(x1: number, x2: number): number {
  // BEGIN SOLUTION gates
  return perceptron(x1, x2, 1.0, 1.0, -0.5);
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Task `and-weights`: choose the parameters of an AND perceptron yourself (単純パーセプトロンの学習).
// ---------------------------------------------------------------------------------------------

/**
 * Returns parameters (w1, w2, b) with which the perceptron `y = 1 if w1*x1 + w2*x2 + b > 0`
 * reproduces the AND teacher data A (0,0 → 0), B (1,0 → 0), C (0,1 → 0), D (1,1 → 1).
 * Any parameters that do so are accepted.
 */
export function andWeights(): { w1: number; w2: number; b: number } {
  // BEGIN SOLUTION and-weights
  return { w1: 1.0, w2: 1.0, b: -1.5 };
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Task `xor`: XOR by a two-layer perceptron (多層パーセプトロン): s1 = NAND, s2 = OR, y = AND(s1, s2).
// ---------------------------------------------------------------------------------------------

/**
 * The two layers of the XOR perceptron, with every intermediate value:
 * first layer s1 = NAND(x1, x2) and s2 = OR(x1, x2); second layer y = AND(s1, s2).
 *
 * @example xorLayers(1, 0) → { s1: 1, s2: 1, y: 1 }
 */
export function xorLayers(x1: number, x2: number): { s1: number; s2: number; y: number } {
  // BEGIN SOLUTION xor
  const s1 = NAND(x1, x2);
  const s2 = OR(x1, x2);
  return { s1, s2, y: AND(s1, s2) };
  // END SOLUTION
}

/** XOR gate: 1 when exactly one input is 1. (Use the two layers above.) */
export function XOR(x1: number, x2: number): number {
  // BEGIN SOLUTION xor
  return xorLayers(x1, x2).y;
  // END SOLUTION
}
