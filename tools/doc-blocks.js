#!/usr/bin/env node
/**
 * Runs the TypeScript and JavaScript code blocks of the documentation, so that every example can
 * be pasted and works.
 *
 *   node tools/doc-blocks.js                 # every documented file (listed below), a report, exit 1 on failure
 *   node tools/doc-blocks.js docs/autograd.md packages/losses/README.md
 *   node tools/doc-blocks.js --list          # the blocks found and what will be done with each
 *   node tools/doc-blocks.js --json          # the results as JSON (what packages/cli/src/docs.test.ts reads)
 *   options: --jobs N (blocks run at once, default 2), --timeout S (per block, default 120), --keep
 *
 * Each ```ts / ```typescript / ```js / ```javascript block of docs/**\/*.md, README.md,
 * packages/*\/README.md, grader/README*.md and assignments/*\/README*.md is written to a file of
 * its own in a temporary folder inside the repository (node_modules/.cache/doc-blocks/, so that
 * `@dl/*` resolves as it does for a reader's file in the repository), then
 *
 *   1. all blocks are type-checked as one TypeScript program under `strict` (types: node; every
 *      block is a module of its own; JavaScript blocks with checkJs), and
 *   2. each block is transpiled and run by `node` in a child process, in an empty working folder
 *      of its own (files a block writes land there), with a timeout; it must exit with status 0
 *      and, when it declares an expected output, print exactly that to stdout.
 *
 * The conventions, written in the Markdown just before or after a block (docs/README.md has them
 * for authors):
 *
 *   <!-- output -->           after a block, followed by a ```text block: the block's expected
 *                             stdout (compared line by line, trailing spaces and blank lines at
 *                             the end ignored).
 *   <!-- not run: REASON -->  before a block: type-checked, not executed (it needs files or time
 *                             that the check does not have).
 *   <!-- fragment: REASON --> before a block: neither type-checked nor executed (a signature or
 *                             an excerpt, not a whole program).
 *
 * A marker without a reason is an error. Failures name the Markdown file and line of the block
 * (of the failing line, for type errors and stack traces) and the compiler's or node's message.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const LANGS = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' };
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.nx', 'coverage', 'runs']);

/** The documented Markdown files, relative to the root, sorted. */
function docFiles(root = ROOT) {
  const out = [];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && !SKIP_DIRS.has(e.name)) walk(path.join(dir, e.name));
      else if (e.isFile() && e.name.endsWith('.md')) out.push(path.join(dir, e.name));
    }
  };
  walk(path.join(root, 'docs'));
  const inDirs = (parent, test) => {
    const dir = path.join(root, parent);
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || SKIP_DIRS.has(e.name)) continue;
      for (const f of fs.readdirSync(path.join(dir, e.name))) if (test(f)) out.push(path.join(dir, e.name, f));
    }
  };
  const readme = (f) => /^README.*\.md$/.test(f);
  if (fs.existsSync(path.join(root, 'README.md'))) out.push(path.join(root, 'README.md'));
  inDirs('packages', (f) => f === 'README.md');
  inDirs('assignments', readme);
  const grader = path.join(root, 'grader');
  if (fs.existsSync(grader)) for (const f of fs.readdirSync(grader)) if (readme(f)) out.push(path.join(grader, f));
  return [...new Set(out.map((f) => path.relative(root, f)))].sort();
}

const FENCE = /^( *)(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
const MARK = /^\s*<!--\s*(not run|fragment|output)\s*(?::\s*([\s\S]*?))?\s*-->\s*$/;

/**
 * The code blocks of one Markdown text: { file, line (of the opening fence, 1-based), lang,
 * code, skip: null | { kind: 'not run' | 'fragment', reason }, expected: string | null,
 * errors: string[] (misused markers) }.
 */
function parseBlocks(text, file) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const fences = []; // every fenced block: { start, end, indent, info, body }
  for (let i = 0; i < lines.length; i++) {
    const m = FENCE.exec(lines[i]);
    if (!m) continue;
    const [, indent, fence, info] = m;
    let j = i + 1;
    const close = new RegExp(`^ *${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    while (j < lines.length && !close.test(lines[j])) j++;
    const body = lines.slice(i + 1, j).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
    fences.push({ start: i, end: j, indent: indent.length, info: info.toLowerCase(), body });
    i = j;
  }
  const prevNonBlank = (i) => {
    while (i >= 0 && lines[i].trim() === '') i--;
    return i;
  };
  const nextNonBlank = (i) => {
    while (i < lines.length && lines[i].trim() === '') i++;
    return i;
  };
  const blocks = [];
  for (let k = 0; k < fences.length; k++) {
    const f = fences[k];
    const lang = LANGS[f.info];
    if (!lang) continue;
    const block = { file, line: f.start + 1, indent: f.indent, lang, code: f.body.join('\n') + '\n', skip: null, expected: null, errors: [] };
    const before = MARK.exec(lines[prevNonBlank(f.start - 1)] ?? '');
    if (before && before[1] !== 'output') {
      if (!before[2]) block.errors.push(`<!-- ${before[1]}: ... --> needs a reason, e.g. <!-- ${before[1]}: needs the Fashion-MNIST files -->`);
      block.skip = { kind: before[1], reason: before[2] || '' };
    }
    const after = nextNonBlank(f.end + 1);
    const outMark = MARK.exec(lines[after] ?? '');
    if (outMark && outMark[1] === 'output') {
      const next = fences[k + 1];
      if (next && next.start === nextNonBlank(after + 1) && (next.info === 'text' || next.info === '')) {
        block.expected = next.body.join('\n');
      } else {
        block.errors.push(`<!-- output --> at line ${after + 1} must be followed by a \`\`\`text block`);
      }
      if (block.skip) block.errors.push(`a block marked <!-- ${block.skip.kind} --> cannot declare an output`);
    }
    blocks.push(block);
  }
  return blocks;
}

/** Lines without trailing spaces, without trailing blank lines, \r\n as \n. */
function normalizeOutput(s) {
  return s.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd()).join('\n').replace(/\n+$/, '');
}

const where = (b, offset = 0) => `${b.file}:${b.line + offset}`;

/** Type-checks the blocks (all but fragments) as one program; returns a map block -> messages. */
function typeCheck(ts, blocks, srcDir, root) {
  const files = new Map(); // absolute source path -> block
  for (const b of blocks) if (b.src && b.skip?.kind !== 'fragment') files.set(b.src, b);
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    moduleDetection: ts.ModuleDetectionKind.Force,
    lib: ['lib.es2022.d.ts'],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    allowJs: true,
    checkJs: true,
    types: ['node'],
    typeRoots: [path.join(root, 'node_modules', '@types')],
    outDir: path.join(srcDir, '..', 'out'),
    rootDir: srcDir,
    inlineSourceMap: true,
    inlineSources: true,
    newLine: ts.NewLineKind.LineFeed,
  };
  const program = ts.createProgram([...files.keys()], options);
  const messages = new Map();
  const add = (b, m) => messages.set(b, [...(messages.get(b) ?? []), m]);
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const b = d.file && files.get(path.resolve(d.file.fileName));
    if (b && d.start !== undefined) {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      add(b, `${where(b, line + 1)}:${character + 1 + b.indent} error TS${d.code}: ${text}`);
    } else {
      const loc = d.file ? `${path.relative(root, d.file.fileName)}: ` : '';
      for (const blk of files.values()) add(blk, `${loc}error TS${d.code}: ${text}`);
    }
  }
  // signatures without bodies (TS2391, TS2389) are the usual fragment: say how to mark them
  for (const [b, ms] of messages) {
    if (ms.some((m) => / error TS(2391|2389):/.test(m))) {
      ms.push(`${where(b)}: hint: signatures are not a program; if the block only lists them, mark it <!-- fragment: REASON --> (docs/README.md)`);
    }
  }
  // emit everything (type errors or not), so that each block also runs and reports its own errors
  const emitted = program.emit();
  for (const d of emitted.diagnostics) {
    for (const blk of files.values()) add(blk, `emit error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  }
  return messages;
}

/** Runs one emitted block; resolves to { code, signal, stdout, stderr, timedOut, ms }. */
function execute(b, timeoutMs) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--enable-source-maps', b.out], {
      cwd: b.work,
      env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: Date.now() - t0 });
    });
  });
}

/** Stack-trace positions in a block's temporary file, as positions in its Markdown file. */
function mapPaths(text, b) {
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`${esc(b.src)}:(\\d+)(?::(\\d+))?`, 'g'), (_, l, c) =>
    `${where(b, Number(l))}${c ? `:${Number(c) + b.indent}` : ''}`,
  );
}

const tail = (s, n = 40) => {
  const lines = s.trimEnd().split('\n');
  return (lines.length > n ? ['...', ...lines.slice(-n)] : lines).join('\n');
};

/**
 * Finds, checks and runs the blocks. Returns { blocks: [{ file, line, lang, status: 'passed' |
 * 'failed' | 'not run' | 'fragment', reason?, errors: string[], ms? }], checkMs, totalMs }.
 */
async function runDocBlocks({ root = ROOT, files = docFiles(root), jobs = 2, timeoutMs = 120_000, keep = false, log = () => {} } = {}) {
  const t0 = Date.now();
  const ts = require(require.resolve('typescript', { paths: [root] }));
  const blocks = files.flatMap((f) => parseBlocks(fs.readFileSync(path.resolve(root, f), 'utf8'), path.relative(root, path.resolve(root, f))));
  const cache = path.join(root, 'node_modules', '.cache', 'doc-blocks');
  fs.mkdirSync(cache, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cache, 'run-'));
  const srcDir = path.join(tmp, 'src');
  fs.mkdirSync(srcDir);
  try {
    blocks.forEach((b, i) => {
      const name = `b${String(i + 1).padStart(3, '0')}-${b.file.replace(/[^A-Za-z0-9]+/g, '_')}-L${b.line}`;
      if (b.skip?.kind === 'fragment') return;
      b.src = path.join(srcDir, `${name}.${b.lang}`);
      b.out = path.join(tmp, 'out', `${name}.js`);
      b.work = path.join(tmp, 'work', name);
      fs.writeFileSync(b.src, b.code);
    });
    const tc = Date.now();
    log(`type-checking ${blocks.filter((b) => b.src).length} blocks of ${files.length} files ...`);
    const typeErrors = typeCheck(ts, blocks, srcDir, root);
    const checkMs = Date.now() - tc;
    log(`type-checked in ${(checkMs / 1000).toFixed(1)} s`);
    for (const b of blocks) b.errors.push(...(typeErrors.get(b) ?? []));

    const runnable = blocks.filter((b) => b.src && !b.skip);
    let next = 0;
    const worker = async () => {
      while (next < runnable.length) {
        const b = runnable[next++];
        fs.mkdirSync(b.work, { recursive: true });
        if (!fs.existsSync(b.out)) {
          b.errors.push(`${where(b)}: not emitted`);
          continue;
        }
        const r = await execute(b, timeoutMs);
        b.ms = r.ms;
        const out = mapPaths(r.stdout, b);
        const err = mapPaths(r.stderr, b);
        if (r.timedOut) b.errors.push(`${where(b)}: timed out after ${timeoutMs / 1000} s\n${tail(err || out)}`);
        else if (r.code !== 0) b.errors.push(`${where(b)}: exited with ${r.signal ?? `status ${r.code}`}\n${tail(err || out)}`);
        else if (b.expected !== null && normalizeOutput(r.stdout) !== normalizeOutput(b.expected)) {
          b.errors.push(`${where(b)}: stdout differs from the declared output\n--- expected\n${normalizeOutput(b.expected)}\n--- got\n${normalizeOutput(out)}`);
        }
        log(`${b.errors.length ? 'FAIL' : 'ok  '} ${where(b)} (${(r.ms / 1000).toFixed(1)} s)`);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
    return {
      blocks: blocks.map((b) => ({
        file: b.file,
        line: b.line,
        lang: b.lang,
        status: b.errors.length ? 'failed' : b.skip ? b.skip.kind : 'passed',
        ...(b.skip ? { reason: b.skip.reason } : {}),
        ...(b.expected !== null ? { expectsOutput: true } : {}),
        errors: b.errors,
        ...(b.ms !== undefined ? { ms: b.ms } : {}),
      })),
      checkMs,
      totalMs: Date.now() - t0,
    };
  } finally {
    if (keep) log(`kept ${path.relative(root, tmp)}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** A human-readable report of runDocBlocks's result. */
function formatReport(result) {
  const out = [];
  const count = (s) => result.blocks.filter((b) => b.status === s).length;
  for (const b of result.blocks.filter((x) => x.status === 'failed')) out.push(`FAIL ${b.file}:${b.line} (${b.lang})\n${b.errors.join('\n')}\n`);
  out.push(
    `${result.blocks.length} blocks: ${count('passed')} passed, ${count('failed')} failed, ${count('not run')} type-checked only (not run), ` +
      `${count('fragment')} fragments; type-check ${(result.checkMs / 1000).toFixed(1)} s, all ${(result.totalMs / 1000).toFixed(1)} s`,
  );
  return out.join('\n');
}

async function main(argv) {
  const opts = { jobs: 2, timeoutMs: 120_000, keep: false };
  const files = [];
  let mode = 'report';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') mode = 'json';
    else if (a === '--list') mode = 'list';
    else if (a === '--keep') opts.keep = true;
    else if (a === '--jobs') opts.jobs = Number(argv[++i]);
    else if (a === '--timeout') opts.timeoutMs = Number(argv[++i]) * 1000;
    else if (a === '--help' || a === '-h') {
      console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^#!.*\n\/\*\*\n/, '').replace(/^ \* ?/gm, '').replace(/\\\//g, '/'));
      return 0;
    } else if (a.startsWith('-')) throw new Error(`doc-blocks: unknown option ${a} (see --help)`);
    else files.push(path.relative(ROOT, path.resolve(a)));
  }
  if (files.length === 0) files.push(...docFiles());
  if (mode === 'list') {
    for (const f of files) {
      for (const b of parseBlocks(fs.readFileSync(path.resolve(ROOT, f), 'utf8'), f)) {
        const what = b.skip ? `${b.skip.kind}: ${b.skip.reason}` : b.expected !== null ? 'run, output checked' : 'run';
        console.log(`${b.file}:${b.line} ${b.lang} ${what}${b.errors.length ? ` [${b.errors.join('; ')}]` : ''}`);
      }
    }
    return 0;
  }
  const result = await runDocBlocks({ ...opts, files, log: mode === 'report' ? (m) => console.error(m) : () => {} });
  console.log(mode === 'json' ? JSON.stringify(result, null, 1) : formatReport(result));
  return result.blocks.some((b) => b.status === 'failed') ? 1 : 0;
}

module.exports = { docFiles, parseBlocks, normalizeOutput, runDocBlocks, formatReport };

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 2;
    },
  );
}
