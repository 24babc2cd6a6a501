/**
 * safetensors save/load: the exact byte layout, round trips (fast-check over dtypes, shapes and
 * names), files made from PyTorch tensors (fixtures/safetensors, made by
 * fixtures/make_safetensors_fixtures.py) including F16/BF16/I64 conversion and a PyTorch Linear
 * replayed by @dl's Linear, atomic writes, a clear error for each kind of damage, and a fuzz test:
 * random mutations and truncations of a valid file either throw a SafetensorsError or load tensors
 * that are exactly the bytes the (still valid) header points to.
 */
import { createHash } from 'crypto';
import fc from 'fast-check';
import * as fs from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Parameter, Variable } from '@dl/autograd';
import { Tensor, randn, tensor, type DType } from '@dl/tensor';
import { Linear } from './linear';
import {
  CHECKSUM_KEY,
  SAFETENSORS_DTYPES,
  SafetensorsChecksumError,
  SafetensorsError,
  deserialize,
  deserializeWithMetadata,
  load,
  loadWithMetadata,
  save,
  serialize,
} from './serialization';

const FIXTURES = join(__dirname, '..', 'fixtures', 'safetensors');

interface FixtureTensor {
  dtype: DType;
  shape: number[];
  data: (number | string)[];
}
interface Expected {
  files: Record<string, { tensors: Record<string, FixtureTensor>; metadata: Record<string, string> | null }>;
  errors: Record<string, string>;
  linear: { file: string; input: FixtureTensor; output: FixtureTensor };
}
const expected = JSON.parse(fs.readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Expected;

const num = (v: number | string): number => (typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity);

/** The little-endian bytes of a tensor as @dl stores it (the platform is little-endian in CI). */
function bytesOf(t: Tensor): Uint8Array {
  const v = t.toTypedArray();
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function sameTensor(a: Tensor, b: Tensor): boolean {
  return a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((s, i) => s === b.shape[i]) && Buffer.from(bytesOf(a)).equals(Buffer.from(bytesOf(b)));
}

/** The header of safetensors bytes, parsed independently of the code under test. */
function headerOf(bytes: Uint8Array): { n: number; json: Record<string, unknown> } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { n, json: JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')) as Record<string, unknown> };
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'dl-safetensors-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the byte layout', () => {
  it('8-byte little-endian header length, JSON header padded with spaces to a multiple of 8, then raw data', () => {
    const bytes = serialize({ b: tensor([1, 2], { dtype: 'int32' }), a: tensor([1.5]) }, { checksum: false });
    const json = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"I32","shape":[2],"data_offsets":[4,12]}}';
    const padded = Math.ceil(json.length / 8) * 8;
    expect(Array.from(bytes.subarray(0, 8))).toEqual([padded, 0, 0, 0, 0, 0, 0, 0]);
    expect(Buffer.from(bytes.subarray(8, 8 + padded)).toString('utf8')).toBe(json + ' '.repeat(padded - json.length));
    // 1.5f = 0x3fc00000, then int32 1 and 2, little-endian
    expect(Array.from(bytes.subarray(8 + padded))).toEqual([0, 0, 0xc0, 0x3f, 1, 0, 0, 0, 2, 0, 0, 0]);
    expect(bytes.length).toBe(8 + padded + 12);
  });

  it('names sorted, data in that order, metadata first; every dtype; bool as bytes 0/1', () => {
    const sd = {
      'z.bias': tensor([true, false, true]),
      'a.weight': tensor([[1, 2], [3, 4]], { dtype: 'float64' }),
      'm.scalar': tensor(7),
      'e.empty': new Tensor(new Float32Array(0), [0, 3]),
    };
    const bytes = serialize(sd, { metadata: { format: 'pt', epoch: '3' }, checksum: false });
    const { n, json } = headerOf(bytes);
    expect(n % 8).toBe(0);
    expect(Object.keys(json)).toEqual(['__metadata__', 'a.weight', 'e.empty', 'm.scalar', 'z.bias']);
    expect(json.__metadata__).toEqual({ format: 'pt', epoch: '3' });
    expect(json['a.weight']).toEqual({ dtype: 'F64', shape: [2, 2], data_offsets: [0, 32] });
    expect(json['e.empty']).toEqual({ dtype: 'F32', shape: [0, 3], data_offsets: [32, 32] });
    expect(json['m.scalar']).toEqual({ dtype: 'F32', shape: [], data_offsets: [32, 36] });
    expect(json['z.bias']).toEqual({ dtype: 'BOOL', shape: [3], data_offsets: [36, 39] });
    expect(Array.from(bytes.subarray(8 + n + 36))).toEqual([1, 0, 1]);
  });

  it('names are sorted by their UTF-8 bytes, integer-like names included', () => {
    const bytes = serialize({ a: tensor([3]), '2': tensor([2]), '10': tensor([1]), é: tensor([4]) });
    const text = Buffer.from(bytes.subarray(8, 8 + headerOf(bytes).n)).toString('utf8');
    expect(text.match(/"[^"]+":\{"dtype"/g)).toEqual(['"10":{"dtype"', '"2":{"dtype"', '"a":{"dtype"', '"é":{"dtype"']);
    expect(Array.from(new Float32Array(bytes.slice(8 + headerOf(bytes).n).buffer))).toEqual([1, 2, 3, 4]);
  });

  it('an empty state dict is a valid file', () => {
    const bytes = serialize({});
    expect(bytes.length).toBe(16);
    expect(deserialize(bytes)).toEqual({});
  });
});

describe('round trips', () => {
  const dtypeArb = fc.constantFrom<DType>('float32', 'float64', 'int32', 'bool');
  const tensorArb = fc
    .record({
      dtype: dtypeArb,
      shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
      seed: fc.integer({ min: 0, max: 1e6 }),
      transpose: fc.boolean(),
    })
    .map(({ dtype, shape, seed, transpose }) => {
      const n = shape.reduce((a, s) => a * s, 1);
      const vals = Array.from({ length: n }, (_, i) => Math.sin(seed + i) * 1e3);
      let t = tensor(vals, { dtype: 'float64', shape }).to(dtype);
      if (transpose && shape.length >= 2) t = t.transpose(0, 1); // a non-contiguous view
      return t;
    });
  const nameArb = fc.string({ minLength: 0, maxLength: 8, unit: 'grapheme' }).filter((s) => s !== '__metadata__');

  it('deserialize(serialize(sd)) gives the same tensors and metadata (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(nameArb, tensorArb, { maxKeys: 5 }),
        fc.option(fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), { nil: undefined }),
        (sd, metadata) => {
          const { tensors, metadata: m } = deserializeWithMetadata(serialize(sd, { metadata }));
          expect(Object.keys(tensors).sort()).toEqual(Object.keys(sd).sort());
          for (const [k, t] of Object.entries(sd)) expect(sameTensor(tensors[k], t.contiguous())).toBe(true);
          // an empty __metadata__ reads as none (the file holds only the checksums there)
          expect(m ?? {}).toEqual(metadata ?? {});
        },
      ),
      { numRuns: 100 },
    );
  });

  it('special values survive bit for bit (NaN, -0, infinities, subnormals, int32 extremes)', () => {
    const sd = {
      f32: tensor([NaN, -0, Infinity, -Infinity, 1e-45, 3.4e38]),
      f64: tensor([NaN, -0, 5e-324, Number.MAX_VALUE], { dtype: 'float64' }),
      i32: tensor([-2147483648, 2147483647, 0], { dtype: 'int32' }),
    };
    const back = deserialize(serialize(sd));
    for (const k of Object.keys(sd) as (keyof typeof sd)[]) expect(sameTensor(back[k], sd[k])).toBe(true);
    expect(Object.is((back.f64.toArray() as number[])[1], -0)).toBe(true);
  });

  it('Variables and Parameters are saved by their data; a module state dict round-trips through a file', () => {
    const model = new Linear(3, 2, { dtype: 'float64' });
    const path = join(dir, 'linear.safetensors');
    save(model.stateDict(), path, { metadata: { arch: 'Linear(3, 2)' } });
    const other = new Linear(3, 2, { dtype: 'float64' });
    other.loadStateDict(load(path));
    const x = randn([4, 3], { dtype: 'float64' });
    expect(sameTensor(other.call(x).data, model.call(x).data)).toBe(true);
    expect(loadWithMetadata(path).metadata).toEqual({ arch: 'Linear(3, 2)' });
    const p = new Parameter(tensor([1, 2]));
    expect(deserialize(serialize({ p, v: new Variable(tensor([3])) })).p.toArray()).toEqual([1, 2]);
  });

  it("a tensor named '__proto__' is an ordinary key", () => {
    const back = deserialize(serialize(Object.fromEntries([['__proto__', tensor([1])]])));
    expect(Object.keys(back)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });
});

describe('files made from PyTorch tensors (fixtures/safetensors)', () => {
  it.each(Object.keys(expected.files))('%s', (file) => {
    const { tensors, metadata } = loadWithMetadata(join(FIXTURES, file));
    const exp = expected.files[file];
    expect(metadata).toEqual(exp.metadata);
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(exp.tensors).sort());
    for (const [name, e] of Object.entries(exp.tensors)) {
      const t = tensors[name];
      expect([name, t.dtype, t.shape]).toEqual([name, e.dtype, e.shape]);
      const got = Array.from(t.toTypedArray());
      const want = e.data.map(num);
      want.forEach((w, i) => {
        if (Number.isNaN(w)) expect(got[i]).toBeNaN();
        else expect(Object.is(got[i], w) || got[i] === w).toBe(true);
      });
    }
  });

  it.each(Object.entries(expected.errors))('%s is refused: %s', (file, message) => {
    expect(() => load(join(FIXTURES, file))).toThrow(SafetensorsError);
    expect(() => load(join(FIXTURES, file))).toThrow(message);
  });

  it("PyTorch's nn.Linear(4, 3) weights give PyTorch's output in @dl's Linear", () => {
    const { file, input, output } = expected.linear;
    const lin = new Linear(4, 3, { dtype: 'float64' });
    lin.loadStateDict(load(join(FIXTURES, file)));
    const x = new Tensor(Float64Array.from(input.data.map(num)), input.shape);
    const y = lin.call(x).data.toTypedArray();
    output.data.map(num).forEach((v, i) => expect(Math.abs(y[i] - v)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v))));
  });
});

describe('atomic save', () => {
  const leftovers = () => fs.readdirSync(dir).filter((f) => f.includes('.tmp-'));

  it('writes through a temporary file and leaves none behind; overwrites an existing file', () => {
    const path = join(dir, 'model.safetensors');
    save({ w: tensor([1, 2, 3]) }, path);
    save({ w: tensor([4, 5]) }, path);
    expect(load(path).w.toArray()).toEqual([4, 5]);
    expect(leftovers()).toEqual([]);
  });

  it('a failing rename removes the temporary file and reports the path; the old file is kept', () => {
    const target = join(dir, 'is-a-directory');
    fs.mkdirSync(target);
    fs.writeFileSync(join(target, 'keep'), 'x'); // a non-empty directory cannot be replaced by a file
    expect(() => save({ w: tensor([1]) }, target)).toThrow(SafetensorsError);
    expect(() => save({ w: tensor([1]) }, target)).toThrow(`save: could not write '${target}'`);
    expect(leftovers()).toEqual([]);
    expect(fs.readFileSync(join(target, 'keep'), 'utf8')).toBe('x');
  });

  it('a missing directory is a clear error; a bad state dict writes nothing', () => {
    expect(() => save({ w: tensor([1]) }, join(dir, 'no', 'such', 'dir.safetensors'))).toThrow(/save: could not write .*ENOENT/);
    const path = join(dir, 'kept.safetensors');
    save({ w: tensor([1]) }, path);
    expect(() => save({ w: tensor([2]), bad: [1, 2] as unknown as Tensor }, path)).toThrow(
      "serialize: 'bad' is not a Tensor (got an array); a state dict maps names to tensors",
    );
    expect(load(path).w.toArray()).toEqual([1]);
    expect(leftovers()).toEqual([]);
  });
});

describe('bad state dicts and metadata', () => {
  it('names the problem', () => {
    expect(() => serialize({ __metadata__: tensor([1]) })).toThrow(/'__metadata__' is reserved by the format/);
    expect(() => serialize({ w: tensor([1]) }, { metadata: { epoch: 3 as unknown as string } })).toThrow(
      "serialize: metadata values must be strings, but 'epoch' is number; convert it with String(...)",
    );
    expect(() => serialize(null as unknown as Record<string, Tensor>)).toThrow(/expected a state dict/);
  });
});

describe('damaged files: a clear error naming the file', () => {
  const good = serialize({ a: tensor([1, 2]), b: tensor([3], { dtype: 'int32' }) }, { metadata: { k: 'v' } });
  const { n } = headerOf(good);

  /** safetensors bytes with a hand-written header (padded) and data. */
  function withHeader(header: unknown, data: number[] = [], rawHeader?: string): Uint8Array {
    const text = rawHeader ?? JSON.stringify(header);
    const h = Buffer.from(text + ' '.repeat((8 - (Buffer.byteLength(text) % 8)) % 8));
    const out = new Uint8Array(8 + h.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
    out.set(h, 8);
    out.set(data, 8 + h.length);
    return out;
  }
  const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });
  const bytes8 = [0, 0, 128, 63, 0, 0, 0, 64]; // 1.0f, 2.0f

  const cases: [string, Uint8Array, string][] = [
    ['shorter than 8 bytes', good.subarray(0, 5), 'truncated: 5 bytes, but a file starts with an 8-byte header length'],
    ['truncated in the header', good.subarray(0, 8 + n - 3), `the header length ${n} is larger than the rest of the file (${n - 3} bytes)`],
    ['truncated in the data', good.subarray(0, good.length - 1), "tensor 'b': data_offsets [8, 12] are out of range (the data section has 11 bytes)"],
    ['header length far too large', (() => { const b = good.slice(); b[7] = 0x7f; return b; })(), 'is larger than the rest of the file'],
    ['invalid JSON', withHeader(null, [], '{"a": {"dtype": "F32",'), 'invalid JSON header:'],
    ['a header that is not an object', withHeader(null, [], '[1, 2]'), "the header must be a JSON object starting with '{'"],
    ['invalid UTF-8', withHeader(null, [], '{"\udc80": 1}').map((b, i) => (i === 10 ? 0xff : b)), 'the header is not valid UTF-8'],
    ['an unknown dtype', withHeader({ a: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, [1, 2]), "tensor 'a': unsupported dtype 'F8_E4M3'; supported: F64, F32, F16, BF16, I64, U64, I32, U32, I16, U16, I8, U8, BOOL"],
    ['offsets beyond the data', withHeader({ a: f32([2], 0, 8), b: f32([1], 8, 12) }, bytes8), "tensor 'b': data_offsets [8, 12] are out of range (the data section has 8 bytes)"],
    ['overlapping offsets', withHeader({ a: f32([2], 0, 8), b: f32([1], 4, 8) }, bytes8), "tensor 'b': data_offsets [4, 8] overlap another tensor's bytes (which end at 8)"],
    ['a gap between tensors', withHeader({ a: f32([1], 0, 4), b: f32([0], 6, 6) }, bytes8), "tensor 'b': data_offsets [6, 6] leave bytes 4..6 unused"],
    ['trailing bytes', withHeader({ a: f32([1], 0, 4) }, bytes8), 'the tensors cover 4 bytes but the data section has 8'],
    ['shape and byte length disagree', withHeader({ a: f32([3], 0, 8) }, bytes8), "tensor 'a': shape [3] of F32 needs 12 bytes, but data_offsets [0, 8] hold 8"],
    ['offsets ending before they begin', withHeader({ a: f32([0], 8, 0) }, bytes8), "tensor 'a': data_offsets [8, 0] end before they begin"],
    ['a bad shape', withHeader({ a: f32([-1, 2], 0, 8) }, bytes8), "tensor 'a': shape must be an array of non-negative integers, got [-1,2]"],
    ['a shape too large', withHeader({ a: f32([2 ** 30, 2 ** 30, 2 ** 30], 0, 8) }, bytes8), 'needs too many bytes'],
    ['bad data_offsets', withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0] } }, bytes8), 'data_offsets must be [begin, end] non-negative integers, got [0]'],
    ['an entry that is not an object', withHeader({ a: 3 }), "tensor 'a': expected {dtype, shape, data_offsets}, got number"],
    ['bad metadata', withHeader({ __metadata__: { k: 1 } }), "__metadata__ values must be strings, but 'k' is number"],
    ['a BOOL byte that is not 0 or 1', withHeader({ a: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, [1, 7]), "tensor 'a': BOOL byte 7 at flat index 1 is neither 0 nor 1"],
  ];

  it.each(cases)('%s', (_what, bytes, message) => {
    const path = join(dir, 'damaged.safetensors');
    fs.writeFileSync(path, bytes);
    let err: unknown = null;
    try {
      load(path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SafetensorsError);
    expect((err as Error).message).toContain(`safetensors '${path}': `);
    expect((err as Error).message).toContain(message);
    expect(() => deserialize(bytes)).toThrow(message);
    expect(() => deserialize(bytes)).toThrow(/^safetensors the buffer: /);
  });

  it('a missing file', () => {
    expect(() => load(join(dir, 'nope.safetensors'))).toThrow(new RegExp(`load: cannot read '.*nope.safetensors': ENOENT`));
  });

  it('the supported dtypes are listed', () => {
    expect(SAFETENSORS_DTYPES).toEqual(['F64', 'F32', 'F16', 'BF16', 'I64', 'U64', 'I32', 'U32', 'I16', 'U16', 'I8', 'U8', 'BOOL']);
  });
});

describe('fuzz: random damage never crashes, hangs or returns garbage', () => {
  const valid = serialize(
    {
      'layer.weight': randn([3, 4]),
      'layer.bias': tensor([0.5, -1, 2]),
      ids: tensor([1, 2, 3], { dtype: 'int32' }),
      mask: tensor([true, false]),
      d: tensor([Math.PI], { dtype: 'float64' }),
    },
    { metadata: { format: 'pt' }, checksum: false },
  );

  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), count: fc.integer({ min: 1, max: 4 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), value: fc.constant(0), count: fc.constant(0) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), count: fc.integer({ min: 1, max: 9 }) }),
    fc.record({ kind: fc.constant('length' as const), at: fc.integer({ min: 0, max: 7 }), value: fc.integer({ min: 0, max: 255 }), count: fc.constant(1) }),
  );

  function mutate(src: Uint8Array, ms: { kind: string; at: number; value: number; count: number }[]): Uint8Array {
    let b = src.slice();
    for (const m of ms) {
      const at = b.length === 0 ? 0 : m.at % b.length;
      if (m.kind === 'flip') for (let i = 0; i < m.count && at + i < b.length; i++) b[at + i] = (m.value + 31 * i) & 0xff;
      else if (m.kind === 'truncate') b = b.slice(0, at);
      else if (m.kind === 'insert') b = Uint8Array.from([...b.subarray(0, at), ...new Array<number>(m.count).fill(m.value), ...b.subarray(at)]);
      else if (b.length > m.at) b[m.at] = m.value;
    }
    return b;
  }

  it('mutations and truncations of a valid file: SafetensorsError, or tensors that are exactly what the header points to', () => {
    let loaded = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
        const bytes = mutate(valid, ms);
        let result: Record<string, Tensor>;
        try {
          result = deserialize(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(SafetensorsError);
          expect((e as Error).message).toMatch(/^safetensors the buffer: /);
          refused++;
          return;
        }
        // it loaded: the header must be valid JSON and each tensor the bytes at its offsets
        const { n, json } = headerOf(bytes);
        const names = Object.keys(json).filter((k) => k !== '__metadata__');
        expect(Object.keys(result).sort()).toEqual(names.sort());
        let covered = 0;
        for (const name of names) {
          const info = json[name] as { dtype: string; shape: number[]; data_offsets: [number, number] };
          const t = result[name];
          expect(t.shape).toEqual(info.shape);
          const [b, e] = info.data_offsets;
          covered += e - b;
          if (['F32', 'F64', 'I32', 'BOOL'].includes(info.dtype)) {
            expect(Buffer.from(bytesOf(t)).equals(Buffer.from(bytes.subarray(8 + n + b, 8 + n + e)))).toBe(true);
          }
        }
        expect(covered).toBe(bytes.length - 8 - n);
        loaded++;
      }),
      { numRuns: 500 },
    );
    // both outcomes happen: damage to the data section loads (this file has no checksums), the rest is refused
    expect(loaded).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(100);
  });

  it('without checksums, damage confined to the data section loads the damaged values, except invalid BOOL bytes', () => {
    const { n, json } = headerOf(valid);
    const mask = json.mask as { data_offsets: [number, number] };
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 9 - n }), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const bytes = valid.slice();
        bytes[8 + n + at] = value;
        const inBool = at >= mask.data_offsets[0] && at < mask.data_offsets[1];
        if (inBool && value > 1) {
          expect(() => deserialize(bytes)).toThrow(/BOOL byte \d+ at flat index \d is neither 0 nor 1/);
          return;
        }
        const back = deserialize(bytes);
        const again = serialize(back, { metadata: { format: 'pt' }, checksum: false });
        expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('checksums (dl.sha256 in __metadata__)', () => {
  const sd = { 'fc.weight': tensor([[1, 2], [3, 4]]), 'fc.bias': tensor([0.5, -1]), ids: tensor([7], { dtype: 'int32' }) };
  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

  it('each tensor gets its dtype and the SHA-256 of its bytes; loading verifies and hides them', () => {
    const bytes = serialize(sd, { metadata: { epoch: '3' } });
    const { n, json } = headerOf(bytes);
    const meta = json.__metadata__ as Record<string, string>;
    expect(Object.keys(meta)).toEqual(['epoch', CHECKSUM_KEY]);
    const sums = JSON.parse(meta[CHECKSUM_KEY]) as Record<string, { dtype: string; sha256: string }>;
    const w = json['fc.weight'] as { data_offsets: [number, number] };
    expect(sums['fc.weight']).toEqual({ dtype: 'F32', sha256: sha(bytes.subarray(8 + n + w.data_offsets[0], 8 + n + w.data_offsets[1])) });
    expect(Object.keys(sums).sort()).toEqual(['fc.bias', 'fc.weight', 'ids']);
    expect(deserializeWithMetadata(bytes).metadata).toEqual({ epoch: '3' });
    expect(deserializeWithMetadata(serialize(sd)).metadata).toBeNull();
    // checksum: false writes what Python's safetensors writes; such files load as before
    expect(headerOf(serialize(sd, { checksum: false })).json.__metadata__).toBeUndefined();
    expect(deserialize(serialize(sd, { checksum: false }))['fc.bias'].toArray()).toEqual([0.5, -1]);
    // a checksum given in metadata (e.g. passed on from a loaded file) is replaced by the right one
    const stale = serialize(sd, { metadata: { [CHECKSUM_KEY]: '{"x":{"dtype":"F32","sha256":"00"}}' } });
    expect(deserialize(stale)['fc.bias'].toArray()).toEqual([0.5, -1]);
  });

  it('three bytes overwritten inside the weights are an error naming the tensor', () => {
    const bytes = serialize(sd);
    const { n, json } = headerOf(bytes);
    const [b] = (json['fc.weight'] as { data_offsets: [number, number] }).data_offsets;
    const bad = bytes.slice();
    bad.set([0x12, 0x34, 0x56], 8 + n + b + 5);
    expect(() => deserialize(bad)).toThrow(SafetensorsChecksumError);
    expect(() => deserialize(bad)).toThrow(
      /^safetensors the buffer: tensor 'fc\.weight': its data does not match the SHA-256 saved with it \(saved [0-9a-f]{12}\.\.\., now [0-9a-f]{12}\.\.\.\); the file was changed after it was saved/,
    );
    const path = join(dir, 'damaged.safetensors');
    fs.writeFileSync(path, bad);
    expect(() => load(path)).toThrow(new RegExp(`safetensors '${path.replace(/[.]/g, '\\.')}': tensor 'fc\\.weight': its data does not match`));
  });

  it('a dtype changed in the header (F32 -> I32) is an error naming the tensor and both dtypes', () => {
    const bytes = serialize(sd);
    const text = Buffer.from(bytes).toString('latin1').replace('"fc.weight":{"dtype":"F32"', '"fc.weight":{"dtype":"I32"');
    expect(() => deserialize(Buffer.from(text, 'latin1'))).toThrow(
      /tensor 'fc\.weight' is stored as I32 but was saved as F32 \(its dtype was changed in the header\); the file was changed after it was saved/,
    );
  });

  it('any change to the data section of a checksummed file is refused (fast-check)', () => {
    const bytes = serialize({ a: randn([5, 3]), m: tensor([true, false]), i: tensor([1, 2], { dtype: 'int32' }) });
    const { n } = headerOf(bytes);
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 9 - n }), fc.integer({ min: 1, max: 255 }), (at, delta) => {
        const bad = bytes.slice();
        bad[8 + n + at] = (bad[8 + n + at] + delta) & 0xff;
        expect(() => deserialize(bad)).toThrow(/^safetensors the buffer: tensor '(a|m|i)': /);
      }),
      { numRuns: 200 },
    );
  });

  it('save writes the checksums, and removes temporary files left by a write that was killed', () => {
    const sub = fs.mkdtempSync(join(dir, 'stale-'));
    const path = join(sub, 'm.safetensors');
    // a write killed half-way by a process that no longer runs (pid 2^22 + 1 is above Linux's pid_max)
    const dead = join(sub, `m.safetensors.tmp-${2 ** 22 + 1}-0123456789ab`);
    fs.writeFileSync(dead, 'half a file');
    // a temporary file of a process that still runs (this one's parent) is left alone
    const live = join(sub, `m.safetensors.tmp-${process.ppid}-0123456789ab`);
    fs.writeFileSync(live, 'being written');
    save(sd, path);
    expect(fs.readdirSync(sub).sort()).toEqual(['m.safetensors', `m.safetensors.tmp-${process.ppid}-0123456789ab`]);
    expect(loadWithMetadata(path).tensors.ids.toArray()).toEqual([7]);
    expect(headerOf(fs.readFileSync(path)).json.__metadata__).toHaveProperty([CHECKSUM_KEY]);
  });
});
