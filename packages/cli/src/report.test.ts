import { readFileSync, readdirSync } from 'fs';
import { escapeHtml, inlineSvg, renderReport, writeReport, type ReportInput } from './report';
import { tempDir } from './testing/files';

const svg = (label: string): string =>
  `<?xml version="1.0" encoding="utf-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><defs><clipPath id="clip1"><rect width="10" height="10"/></clipPath></defs>` +
  `<g clip-path="url(#clip1)"><text>${label}</text></g><use href="#clip1"/></svg>`;

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    title: 'dl train: mlp on MNIST <test>',
    commandLine: "dl train --out 'a b'",
    settings: { model: 'mlp', dataset: 'mnist', dataDir: null, epochs: 2, batchSize: 100, lr: 0.001, optimizer: 'adam', momentum: 0, weightDecay: 0, seed: 0, trainSize: null, testSize: null, valSplit: 0.1 },
    dataDescription: 'MNIST (embedded digits)',
    trainSamples: 7200,
    valSamples: 800,
    testSamples: 2000,
    inputShape: [1, 28, 28],
    classes: ['0', '1'],
    modelText: 'Sequential(\n  (0): Flatten()\n)',
    parameterCount: 238510,
    history: [
      { epoch: 1, trainLoss: 0.5, trainAccuracy: 0.8, valLoss: 0.4, valAccuracy: 0.85, seconds: 1.5, valSeconds: 0.1, samplesPerSecond: 5333, lr: 0.001 },
      { epoch: 2, trainLoss: 0.3, trainAccuracy: 0.9, valLoss: 0.35, valAccuracy: 0.88, seconds: 1.4, valSeconds: 0.1, samplesPerSecond: 5714, lr: 0.001 },
    ],
    best: { epoch: 2, valLoss: 0.35, valAccuracy: 0.88 },
    final: { loss: 0.36, accuracy: 0.88, correct: 1760, samples: 2000 },
    perClass: [
      { precision: 0.9, recall: 0.85, f1: 0.874, support: 1000 },
      { precision: 0.86, recall: 0.91, f1: 0.884, support: 1000 },
    ],
    macro: { precision: 0.88, recall: 0.88, f1: 0.879 },
    confusion: [
      [850, 150],
      [90, 910],
    ],
    timings: { totalSeconds: 4.2, dataSeconds: 0.3, trainSeconds: 2.9, evalSeconds: 0.3, samplesPerSecond: 5500 },
    environment: { date: '2025-01-01T00:00:00.000Z', node: 'v20' },
    learningCurvesSvg: svg('curves'),
    confusionMatrixSvg: svg('matrix'),
    predictionGridPng: new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    metricsJson: '{"note": "<b>not markup</b>"}',
    metricsFile: 'metrics.json',
    checkpointFile: 'runs/x/checkpoint.safetensors',
    bestCheckpointFile: 'runs/x/best.safetensors',
    ...over,
  };
}

test('escapeHtml', () => {
  expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('inlineSvg drops the XML declaration and prefixes ids and their references', () => {
  const s = inlineSvg(svg('x'), 'lc-');
  expect(s.startsWith('<svg')).toBe(true);
  expect(s).toContain('id="lc-clip1"');
  expect(s).toContain('url(#lc-clip1)');
  expect(s).toContain('href="#lc-clip1"');
  expect(s).not.toMatch(/[^-]clip1/);
  expect(() => inlineSvg('<html/>', 'x-')).toThrow(/expected an SVG document/);
});

test('the report is one self-contained page: no scripts, no remote resources, a CSP that forbids them', () => {
  const html = renderReport(input());
  expect(html).toMatch(/^<!DOCTYPE html>/);
  expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<link/i);
  // the only URLs are the SVG namespace (not a request) and data: URIs
  const urls = [...html.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => m[1]);
  expect(urls.every((u) => u.startsWith('data:') || u === 'metrics.json')).toBe(true);
  expect(html).toContain('src="data:image/png;base64,iVBORw=="');
});

test('the report holds the plots, the metrics, the hyperparameters, the timings and the history', () => {
  const html = renderReport(input());
  expect(html).toContain('id="lc-clip1"');
  expect(html).toContain('id="cm-clip1"');
  expect(html).toContain('<b>88.00%</b>'); // test accuracy
  expect(html).toContain('1,760/2,000');
  expect(html).toContain('238,510 parameters');
  expect(html).toMatch(/<th>batch size<\/th><td>100<\/td>/);
  expect(html).toMatch(/<th>learning rate<\/th><td>0\.001<\/td>/);
  expect(html).toContain('total (this session)');
  expect(html).toMatch(/<td>2 \(best\)<\/td><td>0\.3000<\/td><td>90\.0%<\/td><td>0\.3500<\/td><td>88\.0%<\/td>/); // epoch 2 row
  expect(html).toContain('<a href="metrics.json">metrics.json</a>');
  for (const id of ['final', 'learning-curves', 'confusion-matrix', 'predictions', 'hyperparameters', 'timings', 'history', 'metrics']) {
    expect(html).toContain(`<section id="${id}"`);
  }
});

test('validation and test are told apart: curves and history on the validation set, the best epoch, the test set once', () => {
  const html = renderReport(input({ best: { epoch: 1, valLoss: 0.4, valAccuracy: 0.85 } }));
  expect(html).toContain('<th>val loss</th><th>val acc</th>');
  expect(html).not.toMatch(/test loss<\/th>|test acc<\/th>/);
  expect(html).toContain('7,200 training / 800 validation / 2,000 test samples');
  expect(html).toMatch(/on the validation set \(800 samples held out of the training split, after the epoch\)\. The test set is not used here\./);
  expect(html).toContain('The model of epoch 1 (the best validation accuracy, 85.0% on 800 held-out training samples), evaluated once on the 2,000 test samples');
  expect(html).toContain('<b>1 / 2</b><span>best epoch (validation accuracy 85.0%)</span>');
  expect(html).toMatch(/<td>1 \(best\)<\/td>/);
  expect(html).toContain('runs/x/best.safetensors');
});

test('text from the run is escaped', () => {
  const html = renderReport(input());
  expect(html).toContain('<title>dl train: mlp on MNIST &lt;test&gt;</title>');
  expect(html).toContain('&lt;b&gt;not markup&lt;/b&gt;');
  expect(html).toContain('dl train --out &#39;a b&#39;');
});

test('writeReport writes report.html atomically', () => {
  const dir = tempDir();
  const path = writeReport(dir, input());
  expect(readdirSync(dir)).toEqual(['report.html']);
  expect(readFileSync(path, 'utf8')).toBe(renderReport(input()));
});
