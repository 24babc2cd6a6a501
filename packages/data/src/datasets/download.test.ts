import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { DatasetNotFoundError } from '../errors';
import { makeTempDir, removeDir } from '../testing/fixtures';
import { downloadFiles, fetchBytes, sha256Hex } from './download';

// Trains or waits on sockets: an explicit, generous limit instead of jest's 5 s default (a busy
// machine must not fail it; a real hang still ends the test).
jest.setTimeout(60_000);

/** A local HTTP server: `routes[path]` = body or a redirect target (`->/other`), or 'hang'. */
async function serve(routes: Record<string, Uint8Array | string>): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const r = routes[req.url ?? ''];
    if (r === undefined) {
      res.statusCode = 404;
      res.end();
    } else if (r === 'hang') {
      // never answer
    } else if (typeof r === 'string') {
      res.writeHead(302, { location: r.slice(2) });
      res.end();
    } else res.end(Buffer.from(r));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const quiet = () => undefined;

describe('downloadFiles', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => removeDir(dir));

  it('downloads, verifies, caches, and skips files already there', async () => {
    const a = Buffer.from('first file');
    const b = Buffer.from('second file');
    const srv = await serve({ '/m/a.gz': a, '/m/b.gz': '->/m/b-moved.gz', '/m/b-moved.gz': b });
    try {
      const files = [
        { name: 'a.gz', sha256: sha256Hex(a) },
        { name: 'b.gz', sha256: sha256Hex(b) },
      ];
      await downloadFiles('Test', dir, files, { mirrors: [srv.url + 'm/'], log: quiet });
      expect(fs.readFileSync(path.join(dir, 'a.gz'))).toEqual(a);
      expect(fs.readFileSync(path.join(dir, 'b.gz'))).toEqual(b);
      expect(fs.readdirSync(dir).sort()).toEqual(['a.gz', 'b.gz']); // no temporary files left
      const before = srv.hits.length;
      await downloadFiles('Test', dir, files, { mirrors: [srv.url + 'm/'], log: quiet });
      expect(srv.hits.length).toBe(before);
    } finally {
      await srv.close();
    }
  });

  it('falls back to the next mirror and refuses bytes with the wrong checksum', async () => {
    const good = Buffer.from('good');
    const srv = await serve({ '/bad/f.gz': Buffer.from('evil'), '/good/f.gz': good });
    try {
      await downloadFiles('Test', dir, [{ name: 'f.gz', sha256: sha256Hex(good) }], { mirrors: [srv.url + 'missing/', srv.url + 'bad/', srv.url + 'good/'], log: quiet });
      expect(fs.readFileSync(path.join(dir, 'f.gz'))).toEqual(good);
      fs.rmSync(path.join(dir, 'f.gz'));
      const err = await downloadFiles('Test', dir, [{ name: 'f.gz', sha256: sha256Hex(good) }], { mirrors: [srv.url + 'bad/'], log: quiet }).catch((e) => e);
      expect(err).toBeInstanceOf(DatasetNotFoundError);
      expect(err.message).toMatch(/bad\/f\.gz: checksum mismatch, sha256 [0-9a-f]{64}, expected [0-9a-f]{64} \(4 bytes; not saved\)/);
      expect(fs.existsSync(path.join(dir, 'f.gz'))).toBe(false);
    } finally {
      await srv.close();
    }
  });

  it('without a network fails fast, naming the directory and the files to put there', async () => {
    const srv = await serve({});
    const closedPort = srv.url;
    await srv.close(); // nothing listens there any more: connection refused
    // No retries with back-off: a refused connection ends the download at once (a hang would hit
    // this test's own timeout; no test measures the machine's speed).
    const err = await downloadFiles('Test', dir, [{ name: 'x.gz', sha256: 'a'.repeat(64) }, { name: 'y.gz', sha256: 'b'.repeat(64) }], {
      mirrors: [closedPort],
      log: quiet,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(DatasetNotFoundError);
    expect(err.message).toContain(`Test: could not download x.gz:\n  ${closedPort}x.gz: ECONNREFUSED`);
    expect(err.message).toContain(`put these files (gzipped as named, or unpacked without .gz) in ${dir}:\n  x.gz  (sha256 ${'a'.repeat(64)})\n  y.gz`);
  });

  it('gives up on a silent server after timeoutMs', async () => {
    const srv = await serve({ '/slow': 'hang' });
    try {
      await expect(fetchBytes(srv.url + 'slow', 200, 1000)).rejects.toThrow('no response for 200 ms');
      await expect(fetchBytes('ftp://example.com/x', 200, 1000)).rejects.toThrow(/unsupported protocol/);
    } finally {
      await srv.close();
    }
  });
});
