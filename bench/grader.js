#!/usr/bin/env node
/**
 * Grading speed: how long `dl-grade run` takes on a full-marks submission of each pilot
 * assignment, and how many submissions a minute `dl-grade batch --jobs N` grades.
 *
 *   node bench/grader.js [--assignments 01-perceptron,02-backprop] [--runs 3] [--batch 12] [--jobs 2]
 *
 * Each assignment is built and verified once, as `dl-grade build` does (not timed). `run` is timed as a whole process (node start,
 * compile of the submission, one confined process per task), median and range over --runs.
 * The batch holds --batch submissions, alternately the reference solution and the stub template,
 * graded from scratch. Targets (issue 11): run at most 10 s; batch with 2 jobs at least 12
 * submissions per minute. Prints figures; asserts nothing.
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const known = new Set(['--assignments', '--runs', '--batch', '--jobs']);
for (const a of args) if (a.startsWith('--') && !known.has(a)) { console.error(`bench/grader.js: unknown option ${a}`); process.exit(2); }

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'grader', 'bin', 'dl-grade.js');
const { writeBundles, verifyBundle } = require(path.join(root, 'grader', 'dist', 'bundle.js'));
const { gradeSubmission } = require(path.join(root, 'grader', 'dist', 'grade.js'));
const names = opt('assignments', '01-perceptron,02-backprop').split(',');
const runs = Number(opt('runs', '3'));
const batchN = Number(opt('batch', '12'));
const jobs = Number(opt('jobs', '2'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-grade-bench-'));

function timed(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`dl-grade ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { s, stdout: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

(async () => {
console.log(`node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0].model}), load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
try {
  for (const name of names) {
    const out = path.join(work, name);
    const split = writeBundles(path.join(root, 'assignments', name), out);
    // As `dl-grade build` does: verifying records the reference's answers in the bundle.
    await verifyBundle(out, split, (b, d, record) => gradeSubmission(b, d, { recordReference: record }));
    const ref = path.join(work, `${name}-reference`);
    for (const [f, text] of split.reference) {
      fs.mkdirSync(path.dirname(path.join(ref, f)), { recursive: true });
      fs.writeFileSync(path.join(ref, f), text);
    }
    const times = [];
    let score = '';
    for (let i = 0; i < runs; i++) {
      const r = timed(['run', '--assignment', path.join(out, 'autograder'), '--submission', ref, '--out', path.join(work, `${name}-run-${i}`), '--lang', 'en']);
      times.push(r.s);
      score = JSON.parse(fs.readFileSync(path.join(work, `${name}-run-${i}`, 'results.json'), 'utf8')).score;
    }
    console.log(`${name}: run on the reference (score ${score}): median ${median(times).toFixed(2)} s, min ${Math.min(...times).toFixed(2)}, max ${Math.max(...times).toFixed(2)} over ${runs} runs (target <= 10 s)`);
    const subs = path.join(work, `${name}-subs`);
    for (let i = 0; i < batchN; i++) fs.cpSync(i % 2 === 0 ? ref : path.join(out, 'student'), path.join(subs, `s${String(i).padStart(3, '0')}`), { recursive: true });
    const b = timed(['batch', '--assignment', path.join(out, 'autograder'), '--submissions', subs, '--out', path.join(work, `${name}-graded`), '--jobs', String(jobs), '--lang', 'en']);
    console.log(`${name}: batch of ${batchN} with --jobs ${jobs}: ${b.s.toFixed(1)} s, ${((batchN * 60) / b.s).toFixed(1)} submissions per minute (target >= 12)`);
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
