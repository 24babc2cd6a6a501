/**
 * Helpers shared by the public and hidden tests of assignment 02 (computational graphs and
 * backpropagation). Students get this file with the public tests: it holds no expected values.
 */
import type { Check, Student, TensorValue, Value } from '@dl/grader';

export type Tv = TensorValue;

export function isRecord(v: Value): v is { readonly [k: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !('$tensor' in v);
}

export function isTensor(v: Value): v is Tv {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { $tensor?: unknown }).$tensor === true;
}

/** Compares one input's gradient; a missing gradient gets a hint (backward must return Variables). */
export function closeGrad(check: Check, got: Value | undefined, want: Value, label: string | { en: string; ja: string }, opts?: { atol?: number; rtol?: number }): boolean {
  if (got === null || got === undefined) {
    const l = typeof label === 'string' ? { en: label, ja: label } : label;
    return check.fail({
      en: `${l.en}: your backward gave no gradient for this input (return a Variable, or an array with one Variable per input; a Tensor is not accepted)`,
      ja: `${l.ja}: backward がこの入力の勾配を返していません (Variable を1つ、または入力ごとに Variable を1つずつ並べた配列を返してください。Tensor は使えません)`,
    });
  }
  return check.close(got, want, label, opts);
}

/** Σ out ⊙ g, or null when `out` is not a tensor of g's size. */
export function weightedSum(out: Value, g: Tv): number | null {
  const data = typeof out === 'number' ? [out] : isTensor(out) ? out.data : null;
  if (data === null || data.length !== g.data.length) return null;
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i] * g.data[i];
  return s;
}

/**
 * One fresh node of `cls`: forward(x, y), then backward(dout) on that same instance (backward uses
 * what forward saved). Returns [out, ∂L/∂x, ∂L/∂y], or fails the check and returns null when
 * backward does not return an array of two values.
 */
export async function forwardBackward(student: Student, check: Check, cls: 'MulLayer' | 'AddLayer', x: number, y: number, dout: number): Promise<[Value, Value, Value] | null> {
  const [out, grads] = await student.callMethods(cls, [], [
    { method: 'forward', args: [x, y] },
    { method: 'backward', args: [dout] },
  ]);
  if (!Array.isArray(grads) || grads.length !== 2) {
    check.fail({
      en: `${cls}: after forward(${x}, ${y}), backward(${dout}) must return an array of two numbers [∂L/∂x, ∂L/∂y]`,
      ja: `${cls}: forward(${x}, ${y}) のあとの backward(${dout}) は2つの数の配列 [∂L/∂x, ∂L/∂y] を返してください`,
    });
    return null;
  }
  return [out, grads[0], grads[1]];
}

export function withElement(t: Tv, i: number, v: number): Tv {
  const data = [...t.data];
  data[i] = v;
  return { ...t, data };
}

/**
 * Central-difference gradients of Σ forward(inputs) ⊙ gradOutput with respect to the inputs in
 * `wrt`, computed by calling the student's forward (forwardOnly) at perturbed points.
 */
export async function numericalGrads(student: Student, cls: string, inputs: Tv[], gradOutput: Tv, wrt: number[], check: Check, eps = 1e-6): Promise<(Tv | null)[]> {
  const out: (Tv | null)[] = inputs.map(() => null);
  for (const k of wrt) {
    const data: number[] = [];
    for (let i = 0; i < inputs[k].data.length; i++) {
      const x = inputs[k].data[i];
      const at = async (v: number) => {
        const args = inputs.map((t, j) => (j === k ? withElement(t, i, v) : t));
        const r = await student.applyFunction(cls, { inputs: args, forwardOnly: true });
        return weightedSum(r.output, gradOutput);
      };
      const plus = await at(x + eps);
      const minus = await at(x - eps);
      if (plus === null || minus === null) {
        check.fail({ en: `${cls}: forward must return a tensor of shape [${gradOutput.shape.join(', ')}]`, ja: `${cls}: forward は形状 [${gradOutput.shape.join(', ')}] のテンソルを返してください` });
        return out;
      }
      data.push((plus - minus) / (2 * eps));
    }
    out[k] = { ...inputs[k], data };
  }
  return out;
}
