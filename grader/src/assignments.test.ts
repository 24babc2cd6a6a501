/**
 * Every course assignment under assignments/ builds: its reference scores full marks and its
 * stubs score 0 on every task, both graded exactly as submissions are (confined processes).
 * Adding an assignment folder adds it here.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyBundle, writeBundles } from './bundle';
import { gradeSubmission } from './grade';
import { runLocal } from './local';
import { GRADER_DIR } from './testing/mini';

const ASSIGNMENTS = join(GRADER_DIR, '..', 'assignments');
const names = existsSync(ASSIGNMENTS) ? readdirSync(ASSIGNMENTS).filter((n) => existsSync(join(ASSIGNMENTS, n, 'assignment.json'))).sort() : [];

test('the course has assignments to check', () => {
  expect(names.length).toBeGreaterThanOrEqual(2);
});

describe.each(names)('%s', (name) => {
  test('builds: the reference scores full marks, the stubs 0 on every task', async () => {
    const out = mkdtempSync(join(tmpdir(), `dl-grade-${name}-`));
    try {
      const split = writeBundles(join(ASSIGNMENTS, name), out);
      const { reference, stub } = await verifyBundle(out, split, (b, d, record) => gradeSubmission(b, d, { recordReference: record }));
      expect(reference.score).toBe(reference.maxScore);
      for (const t of stub.tasks) expect({ task: t.id, score: t.score }).toEqual({ task: t.id, score: 0 });
      // The template a student gets runs its public tests and fails them (nothing is implemented yet).
      const local = await runLocal(join(out, 'student'), { reference: false });
      expect(local.score).toBe(0);
      expect(local.tasks.some((t) => t.cases.length > 0)).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 600_000);

  test('its public and hidden tests pass on the reference in-process (dl-grade test --reference)', async () => {
    const r = await runLocal(join(ASSIGNMENTS, name), { reference: true });
    expect(r.score).toBe(r.maxScore);
  }, 120_000);
});
