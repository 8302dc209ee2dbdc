// The sorting experiment's own parts of the page (the skeleton is shell.js): the colour legend,
// the cell's-eye view (click a bar to follow that cell; the traditional run beside the cells),
// the live plots, delayed gratification in the read-out, clicking a bar to freeze it, batch
// runs, "Reproduce the paper" and the problem-space traversal, all in Web Workers.

import uPlot from '../vendor/uPlot.esm.js';
import { el, fmt, download, docLink } from '../common.js';

// Axis steps for whole-number axes (swaps): 1, 2, 5, 10, 20, 50, …
const INTEGER_STEPS = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));
// Column indices of lab.series() (SERIES_COLUMNS in src/sorting/session.rs).
const COL = { swap: 0, sortedness: 1, error: 2, aggregation: 3, bubble: 4, insertion: 5, selection: 6 };
// Bar colours (src/sorting/lab.rs).
const LEGEND = [['bubble', '#4e79a7'], ['insertion', '#b07aa1'], ['selection', '#59a14f'], ['frozen', '#bebebe'], ['last swap', '#f28e2b']];
// The cell's-eye view's colours (src/sorting/lab.rs).
const EYE_LEGEND = [['followed cell', '#ffffff'], ['what it compares with (cap)', '#00d6e8'], ['insertion: may act (under)', '#eca0dc'], ['selection: ideal position (under)', '#96e678'], ['last swaps\' movers (above)', '#f28e2b'], ['traditional run (below)', '#b0a878']];
const FIGURES = [
  ['fig4', 'Fig. 4: efficiency'], ['fig5', 'Fig. 5: error tolerance'], ['fig7', 'Fig. 7: delayed gratification'],
  ['fig8', 'Fig. 8: chimeras'], ['fig9', 'Fig. 9: opposite goals'],
];

// Per-lab state lives on ctx.sorting (a page may hold several labs).
const own = (ctx) => (ctx.sorting ??= { plot: null, plot2: null, plotDirty: true, lastPlot: 0, dgText: '', lastDg: 0, repro: [], eye: null, lastEye: 0, eyeDirty: true });

// uPlot wants null (a gap) where Rust wrote NaN (a column not computed for that row).
const plotData = (cols, which) => which.map((k) => Array.from(cols[k], (v) => (Number.isNaN(v) ? null : v)));

// Delayed gratification (paper p.9, Fig. 6D) pairs a rise of the error with the fall after it;
// the rising stretches of the plotted error curve are drawn over it in orange.
function mainPlotData(cols) {
  const [x, s, e] = plotData(cols, [COL.swap, COL.sortedness, COL.error]);
  const rising = e.map(() => null);
  for (let i = 1; i < e.length; i++) {
    if (e[i] !== null && e[i - 1] !== null && e[i] > e[i - 1]) { rising[i - 1] = e[i - 1]; rising[i] = e[i]; }
  }
  return [x, s, e, rising];
}

function makePlots(ctx, box) {
  const o = own(ctx);
  const axis = (extra) => ({ stroke: '#bbb', grid: { stroke: '#333' }, ...extra });
  const cols = Array.from(ctx.lab.series());
  o.plot = new uPlot({
    width: Math.max(200, box.clientWidth || 600), height: 220,
    title: 'Sortedness and monotonicity error',
    scales: { x: { time: false }, s: { range: [0, 100] }, e: { auto: true } },
    axes: [
      axis({ label: 'swaps', incrs: INTEGER_STEPS }),
      axis({ scale: 's', label: 'sortedness %', stroke: '#59a14f' }),
      { scale: 'e', side: 1, label: 'monotonicity error', stroke: '#e15759', grid: { show: false } },
    ],
    series: [{ label: 'swap' },
      { label: 'sortedness %', scale: 's', stroke: '#59a14f', width: 2 },
      { label: 'monotonicity error', scale: 'e', stroke: '#e15759', width: 1.5 },
      { label: 'error rising (DG episodes)', scale: 'e', stroke: '#f28e2b', width: 3, spanGaps: false, points: { show: false } }],
  }, mainPlotData(cols), box);
  o.plot2 = new uPlot({
    width: Math.max(200, box.clientWidth || 600), height: 200,
    title: 'Aggregation and per-Algotype sortedness (chimeric arrays)',
    scales: { x: { time: false }, a: { range: [0, 1] }, c: { auto: true } },
    axes: [
      axis({ label: '% of the run so far (swaps)' }),
      axis({ scale: 'a', label: 'aggregation' }),
      { scale: 'c', side: 1, label: 'ordered pairs within type', stroke: '#bbb', grid: { show: false } },
    ],
    series: [{ label: 'swap' },
      { label: 'aggregation', scale: 'a', stroke: '#f28e2b', width: 2, spanGaps: true },
      { label: 'bubble', scale: 'c', stroke: '#4e79a7', spanGaps: true },
      { label: 'insertion', scale: 'c', stroke: '#b07aa1', spanGaps: true },
      { label: 'selection', scale: 'c', stroke: '#59a14f', spanGaps: true }],
  }, plotData(cols, [COL.swap, COL.aggregation, COL.bubble, COL.insertion, COL.selection]), box);
  o.plot2.root.classList.add('el-plot-chimera');
  new ResizeObserver(() => {
    const width = Math.max(200, box.clientWidth);
    o.plot?.setSize({ width, height: 220 });
    o.plot2?.setSize({ width, height: 200 });
  }).observe(box);
}

function updatePlots(ctx) {
  const o = own(ctx);
  if (!o.plot) return;
  const cols = Array.from(ctx.lab.series());
  o.plot.setData(mainPlotData(cols));
  const chimeric = ctx.lab.readout().chimeric;
  o.plot2.root.hidden = !chimeric;
  if (chimeric) {
    // Against % of the run so far (the paper's x axis, Fig. 8): at the end, % of the run.
    const data = plotData(cols, [COL.swap, COL.aggregation, COL.bubble, COL.insertion, COL.selection]);
    const last = Math.max(1, data[0][data[0].length - 1] ?? 1);
    data[0] = data[0].map((x) => (100 * x) / last);
    o.plot2.setData(data);
  }
}

function summaryTable(s) {
  const n = s.n;
  const rows = [
    ['swaps', s.swaps, `${fmt(n * (n - 1) / 4)} for bubble or insertion with distinct values and no frozen cells (n(n−1)/4, the mean number of inversions)`],
    ['swaps + reads', s.steps, ''],
    ['delayed gratification', s.delayed_gratification, ''],
    ['activations', s.ticks, ''],
    ['final sortedness %', s.final_sortedness, ''],
    ['final monotonicity error', s.final_monotonicity_error, ''],
  ];
  const t = el('table', { class: 'el-table' },
    el('caption', { text: `${s.runs} runs, n = ${n}, seed ${s.seed}: mean ± SD` }),
    el('tr', {}, el('th', { text: 'metric' }), el('th', { text: 'mean' }), el('th', { text: 'SD' }), el('th', { text: 'reference' })));
  for (const [name, v, ref] of rows) t.append(el('tr', {}, el('td', { text: name }), el('td', { text: fmt(v.mean) }), el('td', { text: fmt(v.sd) }), el('td', { text: ref })));
  t.append(el('tr', {}, el('td', { text: 'fully sorted share' }), el('td', { text: fmt(s.fully_sorted_share) }), el('td'), el('td')));
  return t;
}

// ---- the cell's-eye view ---------------------------------------------------------------------

function makeEye(ctx) {
  const o = own(ctx);
  const box = el('div', { class: 'el-eye', 'aria-live': 'polite' });
  const title = el('h3', { text: 'Cell\'s-eye view' });
  const why = el('p', { class: 'el-eye-why' });
  const stats = el('p', { class: 'el-eye-stats' });
  const compare = el('p', { class: 'el-eye-compare' });
  const plotBox = el('div', { class: 'el-eye-plot' });
  const stop = el('button', { type: 'button', class: 'el-btn el-eye-stop', hidden: '' }, 'Stop following');
  stop.addEventListener('click', () => { ctx.setParam('follow', '-1'); });
  // An embed keeps the words and leaves the picture its room: no plot, no button.
  const plot = ctx.chrome ? new uPlot({
    width: Math.max(200, box.clientWidth || 600), height: 160,
    title: 'Its position against swaps',
    legend: { show: false },
    scales: { x: { time: false }, y: { auto: true } },
    axes: [{ label: 'swaps', stroke: '#bbb', grid: { stroke: '#333' }, incrs: INTEGER_STEPS }, { label: 'position', stroke: '#bbb', grid: { stroke: '#333' } }],
    series: [{}, { label: 'position', stroke: '#ffffff', width: 2, points: { show: false } },
      { label: 'its place when sorted', stroke: '#96e678', width: 1, dash: [6, 4], points: { show: false } }],
  }, [[0], [null], [null]], plotBox) : null;
  box.append(title, why, stats);
  if (plot) {
    new ResizeObserver(() => plot.setSize({ width: Math.max(200, box.clientWidth), height: 160 })).observe(box);
    box.append(stop, plotBox);
  }
  box.append(compare);
  o.eye = { box, why, stats, compare, plot, plotBox, stop };
  return box;
}

function updateEye(ctx) {
  const o = own(ctx);
  if (!o.eye) return;
  const { why, stats, compare, plot, plotBox, stop } = o.eye;
  const r = ctx.lab.readout();
  const c = r.compare;
  compare.hidden = !c;
  if (c) {
    compare.textContent = `Beside it, traditional ${c.algorithm} sort of the same initial values (below the cells): ${fmt(c.swaps)} of ${fmt(c.total_swaps)} swaps, ${fmt(c.comparisons)} comparisons${c.done ? ' (sorted)' : ''}. The cells so far: ${fmt(r.swaps)} swaps, ${fmt(r.steps)} swaps + reads.`;
  }
  const f = ctx.lab.follow_report(plot ? 400 : 2);
  stop.hidden = !f || !plot;
  plotBox.hidden = !f;
  if (!f) {
    why.textContent = 'Click a bar to follow that cell: what it sees, whether it wants to move and why, and where it has been.';
    stats.textContent = '';
    return;
  }
  const s = f.sight;
  why.textContent = s.why;
  const home = f.home[0] === f.home[1] ? `position ${f.home[0]}` : `positions ${f.home[0]}–${f.home[1]}`;
  stats.textContent = `Swaps it started: ${fmt(f.started)} · swaps others started with it: ${fmt(f.moved_by_others)}`
    + (s.frozen ? ` · tries aimed at it: ${fmt(s.nudges)}` : ` · its tries refused by an immovable frozen cell: ${fmt(s.denied)}`)
    + ` · wants to act now: ${s.wants ? 'yes' : 'no'} · its place in the sorted array: ${home}`
    + (f.truncated ? ' · (trajectory kept for the first 10^6 swaps)' : '');
  if (!plot) return;
  const xs = f.trajectory.map(([x]) => x);
  const ys = f.trajectory.map(([, y]) => y);
  // A step plot: the cell holds its position until the next change.
  const sx = [], sy = [];
  xs.forEach((x, i) => { if (i > 0) { sx.push(x); sy.push(ys[i - 1]); } sx.push(x); sy.push(ys[i]); });
  sx.push(Math.max(r.swaps, sx[sx.length - 1] ?? 0)); sy.push(ys[ys.length - 1]);
  plot.setData([sx, sy, sx.map(() => (f.home[0] + f.home[1]) / 2)]);
}

function makeBatch(ctx) {
  const box = el('div', { class: 'el-batch' });
  const runs = el('input', { type: 'number', min: 1, max: 100000, value: 100, id: 'el-runs', 'aria-label': 'runs' });
  const go = el('button', { type: 'button', class: 'el-btn el-batch-run' }, 'Run batch');
  const cancel = el('button', { type: 'button', class: 'el-btn', disabled: '' }, 'Cancel');
  const bar = el('progress', { max: 1, value: 0, class: 'el-progress' });
  const table = el('div', { class: 'el-batch-result', role: 'status' });
  let worker = null;
  const finish = () => { go.disabled = false; cancel.disabled = true; ctx.forget(worker); worker = null; };
  go.addEventListener('click', () => {
    ctx.forget(worker);
    worker = ctx.worker();
    go.disabled = true; cancel.disabled = false; bar.value = 0; table.textContent = 'running…';
    worker.onmessage = ({ data }) => {
      if (data.progress !== undefined) { bar.value = data.progress; return; }
      if (data.error) { table.textContent = ''; ctx.notice(`batch: ${data.error}`, 'error'); finish(); return; }
      table.replaceChildren(summaryTable(data.summary));
      table.append(el('button', { type: 'button', class: 'el-btn', onclick: () => download('sorting-batch.csv', data.csv, 'text/csv') }, 'runs CSV'),
        el('button', { type: 'button', class: 'el-btn', onclick: () => download('sorting-batch.json', JSON.stringify(data.summary, null, 2), 'application/json') }, 'summary JSON'));
      ctx.emit('batch', data.summary);
      finish();
    };
    worker.onerror = (e) => { ctx.notice(`batch worker failed: ${e.message}`, 'error'); finish(); };
    worker.postMessage({ kind: 'batch', query: ctx.lab.query(), runs: Number(runs.value) || 100 });
  });
  cancel.addEventListener('click', () => { finish(); table.textContent = 'cancelled'; });
  box.append(el('h3', { text: 'Batch runs (Web Worker)' }),
    el('label', { for: 'el-runs', text: 'runs ' }), runs, go, cancel, bar, table);
  return box;
}

function makeReproduce(ctx) {
  const o = own(ctx);
  const box = el('div', { class: 'el-repro el-reproduce' });
  const runs = el('input', { type: 'number', min: 1, max: 10000, value: 100, id: 'el-repro-runs', 'aria-label': 'runs per condition' });
  const bar = el('progress', { max: 1, value: 0, class: 'el-progress el-repro-progress' });
  const cancel = el('button', { type: 'button', class: 'el-btn', disabled: '' }, 'Cancel');
  const status = el('span', { class: 'el-repro-status', role: 'status' });
  const result = el('div', { class: 'el-repro-result' });
  const buttons = FIGURES.map(([id, label]) => el('button', { type: 'button', class: 'el-btn el-repro-run', 'data-figure': id }, label));
  // Workers that finish a figure stay for the next one: their wasm is compiled and V8 has
  // optimised its hot functions, which a fresh worker spends the first part of a figure doing
  // (about 0.05 s a figure here; docs/sorting.md). Cancel and failures terminate them.
  const idleWorkers = [];
  const stop = (text, keep = false) => {
    if (keep) idleWorkers.push(...o.repro);
    else o.repro.forEach((w) => ctx.forget(w));
    o.repro = [];
    buttons.forEach((b) => { b.disabled = false; });
    cancel.disabled = true;
    status.textContent = text;
  };
  cancel.addEventListener('click', () => stop('cancelled'));
  // Conditions differ in cost by two orders of magnitude (an insertion chimera under threads
  // against a traditional sort), so they are handed out one at a time to whichever worker is
  // free: job i with a stride above any figure's count runs condition i alone, and a job past
  // the last condition comes back empty.
  const STRIDE = 1000;
  for (const button of buttons) {
    button.addEventListener('click', () => {
      stop('');
      const figure = button.dataset.figure;
      const workers = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
      const fraction = new Array(workers).fill(0), rows = [];
      let next = 0, count = null, finished = 0, idle = 0;
      const t0 = performance.now();
      buttons.forEach((b) => { b.disabled = true; });
      cancel.disabled = false;
      bar.value = 0;
      status.textContent = `running ${button.textContent}…`;
      result.replaceChildren();
      const send = (worker) => worker.postMessage({ kind: 'reproduce', figure, seed: ctx.lab.param('seed'), runs: Number(runs.value) || 100, worker: next++, workers: STRIDE });
      for (let w = 0; w < workers; w++) {
        const worker = idleWorkers.pop() ?? ctx.worker();
        o.repro.push(worker);
        worker.onmessage = ({ data }) => {
          if (data.error) { ctx.notice(`${button.textContent}: ${data.error}`, 'error'); stop('failed'); return; }
          if (data.progress !== undefined) {
            fraction[w] = data.progress;
            if (count) bar.value = Math.min(1, (finished + fraction.reduce((a, b) => a + b, 0)) / count);
            return;
          }
          count = data.conditions;
          fraction[w] = 0;
          if (data.rows.length) { rows.push(...data.rows); finished++; }
          if (next < count) { send(worker); return; }
          if (++idle < workers) return;
          const seconds = (performance.now() - t0) / 1000;
          stop(`${figure}: ${rows.length} rows in ${seconds.toFixed(1)} s (${workers} workers)`, true);
          bar.value = 1;
          showRows(result, figure, rows);
          ctx.emit('reproduce', { figure, rows, seconds });
        };
        worker.onerror = (e) => { ctx.notice(`worker failed: ${e.message}`, 'error'); stop('failed'); };
        send(worker);
      }
    });
  }
  box.append(el('h3', { text: 'Reproduce the paper (Web Workers)' }),
    el('p', { class: 'el-help' }, 'Each condition runs the given number of repetitions (the paper used 100) from this seed, under the uniform scheduler and, where the order of activations can matter, under threads (the emulation of the official code\'s Python threads). Official: the official code run unchanged on a machine like this one (mean ± SE). Paper: the printed value, or the value read off the figure (≈). See ', docLink('sorting.md'), ' and ', docLink('sorting-scheduler.md'), ' for where and why they differ.'),
    el('div', { class: 'el-repro-buttons' }, ...buttons),
    el('label', { for: 'el-repro-runs', text: 'runs per condition ' }), runs, bar, cancel, status, result);
  return box;
}

function showRows(container, figure, rows) {
  rows.sort((a, b) => a.condition.localeCompare(b.condition, 'en', { numeric: true }) || a.label.localeCompare(b.label));
  const t = el('table', { class: 'el-table el-repro-table' },
    el('caption', { text: `${figure}: the lab under each scheduler, the official code run here, and the paper` }),
    el('tr', {}, ...['#', 'condition', 'metric', 'uniform (mean ± SD)', 'threads (mean ± SD)', 'official code, run here (mean ± SE)', 'paper', 'source'].map((h) => el('th', { text: h }))));
  const spread = (m) => (Number.isFinite(m.sd) ? `${fmt(m.mean)} ± ${fmt(m.sd)}` : fmt(m.mean, 3));
  for (const [i, r] of rows.entries()) {
    const threads = r.threads ? spread(r.threads) : r.independent ? 'same under any scheduler' : '–';
    // The official runs' standard errors can be small (0.004 for DG): three decimals below 1.
    const digits = r.official && Math.abs(r.official.mean) < 10 ? 3 : 1;
    const official = r.official ? (Number.isFinite(r.official.se) ? `${fmt(r.official.mean, digits)} ± ${fmt(r.official.se, digits)} (${r.official.runs} runs)` : fmt(r.official.mean, 3)) : '–';
    const paper = r.paper.value === null || r.paper.value === undefined ? '–' : fmt(r.paper.value, 2);
    t.append(el('tr', { class: r.threads ? 'el-repro-dependent' : '' }, el('td', { text: String(i + 1) }), el('td', { text: r.condition }), el('td', { text: r.label }),
      el('td', { class: 'el-repro-uniform', text: spread(r.ours) }), el('td', { class: 'el-repro-threads', text: threads }),
      el('td', { class: 'el-repro-official', text: official }), el('td', { text: paper }), el('td', { text: r.paper.note })));
  }
  const csv = ['figure,condition,metric,runs,uniform_mean,uniform_sd,threads_mean,threads_sd,scheduler_independent,official_mean,official_se,official_runs,paper,source']
    .concat(rows.map((r) => [r.figure, r.condition, r.label, r.runs, r.ours.mean, Number.isFinite(r.ours.sd) ? r.ours.sd : '',
      r.threads?.mean ?? '', Number.isFinite(r.threads?.sd) ? r.threads.sd : '', r.independent ? 'yes' : 'no',
      r.official?.mean ?? '', Number.isFinite(r.official?.se) ? r.official.se : '', r.official?.runs ?? '',
      r.paper.value ?? '', r.paper.note].map((v) => `"${String(v).replaceAll('"', '""')}"`).join(',')))
    .join('\n') + '\n';
  const plotBox = el('div', { class: 'el-repro-plot' });
  container.replaceChildren(t,
    el('button', { type: 'button', class: 'el-btn', onclick: () => download(`${figure}.csv`, csv, 'text/csv') }, 'table CSV'),
    el('button', { type: 'button', class: 'el-btn', onclick: () => download(`${figure}.json`, JSON.stringify(rows, null, 2), 'application/json') }, 'table JSON'),
    plotBox);
  // The figure's plot: ours (bars, with ±SD whiskers in the table) and the paper (points), one
  // x position per row, one panel per metric.
  for (const metric of [...new Set(rows.map((r) => r.label))]) {
    const rs = rows.filter((r) => r.label === metric);
    const xs = rs.map((_, i) => i);
    const names = rs.map((r) => r.condition);
    new uPlot({
      width: Math.max(300, plotBox.clientWidth || 700), height: 220, title: metric,
      scales: { x: { time: false, range: [-0.7, rs.length - 0.3] } },
      axes: [
        { stroke: '#bbb', grid: { show: false }, label: 'row (#) of the table', incrs: [1, 2, 5, 10], values: (u, splits) => splits.map((v) => (Number.isInteger(v) && names[v] !== undefined ? String(rows.indexOf(rs[v]) + 1) : '')) },
        { stroke: '#bbb', grid: { stroke: '#333' } },
      ],
      series: [{},
        { label: 'uniform', stroke: '#4e79a7', fill: '#4e79a766', paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } },
        // Points drawn largest first, so that close values stay visible as rings.
        { label: 'paper', stroke: '#f28e2b', width: 0, points: { show: true, size: 13, fill: '#f28e2b' } },
        { label: 'official (here)', stroke: '#e15759', width: 0, points: { show: true, size: 9, fill: '#e15759' } },
        { label: 'threads', stroke: '#59a14f', width: 0, points: { show: true, size: 5, fill: '#59a14f' } }],
    }, [xs, rs.map((r) => r.ours.mean), rs.map((r) => r.paper.value ?? null), rs.map((r) => r.official?.mean ?? null), rs.map((r) => r.threads?.mean ?? null)], plotBox);
  }
}

function makeTraversal(ctx) {
  const box = el('div', { class: 'el-repro el-traversal' });
  const runs = el('input', { type: 'number', min: 1, max: 200, value: 30, id: 'el-traj-runs', 'aria-label': 'runs' });
  const go = el('button', { type: 'button', class: 'el-btn el-traj-run' }, 'Run trajectories');
  const bar = el('progress', { max: 1, value: 0, class: 'el-progress' });
  const out = el('div', { class: 'el-traj-plot' });
  let workers = [];
  go.addEventListener('click', () => {
    workers.forEach((w) => ctx.forget(w));
    workers = [];
    go.disabled = true;
    bar.value = 0;
    const results = {}, progress = [0, 0];
    const query = ctx.lab.query();
    ['cell', 'traditional'].forEach((kind, k) => {
      const w = ctx.worker();
      workers.push(w);
      w.onmessage = ({ data }) => {
        if (data.error) { ctx.notice(`trajectories (${kind}): ${data.error}`, 'error'); go.disabled = false; return; }
        if (data.progress !== undefined) { progress[k] = data.progress; bar.value = (progress[0] + progress[1]) / 2; return; }
        results[kind] = data.trajectories;
        ctx.forget(w);
        if (results.cell && results.traditional) {
          go.disabled = false;
          drawTraversal(out, results);
          // Each run as [first swap, first sortedness, last swap, last sortedness].
          const ends = (ts) => ts.map(([x, y]) => [x[0], y[0], x[x.length - 1], y[y.length - 1]]);
          ctx.emit('trajectories', { cell: results.cell.length, traditional: results.traditional.length, ends: { cell: ends(results.cell), traditional: ends(results.traditional) } });
        }
      };
      w.postMessage({ kind: 'trajectories', query, runs: Number(runs.value) || 30, points: 200, traditional: kind === 'traditional' });
    });
  });
  box.append(el('h3', { text: 'Problem-space traversal (Fig. 3)' }),
    el('p', { class: 'el-help', text: 'Sortedness after every swap for many runs of the current setup (cell-view, blue) and of the traditional algorithm of its first Algotype (orange), from this seed.' }),
    el('label', { for: 'el-traj-runs', text: 'runs ' }), runs, go, bar, out);
  return box;
}

function drawTraversal(container, results) {
  // uPlot needs one x axis: the union of every run's swap indices, with null elsewhere.
  const all = [...results.cell.map((t) => ['cell', t]), ...results.traditional.map((t) => ['traditional', t])];
  const xs = [...new Set(all.flatMap(([, [x]]) => Array.from(x)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const data = [xs];
  const series = [{ label: 'swap' }];
  for (const [kind, [x, y]] of all) {
    const col = new Array(xs.length).fill(null);
    x.forEach((xi, i) => { col[index.get(xi)] = y[i]; });
    data.push(col);
    series.push({ label: kind, stroke: kind === 'cell' ? '#4e79a7aa' : '#f28e2baa', width: 1, spanGaps: true, points: { show: false } });
  }
  container.replaceChildren();
  new uPlot({
    width: Math.max(300, container.clientWidth || 700), height: 260, title: 'Sortedness against swaps',
    legend: { show: false },
    scales: { x: { time: false }, y: { range: [0, 100] } },
    axes: [{ label: 'swaps', stroke: '#bbb', grid: { stroke: '#333' }, incrs: INTEGER_STEPS }, { label: 'sortedness %', stroke: '#bbb', grid: { stroke: '#333' } }],
    series,
  }, data, container);
}

export default {
  embedControls: ['play', 'back', 'step', 'reset', 'speed'],
  logSliders: ['n'],
  canvasLabel: 'the array: bar height is value; click a bar to follow that cell (shift-click: freeze or unfreeze it)',

  setup(ctx) {
    // Click a bar to follow that cell (the cell's-eye view), or to freeze or unfreeze it (the
    // run restarts with it damaged from the start): the page's "clicking a bar" choice, or
    // shift-click to freeze. An embed follows when it shows `follow`, freezes when it shows `freeze`.
    const canFollow = ctx.chrome || ctx.show('follow');
    const canFreeze = ctx.chrome || ctx.show('freeze');
    const mode = el('select', { class: 'el-click-mode', 'aria-label': 'clicking a bar' },
      el('option', { value: 'follow', text: 'follows that cell' }), el('option', { value: 'freeze', text: 'freezes or unfreezes it' }));
    if (canFollow || canFreeze) {
      ctx.stage.addEventListener('click', (e) => {
        const rect = ctx.canvas.getBoundingClientRect();
        const cells = ctx.lab.cell_ids();
        const position = Math.min(cells.length - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * cells.length)));
        const freeze = canFreeze && (!canFollow || e.shiftKey || mode.value === 'freeze');
        if (freeze) {
          for (const note of ctx.lab.toggle_frozen(position)) ctx.notice(note.message);
          ctx.playing = false;
          ctx.syncInputs();
          ctx.changed(true);
        } else {
          // Follow by identity (its initial position): the same cell wherever it goes.
          ctx.setParam('follow', String(cells[position]));
        }
      });
    }
    if (ctx.chrome) {
      const legend = el('div', { class: 'el-legend', 'aria-label': 'colours' });
      for (const [name, colour] of LEGEND) legend.append(el('span', {}, el('i', { style: `background:${colour}` }), name));
      legend.append(el('label', { class: 'el-hint' }, 'clicking a bar ', mode));
      const eyeLegend = el('div', { class: 'el-legend el-eye-legend', 'aria-label': 'colours of the cell\'s-eye view' });
      for (const [name, colour] of EYE_LEGEND) eyeLegend.append(el('span', {}, el('i', { style: `background:${colour}` }), name));
      ctx.readout.before(legend, eyeLegend);
    }
    // An embed shows the view when it offers the control, or when its scenario follows a cell.
    if (ctx.chrome || ctx.show('follow') || Number(ctx.lab.param('follow')) >= 0) ctx.readout.after(makeEye(ctx));
    if (!ctx.chrome) return;
    const plots = el('div', { class: 'el-plots' });
    const batch = makeBatch(ctx);
    ctx.panels.append(plots, batch, makeTraversal(ctx), makeReproduce(ctx));
    makePlots(ctx, plots);
  },

  changed(ctx) { const o = own(ctx); o.plotDirty = true; o.eyeDirty = true; },

  frame(ctx, now) {
    const o = own(ctx);
    if (ctx.lab.position() !== o.lastPosition) { o.lastPosition = ctx.lab.position(); o.plotDirty = true; o.eyeDirty = true; }
    if (o.plot && o.plotDirty && now - o.lastPlot > 150) { updatePlots(ctx); o.plotDirty = false; o.lastPlot = now; }
    if (o.eye && o.eyeDirty && now - o.lastEye > 150) { updateEye(ctx); o.eyeDirty = false; o.lastEye = now; }
    // Only panels this page has count: an embed has no plots, and a frame loop waiting on them
    // would never rest.
    return Boolean((o.plot && o.plotDirty) || (o.eye && o.eyeDirty));
  },

  readoutText(ctx, r) {
    const o = own(ctx);
    const now = performance.now();
    if (now - o.lastDg > 500) { o.lastDg = now; const dg = ctx.lab.delayed_gratification(); o.dgText = Number.isFinite(dg) ? ` · DG ${fmt(dg, 3)}` : ''; }
    return `n ${r.n} · swaps ${fmt(r.swaps)} · sortedness ${fmt(r.sortedness)}% · error ${fmt(r.error)}${o.dgText}`
      + (r.done ? (r.error === 0 ? ' · sorted' : ' · stopped (the stop rule holds)') : '');
  },

  state(ctx) {
    const o = own(ctx);
    return o.eye ? { eye: { why: o.eye.why.textContent, stats: o.eye.stats.textContent, compare: o.eye.compare.hidden ? '' : o.eye.compare.textContent } } : {};
  },

  destroy(ctx) { own(ctx).plot?.destroy(); own(ctx).plot2?.destroy(); own(ctx).eye?.plot?.destroy(); },
};
