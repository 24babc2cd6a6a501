import * as fs from 'fs';
import * as path from 'path';
import { Generator, Tensor } from '@dl/tensor';
import { DataLoader } from '../dataloader';
import { DataFormatError, DatasetNotFoundError } from '../errors';
import { makeJpeg, makePng, makeTempDir, removeDir } from '../testing/fixtures';
import { normalize, resize } from '../transforms/basic';
import { ImageFolder } from './image-folder';

describe('ImageFolder', () => {
  let root: string;
  const put = (rel: string, bytes: Uint8Array) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), bytes);
  };
  beforeEach(() => {
    root = makeTempDir();
    put('dog/b.png', makePng(4, 3, 3, new Uint8Array(36).fill(200)));
    put('dog/a.PNG', makePng(4, 3, 1, new Uint8Array(12).fill(10)));
    put('cat/nested/c.jpg', makeJpeg(4, 3, new Uint8Array(36).fill(128)));
    put('cat/notes.txt', Buffer.from('not an image'));
    put('.ipynb_checkpoints/x.png', makePng(1, 1, 1, new Uint8Array(1)));
    put('bird/d.png', makePng(4, 3, 4, new Uint8Array(48).fill(255)));
  });
  afterEach(() => removeDir(root));

  it('takes sorted class folders and their images recursively, skipping hidden folders and other files', () => {
    const ds = new ImageFolder(root);
    expect(ds.classes).toEqual(['bird', 'cat', 'dog']);
    expect(ds.classToIdx).toEqual({ bird: 0, cat: 1, dog: 2 });
    expect(ds.samples.map(([p, k]) => [path.relative(root, p), k])).toEqual([
      ['bird/d.png', 0],
      [path.join('cat', 'nested', 'c.jpg'), 1],
      ['dog/a.PNG', 2],
      ['dog/b.png', 2],
    ]);
    expect(ds.targets).toEqual([0, 1, 2, 2]);
  });

  it('maxPixels limits the images it decodes (default 4096 x 4096)', () => {
    expect(new ImageFolder(root).maxPixels).toBe(4096 * 4096);
    const ds = new ImageFolder(root, { maxPixels: 11 });
    expect(() => ds.get(0)).toThrow(/d\.png: PNG image of 4x3 pixels is larger than the limit of 11 pixels/);
    expect(new ImageFolder(root, { maxPixels: 12 }).get(0)[0].shape).toEqual([3, 3, 4]);
    expect(() => new ImageFolder(root, { maxPixels: -1 })).toThrow(/ImageFolder: maxPixels must be a number >= 1, got -1/);
  });

  it('decodes to float32 [3, H, W] in [0, 1] by default (gray replicated, alpha dropped)', () => {
    const ds = new ImageFolder(root);
    const [gray, y] = ds.get(2);
    expect(y).toBe(2);
    expect(gray.shape).toEqual([3, 3, 4]);
    expect(gray.max().item()).toBeCloseTo(10 / 255, 6);
    expect(ds.get(0)[0].shape).toEqual([3, 3, 4]);
    const [jpg] = ds.get(1);
    expect(Math.abs(jpg.mean().item() - 128 / 255)).toBeLessThan(0.02);
    const one = new ImageFolder(root, { channels: 1 });
    expect(one.get(3)[0].shape).toEqual([1, 3, 4]);
    expect(one.get(3)[0].max().item()).toBeCloseTo(200 / 255, 6);
  });

  it('applies transforms and batches through the DataLoader', () => {
    const ds = new ImageFolder(root, { transform: (x: Tensor) => normalize(0.5, 0.5)(resize([8, 8])(x)), targetTransform: (y) => 10 + y });
    const [[x, y]] = [...new DataLoader(ds, { batchSize: 4, shuffle: true, generator: new Generator(0) })];
    expect(x.shape).toEqual([4, 3, 8, 8]);
    expect([...(y.toArray() as number[])].sort()).toEqual([10, 11, 12, 12]);
  });

  it('extensions choose the files', () => {
    fs.writeFileSync(path.join(root, 'cat', 'e.png'), makePng(4, 3, 1, new Uint8Array(12)));
    const ds = new ImageFolder(root, { extensions: ['.png'] });
    expect(ds.samples.map(([p]) => path.basename(p))).toEqual(['d.png', 'e.png', 'a.PNG', 'b.png']);
    expect(() => new ImageFolder(root, { extensions: ['.txt'] })).toThrow(/no \.txt files in the class folders .*bird, .*dog/);
  });

  it('explains a bad root, empty classes and corrupt images', () => {
    expect(() => new ImageFolder(path.join(root, 'none'))).toThrow(DatasetNotFoundError);
    const flat = makeTempDir();
    try {
      fs.writeFileSync(path.join(flat, 'a.png'), makePng(1, 1, 1, new Uint8Array(1)));
      expect(() => new ImageFolder(flat)).toThrow(`ImageFolder: ${flat} has no class sub-folders; put each class's images in ${flat}/<class name>/`);
    } finally {
      removeDir(flat);
    }
    fs.mkdirSync(path.join(root, 'empty'));
    expect(() => new ImageFolder(root)).toThrow(`ImageFolder: no .png/.jpg/.jpeg files in the class folder ${path.join(root, 'empty')}; add images, remove the folder, or pass extensions`);
    fs.rmdirSync(path.join(root, 'empty'));
    fs.writeFileSync(path.join(root, 'dog', 'b.png'), Buffer.from('garbage'));
    const ds = new ImageFolder(root);
    expect(() => ds.get(3)).toThrow(DataFormatError);
    expect(() => ds.get(3)).toThrow(`${path.join(root, 'dog', 'b.png')}: not a PNG or JPEG file`);
  });
});
