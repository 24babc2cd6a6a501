/**
 * Reading a submission folder before anything runs: each file the assignment names is found
 * (also one level down or by name, as students upload), checked for size and UTF-8, and copied
 * as text. Problems are per file, so they cost only the tasks whose code is in that file.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { text, type Text } from './text';

export interface SubmissionFiles {
  /** Source text of each assignment file that could be read. */
  readonly sources: ReadonlyMap<string, string>;
  /** Why a file could not be used. */
  readonly problems: ReadonlyMap<string, Text>;
  /** Submission-wide notes (what was found where, what was ignored). */
  readonly notes: readonly Text[];
}

const MAX_SCAN = 2000;

/** Files under dir (no symlinks followed, node_modules skipped), up to MAX_SCAN. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (depth > 6 || out.length >= MAX_SCAN) return;
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e === 'node_modules' || e.startsWith('.')) continue;
      const p = join(d, e);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p, depth + 1);
      else out.push(p);
    }
  };
  walk(dir, 0);
  return out;
}

export function readSubmission(path: string, files: readonly string[], limitKB: number): SubmissionFiles {
  const problems = new Map<string, Text>();
  const sources = new Map<string, string>();
  const notes: Text[] = [];
  const all = (why: Text): SubmissionFiles => {
    for (const f of files) problems.set(f, why);
    return { sources, problems, notes: [why] };
  };
  if (!existsSync(path)) return all(text(`the submission ${path} does not exist`, `提出物 ${path} が見つかりません`));
  const st = statSync(path);
  if (!st.isDirectory()) {
    const head = readFileSync(path).subarray(0, 4);
    const zip = head[0] === 0x50 && head[1] === 0x4b;
    return all(
      zip
        ? text(`the submission is a zip file (${basename(path)}); upload the files themselves (${files.join(', ')}) or unzip it first`, `提出物が zip ファイル (${basename(path)}) です。ファイル (${files.join(', ')}) そのものを提出するか、展開してから提出してください`)
        : text(`the submission must be a folder holding ${files.join(', ')}`, `提出物は ${files.join(', ')} を含むフォルダにしてください`),
    );
  }
  if (existsSync(join(path, 'node_modules'))) {
    notes.push(text('node_modules in the submission is ignored: @dl comes from the grader', '提出物の node_modules は無視されます (@dl は採点環境のものを使用)'));
  }
  let listing: string[] | null = null;
  for (const f of files) {
    let p = join(path, f);
    if (!existsSync(p)) {
      listing ??= listFiles(path);
      const byName = listing.filter((q) => basename(q) === basename(f));
      if (byName.length === 1) {
        p = byName[0];
        notes.push(text(`${f} was found at ${relative(path, p)}`, `${f} を ${relative(path, p)} で見つけました`));
      } else {
        problems.set(f, byName.length > 1
          ? text(`${f}: several files are named ${basename(f)} (${byName.map((q) => relative(path, q)).join(', ')}); keep one, at ${f}`, `${f}: ${basename(f)} という名前のファイルが複数あります (${byName.map((q) => relative(path, q)).join(', ')})。${f} に一つだけ置いてください`)
          : text(`${f} is missing from the submission`, `提出物に ${f} がありません`));
        continue;
      }
    }
    const fst = lstatSync(p);
    if (fst.isSymbolicLink() || !fst.isFile()) {
      problems.set(f, text(`${f} must be a regular file (links are not followed)`, `${f} は通常のファイルにしてください (シンボリックリンクは使えません)`));
      continue;
    }
    if (fst.size > limitKB * 1024) {
      problems.set(f, text(`${f} is ${Math.ceil(fst.size / 1024)} KiB, larger than the limit of ${limitKB} KiB`, `${f} は ${Math.ceil(fst.size / 1024)} KiB で、上限 ${limitKB} KiB を超えています`));
      continue;
    }
    const bytes = readFileSync(p);
    let src: string;
    try {
      src = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      problems.set(f, text(`${f} is not UTF-8 text; save it as UTF-8`, `${f} が UTF-8 ではありません。UTF-8 で保存してください`));
      continue;
    }
    sources.set(f, src.replace(/^\uFEFF/, ''));
  }
  return { sources, problems, notes };
}
