import { ValueError, checkOptions, closest, editDistance, optionKeys, suggestKey } from './index';

describe('checkOptions', () => {
  const KEYS = ['bias', 'dtype', 'ignoreIndex', 'batchFirst', 'divisorOverride', 'stride'];

  it('accepts known keys, an empty object and undefined, and returns the options', () => {
    const o = { bias: false, stride: undefined };
    expect(checkOptions('Linear', o, KEYS)).toBe(o);
    expect(checkOptions('Linear', {}, KEYS)).toEqual({});
    expect(checkOptions('Linear', undefined, KEYS)).toBeUndefined();
  });

  it.each([
    ['ignore_index', 'ignoreIndex'],
    ['batch_first', 'batchFirst'],
    ['divisor_override', 'divisorOverride'],
    ['IgnoreIndex', 'ignoreIndex'],
    ['bais', 'bias'],
    ['Bias', 'bias'],
    ['dtpye', 'dtype'],
    ['strid', 'stride'],
    ['batch_frist', 'batchFirst'],
  ])("'%s' is unknown, with the hint '%s'", (key, hint) => {
    const f = () => checkOptions('Thing', { [key]: 1 }, KEYS);
    expect(f).toThrow(ValueError);
    expect(f).toThrow(`Thing: unknown option '${key}' (did you mean '${hint}'?); the options are ${KEYS.join(', ')}`);
  });

  it('gives no hint when nothing is close, and says when there are no options at all', () => {
    expect(() => checkOptions('Thing', { momentum: 0.9 }, KEYS)).toThrow(/^Thing: unknown option 'momentum'; the options are bias,/);
    expect(() => checkOptions('ReLU', { inplace: true }, [])).toThrow(/^ReLU: unknown option 'inplace'; it takes no options$/);
  });

  it('rejects options that are not an object', () => {
    expect(() => checkOptions('Linear', null, KEYS)).toThrow(/^Linear: options must be an object such as \{ bias: \.\.\. \}, got null$/);
    expect(() => checkOptions('Linear', [1, 2], KEYS)).toThrow(/got an array of 2/);
    expect(() => checkOptions('Linear', 'mean', KEYS)).toThrow(/got 'mean'/);
  });
});

describe('suggestKey, closest and editDistance', () => {
  it('prefers the same letters up to case and underscores over a near typo', () => {
    expect(suggestKey('weight_decay', ['weightDecay', 'weightDecayX'])).toBe('weightDecay');
    expect(suggestKey('lr', ['lr', 'betas'])).toBe('lr');
    expect(suggestKey('learningRate', ['lr', 'momentum'])).toBeNull();
  });

  it('measures edits with adjacent swaps costing 1', () => {
    expect(editDistance('bais', 'bias')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closest('adma', ['adam', 'sgd'])).toBe('adam');
    expect(closest('zzzz', ['adam', 'sgd'])).toBeNull();
    expect(closest('mom', ['momentum', 'nesterov'])).toBe('momentum');
  });
});

describe('optionKeys', () => {
  it('lists the keys of the object, which the compiler checks against the interface', () => {
    interface O {
      a?: number;
      b?: string;
    }
    expect(optionKeys<O>({ a: true, b: true })).toEqual(['a', 'b']);
    // @ts-expect-error a missing key does not compile
    optionKeys<O>({ a: true });
    // @ts-expect-error nor does an extra one
    optionKeys<O>({ a: true, b: true, c: true });
  });
});
