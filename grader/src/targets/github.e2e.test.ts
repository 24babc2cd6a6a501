/**
 * GitHub Classroom's public-tests workflow end to end, in a folder laid out like the students'
 * repository (the built student/ folder with a solution filled in): the grading step's command,
 * as classroom.yml runs it, writes the result the reporter reads.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadAssignment } from '../assignment';
import { BIN, buildMini, FIXTURES } from '../testing/mini';
import { writeTargets } from './index';

test('the public-tests workflow grades the repository it runs in', () => {
  const mini = buildMini();
  try {
    const [workflow] = writeTargets('github-classroom', mini.out, loadAssignment(mini.source));
    const yml = readFileSync(workflow, 'utf8');
    const line = yml.split('\n').find((l) => l.trim().startsWith('npx --no dl-grade run'));
    expect(line).toBeDefined();
    const args = line!.trim().replace(/^npx --no dl-grade /, '').split(/\s+/).map((a) => a.replace(/^'(.*)'$/, '$1'));
    expect(args).toEqual(['run', '--assignment', '.', '--submission', '.', '--out', 'results', '--format', 'github']);

    const repo = join(mini.root, 'repo');
    cpSync(join(mini.out, 'student'), repo, { recursive: true });
    cpSync(join(FIXTURES, 'good', 'src'), join(repo, 'src'), { recursive: true });
    execFileSync(process.execPath, [BIN, ...args], { cwd: repo, stdio: 'pipe' });
    const result = JSON.parse(readFileSync(join(repo, 'results', 'github-classroom.json'), 'utf8'));
    expect(result.version).toBe(1);
    expect(result.status).toBe('pass');
    expect(result.max_score).toBe(10);
    expect(result.tests.reduce((a: number, t: { score: number }) => a + t.score, 0)).toBeCloseTo(10);
    // The students' repository holds no hidden test and no reference: nothing of them can leak.
    expect(JSON.stringify(result)).not.toContain(mini.secret);
  } finally {
    rmSync(mini.root, { recursive: true, force: true });
  }
}, 300_000);
