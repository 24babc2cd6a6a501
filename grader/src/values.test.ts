import fc from 'fast-check';
import { decodeWire, encodeWire, T, toNested } from './values';

test('T infers shapes and checks raggedness', () => {
  expect(T([[1, 2], [3, 4]])).toEqual({ $tensor: true, dtype: 'float64', shape: [2, 2], data: [1, 2, 3, 4] });
  expect(T(5).shape).toEqual([]);
  expect(() => T([[1, 2], [3]] as never)).toThrow(/ragged/);
  expect(toNested(T([[1, 2], [3, 4]]))).toEqual([[1, 2], [3, 4]]);
});

test('the wire keeps NaN, infinities, -0 and undefined', () => {
  const v = decodeWire(encodeWire({ a: [NaN, Infinity, -Infinity, -0, 1], b: undefined, t: T([NaN, 2]) })) as Record<string, unknown>;
  expect(v.a).toEqual([NaN, Infinity, -Infinity, -0, 1]);
  expect(Object.is((v.a as number[])[3], -0)).toBe(true);
  expect('b' in v && v.b === undefined).toBe(true);
  expect((v.t as { data: number[] }).data).toEqual([NaN, 2]);
});

test('malformed tensors from the other side are rejected', () => {
  expect(() => decodeWire('{"$tensor":true,"dtype":"float64","shape":[3],"data":[1]}')).toThrow(/shape \[3\] with 1 values/);
  expect(() => decodeWire('{"$tensor":true,"dtype":"complex","shape":[],"data":[1]}')).toThrow(/dtype/);
  expect(() => decodeWire('{"$num":"lots"}')).toThrow(/bad number tag/);
});

test('property: encode then decode is the identity on JSON-like values with any doubles', () => {
  const value = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, fc.double(), fc.boolean(), fc.string(), fc.constant(null), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string().filter((k) => !k.startsWith('$') && k !== '__proto__'), tie('v'), { maxKeys: 3 })),
  })).v;
  fc.assert(fc.property(value, (v) => {
    expect(decodeWire(encodeWire(v))).toEqual(v);
  }));
});
