import { ALL, FULL, JAPANESE, NOTES, PARTIAL, ZERO } from '../testing/writer-fixtures';
import { mdCell, mdFence, mdInline, writeMarkdown } from './markdown';

/** Cells of a table row, split on unescaped pipes. */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
}

describe('markdown summary', () => {
  test('partial result: score, table, failed cases with feedback, isolation', () => {
    const md = writeMarkdown(PARTIAL, 'en');
    expect(md).toBe([
      '# Perceptrons and logic gates',
      '',
      '**Score: 3.666667 / 5**',
      '',
      '| # | Task | Points | Status |',
      '|---:|---|---:|---|',
      '| 1 | AND gate | 0.666667 / 1 | partial |',
      '| 2 | XOR gate | 3 / 4 | partial |',
      '',
      '## Failed cases',
      '',
      '### 1. AND gate',
      '',
      '#### 1.2 b (0 / 0.333333)',
      '',
      '```text',
      'b',
      '```',
      '',
      '### 2. XOR gate',
      '',
      '#### 2.2 hidden grid (0 / 1) — hidden test',
      '',
      '```text',
      'accuracy 0.5 < 1',
      '```',
      '',
      'Output of your code (stdout, truncated):',
      '',
      '```text',
      'debug: w = [0.5, -0.5]',
      '```',
      '',
      '## Isolation',
      '',
      '- separate process: yes',
      '- user id: unchanged',
      '- network: not isolated',
      '- resource limits (rlimit): yes',
      '- network access was not blocked (no unshare available)',
      '- graded with @dl/grader 0.1.0, @dl 0.1.0, Node v20.20.2 on linux-x64, backend js, 1 thread(s)',
      '',
    ].join('\n'));
  });

  test('full marks say so; zero lists task notes and the task without cases', () => {
    expect(writeMarkdown(FULL, 'en')).toContain('## Failed cases\n\nNo failed cases.\n');
    const ja = writeMarkdown(ZERO, 'ja');
    expect(ja).toContain('**得点: 0 / 5**');
    expect(ja).toContain('| 2 | OR ゲート | 0 / 3 | 不合格 |');
    expect(ja).toContain('### 2. OR ゲート\n\n- src/perceptron.ts が or() を export していません');
    expect(ja).toContain('あなたのコードのエラー出力 (stderr、切り詰め済み):\n\n```text\nRangeError');
    expect(writeMarkdown(ZERO, 'en', { includeOutput: false })).not.toContain('RangeError');
  });

  test('table cells escape pipes and newlines; every row keeps four columns', () => {
    const md = writeMarkdown(NOTES, 'en');
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    for (const row of rows) expect(cells(row)).toHaveLength(4);
    expect(rows[1]).toBe('| 1 | AND \\| \\<gate\\> \\& "quotes" | 0 / 2 | failed |');
    expect(md).toContain('#### 1.1 pipes \\| and newlines (0 / 1)');
    expect(md).toContain('## Submission notes\n\n- ignored file: notes.txt\n- compile: unused variable x');
    // Feedback keeps its characters inside the fence.
    expect(md).toContain('```text\nline 1 | x < y && z > w\nline 2 ]]> --\n```');
  });

  test('Japanese', () => {
    const md = writeMarkdown(JAPANESE, 'ja');
    expect(md).toContain('# パーセプトロンと論理ゲート');
    expect(md).toContain('| # | 課題 | 配点 | 結果 |');
    expect(md).toContain('| 2 | 多層パーセプトロン（ＭＬＰ） | 3 / 3 | 合格 |');
    expect(md).toContain('#### 1.2 バイアス項 (0 / 1)\n\n```text\nバイアスが更新されていません（学習率 ０.１）😀\n```');
    expect(md).toContain('## 実行環境の隔離');
  });

  test('helpers', () => {
    expect(mdCell('a|b\nc')).toBe('a\\|b<br>c');
    expect(mdInline('*x* _y_ [z](u) `c` \\')).toBe('\\*x\\* \\_y\\_ \\[z\\](u) \\`c\\` \\\\');
    expect(mdFence('has ``` inside')).toBe('````text\nhas ``` inside\n````');
    expect(mdFence('plain\n')).toBe('```text\nplain\n```');
  });

  test('no emoji added by the writer', () => {
    for (const r of Object.values(ALL)) {
      if (r === ALL.JAPANESE) continue; // its feedback holds one
      expect(writeMarkdown(r, 'en')).not.toMatch(/\p{Extended_Pictographic}/u);
    }
  });
});
