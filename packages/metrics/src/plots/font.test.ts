import { ADVANCE, FONT_CHARACTERS, GLYPH_HEIGHT, GLYPH_WIDTH, drawText, glyph, textWidth, type RGBAImage } from './font';

function blank(width: number, height: number): RGBAImage {
  return { width, height, data: new Uint8Array(width * height * 4) };
}

/** The image's ink as rows of '#' and '.' (a pixel is ink when its alpha is set). */
function inkRows(img: RGBAImage): string[] {
  const rows: string[] = [];
  for (let y = 0; y < img.height; y++) {
    let row = '';
    for (let x = 0; x < img.width; x++) row += img.data[(y * img.width + x) * 4 + 3] ? '#' : '.';
    rows.push(row);
  }
  return rows;
}

describe('5x7 font', () => {
  it('has a well-formed glyph for every digit, letter, space and : / -', () => {
    const required = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz :/-';
    for (const ch of required) {
      expect(FONT_CHARACTERS).toContain(ch);
      const rows = glyph(ch);
      expect(rows).toHaveLength(GLYPH_HEIGHT);
      for (const r of rows) expect(r).toMatch(new RegExp(`^[.#]{${GLYPH_WIDTH}}$`));
    }
  });

  it('draws every character differently (so labels cannot be misread), only the space blank', () => {
    const seen = new Map<string, string>();
    for (const ch of FONT_CHARACTERS) {
      const key = glyph(ch).join('/');
      expect(seen.get(key)).toBeUndefined();
      seen.set(key, ch);
      expect(key.includes('#')).toBe(ch !== ' ');
    }
  });

  it('draws text pixel by pixel at scale 1 and 2, advancing 6 pixels per character', () => {
    const img = blank(11, 7);
    expect(drawText(img, 0, 0, '17', [0, 0, 0])).toBe(2 * ADVANCE);
    expect(inkRows(img)).toEqual([
      '..#...#####',
      '.##.......#',
      '..#......#.',
      '..#.....#..',
      '..#....#...',
      '..#....#...',
      '.###...#...',
    ]);
    const big = blank(10, 14);
    drawText(big, 0, 0, '-', [255, 0, 0], 2);
    const rows = inkRows(big);
    expect(rows[5]).toBe('..........');
    expect(rows[6]).toBe('##########');
    expect(rows[7]).toBe('##########');
    expect([...big.data.slice((6 * 10) * 4, (6 * 10) * 4 + 4)]).toEqual([255, 0, 0, 255]);
  });

  it('draws unknown characters as a hollow box, clips at the edges, and measures text', () => {
    const img = blank(5, 7);
    drawText(img, 0, 0, 'é', [0, 0, 0]);
    expect(inkRows(img)).toEqual(['#####', '#...#', '#...#', '#...#', '#...#', '#...#', '#####']);
    expect(() => drawText(blank(3, 3), -2, -4, 'Wide text', [0, 0, 0], 3)).not.toThrow();
    expect(textWidth('')).toBe(0);
    expect(textWidth('ab')).toBe(11);
    expect(textWidth('ab', 2)).toBe(22);
  });
});
