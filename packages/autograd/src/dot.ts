/**
 * Draws the computational graph as Graphviz DOT text: Variables are ovals (name, shape, dtype),
 * Functions are boxes, edges run from inputs through functions to outputs. Render with
 * `dot -Tpng graph.dot -o graph.png`.
 *
 * With `{ values: true, grads: true }` each oval also shows the Variable's value and, where it has
 * one, its `.grad`, as the course draws its graphs (the value above, the gradient below):
 *
 * ```ts
 * const y = x.mul(w).add(b);
 * y.backward();
 * fs.writeFileSync('graph.dot', toDot(y, { values: true, grads: true }));
 * ```
 */
import { checkOptions, type NestedArray, type Tensor } from '@dl/tensor';
import type { Function } from './function';
import type { Variable } from './variable';

export interface DotOptions {
  /** Also print shape and dtype of each Variable (default true). */
  verbose?: boolean;
  /**
   * Also print each Variable's value (default false): a scalar as a number, a tensor of up to
   * 8 elements as a (nested) array, a larger one as its shape only.
   * Numbers are shown to 6 significant digits (`715.0000000000001` is `715`).
   */
  values?: boolean;
  /** Also print each Variable's `.grad`, formatted as the values, where it has one (default false). */
  grads?: boolean;
}

/** The most elements a tensor may have for `values`/`grads` to print them; larger ones show their shape. */
const DOT_MAX_ELEMENTS = 8;

function formatNumber(x: number | boolean): string {
  if (typeof x === 'boolean') return String(x);
  if (!Number.isFinite(x) || Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

function formatNested(a: NestedArray): string {
  return Array.isArray(a) ? `[${a.map(formatNested).join(', ')}]` : formatNumber(a);
}

/** A tensor's value for a label: `715`, `[1, 2, 3]`, `[[1, 2], [3, 4]]`, or `shape [100, 784]`. */
function formatValue(t: Tensor): string {
  if (t.numel() > DOT_MAX_ELEMENTS) return `shape [${t.shape.join(', ')}]`;
  return formatNested(t.toArray());
}

/** Text for inside a DOT "..." string: backslashes and quotes escaped, line breaks as DOT's \\n. */
function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n');
}

export function toDot(output: Variable, opts: DotOptions = {}): string {
  checkOptions('toDot', opts, ['verbose', 'values', 'grads']);
  const verbose = opts.verbose ?? true;
  const values = opts.values ?? false;
  const grads = opts.grads ?? false;
  const ids = new Map<object, string>();
  const id = (o: object): string => {
    let v = ids.get(o);
    if (!v) {
      v = `n${ids.size}`;
      ids.set(o, v);
    }
    return v;
  };
  const lines: string[] = [];
  const seenVars = new Set<Variable>();
  const varNode = (v: Variable) => {
    if (seenVars.has(v)) return;
    seenVars.add(v);
    let label = v.name ?? '';
    if (verbose) label += `${label ? ': ' : ''}[${v.shape.join(', ')}] ${v.dtype}`;
    // DOT's \n (a backslash and an n, written after escaping) breaks the label into lines
    const parts = label ? [esc(label)] : [];
    if (values) parts.push(esc(formatValue(v.data)));
    if (grads && v.grad) parts.push(esc(`grad ${formatValue(v.grad.data)}`));
    const color = v.isLeaf ? (v.requiresGrad ? 'lightblue' : 'white') : 'orange';
    lines.push(`  ${id(v)} [label="${parts.join('\\n')}", shape=ellipse, style=filled, fillcolor=${color}];`);
  };
  const seenFns = new Set<Function>();
  const stack: Function[] = [];
  varNode(output);
  if (output.creator) stack.push(output.creator);
  while (stack.length > 0) {
    const f = stack.pop() as Function;
    if (seenFns.has(f)) continue;
    seenFns.add(f);
    lines.push(`  ${id(f)} [label="${esc(f.name)}", shape=box, style=filled, fillcolor=lightgrey];`);
    for (const o of f.outputs) {
      varNode(o);
      lines.push(`  ${id(f)} -> ${id(o)};`);
    }
    for (const x of f.inputs) {
      varNode(x);
      lines.push(`  ${id(x)} -> ${id(f)};`);
      if (x.creator) stack.push(x.creator);
    }
  }
  return `digraph g {\n${lines.join('\n')}\n}\n`;
}
