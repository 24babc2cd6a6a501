import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { DataFormatError } from '../errors';
import { makeIdx, makeTempDir, removeDir } from '../testing/fixtures';
import { gunzip, maybeGunzip } from './gzip';
import { parseIdx, readIdxFile, type Inflate } from './idx';

const F = '/d/train-images-idx3-ubyte';

describe('parseIdx', () => {
  it('reads dims and data', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    const idx = parseIdx(makeIdx([2, 3, 4], data), F, 3, 'MNIST images');
    expect(idx.dims).toEqual([2, 3, 4]);
    expect(Array.from(idx.data)).toEqual(Array.from(data));
  });

  it('names the file, the bad magic number and the fix', () => {
    const labels = makeIdx([5], new Uint8Array(5));
    expect(() => parseIdx(labels, F, 3, 'MNIST images')).toThrow(
      new DataFormatError(
        F,
        'bad magic number 0x00000801 (expected 0x00000803 for MNIST images: 1 dims, MNIST images have 3)',
        'the file is not a valid MNIST images file or is damaged: replace it with a fresh copy',
      ),
    );
    const floats = makeIdx([1], new Uint8Array(1));
    floats[2] = 0x0d;
    expect(() => parseIdx(floats, F, 1, 'labels')).toThrow(/data type 0x0d \(float32\), expected 0x08 \(uint8\)/);
    expect(() => parseIdx(Uint8Array.from([0x1f, 0x8b, 8, 0]), F, 1, 'labels')).toThrow(/starts with two zero bytes/);
  });

  it('rejects short headers, zero dims, truncated and oversized data', () => {
    expect(() => parseIdx(new Uint8Array(2), F, 3, 'x')).toThrow(/2 bytes long, too short for an IDX header \(16 bytes\)/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0]), F, 3, 'x')).toThrow(/truncated header/);
    expect(() => parseIdx(makeIdx([0, 28, 28], new Uint8Array(0)), F, 3, 'x')).toThrow(/dim 0 of the header is 0/);
    const full = makeIdx([3, 2, 2], new Uint8Array(12));
    expect(() => parseIdx(full.subarray(0, full.length - 1), F, 3, 'x')).toThrow(
      /truncated: the header says \[3, 2, 2\] = 12 bytes of data, but only 11 follow; the file is incomplete/,
    );
    const extra = new Uint8Array(full.length + 2);
    extra.set(full);
    expect(() => parseIdx(extra, F, 3, 'x')).toThrow(/2 unexpected bytes after the \[3, 2, 2\] data/);
  });
});

describe('gzip', () => {
  it('gunzips gzip data and passes other bytes through', () => {
    const raw = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 1, 7]);
    expect(Array.from(maybeGunzip(zlib.gzipSync(raw), 'f.gz'))).toEqual(Array.from(raw));
    expect(maybeGunzip(raw, 'f')).toBe(raw);
  });

  it('reports corrupt and truncated gzip data as DataFormatError naming the file', () => {
    const gz = zlib.gzipSync(new Uint8Array(1000).fill(3));
    expect(() => gunzip(gz.subarray(0, gz.length - 10), '/x/t.gz')).toThrow(DataFormatError);
    expect(() => gunzip(gz.subarray(0, gz.length - 10), '/x/t.gz')).toThrow(/^\/x\/t\.gz: corrupt or truncated gzip data/);
    expect(() => gunzip(zlib.gzipSync(new Uint8Array(100)), 'big.gz', 50)).toThrow(DataFormatError);
  });
});

describe('readIdxFile', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeDir));
  const file = (name: string, bytes: Uint8Array): string => {
    if (dirs.length === 0) dirs.push(makeTempDir());
    const p = path.join(dirs[0], name);
    fs.writeFileSync(p, bytes);
    return p;
  };
  /** zlib.gunzipSync, counting the bytes it produces and remembering the output limits asked for. */
  const counting = () => {
    const c = { inflated: 0, limits: [] as number[] };
    const inflate: Inflate = (gz, { maxOutputLength, partial }) => {
      c.limits.push(maxOutputLength);
      const out = zlib.gunzipSync(gz, { maxOutputLength, ...(partial ? { finishFlush: zlib.constants.Z_SYNC_FLUSH } : {}) });
      c.inflated += out.length;
      return out;
    };
    return { c, inflate };
  };

  it('reads raw and gzipped files alike', () => {
    const data = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => i);
    const idx = makeIdx([3, 2, 2], data);
    for (const p of [file('raw-idx3-ubyte', idx), file('gz-idx3-ubyte.gz', zlib.gzipSync(idx))]) {
      const r = readIdxFile(p, 3, 'x');
      expect(r.dims).toEqual([3, 2, 2]);
      expect(Array.from(r.data)).toEqual(Array.from(data));
    }
  });

  it('a small .gz whose data is far longer than its header declares is refused without inflating it (gzip bomb)', () => {
    // 50 MB of zeros behind a header that says 10 x 28 x 28 (7,840 bytes): the .gz is about 50 kB
    const header = makeIdx([10, 28, 28], new Uint8Array(0));
    const gz = zlib.gzipSync(Buffer.concat([header, Buffer.alloc(50_000_000)]), { level: 9 });
    const p = file('bomb-idx3-ubyte.gz', gz);
    const { c, inflate } = counting();
    expect(() => readIdxFile(p, 3, 'MNIST images', { inflate })).toThrow(
      new RegExp(`^${p.replace(/[.]/g, '\\.')}: the gzip data inflates to more than the 7856 bytes the header declares \\(16-byte header \\+ \\[10, 28, 28\\] = 7840 bytes of data\\)`),
    );
    expect(() => readIdxFile(p, 3, 'MNIST images', { inflate })).toThrow(DataFormatError);
    // every inflation was capped, and far less than the 50 MB came out
    expect(Math.max(...c.limits)).toBeLessThan(1_000_000);
    expect(c.inflated).toBeLessThan(1_000_000);
    // the same with the real zlib (no counter): refused, not inflated to 50 MB
    expect(() => readIdxFile(p, 3, 'MNIST images')).toThrow(/inflates to more than the 7856 bytes the header declares/);
  });

  it('a .gz whose data is shorter than its header declares is refused as truncated', () => {
    const p = file('short-idx3-ubyte.gz', zlib.gzipSync(makeIdx([10, 28, 28], new Uint8Array(7000))));
    expect(() => readIdxFile(p, 3, 'x')).toThrow(/truncated: the header says \[10, 28, 28\] = 7840 bytes of data, but only 7000 follow/);
  });

  it('a raw file longer than its header declares is refused from its size', () => {
    const p = file('long-idx1-ubyte', makeIdx([5], new Uint8Array(9)));
    expect(() => readIdxFile(p, 1, 'labels')).toThrow(new RegExp(`^${p.replace(/[.]/g, '\\.')}: 4 unexpected bytes after the \\[5\\] data`));
  });

  it('bad headers inside gzip data, corrupt gzip data and missing files name the file', () => {
    expect(() => readIdxFile(file('lbl.gz', zlib.gzipSync(makeIdx([5], new Uint8Array(5)))), 3, 'MNIST images')).toThrow(/bad magic number 0x00000801/);
    const gz = zlib.gzipSync(makeIdx([100], new Uint8Array(100).fill(7)));
    expect(() => readIdxFile(file('cut.gz', gz.subarray(0, gz.length - 12)), 1, 'x')).toThrow(/cut\.gz: corrupt or truncated gzip data/);
    expect(() => readIdxFile(file('tiny.gz', zlib.gzipSync(Uint8Array.from([0, 0, 8]))), 1, 'x')).toThrow(/3 bytes long, too short for an IDX header/);
    expect(() => readIdxFile(path.join(path.dirname(file('empty', new Uint8Array(0))), 'none'), 1, 'x')).toThrow(/none: cannot read the file: no such file/);
  });
});
