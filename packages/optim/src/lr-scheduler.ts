/**
 * Learning-rate schedulers: `LRScheduler` (PyTorch's `_LRScheduler`) and the epoch-wise schedules
 * StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR and LinearLR.
 *
 * Each `step()` adds one to `lastEpoch` and sets every group's `lr`. As in PyTorch 1.13 the new lr
 * is computed from the group's current lr (the "chainable", recursive form), so several schedulers
 * can drive one optimizer and each applies its factor on top of the others; used alone, each
 * gives its closed form up to rounding, and the lr sequence is PyTorch's to the last bit.
 *
 * ```ts
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * const sched = new StepLR(opt, { stepSize: 30, gamma: 0.1 });
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   trainOneEpoch(model, opt);   // calls opt.step() per batch
 *   sched.step();                // after the optimizer's steps
 * }
 * ```
 */
import { ValueError } from '@dl/tensor';
import { checkKeys, checkNumber } from './checks';
import { Optimizer, describe, type ParamGroup } from './optimizer';

/** Values in a scheduler's state dict. */
export type SchedulerStateValue = number | boolean | string | null | readonly number[];

/** `scheduler.stateDict()`: its counters and settings, as plain values. */
export type SchedulerStateDict = Record<string, SchedulerStateValue>;

/** The option every LRScheduler takes. */
export interface LRSchedulerOptions {
  /**
   * The index of the last epoch, to resume a schedule (default -1: start). Resuming needs
   * `initialLr` in every parameter group, as a scheduler leaves it there (load the optimizer's
   * state dict first).
   */
  lastEpoch?: number;
}

/**
 * The base class of the epoch-wise schedulers. A subclass gives `computeLr()` (PyTorch's
 * `get_lr`) and calls `initialStep()` at the end of its constructor, which sets the lr of epoch 0.
 */
export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  /** Index of the last epoch: 0 after construction, +1 per `step()`. */
  lastEpoch: number;
  /** Every group's `initialLr`: the lr the schedule starts from. */
  baseLrs: number[];
  /** How many times step() ran, the initial step included (PyTorch's `_step_count`). */
  protected stepCount = 0;
  private lastLr: number[] = [];
  private optimizerStepsAtStart = 0;

  protected constructor(optimizer: Optimizer, lastEpoch: number) {
    if (!(optimizer instanceof Optimizer)) {
      throw new ValueError(`${new.target.name}: the first argument must be an optimizer (SGD, Adam, ...), got ${describe(optimizer)}`);
    }
    checkNumber(new.target.name, 'lastEpoch', lastEpoch, { min: -1, integer: true });
    this.optimizer = optimizer;
    optimizer.paramGroups.forEach((group, i) => {
      if (lastEpoch === -1) {
        if (group.initialLr === undefined) group.initialLr = group.lr;
      } else if (group.initialLr === undefined) {
        throw new ValueError(
          `${new.target.name}: resuming at lastEpoch ${lastEpoch} needs initialLr in parameter group ${i}; ` +
            'load the optimizer state saved with the schedule first, or start with lastEpoch -1',
        );
      }
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** The scheduler's name in messages (its class name). */
  get name(): string {
    return this.constructor.name;
  }

  /** The lr of every group as set by the last step (or construction). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Advances the schedule by one epoch (or batch, for OneCycleLR): sets every group's lr. */
  step(): void {
    if (this.stepCount === 1 && this.optimizer.stepCount === this.optimizerStepsAtStart) warnOrder(this.name);
    this.stepCount++;
    this.lastEpoch++;
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((group, i) => (group.lr = lrs[i]));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The scheduler's counters and settings (the optimizer's own state is in `optimizer.stateDict()`). */
  stateDict(): SchedulerStateDict {
    return {
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLr],
      ...this.settings(),
    };
  }

  /** Restores what `stateDict()` returned (counters and settings). */
  loadStateDict(sd: SchedulerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object') throw new ValueError(`${where}: expected the object returned by stateDict(), got ${describe(sd)}`);
    const groups = this.optimizer.paramGroups.length;
    const lastEpoch = readNumber(where, sd, 'lastEpoch');
    const stepCount = readNumber(where, sd, 'stepCount');
    const baseLrs = readNumbers(where, sd, 'baseLrs', groups);
    const lastLr = readNumbers(where, sd, 'lastLr', groups);
    this.loadSettings(sd, where);
    this.lastEpoch = lastEpoch;
    this.stepCount = stepCount;
    this.baseLrs = baseLrs;
    this.lastLr = lastLr;
  }

  /** The new lr of every group at `this.lastEpoch` (PyTorch's `get_lr`). */
  protected abstract computeLr(): number[];

  /** The subclass's settings for the state dict. */
  protected abstract settings(): SchedulerStateDict;

  /** Reads back what `settings()` wrote. */
  protected abstract loadSettings(sd: SchedulerStateDict, where: string): void;

  /** PyTorch's initial step: called last by every subclass constructor. */
  protected initialStep(): void {
    this.optimizerStepsAtStart = this.optimizer.stepCount;
    this.stepCount = 0;
    this.step();
  }

  /** The groups' current lrs. */
  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  protected get groups(): ParamGroup[] {
    return this.optimizer.paramGroups;
  }
}

/** Warns (once per scheduler) when the scheduler steps before the optimizer ever did, as PyTorch does. */
function warnOrder(name: string): void {
  if (typeof process !== 'undefined' && typeof process.emitWarning === 'function') {
    process.emitWarning(
      `${name}.step() was called before optimizer.step(); call optimizer.step() first, then scheduler.step(), ` +
        'or the first value of the schedule is skipped',
      'UserWarning',
    );
  }
}

/** Reads a number from a state dict, or throws naming the key. */
export function readNumber(where: string, sd: SchedulerStateDict, key: string): number {
  const v = sd[key];
  if (typeof v !== 'number') throw new ValueError(`${where}: the state has no number '${key}' (got ${describe(v)}); was it saved from this kind of scheduler?`);
  return v;
}

/** Reads an array of numbers (of length `n` when given) from a state dict. */
export function readNumbers(where: string, sd: SchedulerStateDict, key: string, n?: number): number[] {
  const v = sd[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) {
    throw new ValueError(`${where}: the state has no array of numbers '${key}' (got ${describe(v)}); was it saved from this kind of scheduler?`);
  }
  if (n !== undefined && v.length !== n) {
    throw new ValueError(`${where}: '${key}' has ${v.length} values but the optimizer has ${n} parameter group(s)`);
  }
  return [...v];
}

// ---------------------------------------------------------------- StepLR

export interface StepLROptions extends LRSchedulerOptions {
  /** Period of the decay, in epochs (an integer >= 1). */
  stepSize: number;
  /** Factor of the decay (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies each group's lr by `gamma` every `stepSize` epochs, as `torch.optim.lr_scheduler.StepLR`:
 *
 * ```text
 * lr_epoch = lr_{epoch-1} · gamma   if epoch > 0 and epoch mod stepSize = 0
 *          = lr_{epoch-1}           otherwise
 * (alone: lr_epoch = initialLr · gamma^⌊epoch / stepSize⌋)
 * ```
 *
 * ```ts
 * const sched = new StepLR(opt, { stepSize: 30, gamma: 0.1 }); // 0.05 -> 0.005 at epoch 30 -> ...
 * ```
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    checkKeys('StepLR', options, ['stepSize', 'gamma', 'lastEpoch']);
    super(optimizer, options.lastEpoch ?? -1);
    this.stepSize = checkNumber('StepLR', 'stepSize', options.stepSize, { min: 1, integer: true });
    this.gamma = checkNumber('StepLR', 'gamma', options.gamma ?? 0.1);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const lrs = this.currentLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

  protected settings(): SchedulerStateDict {
    return { stepSize: this.stepSize, gamma: this.gamma };
  }

  protected loadSettings(sd: SchedulerStateDict, where: string): void {
    this.stepSize = readNumber(where, sd, 'stepSize');
    this.gamma = readNumber(where, sd, 'gamma');
  }
}

// ---------------------------------------------------------------- MultiStepLR

export interface MultiStepLROptions extends LRSchedulerOptions {
  /** Epochs at which the lr is multiplied by gamma (a milestone listed twice multiplies by gamma²). */
  milestones: readonly number[];
  /** Factor of the decay (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies each group's lr by `gamma` at each milestone epoch, as
 * `torch.optim.lr_scheduler.MultiStepLR`:
 *
 * ```text
 * lr_epoch = lr_{epoch-1} · gamma^count(epoch)     (count: how many times epoch is in milestones)
 * (alone: lr_epoch = initialLr · gamma^(number of milestones <= epoch))
 * ```
 *
 * ```ts
 * const sched = new MultiStepLR(opt, { milestones: [30, 80], gamma: 0.1 });
 * ```
 */
export class MultiStepLR extends LRScheduler {
  /** Sorted, repeats kept. */
  milestones: number[];
  gamma: number;

  constructor(optimizer: Optimizer, options: MultiStepLROptions) {
    checkKeys('MultiStepLR', options, ['milestones', 'gamma', 'lastEpoch']);
    super(optimizer, options.lastEpoch ?? -1);
    if (!Array.isArray(options.milestones)) {
      throw new ValueError(`MultiStepLR: milestones must be an array of epochs such as [30, 80], got ${describe(options.milestones)}`);
    }
    options.milestones.forEach((m, i) => checkNumber('MultiStepLR', `milestones[${i}]`, m, { min: 0, integer: true }));
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = checkNumber('MultiStepLR', 'gamma', options.gamma ?? 0.1);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    const lrs = this.currentLrs();
    if (count === 0) return lrs;
    return lrs.map((lr) => lr * this.gamma ** count);
  }

  protected settings(): SchedulerStateDict {
    return { milestones: [...this.milestones], gamma: this.gamma };
  }

  protected loadSettings(sd: SchedulerStateDict, where: string): void {
    this.milestones = readNumbers(where, sd, 'milestones');
    this.gamma = readNumber(where, sd, 'gamma');
  }
}

// ---------------------------------------------------------------- ExponentialLR

export interface ExponentialLROptions extends LRSchedulerOptions {
  /** Factor of the decay per epoch. */
  gamma: number;
}

/**
 * Multiplies each group's lr by `gamma` every epoch, as `torch.optim.lr_scheduler.ExponentialLR`:
 *
 * ```text
 * lr_epoch = lr_{epoch-1} · gamma  (epoch > 0)      (alone: initialLr · gamma^epoch)
 * ```
 *
 * ```ts
 * const sched = new ExponentialLR(opt, { gamma: 0.95 });
 * ```
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: Optimizer, options: ExponentialLROptions) {
    checkKeys('ExponentialLR', options, ['gamma', 'lastEpoch']);
    super(optimizer, options.lastEpoch ?? -1);
    this.gamma = checkNumber('ExponentialLR', 'gamma', options.gamma);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const lrs = this.currentLrs();
    if (this.lastEpoch === 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

  protected settings(): SchedulerStateDict {
    return { gamma: this.gamma };
  }

  protected loadSettings(sd: SchedulerStateDict, where: string): void {
    this.gamma = readNumber(where, sd, 'gamma');
  }
}

// ---------------------------------------------------------------- CosineAnnealingLR

export interface CosineAnnealingLROptions extends LRSchedulerOptions {
  /** T_max: the number of epochs from the initial lr down to etaMin (a half period). */
  tMax: number;
  /** η_min: the lowest lr (default 0). */
  etaMin?: number;
}

/**
 * Cosine annealing from each group's initial lr (η_max) down to `etaMin` over `tMax` epochs, then
 * back up (a period of 2 tMax, without restarts), as `torch.optim.lr_scheduler.CosineAnnealingLR`
 * (SGDR's annealing). PyTorch 1.13's recursive form, which is what this computes:
 *
 * ```text
 * epoch = 0:                         η_0 = η_max (the group's lr)
 * (epoch − 1 − T_max) mod 2T_max = 0: η_t = η_{t-1} + (η_max − η_min)(1 − cos(π / T_max)) / 2
 * otherwise:                         η_t = η_min + (η_{t-1} − η_min) · (1 + cos(π t / T_max)) / (1 + cos(π (t−1) / T_max))
 * (alone: η_t = η_min + (η_max − η_min)(1 + cos(π t / T_max)) / 2)
 * ```
 * When resuming (`lastEpoch` > -1), the first step uses the closed form.
 *
 * ```ts
 * const sched = new CosineAnnealingLR(opt, { tMax: 50, etaMin: 1e-5 });
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    checkKeys('CosineAnnealingLR', options, ['tMax', 'etaMin', 'lastEpoch']);
    super(optimizer, options.lastEpoch ?? -1);
    this.tMax = checkNumber('CosineAnnealingLR', 'tMax', options.tMax, { min: 0, minExclusive: true });
    this.etaMin = checkNumber('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { tMax, etaMin, lastEpoch: t } = this;
    const lrs = this.currentLrs();
    if (t === 0) return lrs;
    if (this.stepCount === 1 && t > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((t * Math.PI) / tMax))) / 2);
    }
    if ((t - 1 - tMax) % (2 * tMax) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return lrs.map(
      (lr) => ((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) * (lr - etaMin) + etaMin,
    );
  }

  protected settings(): SchedulerStateDict {
    return { tMax: this.tMax, etaMin: this.etaMin };
  }

  protected loadSettings(sd: SchedulerStateDict, where: string): void {
    this.tMax = readNumber(where, sd, 'tMax');
    this.etaMin = readNumber(where, sd, 'etaMin');
  }
}

// ---------------------------------------------------------------- LinearLR

export interface LinearLROptions extends LRSchedulerOptions {
  /** The factor of the first epoch, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** The factor reached after totalIters epochs, in [0, 1] (default 1). */
  endFactor?: number;
  /** The number of epochs of the ramp (default 5). */
  totalIters?: number;
}

/**
 * Ramps each group's lr linearly from `startFactor · lr` to `endFactor · lr` over `totalIters`
 * epochs (warm-up or decay), as `torch.optim.lr_scheduler.LinearLR`. PyTorch 1.13's recursive form:
 *
 * ```text
 * epoch = 0:                lr_0 = lr · startFactor
 * 0 < epoch <= totalIters:  lr_t = lr_{t-1} · (1 + (endFactor − startFactor) /
 *                                   (totalIters · startFactor + (t − 1)(endFactor − startFactor)))
 * epoch > totalIters:       lr_t = lr_{t-1}
 * (alone: lr_t = initialLr · (startFactor + (endFactor − startFactor) · min(t, totalIters) / totalIters))
 * ```
 *
 * ```ts
 * const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * ```
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    checkKeys('LinearLR', options, ['startFactor', 'endFactor', 'totalIters', 'lastEpoch']);
    super(optimizer, options.lastEpoch ?? -1);
    this.startFactor = checkNumber('LinearLR', 'startFactor', options.startFactor ?? 1 / 3, {
      min: 0,
      minExclusive: true,
      max: 1,
      what: 'the first epoch\'s factor',
    });
    this.endFactor = checkNumber('LinearLR', 'endFactor', options.endFactor ?? 1, { min: 0, max: 1 });
    this.totalIters = checkNumber('LinearLR', 'totalIters', options.totalIters ?? 5, { min: 1, integer: true });
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { startFactor, endFactor, totalIters, lastEpoch: t } = this;
    const lrs = this.currentLrs();
    if (t === 0) return lrs.map((lr) => lr * startFactor);
    if (t > totalIters) return lrs;
    const factor = 1 + (endFactor - startFactor) / (totalIters * startFactor + (t - 1) * (endFactor - startFactor));
    return lrs.map((lr) => lr * factor);
  }

  protected settings(): SchedulerStateDict {
    return { startFactor: this.startFactor, endFactor: this.endFactor, totalIters: this.totalIters };
  }

  protected loadSettings(sd: SchedulerStateDict, where: string): void {
    this.startFactor = readNumber(where, sd, 'startFactor');
    this.endFactor = readNumber(where, sd, 'endFactor');
    this.totalIters = readNumber(where, sd, 'totalIters');
  }
}
