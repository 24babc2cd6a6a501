/**
 * `dl-grade build --target ...`: what a course platform needs next to the built bundles.
 * - gradescope: `DIR/gradescope/` (setup.sh, run_autograder, the bundle, the @dl packages as
 *   npm tarballs) and `DIR/gradescope-autograder.zip` to upload.
 * - github-classroom: `DIR/github-classroom/.github/workflows/classroom.yml` (public tests, run in
 *   the students' repository made from `student/`) and `classroom-private-bundle.yml.example`
 *   (the full bundle from a private repository).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AssignmentSpec } from '../assignment';
import { classroomWorkflow } from '../writers/github';
import { gradescopeBundle, writeGradescopeZip, type DlPackageTarball } from './gradescope';

/** The @dl packages shipped to Gradescope: the grader, and what student code may import. */
export const SHIPPED_PACKAGES = ['@dl/grader', '@dl/tensor', '@dl/autograd', '@dl/layers', '@dl/losses', '@dl/optim', '@dl/data', '@dl/metrics'];

/** `npm pack` of each installed @dl package (those not installed are skipped, except the grader). */
export function packPackages(names: readonly string[], dest: string): DlPackageTarball[] {
  const out: DlPackageTarball[] = [];
  for (const name of names) {
    let dir: string;
    try {
      dir = dirname(require.resolve(`${name}/package.json`));
    } catch {
      if (name === '@dl/grader') throw new Error('cannot find @dl/grader to pack');
      continue;
    }
    const before = new Set(readdirSync(dest));
    execFileSync('npm', ['pack', '--silent', '--pack-destination', dest], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const made = readdirSync(dest).filter((f) => !before.has(f) && f.endsWith('.tgz'));
    if (made.length !== 1) throw new Error(`npm pack of ${name} did not write one tarball`);
    out.push({ name, tarball: join(dest, made[0]) });
  }
  return out;
}

export function writeTargets(target: 'gradescope' | 'github-classroom', outDir: string, spec: AssignmentSpec): string[] {
  const points = spec.tasks.reduce((a, t) => a + t.points, 0);
  if (target === 'gradescope') {
    const packs = mkdtempSync(join(tmpdir(), 'dl-grade-pack-'));
    try {
      const dir = join(outDir, 'gradescope');
      rmSync(dir, { recursive: true, force: true });
      gradescopeBundle({ bundleDir: join(outDir, 'autograder'), packages: packPackages(SHIPPED_PACKAGES, packs), outDir: dir });
      const zip = join(outDir, 'gradescope-autograder.zip');
      writeGradescopeZip(dir, zip);
      return [dir, zip];
    } finally {
      rmSync(packs, { recursive: true, force: true });
    }
  }
  const dir = join(outDir, 'github-classroom', '.github', 'workflows');
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const variant of ['public-tests', 'private-bundle'] as const) {
    const f = join(dir, variant === 'public-tests' ? 'classroom.yml' : 'classroom-private-bundle.yml.example');
    writeFileSync(
      f,
      classroomWorkflow({
        variant,
        assignmentDir: variant === 'public-tests' ? '.' : 'autograder',
        privateRepository: variant === 'private-bundle' ? 'COURSE-ORG/COURSE-AUTOGRADERS' : undefined,
        secretName: variant === 'private-bundle' ? 'AUTOGRADER_TOKEN' : undefined,
        maxScore: points,
      }),
    );
    files.push(f);
  }
  if (!existsSync(join(outDir, 'student'))) throw new Error(`${outDir}/student is missing: build before writing targets`);
  return files;
}
