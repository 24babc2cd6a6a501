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
      // DOT's \n (a line break in the label) becomes a newline; other escapes drop their backslash
      nodes.set(node[1], { label: node[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)), shape: node[3], fillcolor: node[4] });
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

describe('toDot with values and gradients (the course draws its graphs with them)', () => {
  /** 2 apples at 100 yen and 3 oranges at 150 yen, with consumption tax 1.1. */
  function applesAndOranges() {
    const v = (x: number, name: string) => variable(x, { requiresGrad: true, dtype: 'float64', name });
    const apple = v(100, 'apple');
    const appleNum = v(2, 'apple_num');
    const orange = v(150, 'orange');
    const orangeNum = v(3, 'orange_num');
    const tax = v(1.1, 'tax');
    const appleTotal = apple.mul(appleNum);
    const orangeTotal = orange.mul(orangeNum);
    const total = appleTotal.add(orangeTotal);
    const price = total.mul(tax);
    price.name = 'price';
    return { apple, appleNum, orange, orangeNum, tax, appleTotal, orangeTotal, total, price };
  }
  /** The oval labels, split into their lines. */
  const ovalLabels = (dot: string): string[][] =>
    [...parseDot(dot).nodes.values()].filter((n) => n.shape === 'ellipse').map((n) => n.label.split('\n'));

  it('shows the forward values 200, 450, 650, 715 and, after backward, the gradients 2.2, 110, 3.3, 165, 650', () => {
    const g = applesAndOranges();
    g.price.backward();
    const dot = toDot(g.price, { values: true, grads: true });
    const labels = ovalLabels(dot);
    expect(labels).toHaveLength(9); // 5 leaves, 3 intermediate results, the price
    const byName = new Map(labels.filter((l) => l[0].includes(':')).map((l) => [l[0].split(':')[0], l.slice(1)]));
    // the leaves: value, then the gradient @dl computed (6 significant digits: 110.00000000000001 is 110)
    expect(byName.get('apple')).toEqual(['100', `grad ${g.apple.grad?.item()}`]);
    expect(byName.get('apple')).toEqual(['100', 'grad 2.2']);
    expect(byName.get('apple_num')).toEqual(['2', 'grad 110']);
    expect(byName.get('orange')).toEqual(['150', 'grad 3.3']);
    expect(byName.get('orange_num')).toEqual(['3', 'grad 165']);
    expect(byName.get('tax')).toEqual(['1.1', 'grad 650']);
    expect(g.price.item()).toBeCloseTo(715, 12);
    expect(byName.get('price')).toEqual(['715']); // an output keeps no .grad
    // the unnamed intermediate results carry their values
    const unnamed = labels.filter((l) => l[0].startsWith('[]')).map((l) => l.slice(1));
    expect(unnamed.sort()).toEqual([['200'], ['450'], ['650']]);
    expect(dot).toContain('label="apple: [] float64\\n100\\ngrad 2.2"');
    expect(dot).toContain('label="tax: [] float64\\n1.1\\ngrad 650"');
  });

  it('shows the gradients of intermediate results kept with retainGrad (1.1 for the totals, 1 for the price)', () => {
    const g = applesAndOranges();
    for (const r of [g.appleTotal, g.orangeTotal, g.total, g.price]) r.retainGrad();
    g.price.backward();
    const labels = ovalLabels(toDot(g.price, { verbose: false, values: true, grads: true }));
    expect(labels.map((l) => l.join(' | ')).sort()).toEqual(
      [
        '200 | grad 1.1',
        '450 | grad 1.1',
        '650 | grad 1.1',
        'price | 715 | grad 1',
        'apple | 100 | grad 2.2',
        'apple_num | 2 | grad 110',
        'orange | 150 | grad 3.3',
        'orange_num | 3 | grad 165',
        'tax | 1.1 | grad 650',
      ].sort(),
    );
  });

  it('values only, before backward: no gradient lines', () => {
    const g = applesAndOranges();
    const withGrads = toDot(g.price, { values: true, grads: true }); // nothing has a grad yet
    expect(withGrads).toBe(toDot(g.price, { values: true }));
    expect(withGrads).not.toContain('grad');
    const shown = ovalLabels(withGrads).map((l) => l.slice(1));
    expect(shown.map((l) => l.join()).sort()).toEqual(['1.1', '100', '150', '2', '200', '3', '450', '650', '715']);
  });

  it('leaves the output unchanged when the options are off', () => {
    const g = applesAndOranges();
    const before = toDot(g.price);
    g.price.backward();
    expect(toDot(g.price)).toBe(before);
    expect(toDot(g.price, { values: false, grads: false })).toBe(before);
    expect(before).not.toMatch(/\\n/);
    expect(toDot(g.price, { verbose: false, values: false })).toBe(toDot(g.price, { verbose: false }));
  });

  it('small tensors as arrays, larger ones as their shape; constants show their value too', () => {
    const x = variable([[1, 2], [3, 4.5]], { requiresGrad: true, dtype: 'float64', name: 'x' });
    const w = variable(Array.from({ length: 12 }, (_, i) => i / 3), { requiresGrad: true, dtype: 'float64', name: 'w' });
    const y = x.mul(2).sum().add(w.reshape(3, 4).sum());
    y.backward();
    const labels = ovalLabels(toDot(y, { values: true, grads: true }));
    expect(labels).toContainEqual(['x: [2, 2] float64', '[[1, 2], [3, 4.5]]', 'grad [[2, 2], [2, 2]]']);
    expect(labels).toContainEqual(['w: [12] float64', 'shape [12]', 'grad shape [12]']);
    expect(labels).toContainEqual(['[] float64', '2']); // the constant 2
    // 6 significant digits: 1/3 is not printed in full
    const z = variable([1 / 3, -2 / 3], { name: 'z' });
    expect(ovalLabels(toDot(z, { values: true }))).toEqual([['z: [2] float32', '[0.333333, -0.666667]']]);
    const b = variable([true, false], { name: 'mask' });
    expect(ovalLabels(toDot(b, { verbose: false, values: true }))).toEqual([['mask', '[true, false]']]);
    const nan = variable([NaN, Infinity], { name: 'bad' });
    expect(ovalLabels(toDot(nan, { verbose: false, values: true }))).toEqual([['bad', '[NaN, Infinity]']]);
  });

  it('escapes names (quotes, backslashes, line breaks) when values are shown', () => {
    const x = variable(3, { requiresGrad: true, dtype: 'float64', name: 'a "b" \\c\nd' });
    const dot = toDot(x.mul(x), { values: true });
    expect(dot).toContain('label="a \\"b\\" \\\\c\\nd: [] float64\\n3"');
    expect(parseDot(dot).nodes.size).toBe(3);
    expect(ovalLabels(dot)).toContainEqual(['a "b" \\c', 'd: [] float64', '3']);
  });
});
