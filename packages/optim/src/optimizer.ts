/**
 * `Optimizer`: the base class of SGD, Adam, ... (as `torch.optim.Optimizer`).
 *
 * An optimizer holds **parameter groups**: each group is a list of parameters plus its own copy of
 * the options (`lr`, `momentum`, ...). Options not given for a group come from the defaults passed
 * to the constructor. Groups are plain objects, readable and writable: learning-rate schedulers
 * change `group.lr` between steps.
 *
 * ```ts
 * const opt = new SGD(
 *   [{ params: backbone.parameters(), lr: 1e-3 }, { params: head.parameters() }],
 *   { lr: 1e-2, momentum: 0.9 },
 * );
 * opt.paramGroups[1].lr;        // 0.01 (from the defaults)
 * opt.zeroGrad();               // every .grad = null
 * loss.backward();
 * opt.step();                   // p.data updated in place, under noGrad
 * const saved = opt.stateDict(); // { state: { 0: { step, momentumBuffer }, ... }, paramGroups: [...] }
 * ```
 *
 * Each optimizer keeps a per-parameter state (`step` count and buffers such as Adam's `expAvg`),
 * created lazily at the parameter's first update. The buffers are plain typed arrays of the
 * parameter's dtype, and the updates are single loops over the parameter's contiguous storage
 * (no temporaries): a step of Adam over a quarter million float32 weights is one pass.
 */
import { Variable, noGrad, enableGrad } from '@dl/autograd';
import { Tensor, ShapeError, ValueError, fmtShape, suggestKey, zerosLike } from '@dl/tensor';

/** The storage of a float parameter, of its gradient and of the optimizer's buffers for it. */
export type FloatArray = Float32Array | Float64Array;

/** The options every optimizer has. */
export interface GroupOptions {
  /** Learning rate. */
  lr: number;
}

/**
 * Keys that learning-rate schedulers store in a parameter group (PyTorch's `initial_lr`,
 * `max_lr`, `min_lr`, `max_momentum`, `base_momentum`).
 */
export interface SchedulerGroupFields {
  initialLr?: number;
  maxLr?: number;
  minLr?: number;
  maxMomentum?: number;
  baseMomentum?: number;
}

/** A parameter group as the optimizer keeps it: the parameters and every option, resolved. */
export type ParamGroup<O extends GroupOptions = GroupOptions> = O & SchedulerGroupFields & { params: Variable[] };

/** A parameter group as given to the constructor or `addParamGroup`: options not given come from the defaults. */
export type ParamGroupSpec<O extends GroupOptions = GroupOptions> = Partial<O> &
  SchedulerGroupFields & { params: Iterable<Variable> | Variable };

/** What optimizers accept: parameters (`model.parameters()`) or parameter groups. */
export type ParamsInput<O extends GroupOptions = GroupOptions> = Iterable<Variable> | Iterable<ParamGroupSpec<O>>;

/**
 * The per-parameter state: how many updates it has had and its named buffers (`expAvg`,
 * `momentumBuffer`, ...), typed arrays of the parameter's dtype and size, in row-major order.
 */
export interface ParamState {
  step: number;
  buffers: Record<string, FloatArray>;
}

/** One parameter's saved state: `step` and a Tensor (of the parameter's shape) per buffer. */
export interface ParamStateDict {
  step: number;
  [buffer: string]: Tensor | number;
}

/** Values of a saved parameter group's options. */
export type GroupStateValue = number | boolean | string | readonly number[];

/** A saved parameter group: its options, and `params` as indices into the optimizer's parameters. */
export interface ParamGroupStateDict {
  params: number[];
  [option: string]: GroupStateValue;
}

/**
 * `optimizer.stateDict()`: PyTorch's structure with @dl's names. `state` is keyed by the index of
 * the parameter (counting through the groups in order); parameters never updated have no entry.
 */
export interface OptimizerStateDict {
  state: Record<number, ParamStateDict>;
  paramGroups: ParamGroupStateDict[];
}

/** The buffers an optimizer keeps per parameter: those it needs, and those it may have. */
export interface BufferSpec {
  required: readonly string[];
  optional?: readonly string[];
}

/** The storage of one parameter during an update, with its gradient and state. */
export interface ParamView {
  /** The parameter (for its dtype and shape). */
  param: Variable;
  /** The parameter's elements, written in place (a contiguous copy for non-contiguous parameters, written back after). */
  data: FloatArray;
  /** The gradient's elements, contiguous, same length and dtype as `data`. */
  grad: FloatArray;
  state: ParamState;
}

const SCHEDULER_KEYS: readonly string[] = ['initialLr', 'maxLr', 'minLr', 'maxMomentum', 'baseMomentum'];

export abstract class Optimizer<O extends GroupOptions = GroupOptions> {
  private readonly options: O;
  private readonly lrRequired: boolean;
  /** The parameter groups, in order. Options are writable (schedulers set `lr`). */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** How many times `step()` ran (schedulers use it to warn about the call order). */
  stepCount = 0;
  private readonly paramState = new Map<Variable, ParamState>();

  /**
   * @param params the parameters, or parameter groups `{ params, ...options }`
   * @param defaults every option's value for groups that do not set it
   */
  protected constructor(params: ParamsInput<O>, defaults: O, opts: { lrRequired?: boolean } = {}) {
    this.options = { ...defaults };
    this.lrRequired = opts.lrRequired ?? false;
    if (params instanceof Variable || params instanceof Tensor) {
      throw new ValueError(
        `${this.name}: params must be an array of parameters or of parameter groups, got a single ` +
          `${params instanceof Variable ? 'Variable' : 'Tensor'}; wrap it: new ${this.name}([p], ...)`,
      );
    }
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new ValueError(
        `${this.name}: params must be an array of parameters (e.g. model.parameters()) or of parameter groups, got ${describe(params)}`,
      );
    }
    const list: unknown[] = Array.from(params as Iterable<unknown>);
    if (list.length === 0) {
      throw new ValueError(
        `${this.name}: got an empty parameter list; pass the parameters to train (e.g. model.parameters(); ` +
          'does the model have any?)',
      );
    }
    if (list[0] instanceof Variable) this.addGroup({ params: list });
    else for (const g of list) this.addGroup(g);
  }

  /**
   * The options used for groups that do not give their own (a copy). SGD without a default lr has
   * `lr: NaN` here.
   */
  get defaults(): Readonly<O> {
    return this.copyOfDefaults();
  }

  /** The optimizer's name in messages (its class name). */
  get name(): string {
    return this.constructor.name;
  }

  /** The state of every parameter updated so far (read it; do not replace its buffers). */
  get state(): ReadonlyMap<Variable, ParamState> {
    return this.paramState;
  }

  /**
   * Adds a parameter group (fine-tuning: unfreeze layers and add them with their own `lr`).
   * Options it does not give come from the defaults; a parameter may be in one group only.
   */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    this.addGroup(spec);
  }

  private addGroup(spec: unknown): void {
    const gi = this.paramGroups.length;
    const where = `${this.name}: parameter group ${gi}`;
    if (spec === null || typeof spec !== 'object' || spec instanceof Variable || !('params' in spec)) {
      throw new ValueError(
        `${where} must be an object { params, ...options } (or pass a plain array of parameters), got ${describe(spec)}`,
      );
    }
    const raw: unknown = spec.params;
    let params: Variable[];
    if (raw instanceof Variable) params = [raw];
    else if (raw !== null && typeof raw === 'object' && typeof (raw as Iterable<unknown>)[Symbol.iterator] === 'function') {
      params = Array.from(raw as Iterable<Variable>);
    } else {
      throw new ValueError(`${where}: params must be an array of parameters, got ${describe(raw)}`);
    }
    params.forEach((p, i) => this.checkParam(p, `${where}, parameter ${i}`));
    const seen = new Set<Variable>();
    params.forEach((p, i) => {
      if (seen.has(p)) throw new ValueError(`${where} lists parameter ${i} twice; list each parameter once`);
      seen.add(p);
    });
    for (let g = 0; g < this.paramGroups.length; g++) {
      if (this.paramGroups[g].params.some((p) => seen.has(p))) {
        throw new ValueError(
          `${where} has a parameter that is already in parameter group ${g}; a parameter can be in one group only`,
        );
      }
    }
    const known = new Set([...Object.keys(this.options), 'lr', 'params', ...SCHEDULER_KEYS]);
    for (const key of Object.keys(spec)) {
      if (!known.has(key)) {
        throw new ValueError(`${where}: unknown option '${key}'${suggest(key, known)}; ${this.name}'s options are ${this.optionNames().join(', ')}`);
      }
    }
    const group: ParamGroup<O> = Object.assign(this.copyOfDefaults(), { params });
    for (const [key, value] of Object.entries(spec)) if (key !== 'params' && value !== undefined) setOption(group, key, value);
    if (this.lrRequired && !('lr' in spec && spec.lr !== undefined)) {
      throw new ValueError(
        `${where} has no learning rate: ${this.name} has no default lr, so pass { lr } in the options ` +
          `(new ${this.name}(params, { lr: 0.01 })) or in every group`,
      );
    }
    this.validateGroup(group, where);
    this.paramGroups.push(group);
    for (const p of params) this.initParamState(p, group);
  }

  /**
   * Clears the gradients of every parameter: `p.grad = null` (PyTorch 2's default), or, with
   * `{ setToNone: false }`, fills them with zeros in place.
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    const setToNone = opts.setToNone ?? true;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const grad = p.grad;
        if (grad === null) continue;
        if (setToNone) p.grad = null;
        else if (grad.isLeaf && grad.data.isContiguous()) grad.data.fill_(0);
        else p.grad = new Variable(zerosLike(grad.data)); // a gradient with a graph (createGraph) is detached
      }
    }
  }

  /**
   * One update of every parameter that has a gradient (parameters whose `.grad` is null are
   * skipped, their state untouched). Runs under `noGrad`. `closure`, when given, is called first
   * (with grad mode on) to recompute the loss, and its result returned.
   */
  step<L = undefined>(closure?: () => L): L | undefined {
    let loss: L | undefined;
    if (closure !== undefined) loss = enableGrad(closure);
    noGrad(() => {
      for (let gi = 0; gi < this.paramGroups.length; gi++) {
        const group = this.paramGroups[gi];
        this.validateGroup(group, `${this.name}: parameter group ${gi}`);
        this.beginGroup(group);
        for (const p of group.params) {
          if (p.grad === null) continue;
          this.updateParam(p, group);
        }
      }
    });
    this.stepCount++;
    return loss;
  }

  /**
   * The optimizer's state: `{ state, paramGroups }` as PyTorch's `state_dict()`, with @dl's option
   * names. The buffers are copied (a snapshot: later steps do not change it).
   */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamStateDict> = {};
    const paramGroups: ParamGroupStateDict[] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const saved: ParamGroupStateDict = { params: [] };
      for (const [key, value] of Object.entries(group)) {
        if (key === 'params' || value === undefined) continue;
        saved[key] = Array.isArray(value) ? [...(value as number[])] : (value as GroupStateValue);
      }
      for (const p of group.params) {
        const st = this.paramState.get(p);
        if (st !== undefined) {
          const entry: ParamStateDict = { step: st.step };
          for (const [name, buf] of Object.entries(st.buffers)) entry[name] = new Tensor(buf.slice(), p.shape);
          state[index] = entry;
        }
        saved.params.push(index++);
      }
      paramGroups.push(saved);
    }
    return { state, paramGroups };
  }

  /**
   * Loads a state saved by `stateDict()` from an optimizer of the same kind over parameters of the
   * same shapes, in the same groups: the groups' options and every parameter's state are replaced
   * (buffers are copied and converted to the parameter's dtype). Mismatches throw, naming them.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || sd.state === null || typeof sd.state !== 'object') {
      throw new ValueError(`${where}: expected { state, paramGroups } as returned by stateDict(), got ${describe(sd)}`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new ValueError(
        `${where}: the saved state has ${sd.paramGroups.length} parameter group(s) but this optimizer has ` +
          `${this.paramGroups.length}; build the optimizer with the same groups before loading`,
      );
    }
    const params: Variable[] = [];
    const newGroups: ParamGroup<O>[] = [];
    const options = new Set([...Object.keys(this.options), 'lr']);
    sd.paramGroups.forEach((saved, gi) => {
      const group = this.paramGroups[gi];
      const gw = `${where}: parameter group ${gi}`;
      if (!Array.isArray(saved.params) || saved.params.length !== group.params.length) {
        throw new ValueError(
          `${gw} has ${Array.isArray(saved.params) ? saved.params.length : 'no'} parameter(s) in the saved state but ` +
            `${group.params.length} here; the groups must hold the same parameters`,
        );
      }
      for (const key of options) {
        if (!(key in saved)) {
          throw new ValueError(
            `${gw}: the saved group has no '${key}' option; was it saved from another kind of optimizer than ${this.name}?`,
          );
        }
      }
      const entries: [string, GroupStateValue][] = [];
      for (const [key, value] of Object.entries(saved)) {
        if (key === 'params') continue;
        if (!options.has(key) && !SCHEDULER_KEYS.includes(key)) {
          throw new ValueError(
            `${gw}: the saved group has an unknown option '${key}'; was it saved from another kind of optimizer than ${this.name}?`,
          );
        }
        entries.push([key, Array.isArray(value) ? [...value] : value]);
      }
      const next: ParamGroup<O> = Object.assign(this.copyOfDefaults(), { params: group.params });
      for (const [key, value] of entries) setOption(next, key, value);
      this.validateGroup(next, gw);
      newGroups.push(next);
      params.push(...group.params);
    });
    const groupOf = new Map<Variable, ParamGroup<O>>();
    newGroups.forEach((g) => g.params.forEach((p) => groupOf.set(p, g)));
    const states = new Map<Variable, ParamState>();
    for (const [key, entry] of Object.entries(sd.state)) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= params.length) {
        throw new ValueError(
          `${where}: the saved state has an entry for parameter ${key} but there are ${params.length} parameters (0..${params.length - 1})`,
        );
      }
      const p = params[i];
      states.set(p, this.loadParamState(entry, p, groupOf.get(p) as ParamGroup<O>, `${where}: parameter ${i}`));
    }
    newGroups.forEach((g, gi) => (this.paramGroups[gi] = g));
    this.paramState.clear();
    for (const [p, st] of states) this.paramState.set(p, st);
  }

  /** PyTorch-style summary: the class name and each group's options. */
  toString(): string {
    const lines = [`${this.name} (`];
    this.paramGroups.forEach((g, i) => {
      lines.push(`Parameter Group ${i}`);
      const entries = Object.entries(g).filter(([k]) => k !== 'params');
      entries.sort(([a], [b]) => (a < b ? -1 : 1));
      for (const [key, v] of entries) {
        lines.push(`    ${key}: ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`);
      }
    });
    lines.push(')');
    return lines.join('\n');
  }

  // ---- what subclasses provide ----

  /** Checks a group's options (on construction, on each step and on load); throws naming `where`. */
  protected abstract validateGroup(group: ParamGroup<O>, where: string): void;

  /** The buffers kept per parameter for this group's options (checked on load). */
  protected abstract bufferSpec(group: ParamGroup<O>): BufferSpec;

  /** Updates one parameter in place: `view.data` from `view.grad` and `view.state`. */
  protected abstract update(view: ParamView, group: ParamGroup<O>): void;

  /** Called once per group per step before its parameters are updated. */
  protected beginGroup(_group: ParamGroup<O>): void {}

  /** Called when a parameter joins a group; Adagrad creates its state here as PyTorch does. */
  protected initParamState(_param: Variable, _group: ParamGroup<O>): void {}

  /** The option names, for messages. */
  protected optionNames(): string[] {
    return ['lr', ...Object.keys(this.options).filter((k) => k !== 'lr')];
  }

  // ---- helpers for subclasses ----

  /** The state of `param`, created (step 0, no buffers) if it has none. */
  protected stateOf(param: Variable): ParamState {
    let st = this.paramState.get(param);
    if (st === undefined) {
      st = { step: 0, buffers: {} };
      this.paramState.set(param, st);
    }
    return st;
  }

  /** The buffer `name` of a parameter's state, created filled with `fill` if missing. */
  protected buffer(view: ParamView, name: string, fill = 0): FloatArray {
    let buf = view.state.buffers[name];
    if (buf === undefined) {
      buf = newBuffer(view.param, fill);
      view.state.buffers[name] = buf;
    }
    return buf;
  }

  // ---- internals ----

  /** The defaults, arrays (betas) copied too, so that groups never share them. */
  private copyOfDefaults(): O {
    const copy = { ...this.options };
    for (const [key, value] of Object.entries(copy)) if (Array.isArray(value)) setOption(copy, key, [...value]);
    return copy;
  }

  private checkParam(p: unknown, where: string): void {
    if (!(p instanceof Variable)) {
      throw new ValueError(
        `${where} is ${describe(p)}; optimizers update Parameters (or Variables made with { requiresGrad: true })`,
      );
    }
    if (p.dtype !== 'float32' && p.dtype !== 'float64') {
      throw new ValueError(`${where} has dtype ${p.dtype}; only float32 and float64 parameters can be optimized`);
    }
    if (!p.requiresGrad) {
      throw new ValueError(
        `${where} does not require grad (a frozen weight?); pass only trainable parameters, e.g. ` +
          'model.parameters().filter((p) => p.requiresGrad)',
      );
    }
    if (!p.isLeaf) {
      throw new ValueError(
        `${where} is not a leaf (it was computed by ${p.creator?.name ?? 'an op'}); optimize the leaf Parameters it was computed from`,
      );
    }
  }

  private updateParam(p: Variable, group: ParamGroup<O>): void {
    const grad = p.grad as Variable;
    const n = p.numel();
    if (grad.numel() !== n || grad.ndim !== p.ndim || grad.shape.some((s, i) => s !== p.shape[i])) {
      throw new ShapeError(
        `${this.name}.step: the gradient of a parameter of shape ${fmtShape(p.shape)} has shape ${fmtShape(grad.shape)}; ` +
          'a gradient must have its parameter\'s shape',
      );
    }
    let g = grad.data;
    if (g.dtype !== p.dtype) g = g.to(p.dtype);
    if (!g.isContiguous()) g = g.contiguous();
    const gArr = (g.storage as FloatArray).subarray(g.offset, g.offset + n);
    const target = p.data;
    const inPlace = target.isContiguous();
    const work = inPlace ? target : target.contiguous();
    const data = (work.storage as FloatArray).subarray(work.offset, work.offset + n);
    const state = this.stateOf(p);
    this.update({ param: p, data, grad: gArr, state }, group);
    if (!inPlace) target.copy_(work);
  }

  private loadParamState(entry: ParamStateDict, p: Variable, group: ParamGroup<O>, where: string): ParamState {
    if (entry === null || typeof entry !== 'object') throw new ValueError(`${where}: the saved state must be an object, got ${describe(entry)}`);
    const step = entry.step;
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
      throw new ValueError(`${where}: the saved state's step must be an integer >= 0, got ${describe(step)}`);
    }
    const spec = this.bufferSpec(group);
    const allowed = new Set([...spec.required, ...(spec.optional ?? [])]);
    const buffers: Record<string, FloatArray> = {};
    for (const [name, value] of Object.entries(entry)) {
      if (name === 'step') continue;
      if (!allowed.has(name)) {
        throw new ValueError(
          `${where}: the saved state has a buffer '${name}' that ${this.name} does not use (it keeps ` +
            `${[...allowed].join(', ') || 'none'}); was it saved from another optimizer or with other options?`,
        );
      }
      if (!(value instanceof Tensor)) throw new ValueError(`${where}: the saved buffer '${name}' must be a Tensor, got ${describe(value)}`);
      if (value.ndim !== p.ndim || value.shape.some((s, i) => s !== p.shape[i])) {
        throw new ShapeError(
          `${where}: the saved buffer '${name}' has shape ${fmtShape(value.shape)} but the parameter has shape ` +
            `${fmtShape(p.shape)}; load the state of an optimizer over the same model`,
        );
      }
      const t = value.to(p.dtype);
      buffers[name] = (t === value ? t.toTypedArray() : t.contiguous().toTypedArray()) as FloatArray;
    }
    for (const name of spec.required) {
      if (!(name in buffers)) {
        throw new ValueError(`${where}: the saved state has no '${name}' buffer, which ${this.name} needs with these options`);
      }
    }
    return { step, buffers };
  }
}

/** Sets an option read from user input or a state dict (checked afterwards by validateGroup). */
function setOption(group: object, key: string, value: unknown): void {
  const v = Array.isArray(value) ? [...value] : value; // betas: the group's own copy
  Object.defineProperty(group, key, { value: v, writable: true, enumerable: true, configurable: true });
}

/** A typed array of the parameter's dtype and size, filled with `fill`. */
export function newBuffer(param: Variable, fill = 0): FloatArray {
  const n = param.numel();
  const buf = param.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  if (fill !== 0) buf.fill(fill);
  return buf;
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'object') {
    const name = (v as object).constructor?.name;
    if (name === undefined || name === 'Object') return `an object with keys [${Object.keys(v as object).join(', ')}]`;
    return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
  }
  return typeof v;
}

/** ` (did you mean 'weightDecay'?)` for a snake_case, mis-cased or misspelt known key (@dl/tensor's suggestKey). */
function suggest(key: string, known: Set<string>): string {
  const hint = suggestKey(key, [...known]);
  return hint === null ? '' : ` (did you mean '${hint}'?)`;
}
