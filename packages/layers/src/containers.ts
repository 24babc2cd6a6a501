/**
 * Containers: `Sequential` (a chain), `ModuleList` (an indexable list) and `ModuleDict` (a map),
 * which register the modules they hold, so that their parameters are found by `parameters()`.
 *
 * ```ts
 * const mlp = new Sequential(new Linear(784, 300), new ReLU(), new Linear(300, 10));
 * mlp.call(x);                       // x -> Linear -> ReLU -> Linear
 * mlp.namedParameters()[0][0];       // '0.weight'
 * ```
 */
import { ValueError, IndexError } from '@dl/tensor';
import type { Variable } from '@dl/autograd';
import { Module, asVariable, type Input } from './module';

/** A module that maps one input to one output: what Sequential chains. */
export interface UnaryModule {
  call(x: Input): Variable;
}

function checkModule(op: string, m: unknown, i: number | string): Module {
  if (!(m instanceof Module)) throw new ValueError(`${op}: element ${i} is not a Module`);
  return m;
}

/**
 * Applies its modules in order: `y = m_k(... m_1(m_0(x)))`. Each module must take one input and
 * return one Variable (Linear, ReLU, Conv2d, Flatten, ...).
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => this.registerModule(String(i), checkModule('Sequential', m, i)));
  }

  get length(): number {
    return this.children().length;
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    const c = this.children();
    const j = i < 0 ? i + c.length : i;
    if (!Number.isInteger(j) || j < 0 || j >= c.length) {
      throw new IndexError(`Sequential.at: index ${i} is out of range for ${c.length} modules`);
    }
    return c[j];
  }

  /** Adds a module at the end; returns this. */
  append(m: Module): this {
    this.registerModule(String(this.length), checkModule('Sequential.append', m, this.length));
    return this;
  }

  forward(x: Input): Variable {
    let h: Input = x;
    for (const m of this.children()) h = (m as unknown as UnaryModule).call(h);
    return asVariable(h); // an empty Sequential returns its input, as a Variable
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}

/** A list of modules whose parameters are registered (`'0.weight'`, `'1.weight'`, ...); it has no forward. */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  get length(): number {
    return this.children().length;
  }

  at(i: number): Module {
    const c = this.children();
    const j = i < 0 ? i + c.length : i;
    if (!Number.isInteger(j) || j < 0 || j >= c.length) {
      throw new IndexError(`ModuleList.at: index ${i} is out of range for ${c.length} modules`);
    }
    return c[j];
  }

  append(m: Module): this {
    this.registerModule(String(this.length), checkModule('ModuleList.append', m, this.length));
    return this;
  }

  forward(): never {
    throw new ValueError('ModuleList has no forward: iterate over it and call the modules it holds');
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}

/** A string-keyed map of modules, registered under their keys (keep insertion order; keys must not be numbers). */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }

  set(key: string, m: Module): this {
    if (/^\d+$/.test(key)) throw new ValueError(`ModuleDict: key '${key}' must not be an integer (JS would reorder it)`);
    if (key in this && !(this.get(key) instanceof Module)) {
      throw new ValueError(`ModuleDict: key '${key}' clashes with a property of ModuleDict`);
    }
    this.registerModule(key, checkModule('ModuleDict', m, key));
    return this;
  }

  get(key: string): Module | undefined {
    return this.namedChildren().find(([k]) => k === key)?.[1];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  keys(): string[] {
    return this.namedChildren().map(([k]) => k);
  }

  values(): Module[] {
    return this.children();
  }

  entries(): [string, Module][] {
    return this.namedChildren();
  }

  get size(): number {
    return this.children().length;
  }

  forward(): never {
    throw new ValueError('ModuleDict has no forward: look modules up with get(key) and call them');
  }
}
