/**
 * `assignment.json`: the one description of an assignment. Loaded and validated strictly:
 * unknown keys are errors (with the allowed keys), so a typo never silently changes grading.
 *
 * ```json
 * {
 *   "id": "01-perceptron",
 *   "title": { "en": "Perceptrons and logic gates", "ja": "パーセプトロンと論理ゲート" },
 *   "files": ["src/perceptron.ts"],
 *   "defaults": { "timeLimitS": 20, "memoryMB": 1024 },
 *   "tasks": [
 *     { "id": "and", "title": { "en": "AND gate", "ja": "AND ゲート" }, "points": 2 }
 *   ]
 * }
 * ```
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TaskSpec {
  readonly id: string;
  readonly title: { readonly en: string; readonly ja: string };
  readonly points: number;
  /** Wall-clock limit for the task's process, in seconds. */
  readonly timeLimitS: number;
  /** Memory (address space) limit for the task's process, in MiB. */
  readonly memoryMB: number;
  /** Seed given to @dl's manualSeed and to the tests' Rng. */
  readonly seed: number;
}

export interface AssignmentSpec {
  readonly id: string;
  readonly title: { readonly en: string; readonly ja: string };
  /** Files the students edit, relative to the assignment folder (the reference, with markers). */
  readonly files: readonly string[];
  readonly tasks: readonly TaskSpec[];
  /** Threads for @dl inside the student's process (pinned for reproducibility). */
  readonly threads: number;
  /** @dl backend for the student's process: 'js' or 'native'. */
  readonly backend: 'js' | 'native';
  /** Largest submission accepted, in KiB (files the students edit only). */
  readonly submissionLimitKB: number;
  /** Gradescope visibility of hidden cases' results (their feedback never shows expected values). */
  readonly hiddenVisibility: 'visible' | 'after_due_date' | 'after_published' | 'hidden';
}

export class AssignmentError extends Error {
  override name = 'AssignmentError';
}

const TOP_KEYS = ['id', 'title', 'files', 'tasks', 'defaults', 'threads', 'backend', 'submissionLimitKB', 'hiddenVisibility', '$comment'];
const TASK_KEYS = ['id', 'title', 'points', 'timeLimitS', 'memoryMB', 'seed'];
const DEFAULT_KEYS = ['timeLimitS', 'memoryMB', 'seed'];

function checkKeys(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      throw new AssignmentError(`${where}: unknown key '${k}' (allowed: ${allowed.join(', ')})`);
    }
  }
}

function bilingual(v: unknown, where: string): { en: string; ja: string } {
  if (typeof v !== 'object' || v === null) throw new AssignmentError(`${where} must be { "en": "...", "ja": "..." }`);
  const o = v as Record<string, unknown>;
  checkKeys(o, ['en', 'ja'], where);
  if (typeof o.en !== 'string' || typeof o.ja !== 'string' || !o.en || !o.ja) {
    throw new AssignmentError(`${where} needs both "en" and "ja" texts`);
  }
  return { en: o.en, ja: o.ja };
}

function positive(v: unknown, where: string, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new AssignmentError(`${where} must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}

const ID_RE = /^[a-z0-9][a-z0-9-]*$/;

/** Validates parsed assignment.json content. `where` names the file in errors. */
export function parseAssignment(raw: unknown, where = 'assignment.json'): AssignmentSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AssignmentError(`${where}: expected a JSON object`);
  const o = raw as Record<string, unknown>;
  checkKeys(o, TOP_KEYS, where);
  if (typeof o.id !== 'string' || !ID_RE.test(o.id)) throw new AssignmentError(`${where}: "id" must be lower-case letters, digits and '-' (like "01-perceptron")`);
  const title = bilingual(o.title, `${where}: "title"`);
  if (!Array.isArray(o.files) || o.files.length === 0 || !o.files.every((f) => typeof f === 'string')) {
    throw new AssignmentError(`${where}: "files" must list the files students edit, like ["src/perceptron.ts"]`);
  }
  for (const f of o.files as string[]) {
    if (f.startsWith('/') || f.split('/').includes('..') || !f.endsWith('.ts')) {
      throw new AssignmentError(`${where}: file '${f}' must be a relative .ts path inside the assignment`);
    }
  }
  const d = (o.defaults ?? {}) as Record<string, unknown>;
  if (typeof d !== 'object' || Array.isArray(d)) throw new AssignmentError(`${where}: "defaults" must be an object`);
  checkKeys(d, DEFAULT_KEYS, `${where}: "defaults"`);
  const dTime = positive(d.timeLimitS, `${where}: defaults.timeLimitS`, 30);
  const dMem = positive(d.memoryMB, `${where}: defaults.memoryMB`, 2048);
  const dSeed = d.seed === undefined ? 0 : d.seed;
  if (!Array.isArray(o.tasks) || o.tasks.length === 0) throw new AssignmentError(`${where}: "tasks" must be a non-empty array`);
  const ids = new Set<string>();
  const tasks = (o.tasks as unknown[]).map((t, i): TaskSpec => {
    const tw = `${where}: tasks[${i}]`;
    if (typeof t !== 'object' || t === null) throw new AssignmentError(`${tw} must be an object`);
    const to = t as Record<string, unknown>;
    checkKeys(to, TASK_KEYS, tw);
    if (typeof to.id !== 'string' || !ID_RE.test(to.id)) throw new AssignmentError(`${tw}: "id" must be lower-case letters, digits and '-'`);
    if (ids.has(to.id)) throw new AssignmentError(`${tw}: duplicate task id '${to.id}'`);
    ids.add(to.id);
    const seed = to.seed ?? dSeed;
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) throw new AssignmentError(`${tw}: "seed" must be a non-negative integer`);
    return {
      id: to.id,
      title: bilingual(to.title, `${tw}.title`),
      points: positive(to.points, `${tw}.points`),
      timeLimitS: positive(to.timeLimitS, `${tw}.timeLimitS`, dTime),
      memoryMB: positive(to.memoryMB, `${tw}.memoryMB`, dMem),
      seed,
    };
  });
  const threads = o.threads === undefined ? 1 : o.threads;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1) throw new AssignmentError(`${where}: "threads" must be a positive integer`);
  const backend = o.backend ?? 'js';
  if (backend !== 'js' && backend !== 'native') throw new AssignmentError(`${where}: "backend" must be "js" or "native"`);
  const hv = o.hiddenVisibility ?? 'visible';
  if (!['visible', 'after_due_date', 'after_published', 'hidden'].includes(hv as string)) {
    throw new AssignmentError(`${where}: "hiddenVisibility" must be visible, after_due_date, after_published or hidden`);
  }
  return {
    id: o.id,
    title,
    files: [...(o.files as string[])],
    tasks,
    threads,
    backend,
    submissionLimitKB: positive(o.submissionLimitKB, `${where}: submissionLimitKB`, 512),
    hiddenVisibility: hv as AssignmentSpec['hiddenVisibility'],
  };
}

export function loadAssignment(dir: string): AssignmentSpec {
  const file = join(dir, 'assignment.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AssignmentError(`${file}: cannot read it (${(e as Error).message}); an assignment folder holds assignment.json`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new AssignmentError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseAssignment(raw, file);
}
