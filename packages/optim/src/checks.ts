/**
 * Argument checks shared by the optimizers and schedulers: each throws a ValueError that names the
 * optimizer (or scheduler), the option, the bad value and the range it must be in.
 */
import { ValueError, checkOptions } from '@dl/tensor';
import { describe } from './optimizer';

export interface RangeOptions {
  /** Smallest allowed value (inclusive unless `minExclusive`). */
  min?: number;
  minExclusive?: boolean;
  /** Largest allowed value (inclusive unless `maxExclusive`). */
  max?: number;
  maxExclusive?: boolean;
  integer?: boolean;
  /** Allows Infinity (never NaN). */
  allowInfinity?: boolean;
  /** What the option is, for the message (e.g. 'the learning rate'). */
  what?: string;
}

/** Checks that `value` is a number in the range; returns it. */
export function checkNumber(where: string, name: string, value: unknown, range: RangeOptions = {}): number {
  const what = range.what ? ` (${range.what})` : '';
  if (typeof value !== 'number' || Number.isNaN(value) || (!range.allowInfinity && !Number.isFinite(value))) {
    throw new ValueError(`${where}: ${name}${what} must be a ${range.allowInfinity ? '' : 'finite '}number, got ${describe(value)}`);
  }
  if (range.integer && !Number.isInteger(value)) {
    throw new ValueError(`${where}: ${name}${what} must be an integer, got ${value}`);
  }
  const lo = range.min;
  const hi = range.max;
  const belowMin = lo !== undefined && (range.minExclusive ? value <= lo : value < lo);
  const aboveMax = hi !== undefined && (range.maxExclusive ? value >= hi : value > hi);
  if (belowMin || aboveMax) {
    const parts: string[] = [];
    if (lo !== undefined) parts.push(`${range.minExclusive ? '>' : '>='} ${lo}`);
    if (hi !== undefined) parts.push(`${range.maxExclusive ? '<' : '<='} ${hi}`);
    throw new ValueError(`${where}: invalid ${name}${what} ${value}; it must be ${parts.join(' and ')}`);
  }
  return value;
}

/** Checks that `value` is a boolean; returns it. */
export function checkBoolean(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValueError(`${where}: ${name} must be true or false, got ${describe(value)}`);
  return value;
}

/** Checks Adam's `betas`: two numbers in [0, 1). */
export function checkBetas(where: string, value: unknown): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new ValueError(`${where}: betas must be a pair [beta1, beta2] such as [0.9, 0.999], got ${describe(value)}`);
  }
  value.forEach((b, i) => checkNumber(where, `betas[${i}]`, b, { min: 0, max: 1, maxExclusive: true }));
  return [value[0], value[1]];
}

/** Checks that `value` is one of `choices`; returns it. */
export function checkChoice<T extends string>(where: string, name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ValueError(`${where}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/**
 * Rejects option keys the function does not know (typos, PyTorch's snake_case spellings): @dl/tensor's
 * checkOptions, shared by every package.
 */
export function checkKeys(where: string, options: object, known: readonly string[]): void {
  checkOptions(where, options, known);
}
