/**
 * Bilingual text. Every message a student or instructor reads exists in English and Japanese;
 * writers pick one with `--lang`.
 *
 * ```ts
 * const t = text('time limit exceeded', '制限時間を超えました');
 * render(t, 'ja'); // '制限時間を超えました'
 * ```
 */
export type Lang = 'en' | 'ja';
export const LANGS: readonly Lang[] = ['en', 'ja'];

/** A message in both languages. A plain string is the same in both (code, numbers, names). */
export type Text = string | { readonly en: string; readonly ja: string };

export function text(en: string, ja: string): Text {
  return { en, ja };
}

export function render(t: Text, lang: Lang): string {
  return typeof t === 'string' ? t : t[lang];
}

/** Builds a Text from a template applied in each language: `both((l) => ...)`. */
export function both(f: (lang: Lang) => string): Text {
  return { en: f('en'), ja: f('ja') };
}
