import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { PNG } from 'pngjs';
import { DataFormatError } from '../errors';
import { makeJpeg, makePng, makeRawPng, makeTempDir, randomBytesSeeded, removeDir } from '../testing/fixtures';
import { DEFAULT_MAX_PIXELS, decodeImage, imageFormat, readImage } from './image';

/** A copy of a PNG whose IHDR says width x height (with a valid CRC, as a deliberate edit would have). */
function relabelPng(png: Uint8Array, width: number, height: number): Buffer {
  const b = Buffer.from(png);
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b.writeUInt32BE(zlib.crc32(b.subarray(12, 29)), 29);
  return b;
}

/** A copy of a JPEG whose frame header (SOF) says width x height. */
function relabelJpeg(jpg: Uint8Array, width: number, height: number): Buffer {
  const b = Buffer.from(jpg);
  let at = 2;
  while (b[at + 1] < 0xc0 || b[at + 1] > 0xc2) at += 2 + b.readUInt16BE(at + 2);
  b.writeUInt16BE(height, at + 5);
  b.writeUInt16BE(width, at + 7);
  return b;
}

const luma = (r: number, g: number, b: number) => (19595 * r + 38470 * g + 7471 * b + 0x8000) >>> 16;

describe('decodeImage: PNG', () => {
  const w = 5;
  const h = 3;
  const rgba = randomBytesSeeded(w * h * 4, 1);
  const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => rgba[Math.floor(i / 3) * 4 + (i % 3)]);
  const gray = randomBytesSeeded(w * h, 2);

  it('keeps each image its own channels by default', () => {
    expect(decodeImage(makePng(w, h, 1, gray), 'g.png')).toEqual({ width: w, height: h, channels: 1, data: gray });
    expect(decodeImage(makePng(w, h, 3, rgb), 'c.png')).toEqual({ width: w, height: h, channels: 3, data: rgb });
    expect(decodeImage(makePng(w, h, 4, rgba), 'a.png')).toEqual({ width: w, height: h, channels: 4, data: rgba });
  });

  it('converts channels as PIL does', () => {
    const toRgb = decodeImage(makePng(w, h, 1, gray), 'g.png', { channels: 3 });
    expect(Array.from(toRgb.data.subarray(0, 6))).toEqual([gray[0], gray[0], gray[0], gray[1], gray[1], gray[1]]);
    const dropped = decodeImage(makePng(w, h, 4, rgba), 'a.png', { channels: 3 });
    expect(dropped.data).toEqual(rgb);
    const l = decodeImage(makePng(w, h, 3, rgb), 'c.png', { channels: 1 });
    expect(Array.from(l.data)).toEqual(Array.from({ length: w * h }, (_, p) => luma(rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2])));
    const withAlpha = decodeImage(makePng(w, h, 3, rgb), 'c.png', { channels: 4 });
    expect(withAlpha.data[3]).toBe(255);
  });

  it('rejects truncated and oversized PNGs, naming the file', () => {
    const png = makePng(w, h, 3, rgb);
    expect(() => decodeImage(png.subarray(0, png.length - 20), '/p/cat.png')).toThrow(DataFormatError);
    expect(() => decodeImage(png.subarray(0, png.length - 20), '/p/cat.png')).toThrow(/^\/p\/cat\.png: corrupt PNG/);
    expect(() => decodeImage(png, 'x.png', { maxPixels: 10 })).toThrow(/5x3 pixels is larger than the limit of 10 pixels/);
    const huge = Buffer.from(png);
    huge.writeUInt32BE(100000, 16);
    huge.writeUInt32BE(100000, 20);
    expect(() => decodeImage(huge, 'huge.png')).toThrow(/larger than the limit/);
  });

  it('a PNG whose IHDR size does not match its image data is refused before pngjs decodes (allocates) anything', () => {
    const small = makePng(12, 10, 4, randomBytesSeeded(12 * 10 * 4, 3));
    const read = jest.spyOn(PNG.sync, 'read');
    try {
      // 12x10 relabelled 4000x4000: pngjs would allocate 64 MB and return the image padded with zeros
      expect(() => decodeImage(relabelPng(small, 4000, 4000), '/p/big.png')).toThrow(
        /^\/p\/big\.png: corrupt PNG: the image data inflates to 490 bytes, but IHDR's 4000x4000 RGBA at 8 bits needs exactly 64004000 bytes of scanlines; the file is damaged or its header was altered/,
      );
      // relabelled smaller: more data than the header allows; inflation stops at the expected size
      expect(() => decodeImage(relabelPng(small, 12, 9), 'cut.png')).toThrow(/corrupt PNG: the image data inflates to more than 441 bytes; IHDR's 12x9 RGBA/);
      expect(() => decodeImage(relabelPng(small, 11, 10), 'narrow.png')).toThrow(/inflates to more than 450 bytes/);
      expect(read).not.toHaveBeenCalled();
      // the untouched file still decodes
      expect(decodeImage(small, 'ok.png').width).toBe(12);
    } finally {
      read.mockRestore();
    }
  });

  it('the default pixel limit is 4096 x 4096, and maxPixels changes it', () => {
    expect(DEFAULT_MAX_PIXELS).toBe(4096 * 4096);
    const small = makePng(12, 10, 1, randomBytesSeeded(120, 4));
    expect(() => decodeImage(relabelPng(small, 5000, 5000), 'p.png')).toThrow(
      /p\.png: PNG image of 5000x5000 pixels is larger than the limit of 16777216 pixels; .*pass a larger maxPixels/,
    );
    // allowed by a larger limit, it is still refused for its missing data
    expect(() => decodeImage(relabelPng(small, 5000, 5000), 'p.png', { maxPixels: 3e7 })).toThrow(/inflates to 130 bytes, but IHDR's 5000x5000 gray/);
    expect(() => decodeImage(small, 'p.png', { maxPixels: 100 })).toThrow(/12x10 pixels is larger than the limit of 100 pixels/);
    expect(() => decodeImage(small, 'p.png', { maxPixels: 0 })).toThrow(/maxPixels must be a number >= 1, got 0/);
  });

  it('16-bit PNGs are scaled to 8 bits', () => {
    const bytes = makeRawPng(2, 1, 16, 0, Uint8Array.from([0xff, 0xff, 0x80, 0x00]));
    expect(decodeImage(bytes, 'deep.png')).toEqual({ width: 2, height: 1, channels: 1, data: Uint8Array.from([255, 128]) });
    const la = makeRawPng(1, 1, 8, 4, Uint8Array.from([7, 9]));
    expect(decodeImage(la, 'la.png')).toEqual({ width: 1, height: 1, channels: 2, data: Uint8Array.from([7, 9]) });
  });
});

describe('decodeImage: JPEG and others', () => {
  it('decodes RGB JPEGs (lossy: values close to the source)', () => {
    const w = 16;
    const h = 8;
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i % 3 === 0 ? 200 : i % 3 === 1 ? 100 : 30));
    const img = decodeImage(makeJpeg(w, h, rgb), 'p.jpg');
    expect([img.width, img.height, img.channels]).toEqual([w, h, 3]);
    for (let i = 0; i < rgb.length; i++) expect(Math.abs(img.data[i] - rgb[i])).toBeLessThanOrEqual(4);
    const g = decodeImage(makeJpeg(w, h, rgb), 'p.jpg', { channels: 1 });
    expect(Math.abs(g.data[0] - luma(200, 100, 30))).toBeLessThanOrEqual(4);
  });

  it('a JPEG whose frame header declares far more pixels than its scan data can hold is refused before decoding', () => {
    const w = 12;
    const h = 10;
    const jpg = makeJpeg(w, h, randomBytesSeeded(w * h * 3, 5));
    // jpeg-js would spend seconds and gigabytes decoding padding before failing or returning it
    expect(() => decodeImage(relabelJpeg(jpg, 4000, 4000), '/p/big.jpg')).toThrow(
      /^\/p\/big\.jpg: corrupt JPEG: the frame header declares 4000x4000 pixels \(750000 blocks of 8x8\), which need at least 187500 bytes of scan data, but only \d+ bytes follow; the file is truncated or its header was altered/,
    );
    expect(() => decodeImage(relabelJpeg(jpg, 5000, 5000), 'p.jpg')).toThrow(/JPEG image of 5000x5000 pixels is larger than the limit of 16777216 pixels/);
    expect(decodeImage(jpg, 'ok.jpg').width).toBe(w);
  });

  it('tells formats by magic bytes and rejects the rest', () => {
    expect(imageFormat(makePng(1, 1, 1, new Uint8Array(1)))).toBe('png');
    expect(imageFormat(makeJpeg(1, 1, new Uint8Array(3)))).toBe('jpeg');
    expect(() => decodeImage(Buffer.from('GIF89a...'), 'x.gif')).toThrow(
      new DataFormatError('x.gif', 'not a PNG or JPEG file (it starts with 47 49 46 38 39 61 2e 2e)', 'convert the image to PNG or JPEG, or remove it from the folder'),
    );
    expect(() => decodeImage(new Uint8Array(0), 'empty.png')).toThrow(/the file is empty/);
    const jpg = makeJpeg(8, 8, new Uint8Array(192));
    expect(() => decodeImage(jpg.subarray(0, 30), 't.jpg')).toThrow(DataFormatError);
  });

  it('readImage reads files and names missing ones', () => {
    const dir = makeTempDir();
    try {
      const file = path.join(dir, 'a.png');
      fs.writeFileSync(file, makePng(2, 2, 1, Uint8Array.from([1, 2, 3, 4])));
      expect(Array.from(readImage(file).data)).toEqual([1, 2, 3, 4]);
      expect(() => readImage(path.join(dir, 'no.png'))).toThrow(/no\.png: cannot read the file: no such file/);
    } finally {
      removeDir(dir);
    }
  });
});
