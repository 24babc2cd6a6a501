import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate, type Schema } from '../testing/json-schema';
import { PARTIAL } from '../testing/writer-fixtures';
import { writeGradescope } from '../writers/gradescope';
import { fallbackResultsJson, gradescopeBundle, runAutograderScript, setupScript, sourcePackageJson, writeGradescopeZip } from './gradescope';

const SCHEMA = JSON.parse(readFileSync(join(__dirname, '../../schemas/gradescope-results.schema.json'), 'utf8')) as Schema;
const ok = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const HAS_NPM = ok('npm', ['--version']);
const HAS_UNZIP = ok('unzip', ['-v']);

/** Fake @dl packages packed with `npm pack`: @dl/grader's dl-grade writes a results.json from @dl/tensor's value. */
function packFakePackages(dir: string): { name: string; tarball: string }[] {
  const tensor = join(dir, 'pkg', 'tensor');
  const grader = join(dir, 'pkg', 'grader');
  mkdirSync(tensor, { recursive: true });
  mkdirSync(join(grader, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'packs'));
  writeFileSync(join(tensor, 'package.json'), JSON.stringify({ name: '@dl/tensor', version: '0.1.0', main: 'index.js' }));
  writeFileSync(join(tensor, 'index.js'), 'module.exports = { score: 1.5 };\n');
  writeFileSync(join(grader, 'package.json'), JSON.stringify({
    name: '@dl/grader', version: '0.1.0', bin: { 'dl-grade': './bin/dl-grade.js' }, dependencies: { '@dl/tensor': '0.1.0' },
  }));
  writeFileSync(join(grader, 'bin', 'dl-grade.js'), [
    '#!/usr/bin/env node',
    "const fs = require('fs');",
    "const a = process.argv.slice(2); const out = a[a.indexOf('--out') + 1];",
    "fs.writeFileSync(out + '/results.json', JSON.stringify({ score: require('@dl/tensor').score, output: 'fake grader', tests: [] }));",
  ].join('\n'));
  chmodSync(join(grader, 'bin', 'dl-grade.js'), 0o755);
  const env = { ...process.env, npm_config_cache: join(dir, 'npm-cache'), npm_config_update_notifier: 'false' };
  for (const p of [tensor, grader]) execFileSync('npm', ['pack', '--pack-destination', join(dir, 'packs')], { cwd: p, env, stdio: 'ignore' });
  return [
    { name: '@dl/grader', tarball: join(dir, 'packs', 'dl-grader-0.1.0.tgz') },
    { name: '@dl/tensor', tarball: join(dir, 'packs', 'dl-tensor-0.1.0.tgz') },
  ];
}

/** A built assignment bundle (its content does not matter to the target). */
function fakeBundle(dir: string): string {
  const b = join(dir, 'bundle');
  mkdirSync(join(b, 'tests'), { recursive: true });
  writeFileSync(join(b, 'assignment.json'), JSON.stringify({ id: '01-perceptron' }));
  writeFileSync(join(b, 'tests', 'hidden.json'), '{"cases": []}');
  return b;
}

/** Plain tarball files (no npm needed) for tests of the layout and of run_autograder. */
function fakeTarballs(dir: string): { name: string; tarball: string }[] {
  mkdirSync(join(dir, 'packs'), { recursive: true });
  return ['grader', 'tensor'].map((n) => {
    const tarball = join(dir, 'packs', `dl-${n}-0.1.0.tgz`);
    writeFileSync(tarball, `not really a tarball: ${n}`);
    return { name: `@dl/${n}`, tarball };
  });
}

describe('gradescope target', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'gs-target-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('files of the zip, executable scripts, package.json pinned to the tarballs', () => {
    const out = join(dir, 'out');
    const files = gradescopeBundle({ bundleDir: fakeBundle(dir), packages: fakeTarballs(dir), outDir: out, lang: 'ja' });
    expect(files).toEqual([
      'autograder/assignment.json', 'autograder/tests/hidden.json',
      'dl-packages/dl-grader-0.1.0.tgz', 'dl-packages/dl-tensor-0.1.0.tgz',
      'package.json', 'run_autograder', 'setup.sh',
    ]);
    expect(statSync(join(out, 'run_autograder')).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, 'setup.sh')).mode & 0o777).toBe(0o755);
    expect(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'))).toMatchObject({
      private: true,
      dependencies: { '@dl/grader': 'file:dl-packages/dl-grader-0.1.0.tgz', '@dl/tensor': 'file:dl-packages/dl-tensor-0.1.0.tgz' },
      overrides: { '@dl/grader': '$@dl/grader', '@dl/tensor': '$@dl/tensor' },
    });
    for (const f of ['setup.sh', 'run_autograder']) execFileSync('bash', ['-n', join(out, f)]);
    expect(() => gradescopeBundle({ bundleDir: fakeBundle(dir), packages: fakeTarballs(dir), outDir: out })).toThrow(/not empty/);
    expect(() => gradescopeBundle({ bundleDir: join(dir, 'bundle'), packages: fakeTarballs(dir).slice(1), outDir: join(dir, 'o2') })).toThrow(/@dl\/grader/);
  });

  test('scripts: the documented paths, the root variable, Node from NodeSource with fallbacks', () => {
    const run = runAutograderScript({ lang: 'en' });
    expect(run).toContain('ROOT="${AUTOGRADER_ROOT:-/autograder}"');
    expect(run).toContain('dl-grade run --assignment "$SRC/autograder" --submission "$ROOT/submission" --out "$RESULTS" --format gradescope --lang en || status=$?');
    const setup = setupScript();
    expect(setup).toContain('https://deb.nodesource.com/setup_${NODE_MAJOR}.x');
    expect(setup).toContain('apt_install nodejs npm');
    expect(setup).toContain('NODE_MAJOR=20');
    expect(setup).toContain('sha256sum -c -');
    expect(sourcePackageJson([{ name: '@dl/grader', tarball: '/x/dl-grader-1.0.0.tgz' }])).toContain('"@dl/grader": "file:dl-packages/dl-grader-1.0.0.tgz"');
    expect(validate(SCHEMA, JSON.parse(fallbackResultsJson().replace('__DL_STATUS__', '1')))).toEqual([]);
  });

  describe('run_autograder in a temporary /autograder', () => {
    let root: string;
    let stubBin: string;
    const results = (): string => join(root, 'results', 'results.json');

    beforeEach(() => {
      root = join(dir, 'autograder');
      gradescopeBundle({ bundleDir: fakeBundle(dir), packages: fakeTarballs(dir), outDir: join(root, 'source'), lang: 'ja', timeoutS: 2 });
      mkdirSync(join(root, 'submission', 'src'), { recursive: true });
      writeFileSync(join(root, 'submission', 'src', 'perceptron.ts'), 'export const and = () => 1;\n');
      stubBin = join(dir, 'stub-bin');
      mkdirSync(stubBin);
    });

    function stub(body: string): void {
      writeFileSync(join(stubBin, 'dl-grade'), `#!/usr/bin/env bash\necho "$@" > "${join(dir, 'args')}"\n${body}\n`);
      chmodSync(join(stubBin, 'dl-grade'), 0o755);
    }

    function runIt(withStub = true): { code: number | null; stdout: string; stderr: string } {
      // /usr/bin and /bin for bash, mv, timeout; node's own directory for the validity check.
      const node = join(process.execPath, '..');
      const path = [...(withStub ? [stubBin] : []), node, '/usr/bin', '/bin'].join(':');
      const r = spawnSync(join(root, 'source', 'run_autograder'), [], {
        cwd: root, env: { AUTOGRADER_ROOT: root, PATH: path, HOME: dir }, encoding: 'utf8', timeout: 30_000,
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    }

    function parsedResults(): Record<string, unknown> {
      const o = JSON.parse(readFileSync(results(), 'utf8'));
      expect(validate(SCHEMA, o)).toEqual([]);
      return o;
    }

    test('dl-grade gets the documented arguments and its results.json is kept', () => {
      const json = writeGradescope(PARTIAL, 'ja');
      writeFileSync(join(dir, 'good.json'), json);
      stub(`cp "${join(dir, 'good.json')}" "$7/results.json"`);
      const r = runIt();
      expect(r.code).toBe(0);
      expect(readFileSync(join(dir, 'args'), 'utf8').trim()).toBe(
        `run --assignment ${root}/source/autograder --submission ${root}/submission --out ${root}/results --format gradescope --lang ja`,
      );
      expect(readFileSync(results(), 'utf8')).toBe(json);
      parsedResults();
    });

    test('a crash still leaves a valid zero-score results.json', () => {
      stub('echo "TypeError: boom" >&2; exit 3');
      expect(runIt().code).toBe(0);
      const o = parsedResults();
      expect(o.score).toBe(0);
      expect(o.tests).toEqual([]);
      expect(o.output).toContain('dl-grade exit status 3');
      expect(o.output).toContain('終了ステータス 3');
      expect(o.output).not.toContain('TypeError'); // the crash log stays in the instructors' stdout
    });

    test('an invalid results.json is replaced (and kept aside)', () => {
      stub('printf \'{"score": "lots"\' > "$7/results.json"; exit 0');
      expect(runIt().code).toBe(0);
      expect(parsedResults().score).toBe(0);
      expect(readFileSync(join(root, 'results', 'results.invalid.json'), 'utf8')).toBe('{"score": "lots"');
      stub('echo \'{"tests": [{"name": "x"}]}\' > "$7/results.json"');
      runIt();
      expect(parsedResults().score).toBe(0);
    });

    test('no dl-grade at all (setup failed): exit status 127 in a valid results.json', () => {
      expect(runIt(false).code).toBe(0);
      expect(parsedResults().output).toContain('exit status 127');
    });

    test('the overall time limit stops a hanging grader', () => {
      stub('sleep 20');
      const t0 = Date.now();
      runIt();
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(parsedResults().output).toContain('exit status 124');
    });

    test('a stale results.json from an earlier run does not survive', () => {
      mkdirSync(join(root, 'results'), { recursive: true });
      writeFileSync(results(), '{"score": 100}');
      stub('exit 1');
      runIt();
      expect(parsedResults().score).toBe(0);
    });
  });

  (HAS_NPM ? test : test.skip)('setup.sh installs the @dl tarballs offline; run_autograder then runs the installed dl-grade', () => {
    const root = join(dir, 'autograder');
    const packages = packFakePackages(dir);
    gradescopeBundle({ bundleDir: fakeBundle(dir), packages, outDir: join(root, 'source') });
    mkdirSync(join(root, 'submission'), { recursive: true });
    const env = {
      ...process.env, AUTOGRADER_ROOT: root, npm_config_offline: 'true', npm_config_cache: join(dir, 'npm-cache-setup'), npm_config_update_notifier: 'false',
    };
    // Node >= 20 is already here, so setup.sh goes straight to npm; offline proves no registry is asked for @dl.
    const setup = spawnSync('bash', [join(root, 'source', 'setup.sh')], { env, encoding: 'utf8', timeout: 120_000 });
    expect({ code: setup.status, err: setup.status === 0 ? '' : setup.stderr }).toEqual({ code: 0, err: '' });
    expect(setup.stdout).toContain('setup.sh: dl-grade is installed');
    expect(existsSync(join(root, 'source', 'node_modules', '@dl', 'tensor', 'index.js'))).toBe(true);
    const run = spawnSync(join(root, 'source', 'run_autograder'), [], { cwd: root, env: { ...env, PATH: `${join(process.execPath, '..')}:/usr/bin:/bin` }, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8'))).toEqual({ score: 1.5, output: 'fake grader', tests: [] });
  }, 180_000);

  (HAS_UNZIP ? test : test.skip)('the zip: files at the root, unzip -t clean, scripts executable after unzip', () => {
    const out = join(dir, 'out');
    const files = gradescopeBundle({ bundleDir: fakeBundle(dir), packages: fakeTarballs(dir), outDir: out });
    const zip = join(dir, 'autograder.zip');
    expect(writeGradescopeZip(out, zip).entries).toBe(files.length);
    expect(execFileSync('unzip', ['-t', zip], { encoding: 'utf8' })).toContain('No errors detected');
    const listed = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual(files);
    const x = join(dir, 'x');
    execFileSync('unzip', ['-q', zip, '-d', x]);
    expect(statSync(join(x, 'run_autograder')).mode & 0o111).toBe(0o111);
    expect(statSync(join(x, 'setup.sh')).mode & 0o111).toBe(0o111);
  });
});
