/**
 * Bad input gets a clear error naming the loss, the shapes or values, and the fix.
 */
import { variable } from '@dl/autograd';
import { DTypeError, IndexError, ShapeError, ValueError, randn, tensor, zeros } from '@dl/tensor';
import {
  BCELoss,
  CrossEntropyLoss,
  HuberLoss,
  MSELoss,
  NLLLoss,
  SmoothL1Loss,
  SumSquaredError,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  huberLoss,
  mseLoss,
  nllLoss,
  type LossInput,
  type Reduction,
} from './index';

const logits = randn([4, 3]);
const i32 = (d: number[] | number) => tensor(d, { dtype: 'int32' });

describe('class-index targets', () => {
  it('float class indices: int32 expected, with the fix', () => {
    const e = () => new CrossEntropyLoss().forward(logits, tensor([0, 1, 2, 1]));
    expect(e).toThrow(DTypeError);
    expect(e).toThrow(
      'CrossEntropyLoss: class-index targets must be int32, got a float32 target of shape [4] for input [4, 3]; ' +
        "convert it with target.int(), or pass class probabilities as a float target of the input's shape [4, 3]",
    );
    expect(() => nllLoss(logits, tensor([0, 1, 2, 1]))).toThrow(/nllLoss: class-index targets must be int32.*target\.int\(\)$/);
    expect(() => crossEntropy(logits, tensor([true, false, true, false]))).toThrow(DTypeError);
  });

  it('target shape mismatch names both shapes and the expected one', () => {
    expect(() => crossEntropy(logits, i32([0, 1, 2]))).toThrow(
      new ShapeError(
        'crossEntropy: target shape [3] does not match input shape [4, 3]; expected [4] (the input\'s shape without the class dim 1)',
      ),
    );
    expect(() => nllLoss(randn([2, 3, 5]), i32([0, 1]))).toThrow(/expected \[2, 5\]/);
    expect(() => crossEntropy(randn([3]), i32([1]))).toThrow(/expected \[\] \(the input's shape without the class dim 0\)/);
  });

  it('class index out of range names the value and C', () => {
    expect(() => crossEntropy(logits, i32([0, 1, 3, 1]))).toThrow(IndexError);
    expect(() => crossEntropy(logits, i32([0, 1, 3, 1]))).toThrow(
      'crossEntropy: target value 3 is out of range for 3 classes (expected 0..2, or ignoreIndex -100); input [4, 3], target [4]',
    );
    expect(() => new NLLLoss().forward(logits, i32([0, -1, 0, 0]))).toThrow(/NLLLoss: target value -1 is out of range for 3 classes/);
    // ignoreIndex values are skipped, whatever they are
    expect(() => crossEntropy(logits, i32([0, -1, 0, 0]), { ignoreIndex: -1 })).not.toThrow();
    expect(() => crossEntropy(logits, i32([0, 7, 0, 0]), { ignoreIndex: 7 })).not.toThrow();
  });

  it('options: weight length, ignoreIndex, labelSmoothing', () => {
    expect(() => crossEntropy(logits, i32([0, 1, 2, 1]), { weight: [1, 2] })).toThrow(
      new ShapeError('crossEntropy: weight must have one entry per class, shape [3], got [2]'),
    );
    expect(() => new CrossEntropyLoss({ ignoreIndex: 1.5 })).toThrow(/ignoreIndex must be an integer, got 1.5/);
    expect(() => new CrossEntropyLoss({ labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be in \[0, 1\], got 1.5/);
    expect(() => crossEntropy(logits, i32([0, 1, 2, 1]), { labelSmoothing: -0.1 })).toThrow(ValueError);
  });

  it('input layout and dtype', () => {
    expect(() => crossEntropy(tensor(1), i32(0))).toThrow(/input must be \[C\], \[N, C\] or \[N, C, d1, \.\.\.\]/);
    expect(() => crossEntropy(zeros([2, 3], { dtype: 'int32' }), i32([0, 1]))).toThrow(
      new DTypeError('crossEntropy: input must be float32 or float64, got int32 of shape [2, 3]; convert it with .float()'),
    );
  });
});

describe('float targets', () => {
  it('shape mismatch is an error (PyTorch would broadcast [N, 1] against [N] to [N, N])', () => {
    const e = () => new MSELoss().forward(randn([5, 1]), randn([5]));
    expect(e).toThrow(ShapeError);
    expect(e).toThrow(
      'MSELoss: target shape [5] differs from input shape [5, 1]; they must be equal (reshape one of them, e.g. ' +
        'target.reshape([5, 1]) or output.squeeze(-1))',
    );
    expect(() => binaryCrossEntropyWithLogits(randn([2, 3]), randn([3, 2]))).toThrow(/binaryCrossEntropyWithLogits: target shape \[3, 2\]/);
  });

  it('class probabilities must have the input shape', () => {
    expect(() => crossEntropy(logits, zeros([4, 2]))).toThrow(/pass class probabilities as a float target of the input's shape \[4, 3\]/);
  });

  it('BCE input outside [0, 1] points to sigmoid / BCEWithLogitsLoss', () => {
    const e = () => new BCELoss().forward(tensor([0.5, 1.2]), tensor([1, 0]));
    expect(e).toThrow(ValueError);
    expect(e).toThrow(
      'BCELoss: input values must be probabilities in [0, 1], got 1.2 at flat index 1 of input [2]; ' +
        'apply sigmoid first, or better pass the logits to binaryCrossEntropyWithLogits / BCEWithLogitsLoss',
    );
    expect(() => binaryCrossEntropy(tensor([NaN]), tensor([1]))).toThrow(/got NaN/);
  });

  it('weights that do not broadcast', () => {
    expect(() => binaryCrossEntropyWithLogits(randn([2, 3]), zeros([2, 3]), { posWeight: [1, 2] })).toThrow(
      new ShapeError(
        'binaryCrossEntropyWithLogits: posWeight of shape [2] does not broadcast to the input shape [2, 3]; give it the ' +
          'input shape, or a shape that broadcasts to it (e.g. [C] for the last dim)',
      ),
    );
  });

  it('huber delta, smooth L1 beta', () => {
    expect(() => new HuberLoss({ delta: 0 })).toThrow('HuberLoss: delta must be a positive finite number, got 0');
    expect(() => huberLoss(randn([2]), randn([2]), { delta: -1 })).toThrow(/huberLoss: delta must be/);
    expect(() => new SmoothL1Loss({ beta: -1 })).toThrow('SmoothL1Loss: beta must be a finite number >= 0, got -1');
  });
});

describe('common mistakes', () => {
  it('unknown reduction', () => {
    expect(() => new MSELoss({ reduction: 'avg' as Reduction })).toThrow("MSELoss: reduction must be 'none', 'mean' or 'sum', got 'avg'");
    expect(() => new SumSquaredError({ reduction: 'avg' as 'sum' })).toThrow(/'sum', 'batchmean', 'mean' or 'none'/);
  });

  it('arrays instead of tensors', () => {
    const arr = [1, 2] as unknown as LossInput;
    expect(() => mseLoss(arr, tensor([1, 2]))).toThrow('mseLoss: input must be a Tensor or a Variable, got an array (wrap it with tensor())');
    expect(() => mseLoss(tensor([1, 2]), arr)).toThrow(/mseLoss: target must be a Tensor or a Variable/);
  });

  it('integer inputs', () => {
    expect(() => mseLoss(variable([1, 2], { dtype: 'int32' }), tensor([1, 2]))).toThrow(/mseLoss: input must be float32 or float64, got int32/);
  });
});
