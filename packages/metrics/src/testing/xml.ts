/**
 * Test helper: a small strict XML parser, enough to check that an SVG is well-formed and to count
 * its elements. It handles elements, attributes (single or double quotes), text, comments, CDATA,
 * processing instructions and a DOCTYPE without an internal subset; it throws on anything
 * malformed (unclosed or mismatched tags, bad attributes, stray `<` or `&`).
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (not its descendants'), entities decoded. */
  text: string;
  parent: XmlElement | null;
}

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, at: number): string {
  return s.replace(/&([^;&\s]*);?/g, (m: string, body: string) => {
    if (!m.endsWith(';')) throw new Error(`xml: bare '&' near offset ${at}`);
    if (body in ENTITIES) return ENTITIES[body];
    const num = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(body);
    if (num) return String.fromCodePoint(num[1][0] === 'x' ? parseInt(num[1].slice(1), 16) : parseInt(num[1], 10));
    throw new Error(`xml: unknown entity &${body}; near offset ${at}`);
  });
}

/** Parses a document and returns its root element. */
export function parseXml(src: string): XmlElement {
  let i = 0;
  let root: XmlElement | null = null;
  let current: XmlElement | null = null;
  const fail = (what: string): never => {
    throw new Error(`xml: ${what} at offset ${i}: ${JSON.stringify(src.slice(i, i + 40))}`);
  };
  while (i < src.length) {
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (src.startsWith('<![CDATA[', i)) {
      const end = src.indexOf(']]>', i);
      if (end < 0 || current === null) fail('bad CDATA');
      current!.text += src.slice(i + 9, end);
      i = end + 3;
    } else if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i);
      if (end < 0) fail('unterminated processing instruction');
      i = end + 2;
    } else if (src.startsWith('<!DOCTYPE', i)) {
      const end = src.indexOf('>', i);
      if (end < 0 || src.slice(i, end).includes('[')) fail('unsupported DOCTYPE');
      i = end + 1;
    } else if (src.startsWith('</', i)) {
      const m = NAME.exec(src.slice(i + 2));
      if (!m) return fail('bad closing tag');
      if (current === null || current.name !== m[0]) fail(`closing </${m[0]}> does not match <${current?.name ?? 'nothing'}>`);
      i += 2 + m[0].length;
      while (/\s/.test(src[i] ?? '')) i++;
      if (src[i] !== '>') fail('expected >');
      i++;
      current = current!.parent;
    } else if (src[i] === '<') {
      const m = NAME.exec(src.slice(i + 1));
      if (!m) return fail('bad tag name');
      if (root !== null && current === null) fail('content after the root element');
      const el: XmlElement = { name: m[0], attrs: {}, children: [], text: '', parent: current };
      i += 1 + m[0].length;
      for (;;) {
        const ws = /^\s*/.exec(src.slice(i))![0].length;
        i += ws;
        if (src.startsWith('/>', i) || src[i] === '>') break;
        if (ws === 0) fail('expected whitespace before an attribute');
        const a = /^([A-Za-z_:][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(src.slice(i));
        if (!a) return fail('bad attribute');
        if (a[1] in el.attrs) fail(`duplicate attribute ${a[1]}`);
        el.attrs[a[1]] = decode(a[3] ?? a[4], i);
        i += a[0].length;
      }
      if (current) current.children.push(el);
      else root = el;
      if (src[i] === '/') i += 2;
      else {
        i += 1;
        current = el;
      }
    } else {
      const end = src.indexOf('<', i);
      const text = src.slice(i, end < 0 ? src.length : end);
      if (current === null) {
        if (text.trim() !== '') fail('text outside the root element');
      } else current.text += decode(text, i);
      i = end < 0 ? src.length : end;
    }
  }
  if (current !== null) throw new Error(`xml: <${current.name}> is never closed`);
  if (root === null) throw new Error('xml: no root element');
  return root;
}

/** Every element under `el` (itself included, document order) for which `pred` holds. */
export function findAll(el: XmlElement, pred: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (pred(e)) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}

/** Whether the element's `class` attribute contains every one of `classes`. */
export function hasClass(el: XmlElement, ...classes: string[]): boolean {
  const own = (el.attrs.class ?? '').split(/\s+/);
  return classes.every((c) => own.includes(c));
}

/** The children of the groups with all of `classes` (e.g. the marks of `mark-text role-axis-title`). */
export function marksIn(root: XmlElement, ...classes: string[]): XmlElement[] {
  return findAll(root, (e) => e.name === 'g' && hasClass(e, ...classes)).flatMap((g) => g.children);
}

/** `translate(x,y)` of an element's transform attribute (the first one). */
export function translateOf(el: XmlElement): [number, number] {
  const m = /translate\(\s*([-\d.e]+)[ ,]\s*([-\d.e]+)\s*\)/.exec(el.attrs.transform ?? '');
  if (!m) throw new Error(`no translate() in transform of <${el.name}>: ${el.attrs.transform}`);
  return [Number(m[1]), Number(m[2])];
}
