import { DLError, ShapeError, Tensor, ValueError, tensor } from '@dl/tensor';
import { accuracy, confusionMatrix, normalizeConfusionMatrix, topKAccuracy } from './index';

/** A stand-in for an @dl/autograd Variable: anything with a Tensor in `.data`. */
const holder = (t: Tensor): { data: Tensor; grad: null } => ({ data: t, grad: null });

describe('accuracy', () => {
  it("matches sklearn's accuracy_score documentation example", () => {
    // accuracy_score([0, 1, 2, 3], [0, 2, 1, 3]) == 0.5
    expect(accuracy([0, 2, 1, 3], [0, 1, 2, 3])).toBe(0.5);
  });

  it('takes the argmax of scores [N, C] (first maximum on ties, NaN as the maximum)', () => {
    const logits = [
      [0.1, 2.0, -1.0], // 1
      [3.0, 3.0, 0.0], // tie -> 0
      [NaN, 1.0, 5.0], // NaN -> 0, as torch.argmax
      [-1.0, -2.0, -0.5], // 2
    ];
    expect(accuracy(logits, [1, 0, 0, 2])).toBe(1);
    expect(accuracy(logits, [1, 1, 2, 2])).toBe(0.5);
  });

  it('accepts Tensors of every dtype, Variables (.data), typed arrays and [N, 1] targets', () => {
    const logits = tensor([[0.2, 0.8], [0.9, 0.1], [0.4, 0.6]]);
    const labels = tensor([1, 1, 1], { dtype: 'int32' });
    expect(accuracy(logits, labels)).toBeCloseTo(2 / 3, 15);
    expect(accuracy(holder(logits), holder(labels))).toBeCloseTo(2 / 3, 15);
    expect(accuracy(logits.double(), Int32Array.from([1, 0, 1]))).toBe(1);
    expect(accuracy(tensor([1, 0, 1]), tensor([[1], [0], [0]]))).toBeCloseTo(2 / 3, 15);
    expect(accuracy(tensor([true, false]), [1, 1])).toBe(0.5);
    // a non-contiguous view: the transpose of [[1, 0], [0, 1], [2, 3]]^T
    const t = tensor([[1, 0, 2], [0, 1, 3]]).T;
    expect(accuracy(t, [0, 1, 1])).toBe(1);
    // a Tensor from another copy of @dl/tensor is recognised by its shape and toTypedArray()
    const foreign = { shape: [2, 2], toTypedArray: () => Float32Array.from([0, 1, 1, 0]) };
    expect(accuracy(foreign as never, [1, 1])).toBe(0.5);
  });

  it('rejects mismatched lengths, bad shapes and bad labels with clear errors', () => {
    expect(() => accuracy([0, 1, 2], [0, 1])).toThrow(new ShapeError('accuracy: pred has 3 samples but target has 2; they must describe the same samples'));
    expect(() => accuracy([[[0]]], [0])).toThrow(/accuracy: pred must be class indices \[N\] or scores \[N, C\].*got shape \[1, 1, 1\]/);
    expect(() => accuracy([[0.3], [0.7]], [0, 1])).toThrow(/pred has shape \[2, 1\].*threshold it/);
    expect(() => accuracy([0, -1], [0, 1])).toThrow(new ValueError('accuracy: pred[1] = -1 is not a class index; labels must be integers 0..C-1'));
    expect(() => accuracy([0, 1], [0, 0.5])).toThrow(/target\[1\] = 0.5 is not a class index/);
    expect(() => accuracy([[1, 2], [3, 4]], [0, 2])).toThrow(/target\[1\] = 2 is outside \[0, 2\)/);
    expect(() => accuracy([], [])).toThrow('accuracy: got 0 samples; there is nothing to score');
    expect(() => accuracy([[1, 2], [3]], [0, 1])).toThrow(/ragged array: pred\[1\] has length 1 but \[2, 2\]/);
    expect(() => accuracy('0, 1' as never, [0, 1])).toThrow(/pred must be a Tensor, a Variable .* got a string/);
    expect(() => accuracy([0, 1], [[0, 1], [1, 0]])).toThrow(/target must be class indices of shape \[N\], got shape \[2, 2\]/);
  });
});

describe('topKAccuracy', () => {
  const scores = [
    [0.5, 0.2, 0.2],
    [0.3, 0.4, 0.2],
    [0.2, 0.4, 0.3],
    [0.7, 0.2, 0.1],
  ];
  it("matches sklearn's top_k_accuracy_score documentation example", () => {
    expect(topKAccuracy(scores, [0, 1, 2, 2], 2)).toBe(0.75);
  });

  it('is accuracy for k = 1 and 1 for k = C', () => {
    expect(topKAccuracy(scores, [0, 1, 2, 2], 1)).toBe(accuracy(scores, [0, 1, 2, 2]));
    expect(topKAccuracy(scores, [0, 1, 2, 2], 3)).toBe(1);
  });

  it('breaks ties in favour of the lower class index', () => {
    // row [1, 1, 1]: ranks are 0, 1, 2 for classes 0, 1, 2
    expect(topKAccuracy([[1, 1, 1]], [1], 1)).toBe(0);
    expect(topKAccuracy([[1, 1, 1]], [1], 2)).toBe(1);
    expect(topKAccuracy([[1, 1, 1]], [2], 2)).toBe(0);
  });

  it('checks k, shapes and labels', () => {
    expect(() => topKAccuracy(scores, [0, 1, 2, 2], 4)).toThrow('topKAccuracy: k = 4 is larger than the number of classes C = 3 (scores [4, 3]); use 1 <= k <= C');
    expect(() => topKAccuracy(scores, [0, 1, 2, 2], 0)).toThrow(/k must be a positive integer, got 0/);
    expect(() => topKAccuracy([0, 1], [0, 1], 1)).toThrow(/scores must be \[N, C\]/);
    expect(() => topKAccuracy(scores, [0, 1, 2], 1)).toThrow(/have 4 samples but target has 3/);
    expect(() => topKAccuracy(scores, [0, 1, 2, 3], 1)).toThrow(/target\[3\] = 3 is outside \[0, 3\)/);
  });
});

describe('confusionMatrix', () => {
  it("matches sklearn's confusion_matrix documentation example (rows = true, columns = predicted)", () => {
    // confusion_matrix(y_true=[2, 0, 2, 2, 0, 1], y_pred=[0, 0, 2, 2, 0, 2])
    const cm = confusionMatrix([0, 0, 2, 2, 0, 2], [2, 0, 2, 2, 0, 1], 3);
    expect(cm.dtype).toBe('int32');
    expect(cm.shape).toEqual([3, 3]);
    expect(cm.toArray()).toEqual([
      [2, 0, 0],
      [0, 0, 1],
      [1, 0, 2],
    ]);
  });

  it('puts true class 0 predicted as 1 at row 0, column 1', () => {
    expect(confusionMatrix([1], [0], 2).toArray()).toEqual([
      [0, 1],
      [0, 0],
    ]);
  });

  it('infers C from scores or from the largest label, and keeps absent classes when numClasses is given', () => {
    expect(confusionMatrix([[0.1, 0.9, 0, 0]], [1]).shape).toEqual([4, 4]);
    expect(confusionMatrix([0, 3], [1, 0]).shape).toEqual([4, 4]);
    expect(confusionMatrix([0, 1], [0, 1], 5).toArray()).toEqual([
      [1, 0, 0, 0, 0],
      [0, 1, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ]);
    expect(confusionMatrix([], [], 2).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('rejects labels outside [0, numClasses) and other misuse', () => {
    expect(() => confusionMatrix([0, 10], [0, 1], 10)).toThrow(
      'confusionMatrix: pred[1] = 10 is outside [0, 10); labels must be class indices 0..9 (C = 10 from numClasses)',
    );
    expect(() => confusionMatrix([0, 1], [0, 12], 10)).toThrow(/target\[1\] = 12 is outside \[0, 10\)/);
    expect(() => confusionMatrix([[1, 2, 3]], [0], 4)).toThrow(/pred has scores for 3 classes \(shape \[1, 3\]\) but numClasses gives 4/);
    expect(() => confusionMatrix([0], [0], 0)).toThrow(/numClasses must be a positive integer, got 0/);
    expect(() => confusionMatrix([], [])).toThrow(/cannot infer the number of classes from 0 samples; pass numClasses/);
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(ShapeError);
  });
});

describe('normalizeConfusionMatrix', () => {
  const cm = [
    [2, 0, 0],
    [0, 0, 0],
    [1, 1, 2],
  ];
  it("normalises rows ('true'), columns ('pred') or all, zero sums giving zeros as in sklearn", () => {
    expect(normalizeConfusionMatrix(cm, 'true').toArray()).toEqual([
      [1, 0, 0],
      [0, 0, 0],
      [0.25, 0.25, 0.5],
    ]);
    expect(normalizeConfusionMatrix(cm, 'pred').toArray()).toEqual([
      [2 / 3, 0, 0],
      [0, 0, 0],
      [1 / 3, 1, 1],
    ]);
    expect(normalizeConfusionMatrix(tensor(cm, { dtype: 'int32' }), 'all').toArray()).toEqual([
      [1 / 3, 0, 0],
      [0, 0, 0],
      [1 / 6, 1 / 6, 1 / 3],
    ]);
    expect(normalizeConfusionMatrix(cm, 'all').dtype).toBe('float64');
  });

  it('checks its input', () => {
    expect(() => normalizeConfusionMatrix([[1, 2]], 'true')).toThrow(/cm must be a square matrix \[C, C\].*got shape \[1, 2\]/);
    expect(() => normalizeConfusionMatrix([[1, -2], [0, 1]], 'true')).toThrow('normalizeConfusionMatrix: cm[0][1] = -2; counts must be finite and non-negative');
    expect(() => normalizeConfusionMatrix(cm, 'rows' as never)).toThrow(/normalize must be 'true' \(rows\), 'pred' \(columns\) or 'all'/);
    expect(() => normalizeConfusionMatrix(cm, 'rows' as never)).toThrow(DLError);
  });
});
