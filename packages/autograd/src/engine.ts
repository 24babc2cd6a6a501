/**
 * The backward pass. Starting from the output, functions are taken from a max-heap keyed by
 * generation, so each function runs only after every function that uses its outputs has added its
 * contribution: the gradient of a Variable used twice is the sum of both paths (DeZero, step 16).
 */
import { Tensor, ShapeError, ValueError, fmtShape, zerosLike } from '@dl/tensor';
import type { Function } from './function';
import { withGradMode } from './mode';
import { Variable as VariableClass, type Variable } from './variable';

export interface EngineOptions {
  createGraph: boolean;
  retainGraph: boolean;
}

/** A binary max-heap of functions by generation. */
class FunctionHeap {
  private items: Function[] = [];
  private seen = new Set<Function>();

  push(f: Function): void {
    if (this.seen.has(f)) return;
    this.seen.add(f);
    const a = this.items;
    a.push(f);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].generation >= a[i].generation) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }

  pop(): Function | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].generation > a[m].generation) m = l;
        if (r < a.length && a[r].generation > a[m].generation) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

function accumulate(prev: Variable | null | undefined, g: Variable): Variable {
  return prev ? prev.add(g) : g;
}

export function runBackward(output: Variable, gy: Variable, opts: EngineOptions): void {
  withGradMode(opts.createGraph, () => {
    const grads = new Map<Variable, Variable>();
    if (output.isLeaf) {
      output.grad = output.grad ? output.grad.add(gy) : ownGrad(gy, opts.createGraph);
      return;
    }
    grads.set(output, gy);
    const heap = new FunctionHeap();
    heap.push(output.creator as Function);
    for (let f = heap.pop(); f !== undefined; f = heap.pop()) {
      const gys = f.outputs.map((o) => {
        const g = grads.get(o);
        grads.delete(o);
        if (g && o.retainsGrad) o.grad = accumulate(o.grad, g);
        return g ?? null;
      });
      if (gys.every((g) => g === null)) continue;
      if (f.isReleased) {
        throw new ValueError(
          `backward: trying to backward through the graph a second time (through ${f.name}); its saved values were ` +
            'freed after the first backward. Pass { retainGraph: true } to the first backward() to keep them',
        );
      }
      // outputs without a gradient contribute zeros
      const filled = gys.map((g, i) => g ?? zerosFor(f.outputs[i]));
      const gxs = backwardResults(f, f.backward(...filled));
      if (!opts.retainGraph) f.release();
      f.inputs.forEach((x, i) => {
        const gx = gxs[i] ?? null;
        if (gx === null || !x.requiresGrad) return;
        if (gx.ndim !== x.ndim || gx.shape.some((s, k) => s !== x.shape[k])) {
          throw new ShapeError(
            `backward: ${f.name}.backward returned a gradient of shape ${fmtShape(gx.shape)} for input ${i} ` +
              `of shape ${fmtShape(x.shape)}; a gradient must have its input's shape`,
          );
        }
        if (x.isLeaf) x.grad = x.grad ? x.grad.add(gx) : ownGrad(gx, opts.createGraph);
        else {
          grads.set(x, accumulate(grads.get(x), gx));
          heap.push(x.creator as Function);
        }
      });
    }
  });
}

/**
 * What a Function's backward returned, as one gradient (or null) per input. A Tensor is taken as
 * a constant gradient (as PyTorch's custom Functions return tensors); anything else, or more
 * gradients than inputs, is an error naming the Function: a subclass written by a student must
 * not have its gradients silently dropped.
 */
function backwardResults(f: Function, result: unknown): (Variable | null)[] {
  const one = (g: unknown, i: number): Variable | null => {
    if (g === null || g === undefined) return null;
    if (g instanceof VariableClass) return g;
    if (g instanceof Tensor) return new VariableClass(g);
    const what = typeof g === 'object' ? (g as object).constructor?.name ?? 'object' : typeof g;
    throw new ValueError(
      `backward: ${f.name}.backward returned ${Array.isArray(g) ? 'a nested array' : `a ${what}`} as the gradient of input ${i}; ` +
        'return a Variable (or a Tensor, or null for no gradient) per input, e.g. `return gy.mul(2)` or `return [gx, gw]`',
    );
  };
  const list = Array.isArray(result) ? result : [result];
  if (list.length > f.inputs.length) {
    throw new ValueError(`backward: ${f.name}.backward returned ${list.length} gradients for ${f.inputs.length} input(s); return one per input`);
  }
  return list.map(one);
}

/**
 * The first gradient a leaf receives may be a view shared with other leaves (e.g. both inputs of
 * an add get the same gy); give the leaf its own contiguous copy so that in-place updates of one
 * `.grad` (clipping, optimizers) cannot change another. With createGraph the Variable is kept as
 * is, since it carries the graph of the gradient.
 */
function ownGrad(g: Variable, createGraph: boolean): Variable {
  return createGraph ? g : new VariableClass(g.data.clone());
}

function zerosFor(v: Variable): Variable {
  return new VariableClass(zerosLike(v.data));
}
