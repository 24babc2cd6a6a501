import { DataFormatError } from '../errors';
import { makeCifarRecords } from '../testing/fixtures';
import { parseCifarBinary } from './cifar';

describe('parseCifarBinary', () => {
  it('splits records into labels and [3, 32, 32] image blocks', () => {
    const { bytes, images } = makeCifarRecords([[3, 9, 0]], 1);
    const r = parseCifarBinary(bytes, 'data_batch_1.bin', [10], 'CIFAR-10');
    expect(r.count).toBe(3);
    expect(Array.from(r.labels[0])).toEqual([3, 9, 0]);
    expect(r.images).toEqual(images);
  });

  it('reads both label bytes of CIFAR-100', () => {
    const { bytes, images } = makeCifarRecords([[19, 0], [99, 42]], 2);
    const r = parseCifarBinary(bytes, 'train.bin', [20, 100], 'CIFAR-100');
    expect(r.images).toEqual(images);
    expect(Array.from(r.labels[0])).toEqual([19, 0]);
    expect(Array.from(r.labels[1])).toEqual([99, 42]);
  });

  it('rejects sizes that are not whole records, with the layout and the fix', () => {
    const { bytes } = makeCifarRecords([[1, 2]], 3);
    expect(() => parseCifarBinary(bytes.subarray(0, bytes.length - 1), 'b.bin', [10], 'CIFAR-10')).toThrow(
      new DataFormatError(
        'b.bin',
        'size 6145 bytes is not a positive multiple of the CIFAR-10 record size 3073 (1 label byte + 3072 pixel bytes)',
        'the file is truncated, or it is not the binary version of CIFAR-10 (the "python" and "matlab" versions hold other formats): use the files of the binary .tar.gz',
      ),
    );
    expect(() => parseCifarBinary(new Uint8Array(0), 'e.bin', [10], 'CIFAR-10')).toThrow(DataFormatError);
  });

  it('rejects labels outside the classes and hints at CIFAR-100', () => {
    const { bytes } = makeCifarRecords([[1, 57]], 4);
    expect(() => parseCifarBinary(bytes, 'b.bin', [10], 'CIFAR-10')).toThrow(
      /record 1 has label 57 in label byte 0, but CIFAR-10 labels there are 0..9 \(is it a CIFAR-100 file\? use CIFAR100\)/,
    );
  });
});
