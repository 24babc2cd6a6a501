/**
 * The `dl` command line: its commands, their options and defaults, help texts, and
 * {@link parseArgs}, which turns `argv` into one typed {@link Command} or throws a
 * {@link UsageError}.
 *
 * ```ts
 * parseArgs(['train', '--epochs', '3', '--model', 'cnn']);
 * // { command: 'train', model: 'cnn', epochs: 3, batchSize: 100, lr: 0.001, ... }
 * parseArgs(['predict', '--checkpoint', 'runs/mnist-mlp/best.safetensors', 'digit.png']);
 * // { command: 'predict', checkpoint: '...', images: ['digit.png'], top: 3, invert: 'auto', preprocess: 'auto', ... }
 * ```
 */
import { closest } from '@dl/tensor';
import { UsageError } from './errors';
import { formatOptionsHelp, parseOptions, type OptionSpec, type ParsedOptions } from './options';

export const MODEL_NAMES = ['mlp', 'cnn', 'lenet'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const DATASET_NAMES = ['mnist', 'fashion-mnist', 'cifar10'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export const OPTIMIZER_NAMES = ['adam', 'adamw', 'sgd', 'momentum', 'adagrad', 'adadelta', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export const BACKEND_NAMES = ['js', 'native'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The learning rate used when `--lr` is not given, per optimizer (the values the course and PyTorch use). */
export const DEFAULT_LR: Record<OptimizerName, number> = {
  adam: 1e-3,
  adamw: 1e-3,
  sgd: 0.1,
  momentum: 0.01,
  adagrad: 0.01,
  adadelta: 1.0,
  rmsprop: 1e-3,
};

/** `dl train`'s settings, all resolved (defaults filled in). */
export interface TrainArgs {
  command: 'train';
  model: ModelName;
  dataset: DatasetName;
  /** Directory with the dataset's files; null: the dataset's default place (embedded digits for mnist). */
  dataDir: string | null;
  download: boolean;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerName;
  /** Momentum of sgd / momentum / rmsprop (0.9 for `momentum`, 0 otherwise, unless given). */
  momentum: number;
  weightDecay: number;
  seed: number;
  /** null: the library's default (native when built). */
  backend: BackendName | null;
  out: string;
  /** How many training / test samples to use (the first N of each split); null: all of them. */
  trainSize: number | null;
  testSize: number | null;
  /** The fraction of the (first `trainSize`) training samples held out for validation, drawn with the seed. */
  valSplit: number;
  resume: string | null;
  /** Non-TTY progress: a line every N batches (0: one summary line per epoch only). */
  logEvery: number;
  report: boolean;
  /** The options given on the command line (kebab-case names): with `--resume`, they override the checkpoint's. */
  given: string[];
}

export interface EvalArgs {
  command: 'eval';
  checkpoint: string;
  /** null: the dataset the checkpoint was trained on. */
  dataset: DatasetName | null;
  dataDir: string | null;
  download: boolean;
  testSize: number | null;
  batchSize: number;
  backend: BackendName | null;
  json: boolean;
}

export interface PredictArgs {
  command: 'predict';
  checkpoint: string;
  images: string[];
  top: number;
  /** Invert the image's brightness: `auto` inverts light backgrounds (MNIST digits are light on dark). */
  invert: 'auto' | 'yes' | 'no';
  /** `auto`: frame the picture as the checkpoint's dataset was made (MNIST: crop, 20 px box, centre of mass); `resize`: pad and resize only. */
  preprocess: 'auto' | 'resize';
  backend: BackendName | null;
  json: boolean;
}

export interface HelpArgs {
  command: 'help';
  /** The command to describe, or null for the overview. */
  topic: CommandName | null;
}

export interface VersionArgs {
  command: 'version';
}

export type Command = TrainArgs | EvalArgs | PredictArgs | HelpArgs | VersionArgs;

export const COMMAND_NAMES = ['train', 'eval', 'predict', 'help'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

const BACKEND_OPTION: OptionSpec = {
  name: 'backend',
  kind: 'choice',
  choices: BACKEND_NAMES,
  default: null,
  help: 'compute backend',
  defaultText: 'native when built, else js; DL_BACKEND sets it too',
};

const DATA_DIR_OPTION: OptionSpec = {
  name: 'data-dir',
  kind: 'string',
  default: null,
  metavar: 'DIR',
  help: 'where the dataset files are (IDX files for mnist/fashion-mnist, data_batch_*.bin or the .tar.gz for cifar10)',
  defaultText: 'mnist: the 10,000 embedded digits; fashion-mnist: /usr/share/datasets/fashion-mnist; cifar10: data/cifar10',
};

const DOWNLOAD_OPTION: OptionSpec = {
  name: 'download',
  kind: 'flag',
  default: false,
  help: 'download the dataset files into --data-dir when they are missing (needs a network)',
};

export const TRAIN_OPTIONS: readonly OptionSpec[] = [
  { name: 'model', kind: 'choice', choices: MODEL_NAMES, default: 'mlp', help: 'network: mlp (784-300-10), cnn (conv + 2 linear), lenet (2 conv/pool + 2 linear)' },
  { name: 'dataset', kind: 'choice', choices: DATASET_NAMES, default: 'mnist', help: 'dataset to train on' },
  DATA_DIR_OPTION,
  DOWNLOAD_OPTION,
  { name: 'epochs', kind: 'int', min: 1, default: 10, metavar: 'N', help: 'passes over the training set' },
  { name: 'batch-size', kind: 'int', min: 1, default: 100, metavar: 'N', help: 'samples per minibatch' },
  {
    name: 'lr',
    kind: 'number',
    min: 0,
    exclusiveMin: true,
    default: null,
    metavar: 'X',
    help: 'learning rate',
    defaultText: '1e-3 for adam/adamw/rmsprop, 0.1 sgd, 0.01 momentum/adagrad, 1 adadelta',
  },
  { name: 'optimizer', kind: 'choice', choices: OPTIMIZER_NAMES, default: 'adam', help: 'update rule (momentum = SGD with momentum 0.9)' },
  { name: 'momentum', kind: 'number', min: 0, default: null, metavar: 'X', help: 'momentum of sgd/momentum/rmsprop', defaultText: '0.9 for momentum, else 0' },
  { name: 'weight-decay', kind: 'number', min: 0, default: null, metavar: 'X', help: 'L2 penalty (decoupled for adamw)', defaultText: '0.01 for adamw, else 0' },
  { name: 'seed', kind: 'int', min: 0, default: 0, metavar: 'N', help: 'random seed (initial weights, validation split, shuffling): same seed, same run' },
  BACKEND_OPTION,
  { name: 'out', kind: 'string', default: null, metavar: 'DIR', help: 'output directory: checkpoint, metrics, report', defaultText: 'runs/<dataset>-<model>' },
  { name: 'train-size', kind: 'int', min: 1, default: null, metavar: 'N', help: 'use the first N samples of the training split (the validation set included)', defaultText: 'mnist: 8000; others: all' },
  {
    name: 'val-split',
    kind: 'number',
    min: 0,
    exclusiveMin: true,
    max: 1,
    exclusiveMax: true,
    default: 0.1,
    metavar: 'X',
    help: 'fraction of those held out (drawn with --seed) to validate each epoch and pick the best epoch; the test split is used once, at the end',
  },
  { name: 'test-size', kind: 'int', min: 1, default: null, metavar: 'N', help: 'use the first N test samples', defaultText: 'mnist: 2000; others: all' },
  { name: 'resume', kind: 'string', default: null, metavar: 'PATH', help: 'continue a run from its checkpoint, with its settings (--epochs may raise the total; --out defaults to its directory)' },
  { name: 'log-every', kind: 'int', min: 0, default: 0, metavar: 'N', help: 'without a terminal, also print a progress line every N batches' },
  { name: 'report', kind: 'flag', default: true, help: 'skip the HTML report at the end' },
];

export const EVAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'checkpoint', kind: 'string', default: null, metavar: 'PATH', help: 'checkpoint written by dl train (required)' },
  { name: 'dataset', kind: 'choice', choices: DATASET_NAMES, default: null, help: 'dataset to evaluate on', defaultText: "the checkpoint's" },
  DATA_DIR_OPTION,
  DOWNLOAD_OPTION,
  { name: 'test-size', kind: 'int', min: 1, default: null, metavar: 'N', help: 'use the first N test samples', defaultText: "the checkpoint's, mnist: 2000" },
  { name: 'batch-size', kind: 'int', min: 1, default: 500, metavar: 'N', help: 'samples per forward pass' },
  BACKEND_OPTION,
  { name: 'json', kind: 'flag', default: false, help: 'print the results as JSON' },
];

export const PREDICT_OPTIONS: readonly OptionSpec[] = [
  { name: 'checkpoint', kind: 'string', default: null, metavar: 'PATH', help: 'checkpoint written by dl train (required)' },
  { name: 'top', kind: 'int', min: 1, default: 3, metavar: 'K', help: 'how many classes to print per image' },
  {
    name: 'invert',
    kind: 'choice',
    choices: ['auto', 'yes', 'no'],
    default: 'auto',
    help: 'invert brightness before predicting; auto: when the image border is light (dark ink on white paper) and the model was trained on light-on-dark digits',
  },
  {
    name: 'preprocess',
    kind: 'choice',
    choices: ['auto', 'resize'],
    default: 'auto',
    help: "auto: frame the image as the checkpoint's dataset was made (see above); resize: only pad it to a square and resize it",
  },
  BACKEND_OPTION,
  { name: 'json', kind: 'flag', default: false, help: 'print the results as JSON' },
];

const SUMMARIES: Record<CommandName, string> = {
  train: 'train a model; checkpoints every epoch, an HTML report at the end',
  eval: "evaluate a checkpoint: loss, accuracy, confusion matrix",
  predict: 'classify PNG or JPEG images with a checkpoint: the top classes and their probabilities',
  help: 'show the help of a command',
};

const USAGES: Record<CommandName, string> = {
  train: 'dl train [options]',
  eval: 'dl eval --checkpoint PATH [options]',
  predict: 'dl predict --checkpoint PATH [options] IMAGE [IMAGE ...]   (PNG or JPEG files)',
  help: 'dl help [command]',
};

/** What a command does beyond its options, printed in its help after the usage line. */
const NOTES: Partial<Record<CommandName, string[]>> = {
  predict: [
    'Images: PNG (gray, RGB or palette, with or without alpha, 8 or 16 bits) or JPEG (EXIF rotation',
    'is not applied), up to 4096x4096 pixels. Each becomes what the model was trained on:',
    'transparent pixels over white, gray (RGB for CIFAR-10 models), inverted when its border is',
    'light (--invert auto: dark ink on white paper). With --preprocess auto an MNIST model then gets',
    'the picture made the way MNIST was: the paper to black and the ink to white, cropped to the',
    'ink, scaled so that its larger side is 20 pixels (aspect kept, anti-aliased) and placed in',
    '28x28 with its centre of mass in the middle. So a large, off-centre digit drawn in black on',
    'white works; draw it with a thick pen. Fashion-MNIST models get the item cropped, scaled to 28',
    'pixels and centred; CIFAR-10 models the whole picture padded to a square and resized to 32x32.',
  ],
};

const EXAMPLES: Record<CommandName, string[]> = {
  train: [
    'dl train                                  # MLP on the embedded MNIST digits, 10 epochs, report in runs/mnist-mlp',
    'dl train --model lenet --epochs 3 --out runs/lenet',
    'dl train --dataset fashion-mnist --model cnn --optimizer momentum --lr 0.01',
    'dl train --resume runs/mnist-mlp/checkpoint.safetensors --epochs 20',
  ],
  eval: ['dl eval --checkpoint runs/mnist-mlp/best.safetensors'],
  predict: ['dl predict --checkpoint runs/mnist-mlp/best.safetensors digit.png photo-of-a-seven.jpg'],
  help: ['dl help train'],
};

function optionsOf(command: CommandName): readonly OptionSpec[] {
  switch (command) {
    case 'train':
      return TRAIN_OPTIONS;
    case 'eval':
      return EVAL_OPTIONS;
    case 'predict':
      return PREDICT_OPTIONS;
    case 'help':
      return [];
  }
}

/** The help text of a command, or the overview (`dl --help`) when `command` is null. */
export function helpText(command: CommandName | null): string {
  if (command === null) {
    const w = Math.max(...COMMAND_NAMES.map((c) => c.length)) + 2;
    return [
      'dl: train, evaluate and use @dl models from the command line',
      '',
      'Usage: dl <command> [options]',
      '',
      'Commands:',
      ...COMMAND_NAMES.map((c) => `  ${c.padEnd(w)}${SUMMARIES[c]}`),
      '',
      "Run 'dl <command> --help' for a command's options.",
      '',
      'Examples:',
      ...EXAMPLES.train.slice(0, 1).map((e) => `  ${e}`),
      ...EXAMPLES.eval.map((e) => `  ${e}`),
      ...EXAMPLES.predict.map((e) => `  ${e}`),
      '',
    ].join('\n');
  }
  const spec = optionsOf(command);
  const lines = [`dl ${command}: ${SUMMARIES[command]}`, '', `Usage: ${USAGES[command]}`, ''];
  const notes = NOTES[command];
  if (notes !== undefined) lines.push(...notes, '');
  if (spec.length > 0) lines.push('Options:', formatOptionsHelp(spec), '  -h, --help'.padEnd(36) + 'show this help', '');
  lines.push('Examples:', ...EXAMPLES[command].map((e) => `  ${e}`), '');
  return lines.join('\n');
}

/**
 * Parses the words after `dl` into a command with every setting resolved.
 *
 * @throws UsageError naming the option or argument that is wrong and what would be right.
 */
export function parseArgs(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('dl: no command given; the commands are train, eval, predict, help');
  if (first === '-h' || first === '--help') return { command: 'help', topic: null };
  if (first === '--version' || first === '-V') return { command: 'version' };
  switch (first) {
    case 'train':
      return parseTrain(rest);
    case 'eval':
      return parseEval(rest);
    case 'predict':
      return parsePredict(rest);
    case 'help':
      return parseHelp(rest);
  }
  const guess = closest(first, COMMAND_NAMES);
  const hint = guess !== null ? `did you mean 'dl ${guess}'? ` : '';
  if (first.startsWith('-')) {
    throw new UsageError(`dl: expected a command before the options, got '${first}'; ${hint}the commands are ${COMMAND_NAMES.join(', ')} (e.g. dl train ${first})`);
  }
  throw new UsageError(`dl: unknown command '${first}'; ${hint}the commands are ${COMMAND_NAMES.join(', ')}`);
}

function parseHelp(rest: readonly string[]): HelpArgs {
  const topics = rest.filter((w) => w !== '-h' && w !== '--help');
  if (topics.length === 0) return { command: 'help', topic: null };
  if (topics.length > 1) throw new UsageError(`dl help: expected one command, got ${topics.join(' ')}`, 'help');
  const t = topics[0];
  if ((COMMAND_NAMES as readonly string[]).includes(t)) return { command: 'help', topic: t as CommandName };
  const guess = closest(t, COMMAND_NAMES);
  throw new UsageError(`dl help: unknown command '${t}'${guess !== null ? `; did you mean '${guess}'?` : ''} (commands: ${COMMAND_NAMES.join(', ')})`, 'help');
}

function parseTrain(argv: readonly string[]): TrainArgs | HelpArgs {
  const p = parseOptions('train', TRAIN_OPTIONS, argv, { positionals: 0 });
  if (p.help) return { command: 'help', topic: 'train' };
  const v = p.values;
  const model = v.model as ModelName;
  const dataset = v.dataset as DatasetName;
  const optimizer = v.optimizer as OptimizerName;
  const momentum = num(v.momentum) ?? (optimizer === 'momentum' ? 0.9 : 0);
  if (momentum !== 0 && !['sgd', 'momentum', 'rmsprop'].includes(optimizer)) {
    throw new UsageError(`dl train: --momentum applies to sgd, momentum and rmsprop, not to --optimizer ${optimizer}; drop --momentum`, 'train');
  }
  if (optimizer === 'momentum' && momentum === 0) {
    throw new UsageError('dl train: --optimizer momentum needs --momentum > 0 (use --optimizer sgd for plain SGD)', 'train');
  }
  return {
    command: 'train',
    model,
    dataset,
    dataDir: str(v['data-dir']),
    download: v.download === true,
    epochs: v.epochs as number,
    batchSize: v['batch-size'] as number,
    lr: num(v.lr) ?? DEFAULT_LR[optimizer],
    optimizer,
    momentum,
    weightDecay: num(v['weight-decay']) ?? (optimizer === 'adamw' ? 0.01 : 0),
    seed: v.seed as number,
    backend: str(v.backend) as BackendName | null,
    out: str(v.out) ?? `runs/${dataset}-${model}`,
    trainSize: num(v['train-size']),
    testSize: num(v['test-size']),
    valSplit: v['val-split'] as number,
    resume: str(v.resume),
    logEvery: v['log-every'] as number,
    report: v.report === true,
    given: [...p.given],
  };
}

function parseEval(argv: readonly string[]): EvalArgs | HelpArgs {
  const p = parseOptions('eval', EVAL_OPTIONS, argv, { positionals: 0 });
  if (p.help) return { command: 'help', topic: 'eval' };
  const v = p.values;
  return {
    command: 'eval',
    checkpoint: requireCheckpoint('eval', p),
    dataset: str(v.dataset) as DatasetName | null,
    dataDir: str(v['data-dir']),
    download: v.download === true,
    testSize: num(v['test-size']),
    batchSize: v['batch-size'] as number,
    backend: str(v.backend) as BackendName | null,
    json: v.json === true,
  };
}

function parsePredict(argv: readonly string[]): PredictArgs | HelpArgs {
  const p = parseOptions('predict', PREDICT_OPTIONS, argv, { positionals: 'any' });
  if (p.help) return { command: 'help', topic: 'predict' };
  const checkpoint = requireCheckpoint('predict', p);
  if (p.positionals.length === 0) {
    throw new UsageError('dl predict: no image given; name one or more PNG or JPEG files after the options (dl predict --checkpoint PATH digit.png)', 'predict');
  }
  const v = p.values;
  return {
    command: 'predict',
    checkpoint,
    images: p.positionals,
    top: v.top as number,
    invert: v.invert as PredictArgs['invert'],
    preprocess: v.preprocess as PredictArgs['preprocess'],
    backend: str(v.backend) as BackendName | null,
    json: v.json === true,
  };
}

function requireCheckpoint(command: CommandName, p: ParsedOptions): string {
  const c = str(p.values.checkpoint);
  if (c === null) {
    throw new UsageError(`dl ${command}: --checkpoint PATH is required (e.g. --checkpoint runs/mnist-mlp/best.safetensors, written by dl train)`, command);
  }
  return c;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}
