/** Test helpers: output streams that record what is written. */
import type { OutputStream } from '../progress';

export interface CapturedStream extends OutputStream {
  writes: string[];
  text(): string;
}

/** A stream that keeps every write; `isTTY` says whether it pretends to be a terminal. */
export function captureStream(isTTY = false, columns = 100): CapturedStream {
  const writes: string[] = [];
  return {
    isTTY,
    columns,
    writes,
    write(s: string): boolean {
      writes.push(s);
      return true;
    },
    text: () => writes.join(''),
  };
}
