/**
 * `Module`: the base class of every layer and model, as `torch.nn.Module`.
 *
 * A module owns parameters (trainable {@link Parameter}s), buffers (Tensors saved with the model
 * but not trained, such as BatchNorm's running mean) and child modules. Parameters and children
 * are found the way PyTorch finds them, by looking at the module's own properties: assign them in
 * the constructor (or as class fields) and they are registered, in that order.
 *
 * ```ts
 * class MLP extends Module {
 *   fc1 = new Linear(784, 300);
 *   fc2 = new Linear(300, 10);
 *   forward(x: Input): Variable {
 *     return this.fc2.call(relu(this.fc1.call(x)));
 *   }
 * }
 * const net = new MLP();
 * net.namedParameters().map(([n]) => n); // ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
 * const y = net.call(x);                  // runs the hooks, then forward
 * ```
 *
 * Parameters or modules kept in plain arrays or objects are not found (as in PyTorch): use
 * {@link ModuleList} / {@link ModuleDict}, or {@link Module.registerParameter} with a name.
 */
import { Parameter, Variable, noGrad } from '@dl/autograd';
import { DTypeError, Tensor, ShapeError, ValueError, checkOptions, type DType } from '@dl/tensor';

/** What modules accept as input: a Tensor (a constant) or a Variable. */
export type Input = Tensor | Variable;

/** `Record<name, tensor>` in PyTorch's order: each module's parameters, then its buffers, then its children's. */
export type StateDict = Record<string, Tensor>;

/** Returned by the hook registrations: `remove()` unregisters the hook. */
export interface HookHandle {
  remove(): void;
}

/** Called before forward with the inputs; may return replacement inputs (a list, or one Tensor/Variable for a single input). */
export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown[] | Input | void;
/** Called after forward with the inputs and output; may return a replacement output. */
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown;

export interface LoadStateDictOptions {
  /** Require the keys to match exactly (default true). Shapes must always match. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Wraps a Tensor input as a constant Variable; Variables pass through. */
export function asVariable(x: Input): Variable {
  if (x instanceof Variable) return x;
  if (x instanceof Tensor) return new Variable(x);
  throw new ValueError(`expected a Tensor or a Variable as module input, got ${x === null ? 'null' : typeof x}`);
}

export abstract class Module {
  /** Training mode (true) or evaluation mode (false): changes Dropout and BatchNorm. See {@link train}. */
  training = true;
  private readonly bufferNames = new Map<string, boolean>(); // name -> persistent
  private readonly preHooks = new Map<number, ForwardPreHook>();
  private readonly postHooks = new Map<number, ForwardHook>();
  private static nextHookId = 0;

  /** The computation: subclasses define it with the inputs they take. Call modules with {@link call}. */
  abstract forward(...inputs: never[]): unknown;

  /**
   * Runs the module: the forward pre-hooks, `forward`, then the forward hooks (PyTorch's
   * `module(x)`). `model.call(x)` and `model.forward(x)` give the same result when no hook is set.
   */
  call<M extends Module>(this: M, ...inputs: Parameters<M['forward']>): ReturnType<M['forward']> {
    let args: unknown[] = inputs;
    for (const h of this.preHooks.values()) {
      const r = h(this, args);
      if (r !== undefined) args = Array.isArray(r) ? r : [r]; // a single value replaces the one input (as PyTorch)
    }
    let out = (this.forward as (...a: unknown[]) => unknown)(...args);
    for (const h of this.postHooks.values()) {
      const r = h(this, args, out);
      if (r !== undefined) out = r;
    }
    return out as ReturnType<M['forward']>;
  }

  registerForwardPreHook(hook: ForwardPreHook): HookHandle {
    const id = Module.nextHookId++;
    this.preHooks.set(id, hook);
    return { remove: () => void this.preHooks.delete(id) };
  }

  registerForwardHook(hook: ForwardHook): HookHandle {
    const id = Module.nextHookId++;
    this.postHooks.set(id, hook);
    return { remove: () => void this.postHooks.delete(id) };
  }

  // ---- registration ----------------------------------------------------------------------------

  /** Adds a parameter under `name` (also reachable as `this[name]`); for names known only at run time. */
  registerParameter(name: string, param: Parameter | null): void {
    this.checkName('registerParameter', name);
    if (param !== null && !(param instanceof Parameter)) {
      throw new ValueError(`registerParameter('${name}'): expected a Parameter (wrap the tensor: new Parameter(t)) or null`);
    }
    this.setProperty(name, param);
  }

  /** Adds a child module under `name` (also reachable as `this[name]`). */
  registerModule(name: string, module: Module | null): void {
    this.checkName('registerModule', name);
    if (module !== null && !(module instanceof Module)) {
      throw new ValueError(`registerModule('${name}'): expected a Module or null`);
    }
    this.setProperty(name, module);
  }

  /**
   * Adds a buffer: a Tensor that is part of the module's state (moved by `to()`, saved by
   * `stateDict()` unless `persistent` is false) but not trained, e.g. BatchNorm's running mean.
   * Read and write it as `this[name]`.
   */
  registerBuffer(name: string, value: Tensor | null, opts: { persistent?: boolean } = {}): void {
    checkOptions('registerBuffer', opts, ['persistent']);
    this.checkName('registerBuffer', name);
    if (value !== null && !(value instanceof Tensor)) {
      throw new ValueError(`registerBuffer('${name}'): expected a Tensor or null`);
    }
    this.bufferNames.set(name, opts.persistent ?? true);
    this.setProperty(name, value);
  }

  private checkName(op: string, name: string): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new ValueError(`${op}: name must be a non-empty string without '.', got '${String(name)}'`);
    }
    // as PyTorch: a name may not shadow another attribute (a method, `training`, a getter, ...);
    // a declared but unset field (undefined), null or an earlier registration may be replaced
    if (name in this) {
      const own = Object.prototype.hasOwnProperty.call(this, name);
      const cur: unknown = Reflect.get(this, name);
      const replaceable =
        own && (cur === undefined || cur === null || cur instanceof Parameter || cur instanceof Module || cur instanceof Tensor);
      if (!replaceable) {
        throw new ValueError(`${op}: attribute '${name}' already exists on ${this.constructor.name}; choose another name`);
      }
    }
  }

  private setProperty(name: string, value: unknown): void {
    (this as unknown as Record<string, unknown>)[name] = value;
  }

  private ownEntries(): [string, unknown][] {
    return Object.entries(this);
  }

  // ---- traversal -------------------------------------------------------------------------------

  /** This module's own parameters (not its children's), in registration order. */
  namedOwnParameters(): [string, Parameter][] {
    return this.ownEntries().filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  /** This module's own buffers, in registration order (null ones left out). */
  namedOwnBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const name of this.bufferNames.keys()) {
      const v = (this as unknown as Record<string, unknown>)[name];
      if (v instanceof Tensor) out.push([name, v]);
    }
    return out;
  }

  /** Direct children with their names. */
  namedChildren(): [string, Module][] {
    return this.ownEntries().filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and all below it, depth first, each once: `['', root], ['fc1', ...], ...`. */
  namedModules(prefix = '', seen = new Set<Module>()): [string, Module][] {
    if (seen.has(this)) return [];
    seen.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) {
      out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name, seen));
    }
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Every parameter with its dotted name (`'0.weight'`, `'fc1.bias'`); a shared one appears once. */
  namedParameters(opts: { prefix?: string; recurse?: boolean } = {}): [string, Parameter][] {
    checkOptions('namedParameters', opts, ['prefix', 'recurse']);
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    const mods: [string, Module][] = opts.recurse === false ? [[opts.prefix ?? '', this]] : this.namedModules(opts.prefix ?? '');
    for (const [mp, m] of mods) {
      for (const [n, p] of m.namedOwnParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([mp ? `${mp}.${n}` : n, p]);
      }
    }
    return out;
  }

  /** The parameters to hand to an optimizer: `new Adam(model.parameters())`. */
  parameters(opts: { recurse?: boolean } = {}): Parameter[] {
    checkOptions('parameters', opts, ['recurse']);
    return this.namedParameters(opts).map(([, p]) => p);
  }

  namedBuffers(opts: { prefix?: string; recurse?: boolean } = {}): [string, Tensor][] {
    checkOptions('namedBuffers', opts, ['prefix', 'recurse']);
    const out: [string, Tensor][] = [];
    const mods: [string, Module][] = opts.recurse === false ? [[opts.prefix ?? '', this]] : this.namedModules(opts.prefix ?? '');
    for (const [mp, m] of mods) {
      for (const [n, b] of m.namedOwnBuffers()) out.push([mp ? `${mp}.${n}` : n, b]);
    }
    return out;
  }

  buffers(opts: { recurse?: boolean } = {}): Tensor[] {
    checkOptions('buffers', opts, ['recurse']);
    return this.namedBuffers(opts).map(([, b]) => b);
  }

  // ---- modes and gradients -----------------------------------------------------------------------

  /** Sets training mode (true) or evaluation mode (false) here and in every child; returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (sets `.grad` to null, PyTorch's `set_to_none=True`). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Turns gradient tracking of every parameter on or off (freezing a part of a model); returns this. */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /** Calls `fn` on every child (recursively), then on this module, as PyTorch's `apply`; returns this. */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Converts every floating-point parameter and buffer to `dtype` (in place: the Parameter objects stay); returns this. */
  to(dtype: DType): this {
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new ValueError(`Module.to: only floating-point dtypes are supported for parameters, got ${dtype}`);
    }
    for (const m of this.modules()) {
      for (const [, p] of m.namedOwnParameters()) {
        if (p.data.dtype !== dtype) {
          p.data = p.data.to(dtype);
          if (p.grad !== null) p.grad = new Variable(p.grad.data.to(dtype));
        }
      }
      for (const [n, b] of m.namedOwnBuffers()) {
        if ((b.dtype === 'float32' || b.dtype === 'float64') && b.dtype !== dtype) m.setProperty(n, b.to(dtype));
      }
    }
    return this;
  }

  /** `to('float64')`: what `gradcheck` needs. */
  double(): this {
    return this.to('float64');
  }

  /** `to('float32')`. */
  float(): this {
    return this.to('float32');
  }

  // ---- state -------------------------------------------------------------------------------------

  /**
   * The module's state as `{ name: tensor }`: parameters and persistent buffers, in PyTorch's
   * order, sharing storage with the module (save it, or copy it with `.clone()`).
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [mp, m] of this.namedModules()) {
      const pre = mp ? `${mp}.` : '';
      for (const [n, p] of m.namedOwnParameters()) out[pre + n] = p.data;
      for (const [n, b] of m.namedOwnBuffers()) if (m.bufferNames.get(n)) out[pre + n] = b;
    }
    return out;
  }

  /**
   * Copies `sd` into the parameters and buffers (in place, so optimizers keep working). Every
   * shape must match; with `strict` (the default) the keys must match too. Floating-point values
   * are converted to each parameter's floating-point dtype (float32 <-> float64); any other dtype
   * change (an int32 or bool tensor for a float32 weight, a float for an int32 counter) is a
   * DTypeError naming the tensor and both dtypes: such a state dict is damaged or not a state dict
   * of this model, and its bytes would load as garbage.
   */
  loadStateDict(sd: StateDict, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    checkOptions('loadStateDict', opts, ['strict']);
    const strict = opts.strict ?? true;
    const targets = new Map<string, { get: () => Tensor; set: (t: Tensor) => void }>();
    for (const [mp, m] of this.namedModules()) {
      const pre = mp ? `${mp}.` : '';
      for (const [n, p] of m.namedOwnParameters()) targets.set(pre + n, { get: () => p.data, set: (t) => void p.data.copy_(t) });
      for (const [n] of m.namedOwnBuffers()) {
        if (!m.bufferNames.get(n)) continue;
        targets.set(pre + n, {
          get: () => (m as unknown as Record<string, Tensor>)[n],
          set: (t) => void (m as unknown as Record<string, Tensor>)[n].copy_(t),
        });
      }
    }
    const missingKeys = [...targets.keys()].filter((k) => !(k in sd));
    const unexpectedKeys = Object.keys(sd).filter((k) => !targets.has(k));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts: string[] = [];
      if (missingKeys.length) parts.push(`missing keys: ${missingKeys.map((k) => `'${k}'`).join(', ')}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.map((k) => `'${k}'`).join(', ')}`);
      throw new ValueError(
        `loadStateDict(${this.constructor.name}): ${parts.join('; ')}. Check that the state dict comes from the same ` +
          'architecture, or pass { strict: false } to load the matching keys only',
      );
    }
    const mismatched: string[] = [];
    const wrongDtype: string[] = [];
    const kind = (d: DType): string => (d === 'float32' || d === 'float64' ? 'float' : d);
    for (const [k, t] of targets) {
      if (!(k in sd)) continue;
      const src = sd[k];
      if (!(src instanceof Tensor)) throw new ValueError(`loadStateDict: '${k}' is not a Tensor`);
      const cur = t.get();
      if (src.shape.length !== cur.shape.length || src.shape.some((s, i) => s !== cur.shape[i])) {
        mismatched.push(`'${k}': checkpoint [${src.shape.join(', ')}], model [${cur.shape.join(', ')}]`);
      }
      if (kind(src.dtype) !== kind(cur.dtype)) wrongDtype.push(`'${k}': checkpoint ${src.dtype}, model ${cur.dtype}`);
    }
    if (mismatched.length > 0) {
      throw new ShapeError(
        `loadStateDict(${this.constructor.name}): size mismatch for ${mismatched.join('; ')}. ` +
          'The checkpoint was made for a model with other layer sizes',
      );
    }
    if (wrongDtype.length > 0) {
      throw new DTypeError(
        `loadStateDict(${this.constructor.name}): dtype mismatch for ${wrongDtype.join('; ')}. ` +
          'The state dict is damaged or not made for this model (float weights can only be loaded from float32 or float64 tensors)',
      );
    }
    noGrad(() => {
      for (const [k, t] of targets) if (k in sd) t.set(sd[k]);
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ----------------------------------------------------------------------------------

  /** The constructor arguments shown by `toString()`, e.g. `in_features=784, out_features=300, bias=True`. */
  extraRepr(): string {
    return '';
  }

  /** PyTorch's module printout: the name, `extraRepr()` and the children, indented. */
  toString(): string {
    const children = this.namedChildren();
    const name = this.constructor.name;
    if (children.length === 0) return `${name}(${this.extraRepr()})`;
    const lines: string[] = [];
    const extra = this.extraRepr();
    if (extra) lines.push(...extra.split('\n'));
    for (const [n, c] of children) lines.push(`(${n}): ${c.toString().split('\n').join('\n  ')}`);
    return `${name}(\n  ${lines.join('\n  ')}\n)`;
  }
}
