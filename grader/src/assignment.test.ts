import { AssignmentError, parseAssignment } from './assignment';

const OK = {
  id: '01-x',
  title: { en: 'X', ja: 'エックス' },
  files: ['src/x.ts'],
  defaults: { timeLimitS: 5 },
  tasks: [
    { id: 'a', title: { en: 'A', ja: 'A' }, points: 2 },
    { id: 'b', title: { en: 'B', ja: 'B' }, points: 3, memoryMB: 256, seed: 7 },
  ],
};

test('defaults fill in limits and seeds', () => {
  const a = parseAssignment(OK);
  expect(a.tasks[0]).toMatchObject({ timeLimitS: 5, memoryMB: 2048, seed: 0 });
  expect(a.tasks[1]).toMatchObject({ timeLimitS: 5, memoryMB: 256, seed: 7 });
  expect(a.backend).toBe('js');
  expect(a.threads).toBe(1);
});

test.each<[string, unknown, RegExp]>([
  ['unknown top-level key', { ...OK, tittle: 'x' }, /unknown key 'tittle'/],
  ['unknown task key', { ...OK, tasks: [{ ...OK.tasks[0], point: 1 }] }, /unknown key 'point'/],
  ['title without Japanese', { ...OK, title: { en: 'X' } }, /needs both "en" and "ja"/],
  ['duplicate task', { ...OK, tasks: [OK.tasks[0], OK.tasks[0]] }, /duplicate task id 'a'/],
  ['negative points', { ...OK, tasks: [{ ...OK.tasks[0], points: -1 }] }, /points must be a positive number/],
  ['file outside the assignment', { ...OK, files: ['../x.ts'] }, /relative \.ts path/],
  ['no tasks', { ...OK, tasks: [] }, /non-empty/],
  ['bad backend', { ...OK, backend: 'cuda' }, /"js" or "native"/],
])('%s is an error', (_name, raw, re) => {
  expect(() => parseAssignment(raw)).toThrow(AssignmentError);
  expect(() => parseAssignment(raw)).toThrow(re);
});
