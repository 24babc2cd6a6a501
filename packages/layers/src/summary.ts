/**
 * `summary(model, inputShape)`: a Keras-style table of a model's layers, their output shapes and
 * parameter counts, found by running one forward pass on a generated input.
 *
 * ```ts
 * const model = new Sequential(new Linear(784, 300), new ReLU(), new Linear(300, 10));
 * console.log(summary(model, [1, 784]));
 * // Model: Sequential
 * // Input shape: [1, 784]
 * // =====================================================
 * // Layer (type)            Output Shape          Param #
 * // =====================================================
 * // 0 (Linear)              [1, 300]              235,500
 * // 1 (ReLU)                [1, 300]              0
 * // 2 (Linear)              [1, 10]               3,010
 * // =====================================================
 * // Total params: 238,510
 * // Trainable params: 238,510
 * // Non-trainable params: 0
 * // -----------------------------------------------------
 * ```
 */
import { Variable, noGrad } from '@dl/autograd';
import { Generator, Tensor, ValueError, checkOptions, fmtShape, optionKeys, randn, zeros, type DType } from '@dl/tensor';
import { Module, type HookHandle } from './module';

export interface SummaryOptions {
  /**
   * dtype of the generated input(s): by default the dtype of the model's first parameter (float32
   * for a model without parameters). 'int32' gives zeros, e.g. token ids for an Embedding.
   */
  dtype?: DType;
}

const SUMMARY_OPTIONS = optionKeys<SummaryOptions>({ dtype: true });

/** One row of the table: a module that is a leaf (no children) or owns parameters directly. */
interface Row {
  name: string;
  module: Module;
  output: string;
}

function isShape(v: unknown): v is readonly number[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'number');
}

/** Formats a module output: `[N, C]` for a tensor, tuples in parentheses, objects by key. */
function describeOutput(out: unknown, top = true): string {
  if (out instanceof Variable || out instanceof Tensor) return fmtShape(out.shape);
  if (Array.isArray(out)) {
    const inner = out.map((o) => describeOutput(o, false)).join(', ');
    return top ? inner : `(${inner})`;
  }
  if (out !== null && typeof out === 'object') {
    return `{${Object.entries(out)
      .map(([k, v]) => `${k}: ${describeOutput(v, false)}`)
      .join(', ')}}`;
  }
  return '-';
}

function countOf(ps: Variable[]): number {
  return ps.reduce((a, p) => a + p.numel(), 0);
}

/** `1234567` -> `'1,234,567'`. */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Runs `model` once on `input` (a shape like `[1, 784]` including the batch dim, several shapes for
 * a model with several inputs, or actual Tensors/Variables) and returns the table: for each leaf
 * module (and each module owning parameters directly), in the order they were first called, its
 * dotted name and type, output shape and parameter count; then the total, trainable
 * (`requiresGrad`) and non-trainable parameter counts (each shared parameter counted once).
 *
 * The pass runs in evaluation mode under `noGrad`, with forward hooks, on a random normal input
 * from a private generator: the model's state (modes, BatchNorm statistics, the global random
 * generator) is left as it was. Modules that were not called are listed last with output '-'.
 */
export function summary(model: Module, input: readonly number[] | readonly (readonly number[])[] | Tensor | Variable | readonly (Tensor | Variable)[], opts: SummaryOptions = {}): string {
  if (!(model instanceof Module)) throw new ValueError('summary: the first argument must be a Module');
  checkOptions('summary', opts, SUMMARY_OPTIONS);
  const params = model.parameters();
  const dtype: DType = opts.dtype ?? params[0]?.dtype ?? 'float32';
  const gen = new Generator(0);
  const make = (shape: readonly number[]): Tensor => {
    if (!shape.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new ValueError(`summary: an input shape must be a list of sizes >= 0 (with the batch dim), got ${JSON.stringify(shape)}`);
    }
    return dtype === 'float32' || dtype === 'float64' ? randn(shape, { dtype, generator: gen }) : zeros(shape, { dtype });
  };
  let inputs: (Tensor | Variable)[];
  if (input instanceof Tensor || input instanceof Variable) inputs = [input];
  else if (isShape(input)) inputs = [make(input)];
  else if (Array.isArray(input) && input.every(isShape)) inputs = (input as readonly (readonly number[])[]).map(make);
  else if (Array.isArray(input) && input.every((x) => x instanceof Tensor || x instanceof Variable)) inputs = [...(input as (Tensor | Variable)[])];
  else throw new ValueError('summary: input must be a shape (e.g. [1, 784]), a list of shapes, or Tensors/Variables');

  const named = model.namedModules();
  const nameOf = new Map(named.map(([n, m]) => [m, n]));
  const listed = named.filter(([, m]) => m.children().length === 0 || m.namedOwnParameters().length > 0).map(([, m]) => m);
  const rows = new Map<Module, Row>();
  const modes = named.map(([, m]) => m.training);
  const hooks: HookHandle[] = listed.map((m) =>
    m.registerForwardHook((mod, _inputs, output) => {
      if (!rows.has(mod)) rows.set(mod, { name: nameOf.get(mod) ?? '', module: mod, output: describeOutput(output) });
    }),
  );
  try {
    model.eval();
    noGrad(() => (model.call as (...a: unknown[]) => unknown).apply(model, inputs));
  } finally {
    hooks.forEach((h) => h.remove());
    named.forEach(([, m], i) => (m.training = modes[i]));
  }
  for (const m of listed) if (!rows.has(m)) rows.set(m, { name: nameOf.get(m) ?? '', module: m, output: '-' });

  const table = [...rows.values()].map((r) => {
    const type = r.module.constructor.name;
    const own = r.module.children().length === 0 ? r.module.parameters() : r.module.parameters({ recurse: false });
    return [r.name ? `${r.name} (${type})` : type, r.output, thousands(countOf(own))];
  });
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  const w0 = Math.max(24, ...table.map((r) => r[0].length + 4));
  const w1 = Math.max(22, ...table.map((r) => r[1].length + 4));
  const w2 = Math.max(header[2].length, ...table.map((r) => r[2].length));
  const line = (r: string[]) => (r[0].padEnd(w0) + r[1].padEnd(w1) + r[2]).trimEnd();
  const width = w0 + w1 + w2;
  const trainable = countOf(params.filter((p) => p.requiresGrad));
  const total = countOf(params);
  return [
    `Model: ${model.constructor.name}`,
    `Input shape: ${inputs.map((x) => fmtShape(x.shape)).join(', ')}`,
    '='.repeat(width),
    line(header),
    '='.repeat(width),
    ...table.map(line),
    '='.repeat(width),
    `Total params: ${thousands(total)}`,
    `Trainable params: ${thousands(trainable)}`,
    `Non-trainable params: ${thousands(total - trainable)}`,
    '-'.repeat(width),
  ].join('\n');
}
