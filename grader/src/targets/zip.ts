/**
 * A small ZIP writer (PKWARE APPNOTE 6.3: local headers, central directory, end record; no ZIP64,
 * no encryption). Entries are stored or deflated (node:zlib's raw deflate, kept only when smaller),
 * each with its CRC-32. Unix permissions travel in the external attributes ("version made by"
 * = Unix), so `run_autograder` stays executable; names are UTF-8 (flag bit 11 when not ASCII).
 * Timestamps default to 1980-01-01 00:00 so the same files give the same bytes.
 *
 * ```ts
 * const zip = zipEntries([
 *   { name: 'setup.sh', data: Buffer.from('#!/bin/bash\n'), mode: 0o755 },
 *   { name: 'autograder/assignment.json', data: readFileSync('assignment.json') },
 * ]);
 * writeFileSync('autograder.zip', zip);
 * ```
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Path inside the archive, '/'-separated, relative. */
  readonly name: string;
  readonly data: Uint8Array;
  /** Unix permission bits (default 0o644). */
  readonly mode?: number;
  /** Modification time (default 1980-01-01T00:00:00, local DOS time). */
  readonly mtime?: Date;
}

export interface ZipOptions {
  /** 'deflate' (default) keeps deflated data only when it is smaller; 'store' never compresses. */
  readonly method?: 'store' | 'deflate';
}

let CRC_TABLE: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as ZIP and gzip use. */
export function crc32(data: Uint8Array, crc = 0): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function dosDateTime(d: Date): { date: number; time: number } {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107);
  return {
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
  };
}

function checkName(name: string): void {
  if (!name || name.startsWith('/') || name.includes('\\') || name.split('/').some((p) => p === '..' || p === '') || /[\0]/.test(name)) {
    throw new Error(`zip: entry name must be a relative '/'-separated path, got ${JSON.stringify(name)}`);
  }
}

const LIMIT = 0xffffffff;

/** The archive's bytes. */
export function zipEntries(entries: readonly ZipEntry[], options: ZipOptions = {}): Buffer {
  if (entries.length > 0xffff) throw new Error('zip: more than 65535 entries needs ZIP64, which this writer does not write');
  const seen = new Set<string>();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    checkName(e.name);
    if (seen.has(e.name)) throw new Error(`zip: duplicate entry '${e.name}'`);
    seen.add(e.name);
    const raw = Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
    if (raw.length >= LIMIT) throw new Error(`zip: '${e.name}' is 4 GiB or more; ZIP64 is not supported`);
    const crc = crc32(raw);
    let method = 0;
    let body = raw;
    if ((options.method ?? 'deflate') === 'deflate' && raw.length > 0) {
      const deflated = deflateRawSync(raw, { level: 9 });
      if (deflated.length < raw.length) {
        method = 8;
        body = deflated;
      }
    }
    const name = Buffer.from(e.name, 'utf8');
    const utf8 = /[^\x20-\x7e]/.test(e.name);
    const flags = utf8 ? 0x0800 : 0;
    const { date, time } = dosDateTime(e.mtime ?? new Date(1980, 0, 1, 0, 0, 0));
    const version = method === 8 ? 20 : 10;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(version, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, spec 2.0
    central.writeUInt16LE(version, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE((((0o100000 | ((e.mode ?? 0o644) & 0o7777)) << 16) >>> 0), 38); // regular file + permissions
    central.writeUInt32LE(offset, 42);

    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
    if (offset >= LIMIT) throw new Error('zip: archive over 4 GiB needs ZIP64, which this writer does not write');
  }
  const centralSize = centrals.reduce((s, b) => s + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  return Buffer.concat([...locals, ...centrals, end]);
}

/**
 * Every regular file under `dir` as an entry named by its path relative to `dir`, sorted, with its
 * permission bits. Symbolic links and other special files are an error (an archive for another
 * machine should not depend on them).
 */
export function directoryEntries(dir: string): ZipEntry[] {
  const out: ZipEntry[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push({ name: relative(dir, p).split(sep).join('/'), data: readFileSync(p), mode: st.mode & 0o777 });
      else throw new Error(`zip: ${p} is not a regular file or directory`);
    }
  };
  walk(dir);
  return out;
}
