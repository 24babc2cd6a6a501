/**
 * Running untrusted code: a fresh `node` process per task under OS limits. Processes and OS
 * limits, not in-process sandboxes (node:vm is not a security boundary, and worker
 * resourceLimits do not bound typed-array memory).
 *
 * The command line, when the grader runs as root (outermost first):
 *   prlimit --data=M --cpu=S --fsize=F --nproc=P --core=0 --
 *   unshare -n --                        (no network: a namespace with only a down loopback)
 *   setpriv --reuid=U --regid=U --clear-groups --   (an unprivileged uid of its own)
 *   node --max-old-space-size=... child.js CONFIG
 * Not root: the same without setpriv, `unshare -rn` where user namespaces are allowed, and
 * results say what was not enforced. A wall-clock timer kills the whole process group (and, as
 * root, every process of the task's uid: a child that started a new session cannot escape).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Socket } from 'node:net';
import { text, type Text } from './text';

export interface Isolation {
  readonly root: boolean;
  readonly prlimit: boolean;
  /** How to cut the network off: 'unshare -n' (root), 'unshare -rn' (user namespace), or none. */
  readonly netns: readonly string[] | null;
  readonly setpriv: boolean;
  readonly notes: readonly Text[];
}

function works(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 5000 });
  return r.status === 0;
}

let probed: Isolation | null = null;

/** Finds out once what this machine lets the grader enforce. */
export function probeIsolation(): Isolation {
  if (probed) return probed;
  const root = process.getuid?.() === 0;
  const notes: Text[] = [];
  const prlimit = works('prlimit', ['--cpu=5', '--', 'true']);
  if (!prlimit) notes.push(text('prlimit is missing: no CPU, memory or process limits (install util-linux)', 'prlimit がないため CPU・メモリ・プロセス数の制限なし (util-linux を入れてください)'));
  let netns: string[] | null = null;
  if (root && works('unshare', ['-n', 'true'])) netns = ['unshare', '-n', '--'];
  else if (!root && works('unshare', ['-rn', 'true'])) netns = ['unshare', '-rn', '--'];
  else notes.push(text('network not isolated: unshare -n is not allowed here', 'ネットワーク未隔離: ここでは unshare -n が使えません'));
  let setpriv = root && works('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']);
  const hidden = setpriv ? unreadableByOthers(runtimePaths()) : null;
  if (hidden) {
    setpriv = false;
    notes.push(text(`student code runs as the grader's own user: ${hidden} is not readable by other users (install the grader in a world-readable place)`, `学生コードは採点プログラムと同じユーザーで実行: ${hidden} を他のユーザーが読めません (採点プログラムを誰でも読める場所に置いてください)`));
  } else if (!setpriv) notes.push(text('student code runs as the grader\'s own user (run the grader as root to give it an unprivileged uid)', '学生コードは採点プログラムと同じユーザーで実行 (root で実行すると専用の非特権 uid を使用)'));
  probed = { root, prlimit, netns, setpriv, notes };
  return probed;
}

/** What the confined process must read: the grader's scripts and the @dl packages it loads. */
function runtimePaths(): string[] {
  const out = [join(__dirname, '..', 'dist', 'child.js')];
  for (const p of ['@dl/tensor/package.json', '@dl/autograd/package.json', 'typescript/package.json']) {
    try {
      out.push(require.resolve(p));
    } catch {
      /* not installed: nothing to check */
    }
  }
  return out;
}

/** The first of `paths` that another user cannot read (a folder on the way without o+x, or the file without o+r). */
export function unreadableByOthers(paths: readonly string[]): string | null {
  for (const p of paths) {
    let real: string;
    try {
      real = realpathSync(p);
    } catch {
      continue;
    }
    if ((statSync(real).mode & 0o004) === 0) return real;
    for (let d = dirname(real); ; d = dirname(d)) {
      if ((statSync(d).mode & 0o001) === 0) return d;
      if (dirname(d) === d) break;
    }
  }
  return null;
}

export type ExitReason =
  | { readonly kind: 'running' }
  | { readonly kind: 'closed' }
  | { readonly kind: 'time'; readonly limitS: number }
  | { readonly kind: 'memory'; readonly limitMB: number }
  | { readonly kind: 'output'; readonly limitBytes: number }
  | { readonly kind: 'exit'; readonly code: number | null; readonly signal: string | null };

export function describeExit(r: ExitReason): Text {
  switch (r.kind) {
    case 'time':
      return text(`time limit exceeded (${r.limitS} s): the process was stopped`, `制限時間 (${r.limitS} 秒) を超えたため停止しました`);
    case 'memory':
      return text(`memory limit exceeded (${r.limitMB} MiB)`, `メモリ制限 (${r.limitMB} MiB) を超えました`);
    case 'output':
      return text(`answers larger than ${r.limitBytes} bytes: the process was stopped`, `返した値が ${r.limitBytes} バイトを超えたため停止しました`);
    case 'exit':
      return r.signal
        ? text(`the process was killed by ${r.signal}`, `プロセスがシグナル ${r.signal} で終了しました`)
        : text(`your code ended the process (exit code ${r.code}) before answering`, `回答の前にプロセスが終了しました (終了コード ${r.code}): process.exit などを呼んでいませんか`);
    default:
      return text('the process ended', 'プロセスが終了しました');
  }
}

export interface LaunchOptions {
  readonly script: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeLimitS: number;
  readonly memoryMB: number;
  /** Confine (limits, no network, own uid). False for trusted code (the reference). */
  readonly confine: boolean;
  /** uid for the confined process when the grader is root. */
  readonly uid: number;
  readonly maxOutputBytes: number;
}

const CAPTURE_BYTES = 16 * 1024;

/** A running child with a line channel on fd 3 and captured stdout/stderr. */
export class Sandboxed {
  readonly proc: ChildProcess;
  readonly channel: Socket;
  private out = { stdout: '', stderr: '', stdoutBytes: 0, stderrBytes: 0 };
  private reason: ExitReason = { kind: 'running' };
  private timer: NodeJS.Timeout;
  private received = 0;
  private lineHandlers: ((line: string) => void)[] = [];
  private exitHandlers: ((r: ExitReason) => void)[] = [];
  readonly exited: Promise<ExitReason>;

  constructor(private readonly opts: LaunchOptions, private readonly iso: Isolation) {
    const heapMB = Math.max(64, Math.floor(opts.memoryMB * 0.75));
    let argv = [process.execPath, `--max-old-space-size=${heapMB}`, '--stack-size=2000', opts.script, ...opts.args];
    const uidConfined = opts.confine && iso.setpriv;
    if (opts.confine) {
      if (uidConfined) argv = ['setpriv', `--reuid=${opts.uid}`, `--regid=${opts.uid}`, '--clear-groups', '--', ...argv];
      if (iso.netns) argv = [...iso.netns, ...argv];
      if (iso.prlimit) {
        const lim = [`--data=${opts.memoryMB * 1024 * 1024}`, `--cpu=${Math.ceil(opts.timeLimitS) + 1}`, `--fsize=${64 * 1024 * 1024}`, '--core=0'];
        if (uidConfined) lim.push('--nproc=64');
        argv = ['prlimit', ...lim, '--', ...argv];
      }
    }
    this.proc = spawn(argv[0], argv.slice(1), {
      cwd: opts.cwd,
      env: { ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.channel = this.proc.stdio[3] as Socket;
    this.proc.stdout!.on('data', (b: Buffer) => this.capture('stdout', b));
    this.proc.stderr!.on('data', (b: Buffer) => this.capture('stderr', b));
    let buf = '';
    this.channel.setEncoding('utf8');
    this.channel.on('data', (chunk: string) => {
      this.received += Buffer.byteLength(chunk);
      if (this.received > opts.maxOutputBytes) {
        this.stop({ kind: 'output', limitBytes: opts.maxOutputBytes });
        return;
      }
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        for (const h of this.lineHandlers) h(line);
      }
    });
    this.channel.on('error', () => undefined);
    this.timer = setTimeout(() => this.stop({ kind: 'time', limitS: opts.timeLimitS }), opts.timeLimitS * 1000);
    this.exited = new Promise((resolve) => {
      this.proc.on('error', () => {
        this.finish({ kind: 'exit', code: null, signal: 'spawn failed' });
        resolve(this.reason);
      });
      this.proc.on('close', (code, signal) => {
        this.finish(this.classify(code, signal));
        resolve(this.reason);
      });
    });
  }

  private classify(code: number | null, signal: NodeJS.Signals | null): ExitReason {
    if (this.reason.kind !== 'running') return this.reason;
    const err = this.out.stderr;
    if (/heap out of memory|Array buffer allocation failed|Fatal process out of memory|std::bad_alloc|Cannot allocate memory/i.test(err)) {
      return { kind: 'memory', limitMB: this.opts.memoryMB };
    }
    if (signal === 'SIGXCPU') {
      return { kind: 'time', limitS: this.opts.timeLimitS };
    }
    return { kind: 'exit', code, signal };
  }

  private capture(which: 'stdout' | 'stderr', b: Buffer): void {
    const key = which === 'stdout' ? 'stdoutBytes' : 'stderrBytes';
    if (this.out[key] < CAPTURE_BYTES) this.out[which] += b.toString('utf8', 0, Math.min(b.length, CAPTURE_BYTES - this.out[key]));
    this.out[key] += b.length;
  }

  onLine(h: (line: string) => void): void {
    this.lineHandlers.push(h);
  }

  onExit(h: (r: ExitReason) => void): void {
    if (this.reason.kind !== 'running') h(this.reason);
    else this.exitHandlers.push(h);
  }

  send(line: string): void {
    if (this.reason.kind === 'running' && this.channel.writable) this.channel.write(`${line}\n`);
  }

  get exitReason(): ExitReason {
    return this.reason;
  }

  output(): { stdout: string; stderr: string } {
    const cut = (s: string, n: number) => (n > CAPTURE_BYTES ? `${s}\n… (${n - CAPTURE_BYTES} more bytes not shown)` : s);
    return { stdout: cut(this.out.stdout, this.out.stdoutBytes), stderr: cut(this.out.stderr, this.out.stderrBytes) };
  }

  private finish(r: ExitReason): void {
    clearTimeout(this.timer);
    if (this.reason.kind === 'running') this.reason = r;
    for (const h of this.exitHandlers.splice(0)) h(this.reason);
  }

  /** Stops the process group (and, confined as root, every process of the uid). */
  stop(reason: ExitReason = { kind: 'closed' }): void {
    if (this.reason.kind === 'running') this.reason = reason;
    clearTimeout(this.timer);
    try {
      if (this.proc.pid) process.kill(-this.proc.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    if (this.opts.confine && this.iso.setpriv) killUid(this.opts.uid);
    for (const h of this.exitHandlers.splice(0)) h(this.reason);
  }

  /** Stops the process and waits for it to be gone. */
  async close(): Promise<ExitReason> {
    this.stop();
    await this.exited;
    if (this.opts.confine && this.iso.setpriv) {
      killUid(this.opts.uid);
      removeFilesOf(this.opts.uid);
    }
    return this.reason;
  }
}

/**
 * SIGKILLs every process of `uid`. First with kill(-1) run AS that uid: the kernel signals all of
 * its processes in one pass, so a fork bomb cannot outrun it; then a /proc scan, until none is left.
 */
export function killUid(uid: number): void {
  spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', 'kill', '-KILL', '-1'], { stdio: 'ignore', timeout: 5000 });
  for (let round = 0; round < 20; round++) {
    let found = false;
    for (const pid of safeReaddir('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let status: string;
      try {
        status = readFileSync(`/proc/${pid}/status`, 'utf8');
      } catch {
        continue;
      }
      const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
      if (m && (Number(m[1]) === uid || Number(m[2]) === uid)) {
        found = true;
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    if (!found) return;
  }
}

function safeReaddir(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

/** Removes what the uid left in the world-writable places (so the next submission cannot see it). */
export function removeFilesOf(uid: number): void {
  for (const dir of ['/tmp', '/var/tmp', '/dev/shm']) {
    for (const name of safeReaddir(dir)) {
      const p = join(dir, name);
      try {
        if (lstatSync(p).uid === uid) rmSync(p, { recursive: true, force: true });
      } catch {
        /* raced */
      }
    }
  }
}

/** Makes a folder (and its parents' last level) owned by uid, mode 0700. */
export function prepareDir(dir: string, uid: number | null): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (uid !== null) chownTree(dir, uid);
}

function chownTree(p: string, uid: number): void {
  chownSync(p, uid, uid);
  if (lstatSync(p).isDirectory()) for (const e of readdirSync(p)) chownTree(join(p, e), uid);
}
