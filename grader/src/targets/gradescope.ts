/**
 * `--target gradescope`: the files of a Gradescope autograder zip, and the zip.
 *
 * Gradescope ("Autograder Specifications") unpacks the zip into /autograder/source, runs
 * `setup.sh` once as root while building an Ubuntu image, and runs `run_autograder` (copied to
 * /autograder/run_autograder) for each submission with the student's files in
 * /autograder/submission; `run_autograder` must leave /autograder/results/results.json.
 *
 * Layout written into `outDir` (= the zip's root = /autograder/source):
 *
 * ```text
 * setup.sh           Node.js >= 20 (already there, NodeSource, nodejs.org, or Ubuntu's nodejs/npm),
 *                    then npm install of package.json: the @dl packages from dl-packages/ only
 * run_autograder     dl-grade run --assignment /autograder/source/autograder
 *                      --submission /autograder/submission --out /autograder/results --format gradescope;
 *                    writes a zero-score results.json when dl-grade leaves none (or an invalid one)
 * package.json       "@dl/grader": "file:dl-packages/dl-grader-0.1.0.tgz", ... and overrides that pin
 *                    every @dl dependency to those tarballs
 * dl-packages/*.tgz  npm pack output of @dl/grader and the @dl packages it needs
 * autograder/        the built autograder bundle (assignment.json, tests, ...)
 * ```
 *
 * Both scripts take the root from AUTOGRADER_ROOT (default /autograder) so they can be tried in a
 * temporary directory laid out the same way.
 *
 * ```ts
 * const files = gradescopeBundle({
 *   bundleDir: 'build/01-perceptron', outDir: 'build/gradescope',
 *   packages: [{ name: '@dl/grader', tarball: 'packs/dl-grader-0.1.0.tgz' }, { name: '@dl/tensor', tarball: 'packs/dl-tensor-0.1.0.tgz' }],
 *   lang: 'ja',
 * });
 * writeGradescopeZip('build/gradescope', 'build/01-perceptron-gradescope.zip');
 * ```
 */
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { text, type Lang } from '../text';
import { gradescopeErrorResults } from '../writers/gradescope';
import { directoryEntries, zipEntries } from './zip';

export interface DlPackageTarball {
  /** npm name, e.g. '@dl/grader'. */
  readonly name: string;
  /** Path of the tarball `npm pack` wrote. */
  readonly tarball: string;
}

export interface GradescopeBundleOptions {
  /** The built autograder bundle directory (copied to autograder/). */
  readonly bundleDir: string;
  /** @dl/grader and every @dl package it depends on, as tarballs. */
  readonly packages: readonly DlPackageTarball[];
  /** Where the zip's files are written; must be absent or empty. */
  readonly outDir: string;
  /** Language of the feedback (dl-grade --lang). Omitted: dl-grade's default. */
  readonly lang?: Lang;
  /** Limit for the whole dl-grade run inside run_autograder, in seconds (below Gradescope's own). */
  readonly timeoutS?: number;
  /** Lowest Node.js major version setup.sh accepts and installs. Default 20. */
  readonly nodeMajor?: number;
}

const NPM_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/** package.json of /autograder/source: the tarballs as dependencies, pinned by overrides. */
export function sourcePackageJson(packages: readonly DlPackageTarball[]): string {
  const deps: Record<string, string> = {};
  const overrides: Record<string, string> = {};
  for (const p of packages) {
    deps[p.name] = `file:dl-packages/${basename(p.tarball)}`;
    // "$name" makes every dependent use the direct dependency above (npm's overrides reference form),
    // so no @dl package is looked up in a registry.
    overrides[p.name] = `$${p.name}`;
  }
  return `${JSON.stringify({
    name: 'dl-gradescope-autograder',
    version: '0.0.0',
    private: true,
    description: 'Gradescope autograder source written by dl-grade; installs the @dl packages from dl-packages/.',
    dependencies: deps,
    overrides,
  }, null, 2)}\n`;
}

/** setup.sh: Node.js, then the packages. */
export function setupScript(nodeMajor = 20): string {
  if (!Number.isInteger(nodeMajor) || nodeMajor < 18) throw new Error(`gradescope target: nodeMajor must be an integer >= 18, got ${nodeMajor}`);
  return `#!/usr/bin/env bash
# Written by dl-grade (target gradescope). Gradescope runs this once, as root, while it builds the
# autograder image (Ubuntu). It makes Node.js >= ${nodeMajor} available, then installs the @dl
# packages from the tarballs in dl-packages/ (no @dl package comes from the npm registry; their
# public dependencies, such as typescript, do).
set -euo pipefail

ROOT="\${AUTOGRADER_ROOT:-/autograder}"
SRC="$ROOT/source"
NODE_MAJOR=${nodeMajor}

node_ok() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || return 1
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  [ "$major" -ge "$NODE_MAJOR" ]
}

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

# 1. NodeSource's apt repository.
install_nodesource() {
  apt_install ca-certificates curl gnupg || return 1
  curl -fsSL "https://deb.nodesource.com/setup_\${NODE_MAJOR}.x" -o /tmp/nodesource_setup.sh || return 1
  bash /tmp/nodesource_setup.sh || return 1
  apt_install nodejs
}

# 2. The official build from nodejs.org, checked against its SHASUMS256.txt.
install_nodejs_org() {
  local arch base sums line file sum
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) return 1 ;;
  esac
  apt_install ca-certificates curl xz-utils || return 1
  base="https://nodejs.org/dist/latest-v\${NODE_MAJOR}.x"
  sums="$(curl -fsSL "$base/SHASUMS256.txt")" || return 1
  line="$(printf '%s\\n' "$sums" | grep -E " node-v\${NODE_MAJOR}\\.[0-9]+\\.[0-9]+-linux-\${arch}\\.tar\\.xz\\$" | head -n 1)"
  [ -n "$line" ] || return 1
  file="\${line##* }"
  sum="\${line%% *}"
  curl -fsSL "$base/$file" -o "/tmp/$file" || return 1
  echo "$sum  /tmp/$file" | sha256sum -c - || return 1
  tar -xJf "/tmp/$file" -C /usr/local --strip-components=1 --no-same-owner
}

# 3. Ubuntu's own packages (new enough only on recent releases; checked below).
install_ubuntu() {
  apt_install nodejs npm
}

if ! node_ok; then
  apt-get update || true
  install_nodesource && node_ok \\
    || { echo "setup.sh: NodeSource did not give Node.js >= $NODE_MAJOR; trying nodejs.org" >&2; install_nodejs_org && node_ok; } \\
    || { echo "setup.sh: trying Ubuntu's nodejs and npm packages" >&2; install_ubuntu || true; }
fi
if ! node_ok; then
  echo "setup.sh: Node.js >= $NODE_MAJOR with npm is required; found node $(node --version 2>/dev/null || echo none), npm $(npm --version 2>/dev/null || echo none)." >&2
  echo "setup.sh: the image could not reach NodeSource or nodejs.org, and this Ubuntu's nodejs package is too old." >&2
  exit 1
fi
echo "setup.sh: node $(node --version), npm $(npm --version)"

cd "$SRC"
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund --no-package-lock
fi
if [ ! -x node_modules/.bin/dl-grade ]; then
  echo "setup.sh: node_modules/.bin/dl-grade is missing after npm install; is @dl/grader among dl-packages/?" >&2
  exit 1
fi
chmod +x "$SRC/run_autograder"
echo "setup.sh: dl-grade is installed"
`;
}

/** The zero-score results.json run_autograder writes when dl-grade leaves none; __DL_STATUS__ becomes the exit status. */
export function fallbackResultsJson(): string {
  return JSON.stringify(gradescopeErrorResults([
    text(
      'The autograder stopped before it could grade this submission (dl-grade exit status __DL_STATUS__). The score 0 here is not a grade of your work: please tell the course staff.',
      '自動採点がこの提出物を採点する前に停止しました (dl-grade の終了ステータス __DL_STATUS__)。ここでの 0 点はあなたの課題の評価ではありません。担当教員に連絡してください。',
    ),
  ]), null, 2);
}

/** run_autograder: dl-grade, then make sure results.json exists and holds a score. */
export function runAutograderScript(o: { lang?: Lang; timeoutS?: number } = {}): string {
  if (o.lang !== undefined && o.lang !== 'en' && o.lang !== 'ja') throw new Error('gradescope target: lang must be en or ja');
  if (o.timeoutS !== undefined && !(Number.isInteger(o.timeoutS) && o.timeoutS > 0)) {
    throw new Error(`gradescope target: timeoutS must be a positive integer, got ${o.timeoutS}`);
  }
  const fallback = fallbackResultsJson();
  if (fallback.includes('DL_FALLBACK_JSON')) throw new Error('fallback JSON contains the heredoc delimiter');
  const timeout = o.timeoutS ? `timeout --kill-after=10 ${o.timeoutS} ` : '';
  return `#!/usr/bin/env bash
# Written by dl-grade (target gradescope). Gradescope runs this for every submission, from
# /autograder. It always leaves $ROOT/results/results.json: dl-grade's, or, when dl-grade crashed,
# timed out or wrote something that is not a results.json, a zero-score one that says so. What this
# script prints goes to Gradescope's stdout log, shown to instructors only.
set -u

ROOT="\${AUTOGRADER_ROOT:-/autograder}"
SRC="$ROOT/source"
RESULTS="$ROOT/results"
OUT="$RESULTS/results.json"
export PATH="$SRC/node_modules/.bin:$PATH"

mkdir -p "$RESULTS"
rm -f "$OUT"

status=0
${timeout}dl-grade run --assignment "$SRC/autograder" --submission "$ROOT/submission" --out "$RESULTS" --format gradescope${o.lang ? ` --lang ${o.lang}` : ''} || status=$?
echo "run_autograder: dl-grade exited with status $status"

# results.json must be a JSON object with a finite top-level score, or tests that all have scores.
valid_results() {
  [ -s "$OUT" ] || return 1
  command -v node >/dev/null 2>&1 || return 0
  node -e '
    const o = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const num = (x) => typeof x === "number" && Number.isFinite(x);
    const ok = o !== null && typeof o === "object" && !Array.isArray(o) &&
      (num(o.score) || (Array.isArray(o.tests) && o.tests.length > 0 && o.tests.every((t) => t && num(t.score))));
    process.exit(ok ? 0 : 1);
  ' "$OUT" >/dev/null 2>&1
}

if ! valid_results; then
  echo "run_autograder: no valid results.json from dl-grade; writing a zero score" >&2
  if [ -f "$OUT" ]; then mv -f "$OUT" "$RESULTS/results.invalid.json"; fi
  FALLBACK=$(cat <<'DL_FALLBACK_JSON'
${fallback}
DL_FALLBACK_JSON
)
  printf '%s\\n' "\${FALLBACK//__DL_STATUS__/$status}" > "$OUT"
fi
exit 0
`;
}

function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from).sort()) {
    const src = join(from, name);
    const dst = join(to, name);
    const st = lstatSync(src);
    if (st.isDirectory()) copyTree(src, dst);
    else if (st.isFile()) {
      copyFileSync(src, dst);
      chmodSync(dst, st.mode & 0o777);
    } else throw new Error(`gradescope target: ${src} is not a regular file or directory`);
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    return lstatSync(p).isDirectory() ? listFiles(p, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

/** Writes the autograder's files into `outDir`; returns their paths relative to it, sorted. */
export function gradescopeBundle(o: GradescopeBundleOptions): string[] {
  if (!existsSync(o.bundleDir) || !lstatSync(o.bundleDir).isDirectory()) throw new Error(`gradescope target: bundle directory ${o.bundleDir} does not exist`);
  if (existsSync(o.outDir) && readdirSync(o.outDir).length > 0) throw new Error(`gradescope target: ${o.outDir} is not empty`);
  if (!o.packages.some((p) => p.name === '@dl/grader')) throw new Error('gradescope target: packages must include @dl/grader (its tarball provides dl-grade)');
  const names = new Set<string>();
  const files = new Set<string>();
  for (const p of o.packages) {
    if (!NPM_NAME.test(p.name)) throw new Error(`gradescope target: '${p.name}' is not an npm package name`);
    if (names.has(p.name)) throw new Error(`gradescope target: package ${p.name} is listed twice`);
    names.add(p.name);
    if (!p.tarball.endsWith('.tgz') || !existsSync(p.tarball)) throw new Error(`gradescope target: tarball ${p.tarball} of ${p.name} is missing (expected npm pack output, *.tgz)`);
    if (files.has(basename(p.tarball))) throw new Error(`gradescope target: two tarballs are named ${basename(p.tarball)}`);
    files.add(basename(p.tarball));
  }
  mkdirSync(join(o.outDir, 'dl-packages'), { recursive: true });
  for (const p of o.packages) copyFileSync(p.tarball, join(o.outDir, 'dl-packages', basename(p.tarball)));
  copyTree(o.bundleDir, join(o.outDir, 'autograder'));
  writeFileSync(join(o.outDir, 'package.json'), sourcePackageJson(o.packages));
  writeFileSync(join(o.outDir, 'setup.sh'), setupScript(o.nodeMajor ?? 20));
  writeFileSync(join(o.outDir, 'run_autograder'), runAutograderScript({ lang: o.lang, timeoutS: o.timeoutS }));
  chmodSync(join(o.outDir, 'setup.sh'), 0o755);
  chmodSync(join(o.outDir, 'run_autograder'), 0o755);
  return listFiles(o.outDir);
}

/** Zips the directory gradescopeBundle wrote (files at the root of the archive, as Gradescope requires). */
export function writeGradescopeZip(outDir: string, zipPath: string): { readonly entries: number; readonly bytes: number } {
  const entries = directoryEntries(outDir);
  if (!entries.some((e) => e.name === 'setup.sh') || !entries.some((e) => e.name === 'run_autograder')) {
    throw new Error(`gradescope target: ${outDir} lacks setup.sh or run_autograder at its root`);
  }
  const zip = zipEntries(entries);
  writeFileSync(zipPath, zip);
  return { entries: entries.length, bytes: zip.length };
}
