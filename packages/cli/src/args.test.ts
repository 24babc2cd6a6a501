import { DEFAULT_LR, helpText, parseArgs, type TrainArgs } from './args';
import { UsageError } from './errors';
import { closest, suggestKey } from '@dl/tensor';
import { formatOptionsHelp } from './options';

function train(...argv: string[]): TrainArgs {
  const c = parseArgs(['train', ...argv]);
  if (c.command !== 'train') throw new Error(`expected train, got ${c.command}`);
  return c;
}

function usageError(argv: string[]): UsageError {
  try {
    parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error(`parseArgs(${argv.join(' ')}) did not throw`);
}

describe('dl train defaults', () => {
  test('the issue defaults: mlp, mnist, adam 1e-3, batch 100, 10 epochs, out runs/mnist-mlp', () => {
    const a = train();
    expect(a).toMatchObject({
      model: 'mlp',
      dataset: 'mnist',
      optimizer: 'adam',
      lr: 1e-3,
      batchSize: 100,
      epochs: 10,
      seed: 0,
      out: 'runs/mnist-mlp',
      trainSize: null,
      testSize: null,
      resume: null,
      backend: null,
      momentum: 0,
      weightDecay: 0,
      report: true,
      logEvery: 0,
      given: [],
    });
  });

  test('per-optimizer defaults: momentum gets 0.9 and lr 0.01, adamw weight decay 0.01', () => {
    expect(train('--optimizer', 'momentum')).toMatchObject({ momentum: 0.9, lr: DEFAULT_LR.momentum });
    expect(train('--optimizer', 'sgd')).toMatchObject({ momentum: 0, lr: 0.1 });
    expect(train('--optimizer', 'adamw').weightDecay).toBe(0.01);
    expect(train('--optimizer', 'adamw', '--weight-decay', '0').weightDecay).toBe(0);
  });

  test('out follows dataset and model', () => {
    expect(train('--model', 'lenet', '--dataset', 'cifar10').out).toBe('runs/cifar10-lenet');
  });
});

describe('dl train options', () => {
  test('both --name value and --name=value; numbers in any JS notation', () => {
    const a = train('--epochs=3', '--lr', '5e-4', '--batch-size', '32', '--model=cnn', '--seed', '7', '--out', 'x/y');
    expect(a).toMatchObject({ epochs: 3, lr: 5e-4, batchSize: 32, model: 'cnn', seed: 7, out: 'x/y' });
    expect(a.given.sort()).toEqual(['batch-size', 'epochs', 'lr', 'model', 'out', 'seed']);
  });

  test('flags and negated flags', () => {
    expect(train('--no-report').report).toBe(false);
    expect(train('--download').download).toBe(true);
  });

  test('--help anywhere gives the command help', () => {
    expect(parseArgs(['train', '--epochs', '3', '--help'])).toEqual({ command: 'help', topic: 'train' });
    expect(parseArgs(['predict', '-h'])).toEqual({ command: 'help', topic: 'predict' });
    expect(parseArgs(['--help'])).toEqual({ command: 'help', topic: null });
    expect(parseArgs(['help', 'eval'])).toEqual({ command: 'help', topic: 'eval' });
  });
});

describe('errors name the option, the value and the fix', () => {
  test.each([
    [['train', '--epoch', '3'], /unknown option '--epoch'; did you mean '--epochs'\?/],
    [['train', '--lr', 'fast'], /--lr expects a finite number > 0.*got 'fast'/],
    [['train', '--lr', '0'], /--lr expects a number > 0, got '0'/],
    [['train', '--lr', '-1'], /--lr expects a number > 0, got '-1'/],
    [['train', '--epochs', '2.5'], /--epochs expects a whole number >= 1, got '2.5'/],
    [['train', '--epochs', '0'], /--epochs expects a whole number >= 1, got '0'/],
    [['train', '--batch-size'], /--batch-size needs a value, e.g. --batch-size 100/],
    [['train', '--epochs', '--lr', '1'], /--epochs needs a value/],
    [['train', '--model', 'resnet'], /--model expects one of mlp, cnn, lenet, got 'resnet'/],
    [['train', '--dataset', 'MNIST'], /did you mean 'mnist'\?/],
    [['train', '--optimizer', 'adma'], /did you mean 'adam'\?/],
    [['train', '--epochs', '3', '--epochs', '4'], /--epochs is given twice/],
    [['train', 'extra'], /unexpected argument 'extra'/],
    [['train', '-e', '3'], /unknown option '-e'/],
    [['train', '--report=yes'], /--report is a flag and takes no value/],
    [['train', '--optimizer', 'adam', '--momentum', '0.9'], /--momentum applies to sgd, momentum and rmsprop/],
    [['train', '--optimizer', 'momentum', '--momentum', '0'], /needs --momentum > 0/],
    [['trian'], /unknown command 'trian'; did you mean 'dl train'\?/],
    [['--epochs', '3'], /expected a command before the options/],
    [[], /no command given/],
    [['eval'], /--checkpoint PATH is required/],
    [['predict', '--checkpoint', 'c.safetensors'], /no image given/],
    [['predict', 'x.png'], /--checkpoint PATH is required/],
    [['help', 'fly'], /unknown command 'fly'/],
  ])('%j', (argv, message) => {
    const e = usageError(argv);
    expect(e.message).toMatch(message);
  });

  test('the error knows which help to point to', () => {
    expect(usageError(['train', '--nope']).command).toBe('train');
    expect(usageError(['bogus']).command).toBeNull();
  });
});

describe('eval and predict', () => {
  test('eval defaults', () => {
    expect(parseArgs(['eval', '--checkpoint', 'c.st'])).toEqual({
      command: 'eval',
      checkpoint: 'c.st',
      dataset: null,
      dataDir: null,
      download: false,
      testSize: null,
      batchSize: 500,
      backend: null,
      json: false,
    });
  });

  test('predict takes images after, before or between options, and after --', () => {
    const p = parseArgs(['predict', 'a.png', '--checkpoint', 'c.st', 'b.png', '--top', '5', '--', '--odd-name.png']);
    expect(p).toMatchObject({ command: 'predict', checkpoint: 'c.st', images: ['a.png', 'b.png', '--odd-name.png'], top: 5, invert: 'auto' });
  });
});

describe('help text', () => {
  test('lists every option of a command with its default', () => {
    const h = helpText('train');
    for (const opt of ['--model', '--dataset', '--epochs', '--batch-size', '--lr', '--optimizer', '--seed', '--backend', '--out', '--resume', '--no-report']) {
      expect(h).toContain(opt);
    }
    expect(h).toMatch(/--epochs N\s+passes over the training set \(default: 10\)/);
    expect(h).toMatch(/--batch-size N\s+samples per minibatch \(default: 100\)/);
    expect(h).toContain('Usage: dl train [options]');
  });

  test('the overview lists the commands', () => {
    const h = helpText(null);
    for (const c of ['train', 'eval', 'predict', 'help']) expect(h).toMatch(new RegExp(`^  ${c}\\s`, 'm'));
  });

  test('long option heads wrap instead of breaking the alignment', () => {
    const text = formatOptionsHelp([{ name: 'a-very-long-option-name-indeed', kind: 'choice', choices: ['one', 'two', 'three'], default: 'one', help: 'h' }]);
    expect(text.split('\n')).toHaveLength(2);
  });
});

test("the suggestions come from @dl/tensor's suggestKey and closest (the cli has no copy of its own)", () => {
  expect(suggestKey('epoch', ['epochs', 'lr'])).toBe('epochs');
  expect(closest('trian', ['train', 'eval', 'predict', 'help'])).toBe('train');
  // the same letters up to case and underscores: PyTorch/Python spellings of kebab-case options
  expect(usageError(['train', '--batch_size', '8']).message).toMatch(/unknown option '--batch_size'; did you mean '--batch-size'\?/);
  expect(usageError(['train', '--Epochs', '3']).message).toMatch(/unknown option '--Epochs'; did you mean '--epochs'\?/);
  expect(usageError(['train', '--optimizer', 'ADAM']).message).toMatch(/did you mean 'adam'\?/);
  expect(usageError(['train', '--zzzz', '3']).message).not.toMatch(/did you mean/);
});
