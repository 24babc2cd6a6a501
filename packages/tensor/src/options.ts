/**
 * Checks of option objects, shared by every @dl package (tensor ops, autograd functions, layers,
 * losses, optimizers, data, metrics): an option key the function does not know is an error, never
 * silently ignored, and the message suggests the key that was probably meant, PyTorch's snake_case
 * spelling (`ignore_index` -> `ignoreIndex`) or a typo (`bais` -> `bias`):
 *
 * ```ts
 * const LINEAR_OPTIONS = optionKeys<LinearOptions>({ bias: true, dtype: true, generator: true });
 * checkOptions('Linear', { bais: false }, LINEAR_OPTIONS);
 * // ValueError: Linear: unknown option 'bais' (did you mean 'bias'?); the options are bias, dtype, generator
 * ```
 */
import { ValueError } from './errors';

/**
 * The keys of an options interface, as a list for {@link checkOptions}. The compiler checks that
 * the object names every key of `T` and no other, so the list cannot drift from the interface.
 */
export function optionKeys<T extends object>(keys: { readonly [K in keyof Required<T>]: true }): readonly (keyof T & string)[] {
  return Object.keys(keys) as (keyof T & string)[];
}

/**
 * Throws a ValueError naming `where` (the class or function), the unknown key, the key that was
 * probably meant ({@link suggestKey}) and the known keys, when `options` has a key not in `known`.
 * `undefined` stands for no options; anything that is not a plain object (null, an array, a
 * number) is an error too. Returns the options for chaining.
 */
export function checkOptions<T>(where: string, options: T, known: readonly string[]): T {
  if (options === undefined) return options;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    const example = known.length > 0 ? `{ ${known[0]}: ... }` : '{}';
    throw new ValueError(`${where}: options must be an object such as ${example}, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = suggestKey(key, known);
    const list = known.length > 0 ? `the options are ${known.join(', ')}` : 'it takes no options';
    throw new ValueError(`${where}: unknown option '${key}'${hint !== null ? ` (did you mean '${hint}'?)` : ''}; ${list}`);
  }
  return options;
}

/**
 * The known key that `key` was probably meant to be: the same letters up to case and underscores
 * (`weight_decay` for `weightDecay`, `Bias` for `bias`), or else the nearest by
 * {@link closest} (a typo such as `bais` or `strid`); null when nothing is close.
 */
export function suggestKey(key: string, known: readonly string[]): string | null {
  const norm = (s: string): string => s.replace(/_/g, '').toLowerCase();
  const same = known.find((k) => norm(k) === norm(key));
  if (same !== undefined) return same;
  const byNorm = new Map(known.map((k) => [norm(k), k] as const));
  const near = closest(norm(key), [...byNorm.keys()]);
  return near === null ? null : (byNorm.get(near) as string);
}

/**
 * The candidate nearest to `word` by {@link editDistance} (ignoring case) when it is near enough
 * to be a typo (at most one edit per four letters, at least one), or one that `word` begins;
 * otherwise null.
 */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === null || word === '') return null;
  const limit = Math.max(1, Math.floor(Math.max(word.length, best.length) / 4));
  return bestD <= limit || best.toLowerCase().startsWith(word.toLowerCase()) ? best : null;
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment): insertions, deletions,
 * substitutions and swaps of two neighbours cost 1, so `bais` is 1 away from `bias`.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** A short description of a value for messages: `null`, `5`, `'abc'`, `an array of 3`. */
function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v;
}
