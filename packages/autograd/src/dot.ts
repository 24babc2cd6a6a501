/**
 * Draws the computational graph as Graphviz DOT text: Variables are ovals (name, shape, dtype),
 * Functions are boxes, edges run from inputs through functions to outputs. Render with
 * `dot -Tpng graph.dot -o graph.png`.
 *
 * ```ts
 * const y = x.mul(w).add(b);
 * fs.writeFileSync('graph.dot', toDot(y));
 * ```
 */
import { checkOptions } from '@dl/tensor';
import type { Function } from './function';
import type { Variable } from './variable';

export interface DotOptions {
  /** Also print shape and dtype of each Variable (default true). */
  verbose?: boolean;
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

export function toDot(output: Variable, opts: DotOptions = {}): string {
  checkOptions('toDot', opts, ['verbose']);
  const verbose = opts.verbose ?? true;
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
    const color = v.isLeaf ? (v.requiresGrad ? 'lightblue' : 'white') : 'orange';
    lines.push(`  ${id(v)} [label="${esc(label)}", shape=ellipse, style=filled, fillcolor=${color}];`);
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
