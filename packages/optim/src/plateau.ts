/**
 * ReduceLROnPlateau: lower the lr when a metric stops improving, as
 * `torch.optim.lr_scheduler.ReduceLROnPlateau` in PyTorch 1.13.
 */
import { Variable } from '@dl/autograd';
import { Tensor, ValueError } from '@dl/tensor';
import { checkChoice, checkKeys, checkNumber } from './checks';
import { Optimizer, describe } from './optimizer';
import { readNumber, readNumbers, type SchedulerStateDict } from './lr-scheduler';

export interface ReduceLROnPlateauOptions {
  /** 'min' (default): the metric should go down (a loss); 'max': up (an accuracy). */
  mode?: 'min' | 'max';
  /** new lr = lr · factor (default 0.1; must be < 1). */
  factor?: number;
  /** Epochs without improvement tolerated before the lr is lowered (default 10). */
  patience?: number;
  /** How much better than the best counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel' (default): better than best · (1 ∓ threshold); 'abs': better than best ∓ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** Lower bound of the lr, for all groups or one per group (default 0). */
  minLr?: number | readonly number[];
  /** Reductions smaller than eps are skipped (default 1e-8). */
  eps?: number;
}

const KEYS = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'] as const;

/**
 * Multiplies the lr of every group by `factor` when the metric passed to `step(metric)` has not
 * improved for more than `patience` epochs.
 *
 * ```text
 * on step(metric):
 *   lastEpoch ← lastEpoch + 1
 *   if metric is better than best:   best ← metric; numBadEpochs ← 0     (better: see below)
 *   else:                            numBadEpochs ← numBadEpochs + 1
 *   if cooldownCounter > 0:          cooldownCounter ← cooldownCounter − 1; numBadEpochs ← 0
 *   if numBadEpochs > patience:
 *     for every group i:  newLr ← max(lr · factor, minLr_i);  if lr − newLr > eps: lr ← newLr
 *     cooldownCounter ← cooldown; numBadEpochs ← 0
 * better (min, rel): a < best · (1 − threshold)      (min, abs): a < best − threshold
 *        (max, rel): a > best · (1 + threshold)      (max, abs): a > best + threshold
 * best starts at +Infinity (min) or −Infinity (max).
 * ```
 *
 * ```ts
 * const sched = new ReduceLROnPlateau(opt, { patience: 5, factor: 0.5 });
 * for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(validationLoss()); }
 * ```
 */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const name = 'ReduceLROnPlateau';
    checkKeys(name, options, KEYS);
    if (!(optimizer instanceof Optimizer)) {
      throw new ValueError(`${name}: the first argument must be an optimizer (SGD, Adam, ...), got ${describe(optimizer)}`);
    }
    this.optimizer = optimizer;
    this.factor = checkNumber(name, 'factor', options.factor ?? 0.1, { min: 0, max: 1, maxExclusive: true, what: 'new lr = lr * factor' });
    this.mode = checkChoice(name, 'mode', options.mode ?? 'min', ['min', 'max'] as const);
    this.thresholdMode = checkChoice(name, 'thresholdMode', options.thresholdMode ?? 'rel', ['rel', 'abs'] as const);
    this.patience = checkNumber(name, 'patience', options.patience ?? 10, { min: 0, integer: true });
    this.threshold = checkNumber(name, 'threshold', options.threshold ?? 1e-4);
    this.cooldown = checkNumber(name, 'cooldown', options.cooldown ?? 0, { min: 0, integer: true });
    this.eps = checkNumber(name, 'eps', options.eps ?? 1e-8, { min: 0 });
    const groups = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== groups) throw new ValueError(`${name}: expected ${groups} minLr values (one per parameter group), got ${minLr.length}`);
      this.minLrs = minLr.map((v, i) => checkNumber(name, `minLr[${i}]`, v, { min: 0 }));
    } else {
      this.minLrs = new Array<number>(groups).fill(checkNumber(name, 'minLr', minLr, { min: 0 }));
    }
    this.best = this.worst();
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Records one epoch's metric (a number or a one-element Tensor/Variable) and lowers the lr if it has plateaued. */
  step(metric: number | Tensor | Variable): void {
    const current = toNumber(metric);
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of every group after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Whether a cooldown is running. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  stateDict(): SchedulerStateDict {
    return {
      mode: this.mode,
      factor: this.factor,
      patience: this.patience,
      threshold: this.threshold,
      thresholdMode: this.thresholdMode,
      cooldown: this.cooldown,
      minLrs: [...this.minLrs],
      eps: this.eps,
      best: this.best,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
    };
  }

  loadStateDict(sd: SchedulerStateDict): void {
    const where = 'ReduceLROnPlateau.loadStateDict';
    if (sd === null || typeof sd !== 'object') throw new ValueError(`${where}: expected the object returned by stateDict(), got ${describe(sd)}`);
    const groups = this.optimizer.paramGroups.length;
    const mode = checkChoice(where, 'mode', sd.mode, ['min', 'max'] as const);
    const thresholdMode = checkChoice(where, 'thresholdMode', sd.thresholdMode, ['rel', 'abs'] as const);
    const values = {
      factor: readNumber(where, sd, 'factor'),
      patience: readNumber(where, sd, 'patience'),
      threshold: readNumber(where, sd, 'threshold'),
      cooldown: readNumber(where, sd, 'cooldown'),
      minLrs: readNumbers(where, sd, 'minLrs', groups),
      eps: readNumber(where, sd, 'eps'),
      best: readNumber(where, sd, 'best'),
      numBadEpochs: readNumber(where, sd, 'numBadEpochs'),
      cooldownCounter: readNumber(where, sd, 'cooldownCounter'),
      lastEpoch: readNumber(where, sd, 'lastEpoch'),
      lastLr: readNumbers(where, sd, 'lastLr', groups),
    };
    this.mode = mode;
    this.thresholdMode = thresholdMode;
    this.factor = values.factor;
    this.patience = values.patience;
    this.threshold = values.threshold;
    this.cooldown = values.cooldown;
    this.minLrs = values.minLrs;
    this.eps = values.eps;
    this.best = values.best;
    this.numBadEpochs = values.numBadEpochs;
    this.cooldownCounter = values.cooldownCounter;
    this.lastEpoch = values.lastEpoch;
    this.lastLr = values.lastLr;
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const oldLr = group.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]);
      if (oldLr - newLr > this.eps) group.lr = newLr;
    });
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  private worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }
}

function toNumber(metric: number | Tensor | Variable): number {
  if (typeof metric === 'number') return metric;
  if (metric instanceof Tensor || metric instanceof Variable) {
    if (metric.numel() !== 1) {
      throw new ValueError(`ReduceLROnPlateau.step: the metric must be a number or a one-element tensor, got shape [${metric.shape.join(', ')}]`);
    }
    return metric.item();
  }
  throw new ValueError(`ReduceLROnPlateau.step: the metric must be a number (e.g. the validation loss), got ${describe(metric)}`);
}
