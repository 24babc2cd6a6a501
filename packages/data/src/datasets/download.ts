/**
 * Downloading dataset files with checksum verification and an on-disk cache.
 *
 * For each file: if `root/name` exists and its SHA-256 matches, it is kept; otherwise each mirror
 * is tried in turn (`mirror + name`, http or https, redirects followed, `timeoutMs` of silence
 * aborts), the bytes are checked against the SHA-256 and written atomically to `root/name`.
 * When every mirror fails for a file because of the network (no route, DNS, timeout), the whole
 * download stops at once with a DatasetNotFoundError that names the directory and the exact files
 * to put there by hand.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
import { createHash } from 'crypto';
import { DatasetNotFoundError } from '../errors';
import { isFile, writeFileAtomic } from './files';

/** A file to download and its SHA-256 (lower-case hex). */
export interface RemoteFile {
  name: string;
  sha256: string;
}

/** Options of `downloadFiles`. */
export interface DownloadOptions {
  /** Base URLs ending in '/', tried in order. */
  mirrors: readonly string[];
  /** Abort a request after this many ms without progress (default 15000). */
  timeoutMs?: number;
  /** Refuse responses larger than this (default 512 MiB). */
  maxBytes?: number;
  /** Progress messages (default: to stderr). */
  log?: (message: string) => void;
}

/** SHA-256 of bytes, lower-case hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** GETs a URL into memory (following up to 5 redirects). Rejects with a short reason. */
export function fetchBytes(url: string, timeoutMs: number, maxBytes: number, redirects = 5): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(new Error(`invalid URL ${url}`));
      return;
    }
    const lib = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : null;
    if (!lib) {
      reject(new Error(`unsupported protocol ${parsed.protocol} (use http or https)`));
      return;
    }
    const req = lib.get(parsed, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects <= 0) {
          reject(new Error('too many redirects'));
          return;
        }
        fetchBytes(new URL(res.headers.location, parsed).toString(), timeoutMs, maxBytes, redirects - 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new Error(`HTTP ${status}`));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (c: Buffer) => {
        total += c.length;
        if (total > maxBytes) {
          req.destroy(new Error(`response larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolve(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no response for ${timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code ? `${e.code} ${e.message}` : e.message)));
  });
}

/**
 * Makes sure every file is in `root` with the right checksum, downloading what is missing.
 * `dataset` names the dataset in messages.
 */
export async function downloadFiles(dataset: string, root: string, files: readonly RemoteFile[], options: DownloadOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15000;
  const maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  const log = options.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const howto =
    `Without a network, put these files (gzipped as named, or unpacked without .gz) in ${path.resolve(root)}:\n` +
    files.map((f) => `  ${f.name}  (sha256 ${f.sha256})`).join('\n') +
    `\ncopied from a machine with network access (${options.mirrors[0] ?? 'the dataset site'}), then load the dataset again.`;
  try {
    fs.mkdirSync(root, { recursive: true });
  } catch (e) {
    throw new DatasetNotFoundError(root, `${dataset}: cannot create the download directory ${root} (${(e as Error).message}); choose a writable root`);
  }
  for (const f of files) {
    const dest = path.join(root, f.name);
    if (isFile(dest) && sha256Hex(fs.readFileSync(dest)) === f.sha256) continue;
    const failures: string[] = [];
    let done = false;
    for (const mirror of options.mirrors) {
      const url = mirror + f.name;
      log(`${dataset}: downloading ${url}`);
      let bytes: Uint8Array;
      try {
        bytes = await fetchBytes(url, timeoutMs, maxBytes);
      } catch (e) {
        failures.push(`  ${url}: ${(e as Error).message}`);
        continue;
      }
      const got = sha256Hex(bytes);
      if (got !== f.sha256) {
        failures.push(`  ${url}: checksum mismatch, sha256 ${got}, expected ${f.sha256} (${bytes.length} bytes; not saved)`);
        continue;
      }
      writeFileAtomic(dest, bytes);
      done = true;
      break;
    }
    if (!done) {
      throw new DatasetNotFoundError(root, `${dataset}: could not download ${f.name}:\n${failures.join('\n')}\n${howto}`);
    }
  }
}
