/**
 * Test-only helpers for the property-based gradient checks of layers (excluded from the build).
 */
import fc from 'fast-check';
import { Variable, enableGrad, gradcheck, type GradcheckOptions } from '@dl/autograd';
import { Generator, Tensor, randn, zerosLike } from '@dl/tensor';
import type { Module } from '../module';

/** Number of fast-check runs for a layer's gradcheck: modest, the machine is shared. */
export const RUNS = 25;

/** A float64 leaf of `shape` with N(0, scale^2) values drawn from `seed`. */
export function leaf(shape: readonly number[], seed: number, scale = 1, requiresGrad = true): Variable {
  return new Variable(randn(shape, { dtype: 'float64', generator: new Generator(seed) }).mul(scale), { requiresGrad });
}

/**
 * A float64 leaf whose values are distinct and at least 0.05 apart (a shuffled grid plus a little
 * noise), so that max pooling has a clear winner in every window for central differences.
 */
export function distinctLeaf(shape: readonly number[], seed: number): Variable {
  const g = new Generator(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const vals = Float64Array.from(order, (o) => (o - n / 2) * 0.1 + 0.02 * g.uniform());
  return new Variable(new Tensor(vals, shape), { requiresGrad: true });
}

/** A seed for the value generators. */
export const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/**
 * gradcheck of `forward(module, ...inputs)` with respect to the inputs that require grad and every
 * parameter of the module (made float64 first). Throws the GradcheckError on failure.
 */
export function gradcheckModule(
  module: Module,
  inputs: Variable[],
  forward: (...xs: Variable[]) => Variable,
  opts: GradcheckOptions = {},
): boolean {
  module.double();
  const xs = inputs.filter((x) => x.requiresGrad);
  const params = module.parameters().filter((p) => p.requiresGrad);
  return gradcheck(() => forward(...inputs), [...xs, ...params], opts);
}

/**
 * `(...xs) => [df/dx_0, df/dx_1, ...]` for a scalar `f`, by `backward({ createGraph: true })`, so the
 * gradients are differentiable functions of xs: gradcheck of it checks second derivatives. Runs in
 * grad mode and restores each x's `.grad`.
 */
export function gradOf(f: (...xs: Variable[]) => Variable): (...xs: Variable[]) => Variable[] {
  return (...xs: Variable[]) =>
    enableGrad(() => {
      const saved = xs.map((x) => x.grad);
      xs.forEach((x) => (x.grad = null));
      try {
        f(...xs).backward({ createGraph: true });
        return xs.map((x) => x.grad ?? new Variable(zerosLike(x.data)));
      } finally {
        xs.forEach((x, i) => (x.grad = saved[i]));
      }
    });
}
