import { ProgressReporter, formatCount, formatDuration, formatPercent, renderBar, renderLogLine, type BatchProgress } from './progress';
import { captureStream } from './testing/streams';

const p: BatchProgress = { epoch: 3, epochs: 10, batch: 40, batches: 80, loss: 0.23456, accuracy: 0.9312, samples: 4000, seconds: 2, sessionBatches: 40 };

test('formatting helpers', () => {
  expect(formatDuration(0)).toBe('0:00');
  expect(formatDuration(65.4)).toBe('1:05');
  expect(formatDuration(3723)).toBe('1:02:03');
  expect(formatDuration(NaN)).toBe('--:--');
  expect(formatCount(14210.4)).toBe('14,210');
  expect(formatCount(7)).toBe('7');
  expect(formatPercent(0.9312)).toBe('93.1%');
});

test('the bar shows epoch, batches, loss, accuracy, samples/s and the ETA of the epoch', () => {
  const line = renderBar(p, 120);
  expect(line).toMatch(/^epoch 3\/10 \[=+>? *\] 40\/80 {2}loss 0\.2346 {2}acc 93\.1% {2}2,000 samples\/s {2}ETA 0:02$/);
  // half done: half of the bar is filled
  const bar = /\[([^\]]*)\]/.exec(line)?.[1] ?? '';
  expect(bar.replace(/ /g, '').length).toBe(bar.length / 2);
  expect(renderBar({ ...p, batch: 80 }, 120)).toContain(`[${'='.repeat(bar.length)}]`);
});

test('the bar fits the terminal: it shrinks, then drops the accuracy, then is cut', () => {
  expect(renderBar(p, 80)).toMatch(/^epoch 3\/10 \[=+>? *\] 40\/80 {2}loss 0\.2346 {2}acc 93\.1% {2}2,000 samples\/s {2}ETA 0:02$/);
  expect(renderBar(p, 80).length).toBeLessThanOrEqual(79);
  expect(renderBar(p, 70)).toMatch(/\] 40\/80 {2}loss 0\.2346 {2}2,000 samples\/s {2}ETA 0:02$/);
  expect(renderBar(p, 40)).toHaveLength(39);
});

test('a TTY gets a bar redrawn in place, throttled, and erased by clear()', () => {
  let t = 0;
  const out = captureStream(true);
  const r = new ProgressReporter(out, 0, () => t);
  r.update({ ...p, batch: 1 });
  t += 10;
  r.update({ ...p, batch: 2 }); // within 100 ms: skipped
  t += 200;
  r.update({ ...p, batch: 3 });
  r.update({ ...p, batch: 80 }); // the last batch is always drawn
  r.clear();
  const writes = out.writes;
  expect(writes).toHaveLength(4);
  expect(writes[0]).toMatch(/^\r.* 1\/80 /);
  expect(writes[1]).toMatch(/^\r.* 3\/80 /);
  expect(writes[2]).toMatch(/^\r.* 80\/80 /);
  expect(writes[3]).toBe('\r\x1b[K');
  expect(writes.join('')).not.toContain('\n');
});

test('without a TTY: nothing, or a plain line every logEvery batches', () => {
  const quiet = captureStream(false);
  const r0 = new ProgressReporter(quiet, 0);
  for (let b = 1; b <= 80; b++) r0.update({ ...p, batch: b });
  r0.clear();
  expect(quiet.text()).toBe('');

  const log = captureStream(false);
  const r = new ProgressReporter(log, 25);
  for (let b = 1; b <= 80; b++) r.update({ ...p, batch: b });
  const lines = log.text().trim().split('\n');
  expect(lines.map((l) => /batch (\d+)\//.exec(l)?.[1])).toEqual(['25', '50', '75', '80']);
  expect(lines[0]).toBe(renderLogLine({ ...p, batch: 25 }));
  expect(log.text()).not.toContain('\r');
});
