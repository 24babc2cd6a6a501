/**
 * `Function`: one differentiable operation in the define-by-run graph (DeZero's design).
 *
 * A subclass gives `forward` on Tensors and `backward` on Variables: `backward(gy)` receives the
 * gradient of the loss with respect to each output and returns the gradient with respect to each
 * input (`gx`), or null for inputs that need none. Because backward is written with Variable ops,
 * running it with grad mode on (`createGraph`) records a graph of the gradient itself, which gives
 * higher-order derivatives.
 *
 * ```ts
 * class Square extends Function {
 *   forward(x: Tensor): Tensor { return x.mul(x); }
 *   backward(gy: Variable): Variable { const [x] = this.inputs; return gy.mul(x).mul(2); }
 * }
 * const y = new Square().apply(variable([3], { requiresGrad: true })); // y = 9, dy/dx = 6
 * ```
 */
import type { Tensor } from '@dl/tensor';
import { isGradEnabled } from './mode';
import { Variable, toVariable, type VariableLike } from './variable';

export type BackwardResult = Variable | null | readonly (Variable | null)[];

export abstract class Function {
  /** The input Variables, kept while the graph lives (empty when no graph was recorded). */
  inputs: Variable[] = [];
  /** The output Variables. */
  outputs: Variable[] = [];
  /** max generation of the inputs: backward visits functions from the highest generation down. */
  generation = 0;
  private released = false;

  /** Computes the outputs from the inputs' data. */
  abstract forward(...xs: Tensor[]): Tensor | Tensor[];

  /** Maps the outputs' gradients to the inputs' gradients. */
  abstract backward(...gys: Variable[]): BackwardResult;

  /** Name shown in graphs and printing (the class name by default). */
  get name(): string {
    return this.constructor.name;
  }

  /** Runs forward and, when grad mode is on and an input requires grad, records the graph. */
  apply(...inputs: VariableLike[]): Variable {
    return this.applyMulti(...inputs)[0];
  }

  /** Like `apply` for functions with several outputs. */
  applyMulti(...inputs: VariableLike[]): Variable[] {
    const vars = inputs.map((v) => toVariable(v));
    const out = this.forward(...vars.map((v) => v.data));
    const tensors = Array.isArray(out) ? out : [out];
    const record = isGradEnabled() && vars.some((v) => v.requiresGrad);
    const outputs = tensors.map((t) => new Variable(t, { requiresGrad: record }));
    if (record) {
      this.inputs = vars;
      this.outputs = outputs;
      this.generation = Math.max(...vars.map((v) => v.generation));
      for (const o of outputs) o.setCreator(this);
    }
    return outputs;
  }

  /** True once a backward pass without `retainGraph` went through this function. */
  get isReleased(): boolean {
    return this.released;
  }

  /**
   * Called after backward unless `retainGraph` is set: marks the function as used so a second
   * backward fails clearly. Subclasses holding large saved tensors may override it to drop them
   * (call `super.release()`).
   */
  release(): void {
    this.released = true;
  }
}
