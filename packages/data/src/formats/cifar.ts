/**
 * The binary version of CIFAR-10 and CIFAR-100 (https://www.cs.toronto.edu/~kriz/cifar.html).
 *
 * A file is a sequence of records, one per image:
 * - CIFAR-10 (`data_batch_1.bin` .. `data_batch_5.bin`, `test_batch.bin`, 10,000 records each):
 *   1 label byte (0..9), then 3072 pixel bytes;
 * - CIFAR-100 (`train.bin` 50,000 records, `test.bin` 10,000): 1 coarse label byte (0..19),
 *   1 fine label byte (0..99), then 3072 pixel bytes.
 * The 3072 pixel bytes are a 32 x 32 image as three planes, red, green, blue, each row-major: the
 * `[3, 32, 32]` layout of the tensors, so a record is copied as one block.
 */
import { DataFormatError } from '../errors';

/** Bytes of pixels per record. */
export const CIFAR_IMAGE_BYTES = 3 * 32 * 32;

/** Parsed records: `images` is `count * 3072` bytes; `labels[k]` holds label byte k of each record. */
export interface CifarRecords {
  count: number;
  images: Uint8Array;
  labels: Uint8Array[];
}

/**
 * Parses one CIFAR binary file. `labelRanges[k]` is the number of classes of label byte k
 * (`[10]` for CIFAR-10, `[20, 100]` for CIFAR-100); a label outside its range is an error.
 */
export function parseCifarBinary(bytes: Uint8Array, file: string, labelRanges: readonly number[], what: string): CifarRecords {
  const nl = labelRanges.length;
  const record = nl + CIFAR_IMAGE_BYTES;
  const layout = `${nl} label byte${nl > 1 ? 's' : ''} + ${CIFAR_IMAGE_BYTES} pixel bytes`;
  if (bytes.length === 0 || bytes.length % record !== 0) {
    throw new DataFormatError(
      file,
      `size ${bytes.length} bytes is not a positive multiple of the ${what} record size ${record} (${layout})`,
      `the file is truncated, or it is not the binary version of ${what} (the "python" and "matlab" versions hold other formats): use the files of the binary .tar.gz`,
    );
  }
  const count = bytes.length / record;
  const images = new Uint8Array(count * CIFAR_IMAGE_BYTES);
  const labels = labelRanges.map(() => new Uint8Array(count));
  for (let i = 0; i < count; i++) {
    const at = i * record;
    for (let k = 0; k < nl; k++) {
      const v = bytes[at + k];
      if (v >= labelRanges[k]) {
        const hint = what === 'CIFAR-10' ? ' (is it a CIFAR-100 file? use CIFAR100)' : '';
        throw new DataFormatError(
          file,
          `record ${i} has label ${v} in label byte ${k}, but ${what} labels there are 0..${labelRanges[k] - 1}${hint}`,
          'the file is damaged or of another dataset: replace it with a fresh copy',
        );
      }
      labels[k][i] = v;
    }
    images.set(bytes.subarray(at + nl, at + record), i * CIFAR_IMAGE_BYTES);
  }
  return { count, images, labels };
}
