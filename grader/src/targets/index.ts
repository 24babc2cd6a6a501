/**
 * `dl-grade build --target ...`: the files a course platform needs next to the built bundles.
 * - github-classroom: `DIR/github-classroom/.github/workflows/classroom.yml`, in two variants
 *   (public tests only in the student's repository; or the full bundle from a private one).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AssignmentSpec } from '../assignment';
import { classroomWorkflow } from '../writers/github';

export function writeTargets(target: 'gradescope' | 'github-classroom', outDir: string, spec: AssignmentSpec): string[] {
  const points = spec.tasks.reduce((a, t) => a + t.points, 0);
  if (target === 'github-classroom') {
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
        } as Parameters<typeof classroomWorkflow>[0]),
      );
      files.push(f);
    }
    return files;
  }
  throw new Error('--target gradescope: not available yet');
}
