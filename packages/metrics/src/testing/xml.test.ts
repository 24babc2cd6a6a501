import { findAll, parseXml, translateOf } from './xml';

describe('parseXml (test helper)', () => {
  it('parses elements, attributes, text, entities, comments and self-closing tags', () => {
    const root = parseXml(
      '<?xml version="1.0"?><!-- c --><svg a="1" b=\'x &amp; y\'><g><text>3 &lt; 4</text><path d="M0,0"/></g></svg>',
    );
    expect(root.name).toBe('svg');
    expect(root.attrs).toEqual({ a: '1', b: 'x & y' });
    expect(findAll(root, (e) => e.name === 'text')[0].text).toBe('3 < 4');
    expect(findAll(root, () => true).map((e) => e.name)).toEqual(['svg', 'g', 'text', 'path']);
    expect(translateOf(parseXml('<t transform="translate(1.5,-2) rotate(3)"/>'))).toEqual([1.5, -2]);
  });

  it.each([
    ['<svg><g></svg>', /closing <\/svg> does not match <g>/],
    ['<svg>', /<svg> is never closed/],
    ['<svg a="1" a="2"/>', /duplicate attribute a/],
    ['<svg a=1/>', /bad attribute/],
    ['<svg>x & y</svg>', /bare '&'/],
    ['<svg/><svg/>', /content after the root element/],
    ['text', /text outside the root element/],
    ['', /no root element/],
    ['<svg><text>&nbsp;</text></svg>', /unknown entity &nbsp;/],
  ])('rejects malformed XML: %s', (src, message) => {
    expect(() => parseXml(src)).toThrow(message);
  });
});
