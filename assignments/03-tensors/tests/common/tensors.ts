/**
 * Helpers shared by the public and hidden tests of assignment 03 (tensors and the basics of
 * autograd). Students get this file with the public tests: it holds no expected values.
 */
import { T, type Check, type TensorValue, type Value } from '@dl/grader';

export type Tv = TensorValue;
export type Txt = { en: string; ja: string };

export function isRecord(v: Value): v is { readonly [k: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !('$tensor' in v);
}

export function isTensor(v: Value | undefined): v is Tv {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { $tensor?: unknown }).$tensor === true;
}

export function kind(v: Value | undefined): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a plain array';
  if (typeof v === 'object') return 'an object';
  return `the ${typeof v} ${JSON.stringify(v)}`;
}

/** Why a dtype differs, in the words of this assignment (short: a task's own hint can be added). */
export function dtypeHint(got: string, want: string): Txt {
  if (want === 'int32' && got === 'float32') {
    return {
      en: " (@dl's integer dtype is int32, where PyTorch has int64; an int32 tensor combined with a float tensor becomes float32)",
      ja: ' (@dl の整数のデータ型は int32 です (PyTorch の int64 にあたります)。int32 のテンソルを float のテンソルと計算すると float32 になります)',
    };
  }
  if (want === 'float32' && got === 'float64') {
    return { en: " (keep float32: the course's tensors are float32 unless it says float64)", ja: ' (float32 のままにしてください。講義では float64 と書かない限り float32 です)' };
  }
  return { en: '', ja: '' };
}

/**
 * Compares a returned tensor with `want`: it must be a tensor (a Tensor or a Variable), of want's
 * shape and dtype, with values within the tolerances. `hint` is added to a dtype mismatch.
 */
export function closeTensor(check: Check, got: Value | undefined, want: Tv, label: string, opts: { atol?: number; rtol?: number; hint?: Txt } = {}): boolean {
  if (!isTensor(got)) {
    return check.fail({
      en: `${label}: expected a tensor (an @dl Tensor or Variable) of shape [${want.shape.join(', ')}], got ${kind(got)}; use @dl's operations and return their result`,
      ja: `${label}: 形状 [${want.shape.join(', ')}] のテンソル (@dl の Tensor または Variable) を返してください (結果: ${kind(got)})。@dl の演算を使い、その結果を返します`,
    });
  }
  const sameShape = got.shape.length === want.shape.length && got.shape.every((s, i) => s === want.shape[i]);
  if (sameShape && got.dtype !== want.dtype) {
    const h = opts.hint ?? dtypeHint(got.dtype, want.dtype);
    return check.fail({
      en: `${label}: dtype ${got.dtype}, expected ${want.dtype}${h.en}`,
      ja: `${label}: dtype が ${got.dtype} です。正しくは ${want.dtype}${h.ja}`,
    });
  }
  return check.close(got, want, label, { atol: opts.atol, rtol: opts.rtol, dtype: true });
}

/** `X > threshold` and `X[X > threshold]`, with hints for the two usual mistakes (>= for >, a result of X's shape). */
export function checkMaskSelect(check: Check, r: { readonly [k: string]: Value }, Xv: Tv, th: number, at: string): void {
  const gt = Xv.data.map((v) => (v > th ? 1 : 0));
  const ge = Xv.data.map((v) => (v >= th ? 1 : 0));
  const m = r.mask;
  if (isTensor(m) && m.data.length === ge.length && m.data.join() === ge.join() && ge.join() !== gt.join()) {
    check.fail({
      en: `X > ${th}${at}: your mask is also true where X equals ${th} (X >= ${th}); X > ${th} is strictly greater: use X.gt(${th})`,
      ja: `X > ${th}${at}: マスクが X = ${th} の位置でも true です (X >= ${th})。X > ${th} は「より大きい」なので X.gt(${th}) を使ってください`,
    });
  } else closeTensor(check, m, { $tensor: true, dtype: 'bool', shape: [...Xv.shape], data: gt }, `X > ${th}${at}`);
  const sel = Xv.data.filter((v) => v > th);
  const s = r.selected;
  if (isTensor(s) && Xv.shape.length !== 1 && s.shape.join() === Xv.shape.join()) {
    check.fail({
      en: `X[X > ${th}]${at}: the result has X's shape [${Xv.shape.join(', ')}]; X[mask] keeps only the elements where the mask is true, as a 1-D tensor (multiplying by the mask or where() keeps the others as 0): use X.maskedSelect(mask)`,
      ja: `X[X > ${th}]${at}: 結果が X と同じ形状 [${Xv.shape.join(', ')}] です。X[mask] はマスクが true の要素だけを1次元のテンソルとして取り出します (マスクを掛ける・where() では他の要素が 0 として残ります)。X.maskedSelect(mask) を使ってください`,
    });
  } else if (isTensor(s) && Xv.shape.length === 1 && sel.length !== Xv.shape[0] && s.shape.join() === Xv.shape.join()) {
    check.fail({
      en: `X[X > ${th}]${at}: the result keeps all ${Xv.shape[0]} elements; X[mask] keeps only the elements where the mask is true (multiplying by the mask or where() keeps the others as 0): use X.maskedSelect(mask)`,
      ja: `X[X > ${th}]${at}: 結果に ${Xv.shape[0]} 個の要素がすべて残っています。X[mask] はマスクが true の要素だけを取り出します (マスクを掛ける・where() では他の要素が 0 として残ります)。X.maskedSelect(mask) を使ってください`,
    });
  } else closeTensor(check, s, { ...Xv, shape: [sel.length], data: sel }, `X[X > ${th}]${at}`);
}

/** z = mse_loss(x1, x2), with hints for a sum instead of the mean and for the ½ of the sum of squares. */
export function checkMse(check: Check, got: Value | undefined, want: number, n: number, dtype: Tv['dtype'], label: string): void {
  const z = isTensor(got) && got.data.length === 1 ? got.data[0] : typeof got === 'number' ? got : null;
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));
  if (z !== null && !near(z, want) && want > 1e-3) {
    const why: Txt | null =
      n > 1 && near(z, want * n)
        ? { en: "this is the sum of the squared differences; mse_loss is their mean (PyTorch's default reduction)", ja: '2乗誤差の和になっています。mse_loss はその平均です (PyTorch の既定)' }
        : near(z, want / 2) || (n > 1 && near(z, (want * n) / 2))
          ? { en: "this has a factor ½; PyTorch's mse_loss is mean((x1 − x2)²) without ½ (the course prints 0.5625 for 1.5 and 0.75)", ja: '½ が掛かっています。PyTorch の mse_loss は ½ のない mean((x1 − x2)²) です (講義では 1.5 と 0.75 で 0.5625)' }
          : null;
    if (why !== null) {
      check.fail({ en: `${label}: ${why.en}`, ja: `${label}: ${why.ja}` });
      return;
    }
  }
  closeTensor(check, got, { $tensor: true, dtype, shape: [], data: [want] }, label);
}

/** Checks that a result is an object with the given keys; fails the case otherwise. */
export function record(check: Check, v: Value, fn: string, keys: readonly string[]): { readonly [k: string]: Value } | null {
  if (isRecord(v) && keys.every((k) => k in v)) return v;
  check.fail({
    en: `${fn} must return an object { ${keys.join(', ')} }, got ${kind(v)}${isRecord(v) ? ` with keys ${Object.keys(v).join(', ') || '(none)'}` : ''}`,
    ja: `${fn} はオブジェクト { ${keys.join(', ')} } を返してください (結果: ${kind(v)}${isRecord(v) ? `、キー ${Object.keys(v).join(', ') || '(なし)'}` : ''})`,
  });
  return null;
}

/** The element X[i][j]: a 0-d tensor of X's dtype (PyTorch prints tensor(40)), or the number. */
export function closeElement(check: Check, got: Value | undefined, want: number, dtype: Tv['dtype'], label: string): boolean {
  if (typeof got === 'number') return check.close(got, want, label);
  return closeTensor(check, got, T(want, { dtype }), label);
}

/** Checks one VariableInfo from the given inspect* functions: a Variable requiring grad (a Parameter if asked), holding `want`. */
export function checkInfo(check: Check, info: Value | undefined, want: Tv, name: string, parameter = false): void {
  if (!isRecord(info)) {
    check.fail(`${name}: the given inspect function returned ${kind(info)} (do not change the given code)`);
    return;
  }
  if (info.isVariable !== true) {
    check.fail({
      en: `${name} is a Tensor, not a Variable: a Tensor never requires gradients; ${parameter ? 'make it with new Parameter(data)' : "wrap it: variable(t, { requiresGrad: true })"}`,
      ja: `${name} が Variable ではなく Tensor です。Tensor は勾配を計算しません。${parameter ? 'new Parameter(data) で作ってください' : "variable(t, { requiresGrad: true }) で包んでください"}`,
    });
  } else if (parameter && info.isParameter !== true) {
    check.fail({
      en: `${name} is a Variable but not a Parameter: requiresGrad alone does not make a parameter (the course: nn.Parameter(x)); use new Parameter(data)`,
      ja: `${name} は Variable ですが Parameter ではありません。requiresGrad を付けるだけではパラメータになりません (講義: nn.Parameter(x))。new Parameter(data) を使ってください`,
    });
  } else if (info.requiresGrad !== true) {
    check.fail({
      en: `${name} does not require gradients: pass { requiresGrad: true } (PyTorch's requires_grad=True)`,
      ja: `${name} が勾配を計算しない設定です。{ requiresGrad: true } を渡してください (PyTorch の requires_grad=True)`,
    });
  }
  closeTensor(check, info.value, want, `${name} (values)`);
}

/** A null gradient gets a hint about requiresGrad and backward. */
export function closeGrad(check: Check, got: Value | undefined, want: Tv, label: string, leaf: string): boolean {
  if (got === null || got === undefined) {
    return check.fail({
      en: `${label}: got ${got === null ? 'null' : 'undefined'}; ${leaf} must be a Variable with { requiresGrad: true }, and call backward() on the result before reading ${leaf}.grad`,
      ja: `${label}: 結果が ${got === null ? 'null' : 'undefined'} です。${leaf} を { requiresGrad: true } の Variable にし、結果の backward() を呼んでから ${leaf}.grad を読んでください`,
    });
  }
  return closeTensor(check, got, want, label);
}

/** Task hints for a float32 result where int32 is expected. */
export const INT_DATA: Txt = {
  en: " (JS numbers do not say whether they are integers, so tensor(data) is float32 unless you pass { dtype: 'int32' }; PyTorch would infer int64, @dl's integer dtype is int32)",
  ja: " (JS の数値は整数かどうかを区別しないので、tensor(data) は { dtype: 'int32' } を渡さない限り float32 です。PyTorch なら int64、@dl の整数型は int32 です)",
};
export const DTYPE_ARG: Txt = { en: ' (pass the dtype on: tensor(data, { dtype }))', ja: ' (引数の dtype を渡してください: tensor(data, { dtype }))' };
export const TIMES_NUMBER: Txt = {
  en: ' (use the JS number 10: an int32 tensor times a JS integer stays int32, but tensor(10) is a float32 tensor and makes the result float32)',
  ja: ' (JS の数値 10 を使ってください。int32 のテンソルと JS の整数の計算は int32 のままですが、tensor(10) は float32 のテンソルなので結果が float32 になります)',
};
