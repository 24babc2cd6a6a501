/**
 * The Gradescope autograder zip end to end, in a temporary folder laid out like Gradescope's
 * (/autograder/source, /autograder/submission, /autograder/results): unzip the zip dl-grade
 * built for the mini assignment, run its setup.sh (Node is already here; the @dl packages
 * install from the tarballs inside the zip), then run_autograder on a submission.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMini, FIXTURES } from '../testing/mini';
import { writeTargets } from './index';
import { loadAssignment } from '../assignment';

const hasUnzip = spawnSync('unzip', ['-v']).status === 0;

(hasUnzip ? test : test.skip)('setup.sh installs dl-grade from the zip and run_autograder grades a submission', () => {
  const mini = buildMini();
  const root = mkdtempSync(join(tmpdir(), 'dl-grade-gradescope-'));
  chmodSync(root, 0o755);
  try {
    writeTargets('gradescope', mini.out, loadAssignment(mini.source));
    const src = join(root, 'source');
    mkdirSync(src, { recursive: true });
    execFileSync('unzip', ['-q', join(mini.out, 'gradescope-autograder.zip'), '-d', src]);
    const env = { ...process.env, AUTOGRADER_ROOT: root, DL_SKIP_NATIVE: '1', npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
    const setup = spawnSync('bash', [join(src, 'setup.sh')], { env, encoding: 'utf8', timeout: 600_000 });
    expect({ status: setup.status, tail: setup.stderr.slice(-2000) }).toMatchObject({ status: 0 });
    expect(existsSync(join(src, 'node_modules', '.bin', 'dl-grade'))).toBe(true);

    cpSync(join(FIXTURES, 'good'), join(root, 'submission'), { recursive: true });
    mkdirSync(join(root, 'results'), { recursive: true });
    const run = spawnSync(join(src, 'run_autograder'), [], { env: { ...env, PATH: process.env.PATH }, encoding: 'utf8', timeout: 600_000 });
    expect(run.status).toBe(0);
    const results = JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8'));
    expect(results.score).toBe(10);
    expect(JSON.stringify(results)).not.toContain(mini.secret);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(mini.root, { recursive: true, force: true });
  }
}, 900_000);
