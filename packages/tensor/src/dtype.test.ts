import { castScalar, category, dtypeOfStorage, isDType, scalarDType, type PromotionOperand } from './dtype';
import {
  DEFAULT_FLOAT,
  DTYPES,
  DTypeError,
  Tensor,
  allocStorage,
  isFloating,
  promoteTypes,
  resultType,
  tensor,
  zeros,
  type DType,
} from './index';

/**
 * torch.result_type(a, b) in PyTorch 1.13, with int64 written as int32 (@dl's only integer dtype).
 * Operand kinds: tensors with dims of each dtype, 0-d tensors of each dtype, and the Python scalars
 * True, 2 and 2.5 (JS `true`, `2`, `2.5`).
 */
const KINDS = ['bool', 'int32', 'float32', 'float64', '0d-bool', '0d-int32', '0d-float32', '0d-float64', 'true', '2', '2.5'] as const;
type Kind = (typeof KINDS)[number];
const TORCH_RESULT_TYPE: Record<Kind, DType[]> = {
  bool: ['bool', 'int32', 'float32', 'float64', 'bool', 'int32', 'float32', 'float64', 'bool', 'int32', 'float32'],
  int32: ['int32', 'int32', 'float32', 'float64', 'int32', 'int32', 'float32', 'float64', 'int32', 'int32', 'float32'],
  float32: ['float32', 'float32', 'float32', 'float64', 'float32', 'float32', 'float32', 'float32', 'float32', 'float32', 'float32'],
  float64: ['float64', 'float64', 'float64', 'float64', 'float64', 'float64', 'float64', 'float64', 'float64', 'float64', 'float64'],
  '0d-bool': ['bool', 'int32', 'float32', 'float64', 'bool', 'int32', 'float32', 'float64', 'bool', 'int32', 'float32'],
  '0d-int32': ['int32', 'int32', 'float32', 'float64', 'int32', 'int32', 'float32', 'float64', 'int32', 'int32', 'float32'],
  '0d-float32': ['float32', 'float32', 'float32', 'float64', 'float32', 'float32', 'float32', 'float64', 'float32', 'float32', 'float32'],
  '0d-float64': ['float64', 'float64', 'float32', 'float64', 'float64', 'float64', 'float64', 'float64', 'float64', 'float64', 'float64'],
  true: ['bool', 'int32', 'float32', 'float64', 'bool', 'int32', 'float32', 'float64', 'bool', 'int32', 'float32'],
  '2': ['int32', 'int32', 'float32', 'float64', 'int32', 'int32', 'float32', 'float64', 'int32', 'int32', 'float32'],
  '2.5': ['float32', 'float32', 'float32', 'float64', 'float32', 'float32', 'float32', 'float64', 'float32', 'float32', 'float32'],
};

function operand(k: Kind): PromotionOperand {
  if (k === 'true') return { dtype: 'bool', rank: 0 };
  if (k === '2') return { dtype: 'int32', rank: 0 };
  if (k === '2.5') return { dtype: 'float32', rank: 0 };
  if (k.startsWith('0d-')) return { dtype: k.slice(3) as DType, rank: 1 };
  return { dtype: k as DType, rank: 2 };
}

/** The same kinds as values the ops accept. */
function value(k: Kind): Tensor | number | boolean {
  if (k === 'true') return true;
  if (k === '2') return 2;
  if (k === '2.5') return 2.5;
  if (k.startsWith('0d-')) return zeros([], { dtype: k.slice(3) as DType });
  return zeros([2], { dtype: k as DType });
}

describe('resultType follows PyTorch 1.13 torch.result_type', () => {
  const pairs = KINDS.flatMap((a, i) => KINDS.map((b, j) => [a, b, TORCH_RESULT_TYPE[a][j], i, j] as const));

  it.each(pairs)('%s with %s -> %s', (a, b, want) => {
    expect(resultType([operand(a), operand(b)])).toBe(want);
  });

  it('the table is symmetric', () => {
    for (const [a, b, want] of pairs) expect(TORCH_RESULT_TYPE[b][KINDS.indexOf(a)]).toBe(want);
  });

  // the ops go through the same rule (mul: defined for every dtype, bool included)
  const tensorFirst = pairs.filter(([a]) => !['true', '2', '2.5'].includes(a));
  it.each(tensorFirst)('mul(%s, %s) has dtype %s', (a, b, want) => {
    expect((value(a) as Tensor).mul(value(b)).dtype).toBe(want);
  });

  it('uses the default float for an integer tensor and a float scalar, and the tensor dtype otherwise', () => {
    expect(resultType([{ dtype: 'int32', rank: 2 }, { dtype: 'float64', rank: 0 }])).toBe(DEFAULT_FLOAT);
    expect(resultType([{ dtype: 'int32', rank: 2 }, { dtype: 'float64', rank: 1 }])).toBe('float64');
  });

  it('takes any number of operands', () => {
    expect(resultType([])).toBe(DEFAULT_FLOAT);
    expect(resultType([{ dtype: 'int32', rank: 2 }])).toBe('int32');
    expect(
      resultType([
        { dtype: 'bool', rank: 2 },
        { dtype: 'int32', rank: 1 },
        { dtype: 'float64', rank: 0 },
      ]),
    ).toBe('float32');
    expect(
      resultType([
        { dtype: 'float32', rank: 2 },
        { dtype: 'int32', rank: 2 },
        { dtype: 'float64', rank: 1 },
      ]),
    ).toBe('float32');
  });
});

describe('promoteTypes (torch.promote_types)', () => {
  it.each([
    ['bool', 'bool', 'bool'],
    ['bool', 'int32', 'int32'],
    ['bool', 'float32', 'float32'],
    ['int32', 'float32', 'float32'],
    ['int32', 'float64', 'float64'],
    ['float32', 'float64', 'float64'],
    ['float64', 'float64', 'float64'],
  ] as const)('%s, %s -> %s (both orders)', (a, b, want) => {
    expect(promoteTypes(a, b)).toBe(want);
    expect(promoteTypes(b, a)).toBe(want);
  });
});

describe('dtype helpers', () => {
  it('lists the dtypes and which are floating', () => {
    expect(DTYPES).toEqual(['bool', 'int32', 'float32', 'float64']);
    expect(DTYPES.filter(isFloating)).toEqual(['float32', 'float64']);
    expect(DEFAULT_FLOAT).toBe('float32');
    expect(DTYPES.map(category)).toEqual([0, 1, 2, 2]);
  });

  it('isDType recognises exactly the four names', () => {
    expect(DTYPES.every(isDType)).toBe(true);
    expect(isDType('float16')).toBe(false);
    expect(isDType('int64')).toBe(false);
    expect(isDType(undefined)).toBe(false);
  });

  it('allocStorage gives zeroed typed arrays of the right kind, and dtypeOfStorage reads them back', () => {
    const ctors = { bool: Uint8Array, int32: Int32Array, float32: Float32Array, float64: Float64Array };
    for (const d of DTYPES) {
      const s = allocStorage(d, 3);
      expect(s).toBeInstanceOf(ctors[d]);
      expect(Array.from(s)).toEqual([0, 0, 0]);
      expect(dtypeOfStorage(s)).toBe(d);
    }
    expect(dtypeOfStorage(new Int16Array(1))).toBeNull();
  });

  it('castScalar truncates toward zero for int32, rounds for float32, and treats any nonzero (NaN too) as true', () => {
    expect(castScalar(2.7, 'int32')).toBe(2);
    expect(castScalar(-2.7, 'int32')).toBe(-2);
    expect(castScalar(2 ** 31, 'int32')).toBe(-(2 ** 31)); // wraps like int32 arithmetic
    expect(castScalar(Infinity, 'int32')).toBe(0);
    expect(castScalar(0.1, 'float32')).toBe(Math.fround(0.1));
    expect(castScalar(0.1, 'float64')).toBe(0.1);
    expect(castScalar(-0.5, 'bool')).toBe(1);
    expect(castScalar(0, 'bool')).toBe(0);
    expect(castScalar(NaN, 'bool')).toBe(1);
  });

  it('scalarDType: booleans are bool, integral numbers int32, others the default float', () => {
    expect(scalarDType(true)).toBe('bool');
    expect(scalarDType(3)).toBe('int32');
    expect(scalarDType(-0)).toBe('int32');
    expect(scalarDType(3.5)).toBe('float32');
    expect(scalarDType(Infinity)).toBe('float32');
  });

  it('conversions between dtypes match PyTorch (trunc toward zero, NaN -> true)', () => {
    const x = tensor([1.7, -1.7, 0, NaN, -0.25], { dtype: 'float64' });
    expect(x.int().toArray()).toEqual([1, -1, 0, 0, 0]);
    expect(x.bool().toArray()).toEqual([true, true, false, true, true]);
    expect(x.float().dtype).toBe('float32');
    expect(tensor([true, false]).double().toArray()).toEqual([1, 0]);
  });

  it('an unknown dtype string is a DTypeError naming the op', () => {
    const bad = 'float16' as DType;
    expect(() => tensor([1], { dtype: bad })).toThrow(DTypeError);
    expect(() => tensor([1], { dtype: bad })).toThrow(/^tensor: unknown dtype 'float16'/);
    expect(() => zeros([2], { dtype: bad })).toThrow(/unknown dtype 'float16'/);
    expect(() => tensor([1, 2]).to(bad)).toThrow(DTypeError);
    expect(() => tensor([1, 2]).to(bad)).toThrow(/^to: unknown dtype 'float16'/);
  });
});
