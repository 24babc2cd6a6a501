/**
 * Command-line parsing for dl-grade: `--name value` and `--name=value` options and flags, with
 * unknown options rejected (did-you-mean), so a mistyped option never changes grading silently.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  readonly positional: string[];
  readonly options: Map<string, string>;
  readonly flags: Set<string>;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

export function parseArgs(argv: readonly string[], valued: readonly string[], flags: readonly string[], command: string): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string>();
  const set = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (valued.includes(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new UsageError(`${command}: --${name} needs a value`);
      if (options.has(name)) throw new UsageError(`${command}: --${name} given twice`);
      options.set(name, v);
    } else if (flags.includes(name)) {
      if (eq > 0) throw new UsageError(`${command}: --${name} takes no value`);
      set.add(name);
    } else {
      const all = [...valued, ...flags];
      const best = all.map((o) => [o, distance(o, name)] as const).sort((x, y) => x[1] - y[1])[0];
      const hint = best && best[1] <= 3 ? ` (did you mean --${best[0]}?)` : '';
      throw new UsageError(`${command}: unknown option --${name}${hint}; options: ${all.map((o) => `--${o}`).join(', ')}`);
    }
  }
  return { positional, options, flags: set };
}
