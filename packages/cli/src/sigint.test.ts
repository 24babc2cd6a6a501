/**
 * Ctrl-C in a real process: `dl train` is spawned, SIGINT is sent once the first batch is done,
 * and the process must finish its batch, save a checkpoint, say where, and exit with 130; the
 * checkpoint then resumes to the end.
 */
import { readdirSync } from 'fs';
import { join } from 'path';
import { loadCheckpoint } from './checkpoint';
import { spawnDl } from './testing/child';
import { tempDir } from './testing/files';
import { runCli } from './testing/run';

/** Spawning dl and training 2 x 2,000 samples: seconds alone, minutes on a busy 2-core machine. */
const TIMEOUT = 300_000;

test('SIGINT after the first batch: checkpoint saved, its path printed, exit status 130; then it resumes', async () => {
  const dir = tempDir();
  const path = join(dir, 'checkpoint.safetensors');
  let sent = false;
  const r = await spawnDl(['train', '--train-size', '2000', '--test-size', '100', '--batch-size', '20', '--epochs', '2', '--log-every', '1', '--no-report', '--out', dir], {
    timeoutMs: TIMEOUT - 60_000,
    onOutput: (child, _out, err) => {
      if (!sent && /batch 1\/90 /.test(err)) {
        sent = true;
        child.kill('SIGINT');
      }
    },
  });
  expect(sent).toBe(true);
  expect(r.signal).toBeNull();
  expect(r.code).toBe(130);
  expect(r.stderr).toContain('Ctrl-C: stopping after this batch and saving a checkpoint');
  expect(r.stderr).toMatch(new RegExp(`interrupted (in epoch \\d after batch \\d+|after epoch \\d): checkpoint saved to ${path.replace(/[.]/g, '\\.')}\\nresume with: dl train --resume `));
  expect(r.stdout).not.toContain('test accuracy'); // it stopped before the end
  const ck = loadCheckpoint(path);
  // no temp file, no report; the best epoch's checkpoint once an epoch is complete
  expect(readdirSync(dir).sort()).toEqual(ck.state.epoch > 0 ? ['best.safetensors', 'checkpoint.safetensors'] : ['checkpoint.safetensors']);
  const done = ck.state.epoch * 90 + ck.state.batch; // 1,800 training samples (200 are validation): 90 batches an epoch
  expect(done).toBeGreaterThanOrEqual(1);
  expect(done).toBeLessThan(180);
  expect(ck.optimizerState.state[0].step).toBe(done); // the weights are those after exactly `done` batches
  if (ck.state.batch > 0) expect(ck.state.partial?.samples).toBe(ck.state.batch * 20);

  const resumed = await runCli(['train', '--resume', path, '--no-report']);
  expect(resumed.code).toBe(0);
  const end = loadCheckpoint(path);
  expect(end.state).toMatchObject({ epoch: 2, batch: 0 });
  expect(end.optimizerState.state[0].step).toBe(180);
}, TIMEOUT);
