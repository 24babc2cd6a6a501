/**
 * Dropout: in training, zero each element with probability `p` and scale the survivors by
 * `1 / (1 - p)` (inverted dropout, so evaluation needs no rescaling); identity in evaluation mode.
 *
 * ```ts
 * const drop = new Dropout(0.5);
 * drop.call(x);           // training: about half the elements 0, the others doubled
 * drop.eval().call(x);    // evaluation: x unchanged
 * ```
 */
import { Variable, mul } from '@dl/autograd';
import { Tensor, ValueError, allocStorage, checkOptions, defaultGenerator, optionKeys, type Generator } from '@dl/tensor';
import { floatInput, pyNumber } from './checks';
import { Module, type Input } from './module';

function checkP(label: string, p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new ValueError(`${label}: the dropout probability p must be between 0 and 1, got ${p}`);
  }
}

/**
 * Functional dropout: `y = x * m / (1 - p)` with `m ~ Bernoulli(1 - p)` drawn from `generator`
 * (default: the global one, seeded by `manualSeed`) when `training`; `y = x` otherwise. p = 1 gives zeros.
 *
 * ```ts
 * const y = dropout(x, 0.2, true, new Generator(42)); // reproducible mask
 * ```
 */
export function dropout(x: Input, p = 0.5, training = true, generator?: Generator): Variable {
  checkP('dropout', p);
  const v = floatInput('dropout', x, null);
  if (!training || p === 0) return v;
  // one pass: the mask already holds 0 or 1 / (1 - p)
  const g = generator ?? defaultGenerator;
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const mask = allocStorage(v.dtype, v.numel());
  for (let i = 0; i < mask.length; i++) mask[i] = g.uniform() < 1 - p ? scale : 0;
  return mul(v, new Variable(new Tensor(mask, v.shape)));
}

export interface DropoutOptions {
  /** Generator for the masks (default: the global one, seeded by `manualSeed`). */
  generator?: Generator;
}

const DROPOUT_OPTIONS = optionKeys<DropoutOptions>({ generator: true });

/**
 * Randomly zeroes elements with probability `p` during training and scales the rest by
 * `1 / (1 - p)`; the identity in evaluation mode (`model.eval()`).
 *
 * Shapes: any -> the same.
 *
 * ```ts
 * const drop = new Dropout(0.5, { generator: new Generator(0) });
 * drop.toString(); // 'Dropout(p=0.5, inplace=False)'
 * ```
 */
export class Dropout extends Module {
  readonly p: number;
  /** The generator masks are drawn from; null means the global one at call time. */
  generator: Generator | null;

  constructor(p = 0.5, opts: DropoutOptions = {}) {
    super();
    checkOptions('Dropout', opts, DROPOUT_OPTIONS);
    checkP('Dropout', p);
    this.p = p;
    this.generator = opts.generator ?? null;
  }

  forward(x: Input): Variable {
    return dropout(x, this.p, this.training, this.generator ?? undefined);
  }

  override extraRepr(): string {
    return `p=${pyNumber(this.p, true)}, inplace=False`;
  }
}
