import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { crc32, directoryEntries, zipEntries, type ZipEntry } from './zip';

function has(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}
const HAS_UNZIP = has('unzip', ['-v']);
const HAS_PYTHON = has('python3', ['-c', 'import zipfile']);

/** What python's zipfile reads back: name -> [unix mode, content as latin1, compress type]; plus testzip(). */
const PY_READ = `
import sys, json, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
print(json.dumps({'bad': bad, 'entries': {i.filename: [i.external_attr >> 16, z.read(i).decode('latin1'), i.compress_type] for i in z.infolist()}}))
`;

const big = Buffer.from('gradescope '.repeat(2000), 'utf8');
const random = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 2654435761) >>> 24));
const ENTRIES: ZipEntry[] = [
  { name: 'setup.sh', data: Buffer.from('#!/usr/bin/env bash\necho setup\n'), mode: 0o755 },
  { name: 'run_autograder', data: Buffer.from('#!/usr/bin/env bash\nexit 0\n'), mode: 0o755 },
  { name: 'autograder/assignment.json', data: big },
  { name: 'autograder/random.bin', data: random },
  { name: 'autograder/empty.txt', data: new Uint8Array(0) },
  { name: 'autograder/課題/説明.md', data: Buffer.from('# パーセプトロン\n', 'utf8') },
];

describe('zip writer', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'zip-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('crc32 check values', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(Buffer.from('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    // Incremental use.
    expect(crc32(Buffer.from('6789'), crc32(Buffer.from('12345')))).toBe(0xcbf43926);
  });

  test('layout: signatures, deflate only when smaller, same bytes for the same input', () => {
    const zip = zipEntries(ENTRIES);
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.readUInt32LE(zip.length - 22)).toBe(0x06054b50);
    expect(zip.readUInt16LE(zip.length - 22 + 10)).toBe(ENTRIES.length);
    expect(zipEntries(ENTRIES).equals(zip)).toBe(true);
    // The first local header: setup.sh is short and stored.
    expect(zip.readUInt16LE(8)).toBe(0);
    // The big repetitive file is deflated; its data inflates back.
    const stored = zipEntries(ENTRIES, { method: 'store' });
    expect(zip.length).toBeLessThan(stored.length);
    const nameAt = zip.indexOf('autograder/assignment.json');
    const header = nameAt - 30;
    expect(zip.readUInt16LE(header + 8)).toBe(8);
    const size = zip.readUInt32LE(header + 18);
    const data = zip.subarray(nameAt + 'autograder/assignment.json'.length, nameAt + 'autograder/assignment.json'.length + size);
    expect(inflateRawSync(data).equals(big)).toBe(true);
  });

  test('bad names and duplicates are refused', () => {
    const d = Buffer.from('x');
    for (const name of ['/abs', '../up', 'a//b', 'a\\b', '', 'dir/']) expect(() => zipEntries([{ name, data: d }])).toThrow(/entry name/);
    expect(() => zipEntries([{ name: 'a', data: d }, { name: 'a', data: d }])).toThrow(/duplicate/);
  });

  (HAS_UNZIP ? test : test.skip)('unzip -t accepts the archive (deflate and store); permissions survive', () => {
    for (const method of ['deflate', 'store'] as const) {
      const file = join(dir, `${method}.zip`);
      writeFileSync(file, zipEntries(ENTRIES, { method }));
      const t = execFileSync('unzip', ['-t', file], { encoding: 'utf8' });
      expect(t).toContain('No errors detected');
      const listing = execFileSync('unzip', ['-Z', file], { encoding: 'utf8' });
      expect(listing).toMatch(/-rwxr-xr-x .* run_autograder/);
      expect(listing).toMatch(/-rw-r--r-- .* autograder\/assignment\.json/);
      const out = join(dir, `x-${method}`);
      execFileSync('unzip', ['-q', file, '-d', out]);
      expect(execFileSync('bash', [join(out, 'setup.sh')], { encoding: 'utf8' })).toBe('setup\n');
    }
  });

  (HAS_PYTHON ? test : test.skip)("python's zipfile reads back every entry, name, mode and byte", () => {
    const file = join(dir, 'a.zip');
    writeFileSync(file, zipEntries(ENTRIES));
    const r = JSON.parse(execFileSync('python3', ['-c', PY_READ, file], { encoding: 'utf8' })) as {
      bad: string | null; entries: Record<string, [number, string, number]>;
    };
    expect(r.bad).toBeNull();
    expect(Object.keys(r.entries)).toEqual(ENTRIES.map((e) => e.name));
    for (const e of ENTRIES) {
      const [mode, content] = r.entries[e.name];
      expect(mode).toBe(0o100000 | (e.mode ?? 0o644));
      expect(content).toBe(Buffer.from(e.data).toString('latin1'));
    }
    expect(r.entries['autograder/assignment.json'][2]).toBe(8);
    expect(r.entries['setup.sh'][2]).toBe(0);
  });

  test('directoryEntries: sorted relative names, modes, no symlinks', () => {
    mkdirSync(join(dir, 'src', 'b'), { recursive: true });
    writeFileSync(join(dir, 'src', 'run'), 'x');
    chmodSync(join(dir, 'src', 'run'), 0o755);
    writeFileSync(join(dir, 'src', 'b', 'c.txt'), 'y');
    writeFileSync(join(dir, 'src', 'a.txt'), 'z');
    const es = directoryEntries(join(dir, 'src'));
    expect(es.map((e) => e.name)).toEqual(['a.txt', 'b/c.txt', 'run']);
    expect(es[2].mode).toBe(0o755);
    symlinkSync(join(dir, 'src', 'a.txt'), join(dir, 'src', 'link'));
    expect(() => directoryEntries(join(dir, 'src'))).toThrow(/not a regular file/);
  });
});
