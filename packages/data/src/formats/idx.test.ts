import * as zlib from 'zlib';
import { DataFormatError } from '../errors';
import { makeIdx } from '../testing/fixtures';
import { gunzip, maybeGunzip } from './gzip';
import { parseIdx } from './idx';

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
