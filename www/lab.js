// Emergence Lab: the page side. One code path behind three doors:
//   mount(element, {query, chrome})  -> handle   (JS module)
//   <emergence-lab experiment="sorting" seed="7" controls="play,step,n">  (custom element)
//   embed.html?exp=sorting&...       (iframe, see embed.html)
// The science, the URL codec and the drawing all live in Rust/wasm; this file only wires
// them to the DOM: build choice, frame loop, controls generated from the Rust schema, plots
// (uPlot), exports and the batch worker.

import uPlot from './vendor/uPlot.esm.js';

import { loadBuild, labWorker, transportButtons, serialGpu, el, fmt, download, noticeBoard, transportKeys, seedField, showBackend } from './common.js';
import { mountDendrites } from './dendrites.js';
import { mountHopfield } from './hopfield.js';

export { loadBuild };


// Axis steps for whole-number axes (swaps): 1, 2, 5, 10, 20, 50, …
const INTEGER_STEPS = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));
const EMBED_DEFAULT_CONTROLS = ['play', 'back', 'step', 'reset', 'speed'];

/**
 * Mount a lab in `element`.
 * options: { query: 'exp=sorting&seed=7', chrome: true|false }
 * Returns a handle: play, pause, step, back, reset, setParams, state, on, destroy,
 * plus ready (a promise) and readPixels(w, h) for tests and PNG export.
 */
export function mount(element, options = {}) {
  if (/(?:^|[?&])exp=dendrites(?:&|$)/i.test(options.query ?? '')) return mountDendrites(element, options);
  if (/(?:^|[?&])exp=hopfield(?:&|$)/i.test(options.query ?? '')) return mountHopfield(element, options);
  const chrome = options.chrome !== false;
  const listeners = {};
  const emit = (event, detail) => (listeners[event] || []).forEach((fn) => { try { fn(detail); } catch (e) { console.error(e); } });

  let mod = null, lab = null, view = null, playing = false, destroyed = false, visible = true;
  let lastTime = null, frameId = 0, plot = null, plotDirty = true, lastPlotTime = 0, lastStateEmit = 0;
  let needDraw = true, drawnOnce = false, worker = null, gpuNote = '', gpuDetail = '', started = false;
  const t0 = performance.now();
  const metrics = { firstFrameMs: null, wasmLoadMs: null, build: null };

  element.classList.add('el-host');
  const root = el('div', { class: chrome ? 'el-lab el-full' : 'el-lab el-embed', tabindex: '0' });
  let canvas = el('canvas', { class: 'el-canvas', 'aria-label': 'the array: bar height is value' });
  const stage = el('div', { class: 'el-stage' }, canvas);
  const overlay = el('div', { class: 'el-overlay', role: 'status' });
  stage.append(overlay);
  const notices = el('ul', { class: 'el-notices', role: 'status', 'aria-live': 'polite' });
  const readout = el('div', { class: 'el-readout', 'aria-live': 'off' });
  const badge = el('span', { class: 'el-badge', title: 'drawing backend' }, 'starting…');
  const transport = el('div', { class: 'el-transport', role: 'toolbar', 'aria-label': 'transport' });
  const params = el('form', { class: 'el-params', onsubmit: (e) => e.preventDefault() });
  const plots = el('div', { class: 'el-plots' });
  const exportsBar = el('div', { class: 'el-exports' });
  const batchBox = el('div', { class: 'el-batch' });
  root.append(stage, transport, readout, notices);
  if (chrome) root.append(params, plots, exportsBar, batchBox);
  else root.append(params);
  element.append(root);

  const notice = noticeBoard(notices, emit);
  function takeNotices() {
    for (const n of lab.take_notices()) notice(n.message);
  }

  // ---- controls ---------------------------------------------------------------------------
  const buttons = {};
  function makeControls(opts) {
    const wanted = opts.controls ?? (chrome ? null : EMBED_DEFAULT_CONTROLS);
    const show = (name) => wanted === null || wanted.includes(name);
    transport.replaceChildren();
    const defs = {
      reset: ['⟲', 'Reset (R)', () => handle.reset()],
      back: ['◀', 'Step back (,)', () => handle.back()],
      play: ['▶', 'Play / pause (Space)', () => (playing ? handle.pause() : handle.play())],
      step: ['▶|', 'Step (.)', () => handle.step()],
    };
    transportButtons(transport, defs, show, buttons);
    transport.append(badge);

    params.replaceChildren();
    const schema = mod.SortingLab.schema();
    for (const spec of schema) {
      if (!show(spec.key)) continue;
      params.append(paramControl(spec));
    }
    if (show('seed')) params.append(seedControl());
  }

  function paramControl(spec) {
    const id = `el-${spec.key}-${Math.random().toString(36).slice(2, 8)}`;
    const label = el('label', { for: id, text: spec.label });
    let input, out = null;
    const current = lab.param(spec.key);
    if (spec.type === 'float' && spec.log) {
      // Log slider: the position is log10(value).
      input = el('input', { id, type: 'range', min: Math.log10(spec.min), max: Math.log10(spec.max), step: '0.01', value: Math.log10(Number(current)) });
      out = el('output', { for: id, text: fmt(Number(current)) });
      input.addEventListener('input', () => {
        const v = 10 ** Number(input.value);
        const text = String(Number(v.toPrecision(3)));
        out.textContent = text;
        setParam(spec.key, text);
      });
    } else if (spec.type === 'list') {
      input = el('input', { id, type: 'text', value: current, placeholder: 'e.g. 5,3,9,1', spellcheck: 'false' });
      input.addEventListener('change', () => { setParam(spec.key, input.value); input.value = lab.param(spec.key); });
    } else if (spec.type === 'choice') {
      input = el('select', { id });
      for (const o of spec.options) input.append(el('option', { value: o, text: o }));
      input.value = current;
      input.addEventListener('change', () => setParam(spec.key, input.value));
    } else {
      input = el('input', { id, type: 'number', value: current, ...(spec.type === 'int' ? { min: spec.min, max: spec.max, step: 1 } : {}) });
      input.addEventListener('change', () => { setParam(spec.key, input.value); input.value = lab.param(spec.key); });
    }
    input.dataset.key = spec.key;
    const help = el('small', { class: 'el-help', text: spec.help + (spec.apply === 'reset' ? ' (restarts the run)' : '') });
    return el('div', { class: 'el-field' }, label, input, out, help);
  }

  const seedControl = () => seedField(() => lab.param('seed'), (v) => setParam('seed', v),
    'Every random choice comes from this seed (restarts the run).');

  function setParam(key, value) {
    for (const n of lab.set_param(key, String(value))) notice(n.message);
    changed();
  }

  function changed() {
    needDraw = true;
    plotDirty = true;
    emitState(true);
  }

  // 'state' events (which drive the page URL) are throttled to 4 per second; a throttled
  // change is sent by a later frame, so the URL always ends at the current state.
  let stateDirty = false;
  function emitState(force) {
    const now = performance.now();
    if (!force && now - lastStateEmit < 250) { stateDirty = true; return; }
    stateDirty = false;
    lastStateEmit = now;
    emit('state', handle.state());
  }

  // ---- plots and read-outs ------------------------------------------------------------------
  // Column indices of lab.series() (SERIES_COLUMNS in src/sorting/session.rs).
  const COL = { swap: 0, sortedness: 1, error: 2, aggregation: 3, bubble: 4, insertion: 5, selection: 6 };
  let plot2 = null;
  function plotData(cols, which) {
    // uPlot wants null (a gap) where Rust wrote NaN (a column not computed for that row).
    return which.map((k) => Array.from(cols[k], (v) => (Number.isNaN(v) ? null : v)));
  }
  function makePlot() {
    if (!chrome) return;
    const axis = (extra) => ({ stroke: '#bbb', grid: { stroke: '#333' }, ...extra });
    const cols = Array.from(lab.series());
    plot = new uPlot({
      width: Math.max(200, plots.clientWidth || 600), height: 220,
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
    }, mainPlotData(cols), plots);
    plot2 = new uPlot({
      width: Math.max(200, plots.clientWidth || 600), height: 200,
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
    }, plotData(cols, [COL.swap, COL.aggregation, COL.bubble, COL.insertion, COL.selection]), plots);
    plot2.root.classList.add('el-plot-chimera');
    new ResizeObserver(() => {
      const width = Math.max(200, plots.clientWidth);
      plot?.setSize({ width, height: 220 });
      plot2?.setSize({ width, height: 200 });
    }).observe(plots);
  }

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

  function updatePlots() {
    const cols = Array.from(lab.series());
    plot.setData(mainPlotData(cols));
    const chimeric = lab.readout().chimeric;
    plot2.root.hidden = !chimeric;
    if (chimeric) {
      // Against % of the run so far (the paper's x axis, Fig. 8): at the end, % of the run.
      const data = plotData(cols, [COL.swap, COL.aggregation, COL.bubble, COL.insertion, COL.selection]);
      const last = Math.max(1, data[0][data[0].length - 1] ?? 1);
      data[0] = data[0].map((x) => (100 * x) / last);
      plot2.setData(data);
    }
  }

  function makeLegend() {
    const items = [['bubble', '#4e79a7'], ['insertion', '#b07aa1'], ['selection', '#59a14f'], ['frozen', '#bebebe'], ['last swap', '#f28e2b']];
    const legend = el('div', { class: 'el-legend', 'aria-label': 'colours' });
    for (const [name, colour] of items) legend.append(el('span', {}, el('i', { style: `background:${colour}` }), name));
    transport.after(legend);
  }

  let dgText = '', lastDg = 0;
  function updateReadout() {
    const r = lab.readout();
    const now = performance.now();
    if (now - lastDg > 500) { lastDg = now; const dg = lab.delayed_gratification(); dgText = Number.isFinite(dg) ? ` · DG ${fmt(dg, 3)}` : ''; }
    readout.textContent = `n ${r.n} · swaps ${fmt(r.swaps)} · sortedness ${fmt(r.sortedness)}% · error ${fmt(r.error)}${dgText}`
      + (r.done ? (r.error === 0 ? ' · sorted' : ' · stopped (the stop rule holds)') : '') + (lab.busy() ? ` · replaying to ${fmt(lab.target())}…` : '');
    if (buttons.play) buttons.play.textContent = playing ? '❚❚' : '▶';
  }

  // ---- exports and batch --------------------------------------------------------------------
  function makeExports() {
    if (!chrome) return;
    const btn = (text, fn) => el('button', { type: 'button', class: 'el-btn', onclick: fn }, text);
    exportsBar.append(el('span', { text: 'Export: ' }),
      btn('CSV', () => download('sorting-series.csv', lab.csv(), 'text/csv')),
      btn('JSON', () => download('sorting-state.json', lab.json(), 'application/json')),
      btn('PNG', async () => {
        try { download('sorting.png', await handle.png(), 'image/png'); } catch (e) { notice(String(e.message || e), 'error'); }
      }));
  }

  function makeBatch() {
    if (!chrome) return;
    const runs = el('input', { type: 'number', min: 1, max: 100000, value: 100, id: 'el-runs', 'aria-label': 'runs' });
    const go = el('button', { type: 'button', class: 'el-btn el-batch-run' }, 'Run batch');
    const cancel = el('button', { type: 'button', class: 'el-btn', disabled: '' }, 'Cancel');
    const bar = el('progress', { max: 1, value: 0, class: 'el-progress' });
    const table = el('div', { class: 'el-batch-result', role: 'status' });
    go.addEventListener('click', () => {
      worker?.terminate();
      worker = labWorker(mod);
      go.disabled = true; cancel.disabled = false; bar.value = 0; table.textContent = 'running…';
      const finish = () => { go.disabled = false; cancel.disabled = true; worker?.terminate(); worker = null; };
      worker.onmessage = ({ data }) => {
        if (data.progress !== undefined) { bar.value = data.progress; return; }
        if (data.error) { table.textContent = ''; notice(`batch: ${data.error}`, 'error'); finish(); return; }
        table.replaceChildren(summaryTable(data.summary));
        table.append(el('button', { type: 'button', class: 'el-btn', onclick: () => download('sorting-batch.csv', data.csv, 'text/csv') }, 'runs CSV'),
          el('button', { type: 'button', class: 'el-btn', onclick: () => download('sorting-batch.json', JSON.stringify(data.summary, null, 2), 'application/json') }, 'summary JSON'));
        emit('batch', data.summary);
        finish();
      };
      worker.onerror = (e) => { notice(`batch worker failed: ${e.message}`, 'error'); finish(); };
      worker.postMessage({ kind: 'batch', query: lab.query(), runs: Number(runs.value) || 100 });
    });
    cancel.addEventListener('click', () => { worker?.terminate(); worker = null; go.disabled = false; cancel.disabled = true; table.textContent = 'cancelled'; });
    batchBox.append(el('h3', { text: 'Batch runs (Web Worker)' }),
      el('label', { for: 'el-runs', text: 'runs ' }), runs, go, cancel, bar, table);
  }

  // ---- reproduce the paper ----------------------------------------------------------------
  const FIGURES = [
    ['fig4', 'Fig. 4: efficiency'], ['fig5', 'Fig. 5: error tolerance'], ['fig7', 'Fig. 7: delayed gratification'],
    ['fig8', 'Fig. 8: chimeras'], ['fig9', 'Fig. 9: opposite goals'],
  ];
  let reproWorkers = [];
  function makeReproduce() {
    if (!chrome) return;
    const box = el('div', { class: 'el-repro el-reproduce' });
    const runs = el('input', { type: 'number', min: 1, max: 10000, value: 100, id: 'el-repro-runs', 'aria-label': 'runs per condition' });
    const bar = el('progress', { max: 1, value: 0, class: 'el-progress el-repro-progress' });
    const cancel = el('button', { type: 'button', class: 'el-btn', disabled: '' }, 'Cancel');
    const status = el('span', { class: 'el-repro-status', role: 'status' });
    const result = el('div', { class: 'el-repro-result' });
    const buttons = FIGURES.map(([id, label]) => el('button', { type: 'button', class: 'el-btn el-repro-run', 'data-figure': id }, label));
    const stop = (text) => {
      reproWorkers.forEach((w) => w.terminate());
      reproWorkers = [];
      buttons.forEach((b) => { b.disabled = false; });
      cancel.disabled = true;
      status.textContent = text;
    };
    cancel.addEventListener('click', () => stop('cancelled'));
    for (const button of buttons) {
      button.addEventListener('click', () => {
        stop('');
        const figure = button.dataset.figure;
        const workers = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
        const done = new Array(workers).fill(0), totals = new Array(workers).fill(1), rows = [];
        let finished = 0;
        const t0 = performance.now();
        buttons.forEach((b) => { b.disabled = true; });
        cancel.disabled = false;
        bar.value = 0;
        status.textContent = `running ${button.textContent}…`;
        result.replaceChildren();
        for (let w = 0; w < workers; w++) {
          const worker = labWorker(mod);
          reproWorkers.push(worker);
          worker.onmessage = ({ data }) => {
            if (data.error) { notice(`${button.textContent}: ${data.error}`, 'error'); stop('failed'); return; }
            if (data.progress !== undefined) {
              done[w] = data.done;
              totals[w] = data.done / Math.max(data.progress, 1e-9);
              bar.value = done.reduce((a, b) => a + b, 0) / totals.reduce((a, b) => a + b, 0);
              return;
            }
            rows.push(...data.rows);
            if (++finished === workers) {
              const seconds = (performance.now() - t0) / 1000;
              stop(`${figure}: ${rows.length} rows in ${seconds.toFixed(1)} s (${workers} workers)`);
              bar.value = 1;
              showRows(result, figure, rows);
              emit('reproduce', { figure, rows, seconds });
            }
          };
          worker.onerror = (e) => { notice(`worker failed: ${e.message}`, 'error'); stop('failed'); };
          worker.postMessage({ kind: 'reproduce', figure, seed: lab.param('seed'), runs: Number(runs.value) || 100, worker: w, workers });
        }
      });
    }
    box.append(el('h3', { text: 'Reproduce the paper (Web Workers)' }),
      el('p', { class: 'el-help', text: 'Each condition runs the given number of repetitions (the paper used 100) from this seed. Ours: mean ± SD over runs; paper: the printed value, or the value read off the figure (≈). See docs/sorting.md for where and why they differ.' }),
      el('div', { class: 'el-repro-buttons' }, ...buttons),
      el('label', { for: 'el-repro-runs', text: 'runs per condition ' }), runs, bar, cancel, status, result);
    batchBox.after(box);
  }

  // ---- problem-space traversal (Fig. 3) -----------------------------------------------------
  function makeTraversal() {
    if (!chrome) return;
    const box = el('div', { class: 'el-repro el-traversal' });
    const runs = el('input', { type: 'number', min: 1, max: 200, value: 30, id: 'el-traj-runs', 'aria-label': 'runs' });
    const go = el('button', { type: 'button', class: 'el-btn el-traj-run' }, 'Run trajectories');
    const bar = el('progress', { max: 1, value: 0, class: 'el-progress' });
    const out = el('div', { class: 'el-traj-plot' });
    let workers = [];
    go.addEventListener('click', () => {
      workers.forEach((w) => w.terminate());
      workers = [];
      go.disabled = true;
      bar.value = 0;
      const results = {}, progress = [0, 0];
      const query = lab.query();
      ['cell', 'traditional'].forEach((kind, k) => {
        const w = labWorker(mod);
        workers.push(w);
        w.onmessage = ({ data }) => {
          if (data.error) { notice(`trajectories (${kind}): ${data.error}`, 'error'); go.disabled = false; return; }
          if (data.progress !== undefined) { progress[k] = data.progress; bar.value = (progress[0] + progress[1]) / 2; return; }
          results[kind] = data.trajectories;
          w.terminate();
          if (results.cell && results.traditional) {
            go.disabled = false;
            drawTraversal(out, results);
            emit('trajectories', { cell: results.cell.length, traditional: results.traditional.length });
          }
        };
        w.postMessage({ kind: 'trajectories', query, runs: Number(runs.value) || 30, points: 200, traditional: kind === 'traditional' });
      });
    });
    box.append(el('h3', { text: 'Problem-space traversal (Fig. 3)' }),
      el('p', { class: 'el-help', text: 'Sortedness after every swap for many runs of the current setup (cell-view, blue) and of the traditional algorithm of its first Algotype (orange), from this seed.' }),
      el('label', { for: 'el-traj-runs', text: 'runs ' }), runs, go, bar, out);
    (root.querySelector('.el-reproduce') ?? batchBox).before(box);
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

  function showRows(container, figure, rows) {
    rows.sort((a, b) => a.condition.localeCompare(b.condition, 'en', { numeric: true }) || a.label.localeCompare(b.label));
    const t = el('table', { class: 'el-table el-repro-table' },
      el('caption', { text: `${figure}: ours beside the paper` }),
      el('tr', {}, ...['#', 'condition', 'metric', 'ours (mean ± SD)', 'paper', 'source'].map((h) => el('th', { text: h }))));
    for (const [i, r] of rows.entries()) {
      const ours = Number.isFinite(r.ours.sd) ? `${fmt(r.ours.mean)} ± ${fmt(r.ours.sd)}` : fmt(r.ours.mean, 3);
      const paper = r.paper.value === null || r.paper.value === undefined ? '–' : fmt(r.paper.value, 2);
      t.append(el('tr', {}, el('td', { text: String(i + 1) }), el('td', { text: r.condition }), el('td', { text: r.label }), el('td', { text: ours }), el('td', { text: paper }), el('td', { text: r.paper.note })));
    }
    const csv = ['figure,condition,metric,runs,ours_mean,ours_sd,paper,source']
      .concat(rows.map((r) => [r.figure, r.condition, r.label, r.runs, r.ours.mean, Number.isFinite(r.ours.sd) ? r.ours.sd : '', r.paper.value ?? '', r.paper.note].map((v) => `"${String(v).replaceAll('"', '""')}"`).join(',')))
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
          { label: 'ours', stroke: '#4e79a7', fill: '#4e79a766', paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } },
          { label: 'paper', stroke: '#f28e2b', width: 0, points: { show: true, size: 9, fill: '#f28e2b' } }],
      }, [xs, rs.map((r) => r.ours.mean), rs.map((r) => r.paper.value ?? null)], plotBox);
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

  // ---- GPU ------------------------------------------------------------------------------------
  function sizeCanvas() {
    const rect = canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    return [Math.round(rect.width * dpr), Math.round(rect.height * dpr)];
  }

  async function openView(build, backend, target) {
    const [w, h] = sizeCanvas();
    target.width = Math.max(1, w);
    target.height = Math.max(1, h);
    return serialGpu(() => build.create_view(target, backend));
  }

  function freshCanvas() {
    const c = canvas.cloneNode(false);
    canvas.replaceWith(c);
    canvas = c;
    return c;
  }

  let resizeObserver = null;
  function observeSize() {
    resizeObserver = new ResizeObserver((entries) => {
      for (const entry of entries) {
        let w, h;
        const box = entry.devicePixelContentBoxSize && entry.devicePixelContentBoxSize[0];
        if (box) { w = box.inlineSize; h = box.blockSize; } else {
          const dpr = window.devicePixelRatio || 1;
          w = Math.round(entry.contentRect.width * dpr); h = Math.round(entry.contentRect.height * dpr);
        }
        if (w === 0 || h === 0 || !view) continue;
        const max = view.max_side();
        w = Math.min(w, max); h = Math.min(h, max);
        if (canvas.width !== w || canvas.height !== h) {
          canvas.width = w; canvas.height = h;
          view.resize(w, h);
          needDraw = true;
        }
      }
    });
    try { resizeObserver.observe(canvas, { box: 'device-pixel-content-box' }); } catch { resizeObserver.observe(canvas); }
  }

  // ---- frame loop -----------------------------------------------------------------------------
  function frame(now) {
    frameId = 0;
    if (destroyed) return;
    const dt = lastTime === null ? 0 : now - lastTime;
    lastTime = now;
    if (lab.advance(dt, playing)) { needDraw = true; plotDirty = true; stateDirty = true; }
    if (stateDirty) emitState(false);
    if (playing && lab.done()) { playing = false; emit('done', handle.state()); emitState(true); }
    if (needDraw && view) {
      try {
        if (view.draw_sorting(lab)) {
          needDraw = false;
          if (!drawnOnce) {
            drawnOnce = true;
            metrics.firstFrameMs = performance.now() - t0;
            emit('frame', { first: true, ms: metrics.firstFrameMs });
          }
        }
        for (const e of view.take_errors()) notice(`GPU: ${e}`, 'error');
      } catch (e) {
        notice(`Drawing stopped: ${e.message || e}. The numbers, plots and exports keep working.`, 'error');
        view = null;
        badge.textContent = 'no GPU';
      }
    }
    if (plot && plotDirty && now - lastPlotTime > 150) {
      updatePlots();
      plotDirty = false;
      lastPlotTime = now;
    }
    updateReadout();
    schedule();
  }

  function schedule() {
    if (!frameId && !destroyed && visible && started) frameId = requestAnimationFrame(frame);
  }

  let keydown = null;

  // Click a bar to freeze or unfreeze that cell (the run restarts with it damaged from the start).
  function canvasClick(e) {
    if (!started) return;
    const rect = canvas.getBoundingClientRect();
    const frac = (e.clientX - rect.left) / rect.width;
    const n = lab.readout().n;
    const position = Math.min(n - 1, Math.max(0, Math.floor(frac * n)));
    for (const note of lab.toggle_frozen(position)) notice(note.message);
    playing = false;
    changed();
    syncInputs();
    schedule();
  }

  // Inputs show the lab's values after changes made elsewhere (clicks, setParams).
  function syncInputs() {
    for (const input of params.querySelectorAll('[data-key]')) {
      const v = lab.param(input.dataset.key);
      if (v !== undefined && input.type !== 'range') input.value = v;
    }
  }

  function docKeydown(e) {
    if (e.target === document.body) keydown(e);
  }

  // ---- the handle -----------------------------------------------------------------------------
  const handle = {
    element: root,
    metrics,
    play() { if (!started) return; if (lab.done()) lab.reset(); playing = true; lastTime = null; changed(); schedule(); },
    pause() { playing = false; changed(); },
    step() { if (!started) return; playing = false; lab.step_forward(); changed(); schedule(); },
    back() { if (!started) return; playing = false; lab.step_back(); changed(); schedule(); },
    reset() { if (!started) return; playing = false; lab.reset(); changed(); schedule(); },
    seek(step) { lab.seek(step); changed(); schedule(); },
    setParams(values) { for (const [k, v] of Object.entries(values)) setParam(k, v); schedule(); },
    state() {
      if (!started) return { ready: false };
      return { ready: true, experiment: 'sorting', query: lab.query(), position: lab.position(), target: lab.target(),
        busy: lab.busy(), done: lab.done(), playing, clean: !needDraw || !view, backend: view ? view.backend() : 'none', build: metrics.build,
        readout: lab.readout() };
    },
    on(event, fn) { (listeners[event] ||= []).push(fn); return () => { listeners[event] = listeners[event].filter((f) => f !== fn); }; },
    setVisible(v) { visible = v; if (v) { lastTime = null; schedule(); } },
    /** Render offscreen and read back RGBA (Uint8Array), rows top to bottom. */
    async readPixels(w, h) {
      if (!view) throw new Error('no GPU view: drawing is not available in this browser');
      return view.read_sorting(lab, w, h);
    },
    async png() {
      const [w, h] = [canvas.width, canvas.height];
      const rgba = await handle.readPixels(w, h);
      const c = document.createElement('canvas');
      c.width = w; c.height = h;
      c.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length), w, h), 0, 0);
      return new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
    },
    destroy() {
      destroyed = true;
      if (frameId) cancelAnimationFrame(frameId);
      worker?.terminate();
      reproWorkers.forEach((w) => w.terminate());
      resizeObserver?.disconnect();
      document.removeEventListener('keydown', docKeydown);
      root.remove();
      lab?.free(); view?.free();
      lab = null; view = null; started = false;
    },
  };

  // ---- start ------------------------------------------------------------------------------------
  keydown = transportKeys(handle);
  handle.ready = (async () => {
    const query = options.query ?? '';
    // Which build: WebGPU-only unless WebGL2 is forced or the browser has no WebGPU at all.
    const forced = /(?:^|[?&])backend=(webgl2?|gl)(?:&|$)/i.test(query) ? 'webgl2'
      : /(?:^|[?&])backend=webgpu(?:&|$)/i.test(query) ? 'webgpu' : 'auto';
    const wantGpu = forced !== 'webgl2' && 'gpu' in navigator;
    mod = await loadBuild(wantGpu ? 'webgpu-sorting' : 'webgl');
    lab = new mod.SortingLab(query);
    let opts = lab.view_options();
    if (opts.autoplay) playing = true;

    try {
      view = await openView(mod, forced === 'webgl2' ? 'webgl2' : 'webgpu', canvas);
    } catch (e) {
      const why = String(e.message || e);
      if (forced === 'webgpu') gpuNote = `WebGPU was requested but is not available here (${why}); using WebGL2.`;
      console.info(`WebGPU unavailable: ${why}`);
      if (mod.kind !== 'webgl') {
        // Fall back to the WebGL2 build, on a fresh canvas, with the same state.
        const old = lab;
        mod = await loadBuild('webgl');
        lab = new mod.SortingLab(old.query());
        old.free();
        opts = lab.view_options();
      }
      try {
        view = await openView(mod, 'webgl2', freshCanvas());
      } catch (e2) {
        view = null;
        gpuNote = 'No GPU drawing here: this browser offers neither a WebGPU adapter nor WebGL2. The numbers, plots and exports still work.';
        gpuDetail = `WebGPU: ${why}\nWebGL2: ${e2.message || e2}`;
      }
    }
    if (forced === 'webgpu' && view && view.backend() !== 'webgpu' && !gpuNote) {
      gpuNote = 'WebGPU was requested (backend=webgpu) but this browser has no WebGPU adapter; using WebGL2.';
    }
    if (gpuNote) notice(gpuNote, view ? 'warn' : 'error', gpuDetail);
    metrics.build = mod.kind;
    metrics.wasmLoadMs = mod.loadMs;
    showBackend(view, badge, overlay);
    takeNotices();
    makeControls(opts);
    makePlot();
    if (plot) updatePlots();
    if (chrome) makeLegend();
    makeExports();
    makeBatch();
    makeReproduce();
    makeTraversal();
    root.addEventListener('keydown', keydown);
    if (chrome || !opts.controls || opts.controls.includes('freeze')) stage.addEventListener('click', canvasClick);
    if (chrome) document.addEventListener('keydown', docKeydown);
    if (view) observeSize();
    started = true;
    emit('ready', handle.state());
    schedule();
    return handle;
  })().catch((e) => {
    notice(`The lab could not start: ${e.message || e}`, 'error');
    emit('error', e);
    throw e;
  });

  Object.defineProperty(handle, 'canvas', { get: () => canvas });

  return handle;
}

/** `<emergence-lab experiment="sorting" seed="7" controls="play,step,n" autoplay>` */
class EmergenceLabElement extends HTMLElement {
  connectedCallback() {
    if (this.handle || this.observer) return;
    // Start only when scrolled near; pause while off-screen.
    this.observer = new IntersectionObserver((entries) => {
      const near = entries.some((e) => e.isIntersecting);
      if (near && !this.handle) this.start();
      this.handle?.setVisible(near);
    }, { rootMargin: '200px' });
    this.observer.observe(this);
  }
  start() {
    const pairs = [];
    for (const { name, value } of this.attributes) {
      if (['style', 'class', 'id', 'title'].includes(name)) continue;
      const key = name === 'experiment' ? 'exp' : name;
      pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(name === 'autoplay' && value === '' ? '1' : value)}`);
    }
    this.handle = mount(this, { query: pairs.join('&'), chrome: false });
    this.dispatchEvent(new CustomEvent('lab-mounted', { detail: this.handle }));
  }
  disconnectedCallback() {
    this.observer?.disconnect();
    this.observer = null;
    this.handle?.destroy();
    this.handle = null;
  }
}

if (!customElements.get('emergence-lab')) customElements.define('emergence-lab', EmergenceLabElement);
