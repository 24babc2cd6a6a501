/**
 * A small declarative command-line parser: each command lists its options (name, kind, default,
 * help line), and {@link parseOptions} turns `argv` into `{ name: value }` or throws a
 * {@link UsageError} that names the option, the value and what is expected.
 *
 * Accepted forms: `--name value`, `--name=value`, flags `--name` (and `--no-name` for flags whose
 * default is true), `--` ends the options (what follows is positional). `-h` is `--help`.
 *
 * ```ts
 * const spec: OptionSpec[] = [{ name: 'epochs', kind: 'int', min: 1, default: 10, metavar: 'N', help: 'passes' }];
 * parseOptions('train', spec, ['--epochs', '3'], { positionals: 0 }).values.epochs; // 3
 * parseOptions('train', spec, ['--epoch', '3'], { positionals: 0 });
 * // UsageError: dl train: unknown option '--epoch'; did you mean '--epochs'?
 * ```
 */
import { suggestKey } from '@dl/tensor';
import { UsageError } from './errors';

/** What an option's value is: whole number, any finite number, free string, one of `choices`, or a flag. */
export type OptionKind = 'int' | 'number' | 'string' | 'choice' | 'flag';

export type OptionValue = string | number | boolean | null;

export interface OptionSpec {
  /** The long name without dashes, kebab-case: `batch-size`. */
  name: string;
  kind: OptionKind;
  /** The allowed values of a `choice` option. */
  choices?: readonly string[];
  /** The value when the option is not given (null: "not given", the command decides). */
  default: OptionValue;
  /** Inclusive lower bound of `int` / `number` options. */
  min?: number;
  /** `number` options: the value must be strictly greater than `min` (e.g. a learning rate > 0). */
  exclusiveMin?: boolean;
  /** Upper bound of `int` / `number` options: inclusive, or strict with `exclusiveMax`. */
  max?: number;
  exclusiveMax?: boolean;
  /** The placeholder in the help text (`N`, `DIR`, `X`). */
  metavar?: string;
  /** One line of help. The default is appended unless `defaultText` replaces it. */
  help: string;
  /** How the default is shown in the help (when the plain value would mislead). */
  defaultText?: string;
}

export interface ParsedOptions {
  /** Every option of the spec, by its kebab-case name: the given value or the default. */
  values: Record<string, OptionValue>;
  /** The names of the options given on the command line. */
  given: Set<string>;
  positionals: string[];
  help: boolean;
}

/**
 * Parses `argv` (the words after the command) against `spec`.
 *
 * @param command the command's name, used in messages (`dl train: ...`)
 * @param positionals how many positional arguments are allowed: a number (at most that many) or
 *   `'any'`; their presence is checked by the caller.
 * @throws UsageError for an unknown option, a missing or malformed value, an option given twice or
 *   too many positional arguments.
 */
export function parseOptions(
  command: string,
  spec: readonly OptionSpec[],
  argv: readonly string[],
  opts: { positionals: number | 'any' },
): ParsedOptions {
  const byName = new Map(spec.map((o) => [o.name, o]));
  const values: Record<string, OptionValue> = {};
  for (const o of spec) values[o.name] = o.default;
  const given = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  const where = `dl ${command}`;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (word === '-h' || word === '--help') {
      help = true;
      continue;
    }
    if (!word.startsWith('-') || word === '-') {
      positionals.push(word);
      continue;
    }
    if (!word.startsWith('--')) {
      throw new UsageError(`${where}: unknown option '${word}' (options are long: --name value)${suggestion(word.replace(/^-+/, ''), byName)}`, command);
    }
    const eq = word.indexOf('=');
    const rawName = eq === -1 ? word.slice(2) : word.slice(2, eq);
    const inline = eq === -1 ? null : word.slice(eq + 1);
    let option = byName.get(rawName);
    let flagValue = true;
    if (option === undefined && rawName.startsWith('no-')) {
      const negated = byName.get(rawName.slice(3));
      if (negated !== undefined && negated.kind === 'flag') {
        option = negated;
        flagValue = false;
      }
    }
    if (option === undefined) {
      throw new UsageError(`${where}: unknown option '--${rawName}'${suggestion(rawName, byName)}`, command);
    }
    if (given.has(option.name)) {
      throw new UsageError(`${where}: --${option.name} is given twice; give it once`, command);
    }
    given.add(option.name);
    if (option.kind === 'flag') {
      if (inline !== null) {
        throw new UsageError(`${where}: --${rawName} is a flag and takes no value (got '${word}'); write just --${rawName}`, command);
      }
      values[option.name] = flagValue;
      continue;
    }
    let text: string;
    if (inline !== null) text = inline;
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`${where}: --${option.name} needs a value, e.g. --${option.name} ${example(option)}`, command);
      }
      text = next;
      i++;
    }
    values[option.name] = convert(where, option, text, command);
  }
  if (!help && opts.positionals !== 'any' && positionals.length > opts.positionals) {
    const extra = positionals.slice(opts.positionals);
    throw new UsageError(
      opts.positionals === 0
        ? `${where}: unexpected argument '${extra[0]}' (this command takes options only)`
        : `${where}: too many arguments: ${extra.map((p) => `'${p}'`).join(', ')}`,
      command,
    );
  }
  return { values, given, positionals, help };
}

function convert(where: string, o: OptionSpec, text: string, command: string): OptionValue {
  const bad = (expected: string): UsageError => new UsageError(`${where}: --${o.name} expects ${expected}, got '${text}'`, command);
  switch (o.kind) {
    case 'string':
      if (text.trim() === '') throw bad('a non-empty value');
      return text;
    case 'choice': {
      const choices = o.choices ?? [];
      if (choices.includes(text)) return text;
      const close = suggestKey(text, choices);
      throw bad(`one of ${choices.join(', ')}${close !== null ? ` (did you mean '${close}'?)` : ''}`);
    }
    case 'int': {
      if (!/^[+-]?\d+$/.test(text.trim())) throw bad(`a whole number${boundText(o)}`);
      const n = Number(text);
      if (!Number.isSafeInteger(n)) throw bad(`a whole number below 2^53`);
      checkBound(o, n, bad);
      return n;
    }
    case 'number': {
      const n = text.trim() === '' ? NaN : Number(text);
      if (!Number.isFinite(n)) throw bad(`a finite number${boundText(o)} (e.g. ${example(o)})`);
      checkBound(o, n, bad);
      return n;
    }
    case 'flag':
      return true;
  }
}

function checkBound(o: OptionSpec, n: number, bad: (expected: string) => UsageError): void {
  const low = o.min !== undefined && (o.exclusiveMin === true ? n <= o.min : n < o.min);
  const high = o.max !== undefined && (o.exclusiveMax === true ? n >= o.max : n > o.max);
  if (low || high) throw bad(`a ${o.kind === 'int' ? 'whole ' : ''}number${boundText(o)}`);
}

function boundText(o: OptionSpec): string {
  const low = o.min === undefined ? null : o.exclusiveMin === true ? `> ${o.min}` : `>= ${o.min}`;
  const high = o.max === undefined ? null : o.exclusiveMax === true ? `< ${o.max}` : `<= ${o.max}`;
  if (low !== null && high !== null) return ` ${low} and ${high}`;
  return low !== null ? ` ${low}` : high !== null ? ` ${high}` : '';
}

function example(o: OptionSpec): string {
  if (o.kind === 'choice') return (o.choices ?? [])[0] ?? '';
  if (typeof o.default === 'number') return String(o.default);
  if (o.kind === 'int') return String(Math.max(1, o.min ?? 1));
  if (o.kind === 'number') return '0.001';
  return o.metavar ?? 'VALUE';
}

/** `; did you mean '--name'?` for the option probably meant (@dl/tensor's suggestKey: case, a typo), or ''. */
function suggestion(name: string, byName: Map<string, OptionSpec>): string {
  const c = suggestKey(name, [...byName.keys()]);
  return c === null ? '' : `; did you mean '--${c}'?`;
}

/** The options block of a help text: one aligned line per option, with its default. */
export function formatOptionsHelp(spec: readonly OptionSpec[]): string {
  const heads = spec.map((o) => {
    if (o.kind === 'flag') return o.default === true ? `--no-${o.name}` : `--${o.name}`;
    const meta = o.kind === 'choice' ? (o.choices ?? []).join('|') : (o.metavar ?? 'VALUE');
    return `--${o.name} ${meta}`;
  });
  const width = Math.min(34, Math.max(...heads.map((h) => h.length)) + 2);
  return spec
    .map((o, i) => {
      const def =
        o.defaultText !== undefined
          ? ` (default: ${o.defaultText})`
          : o.kind === 'flag' || o.default === null
            ? ''
            : ` (default: ${String(o.default)})`;
      const head = heads[i];
      const text = `${o.help}${def}`;
      return head.length + 2 > width ? `  ${head}\n  ${' '.repeat(width)}${text}` : `  ${head.padEnd(width)}${text}`;
    })
    .join('\n');
}
