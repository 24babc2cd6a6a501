/**
 * toDot: the computational graph as Graphviz DOT text, checked on the course's 42-example
 * f(x1, x2, x3) = (x1 - 2 x2 - 1)^2 + (x2 x3 - 1)^2 + 1.
 */
import type { Tensor } from '@dl/tensor';
import { Function, Variable, toDot, variable } from './index';

interface DotNode {
  label: string;
  shape: string;
  fillcolor: string;
}

interface ParsedDot {
  nodes: Map<string, DotNode>;
  edges: [string, string][];
}

/** A small parser for the subset of DOT that toDot writes (checks every line has a known form). */
function parseDot(dot: string): ParsedDot {
  const lines = dot.trimEnd().split('\n');
  expect(lines[0]).toBe('digraph g {');
  expect(lines[lines.length - 1]).toBe('}');
  const nodes = new Map<string, DotNode>();
  const edges: [string, string][] = [];
  for (const line of lines.slice(1, -1)) {
    const node = /^ {2}(n\d+) \[label="((?:[^"\\]|\\.)*)", shape=(\w+), style=filled, fillcolor=(\w+)\];$/.exec(line);
    const edge = /^ {2}(n\d+) -> (n\d+);$/.exec(line);
    if (node) {
      expect(nodes.has(node[1])).toBe(false); // each node declared once
      nodes.set(node[1], { label: node[2].replace(/\\(.)/g, '$1'), shape: node[3], fillcolor: node[4] });
    } else if (edge) {
      edges.push([edge[1], edge[2]]);
    } else {
      throw new Error(`unexpected DOT line: ${line}`);
    }
  }
  return { nodes, edges };
}

function example42(): { x1: Variable; x2: Variable; x3: Variable; y: Variable } {
  const v = (x: number, name: string) => variable(x, { requiresGrad: true, dtype: 'float64', name });
  const [x1, x2, x3] = [v(1, 'x1'), v(2, 'x2'), v(3, 'x3')];
  const y = x1.sub(x2.mul(2)).sub(1).pow(2).add(x2.mul(x3).sub(1).pow(2)).add(1);
  y.name = 'y';
  return { x1, x2, x3, y };
}

const idOfLabel = (g: ParsedDot, label: string): string => {
  const ids = [...g.nodes].filter(([, n]) => n.label === label || n.label.startsWith(`${label}: `)).map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0];
};

describe('toDot on the 42-example', () => {
  const { y } = example42();
  const dot = toDot(y);
  const g = parseDot(dot);
  const boxes = [...g.nodes].filter(([, n]) => n.shape === 'box');
  const ovals = [...g.nodes].filter(([, n]) => n.shape === 'ellipse');

  it('is valid DOT: starts with digraph, braces balanced, every edge between declared nodes', () => {
    expect(dot.startsWith('digraph')).toBe(true);
    expect(y.item()).toBe(42);
    let depth = 0;
    for (const ch of dot) {
      if (ch === '{') depth++;
      if (ch === '}') depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
    expect((dot.match(/\{/g) ?? []).length).toBe(1);
    for (const [a, b] of g.edges) {
      expect(g.nodes.has(a)).toBe(true);
      expect(g.nodes.has(b)).toBe(true);
    }
    expect(g.nodes.size).toBe(boxes.length + ovals.length);
  });

  it('has one box per Function in the graph, labelled with its class', () => {
    // x2*2, x1-., .-1, .^2, x2*x3, .-1, .^2, .+., .+1
    expect(boxes).toHaveLength(9);
    const byClass: Record<string, number> = {};
    for (const [, n] of boxes) byClass[n.label] = (byClass[n.label] ?? 0) + 1;
    expect(byClass).toEqual({ Add: 2, Sub: 3, Pow: 2, Mul: 2 });
    // the same count by walking the graph
    const seen = new Set<Function>();
    const walk = (v: Variable) => {
      const f = v.creator;
      if (!f || seen.has(f)) return;
      seen.add(f);
      f.inputs.forEach(walk);
    };
    walk(y);
    expect(seen.size).toBe(boxes.length);
  });

  it('has one oval per Variable: 3 named leaves, 6 scalar constants, 9 intermediate results', () => {
    expect(ovals).toHaveLength(18);
    const colors = ovals.map(([, n]) => n.fillcolor);
    expect(colors.filter((c) => c === 'lightblue')).toHaveLength(3); // leaves requiring grad
    expect(colors.filter((c) => c === 'white')).toHaveLength(6); // constants 2, 1, 2, 1, 2, 1
    expect(colors.filter((c) => c === 'orange')).toHaveLength(9); // function outputs, y included
    for (const [, n] of ovals) expect(n.label).toMatch(/\[\] float64$/);
  });

  it('names of named Variables appear, with shape and dtype', () => {
    for (const name of ['x1', 'x2', 'x3', 'y']) expect(dot).toContain(`label="${name}: [] float64"`);
    expect(g.nodes.get(idOfLabel(g, 'y'))?.fillcolor).toBe('orange');
    expect(g.nodes.get(idOfLabel(g, 'x1'))?.fillcolor).toBe('lightblue');
  });

  it('edges run from inputs to functions to outputs', () => {
    // 9 binary functions: 18 input edges and 9 output edges
    expect(g.edges).toHaveLength(27);
    const isBox = (id: string) => g.nodes.get(id)?.shape === 'box';
    for (const [a, b] of g.edges) expect(isBox(a)).not.toBe(isBox(b)); // bipartite
    for (const [id] of boxes) {
      expect(g.edges.filter(([, b]) => b === id)).toHaveLength(2); // two inputs each
      expect(g.edges.filter(([a]) => a === id)).toHaveLength(1); // one output each
    }
    // no duplicate edges
    expect(new Set(g.edges.map((e) => e.join('->'))).size).toBe(g.edges.length);

    const yId = idOfLabel(g, 'y');
    expect(g.edges.filter(([a]) => a === yId)).toHaveLength(0); // the output feeds nothing
    const into = g.edges.filter(([, b]) => b === yId);
    expect(into).toHaveLength(1);
    expect(g.nodes.get(into[0][0])?.label).toBe('Add');

    // x2 is one node used by both Muls; x1 feeds a Sub; x3 feeds the Mul that x2 also feeds
    const x1 = idOfLabel(g, 'x1');
    const x2 = idOfLabel(g, 'x2');
    const x3 = idOfLabel(g, 'x3');
    const targets = (id: string) => g.edges.filter(([a]) => a === id).map(([, b]) => b);
    expect(targets(x2).map((f) => g.nodes.get(f)?.label)).toEqual(['Mul', 'Mul']);
    expect(targets(x1).map((f) => g.nodes.get(f)?.label)).toEqual(['Sub']);
    expect(targets(x3)).toHaveLength(1);
    expect(targets(x2)).toContain(targets(x3)[0]);
    for (const leaf of [x1, x2, x3]) expect(g.edges.filter(([, b]) => b === leaf)).toHaveLength(0);

    // following edges from x3 reaches y: x3 -> Mul -> . -> Sub -> . -> Pow -> . -> Add -> . -> Add -> y
    let path = [x3];
    let cur = x3;
    while (targets(cur).length > 0) {
      cur = targets(cur)[0];
      path.push(cur);
    }
    expect(cur).toBe(yId);
    path = path.filter(isBox);
    expect(path.map((id) => g.nodes.get(id)?.label)).toEqual(['Mul', 'Sub', 'Pow', 'Add', 'Add']);
  });

  it('verbose: false prints names only', () => {
    const q = parseDot(toDot(y, { verbose: false }));
    expect(q.nodes.size).toBe(g.nodes.size);
    expect(q.edges).toHaveLength(27);
    const labels = [...q.nodes.values()].filter((n) => n.shape === 'ellipse').map((n) => n.label);
    expect(labels.filter((l) => l !== '').sort()).toEqual(['x1', 'x2', 'x3', 'y']);
  });
});

describe('toDot on other graphs', () => {
  it('a leaf alone is a single oval', () => {
    const x = variable([1, 2], { requiresGrad: true, name: 'x' });
    const g = parseDot(toDot(x));
    expect([...g.nodes.values()]).toEqual([{ label: 'x: [2] float32', shape: 'ellipse', fillcolor: 'lightblue' }]);
    expect(g.edges).toHaveLength(0);
  });

  it('a two-output Function is one box with two output edges', () => {
    class SinCos extends Function {
      forward(x: Tensor): Tensor[] {
        return [x.sin(), x.cos()];
      }
      backward(gs: Variable, gc: Variable): Variable {
        const [x] = this.inputs;
        return gs.mul(x.cos()).sub(gc.mul(x.sin()));
      }
    }
    const x = variable([0.5], { requiresGrad: true, dtype: 'float64', name: 'x' });
    const [s, c] = new SinCos().applyMulti(x);
    const y = s.add(c);
    const g = parseDot(toDot(y));
    const sc = [...g.nodes].filter(([, n]) => n.label === 'SinCos');
    expect(sc).toHaveLength(1);
    expect(g.edges.filter(([a]) => a === sc[0][0])).toHaveLength(2);
    expect(g.nodes.size).toBe(6); // x, SinCos, s, c, Add, y
  });

  it('escapes quotes and backslashes in names', () => {
    const x = variable([1], { requiresGrad: true, name: 'say "hi" \\o/' });
    const dot = toDot(x.mul(2));
    expect(dot).toContain('label="say \\"hi\\" \\\\o/: [1] float32"');
    expect(parseDot(dot).nodes.size).toBe(4);
  });
});
