// The Hopfield experiment's own parts of the page (the skeleton is shell.js): captions under the
// stage, the stored patterns and the β film strip (two more wgpu views), the energy, overlap and
// weight plots, the pitchfork, drawing and importing patterns, the WebGPU compute comparison,
// capacity curves in a Web Worker, and the modern step off the page's thread (WebGPU compute or
// a pool of workers). The models, patterns, energies and pictures are Rust (src/hopfield).

import uPlot from '../vendor/uPlot.esm.js';
import { ModernPool } from '../modern-pool.js';
import { el, fmt, download, serialGpu, docLink } from '../common.js';

const STRIP_BETAS = 9;
const PITCHFORK_BETAS = 48;
const THUMBS_PER_ROW = 12;
const decadeLabels = (u, splits) => splits.map((v) => (Number.isInteger(v) ? `1e${v}` : ''));

/** The module's state and panels for one lab (a page may hold several). */
function create(ctx) {
  const notice = ctx.notice, emit = ctx.emit;
  let patternsView = null, stripView = null, capJob = null, gpuCompute = null, gpuComputeKey = '';
  let energyPlot = null, overlapPlot = null, weightPlot = null, forkPlot = null, capPlot = null;
  let entropyPlot = null, deltaPlot = null, errorPlot = null, accPlot = null, accJob = null;
  // What the last 'extras' event carried (for tests that open the page after it fired).
  let lastExtras = null;
  let plotsDirty = true, extrasDirty = true, lastStep = 0;
  // The import choices outlive the draw box (it is rebuilt after each store); importPixels is
  // the current box's way to load pixels.
  const importChoice = { mode: 'binarise', threshold: 128 };
  // An imported image's limits: the file's size, and its decoded size (RGBA, 4 bytes a pixel).
  const MAX_IMPORT_BYTES = 32 * 2 ** 20, MAX_IMPORT_PIXELS = 64e6;
  let importPixels = null;
  // The modern steps off the page's thread: on the WebGPU compute path (compute=gpu) or on a pool
  // of workers (compute=workers, or auto with a large store). The stored patterns go to the GPU
  // or the workers once per session generation; an update still in flight when the session moves
  // on is dropped. stepFailed names the generation and path that failed (the page's thread steps
  // for the rest of it; the notice said why).
  let stepper = null, stepperKey = '', stepBusy = false, stepFailed = null;
  // *Steps: modern steps computed off the page's thread; *Settles: last energies of a run booked
  // from dot products computed there (the page's thread books them where that fails).
  // poolSignalledSteps: pool steps whose first pass went through shared memory (a cross-origin
  // isolated page, two passes after a retrieval; www/modern-signal.js).
  const metrics = Object.assign(ctx.metrics, { gpuSteps: 0, poolSteps: 0, poolSignalledSteps: 0, poolWorkers: 0, gpuSettles: 0, poolSettles: 0 });
  const captions = el('div', { class: 'el-captions' }, el('span', { text: 'query' }), el('span', { text: 'state' }), el('span', { text: 'target pattern' }));
  const patternsCanvas = el('canvas', { class: 'el-canvas el-patterns-canvas', 'aria-label': 'the stored patterns' });
  const patternsBox = el('div', { class: 'el-hf-patterns' }, el('h3', { text: 'Stored patterns' }), el('div', { class: 'el-stage el-thumbs' }, patternsCanvas));
  const plots = el('div', { class: 'el-plots el-hf-plots' });
  const stripCanvas = el('canvas', { class: 'el-canvas el-strip-canvas', 'aria-label': 'retrieved state for a range of β' });
  const stripLabels = el('div', { class: 'el-strip-labels' });
  const stripBox = el('div', { class: 'el-hf-strip' }, el('h3', { text: 'β film strip: one modern update of the query at each β' }), el('div', { class: 'el-stage el-strip' }, stripCanvas), stripLabels);
  const forkBox = el('div', { class: 'el-hf-fork' });
  const drawBox = el('div', { class: 'el-hf-draw' });
  const gpuBox = el('div', { class: 'el-hf-gpu' });
  const capBox = el('div', { class: 'el-hf-capacity' });
  const entropyBox = el('div', { class: 'el-hf-entropy' });
  const sepBox = el('div', { class: 'el-hf-separation' });
  const accBox = el('div', { class: 'el-hf-accuracy' });

  function barsPlot(container, title, xLabel, yLabel, values, colour, old, range = null) {
    old?.destroy();
    const xs = values.map((_, i) => i);
    return new uPlot({
      width: Math.max(280, container.clientWidth / 3 - 12 || 360), height: 200, title,
      legend: { show: false },
      scales: { x: { time: false, range: [-0.7, Math.max(1, values.length) - 0.3] }, y: range ? { range } : { auto: true } },
      axes: [{ stroke: '#bbb', grid: { show: false }, label: xLabel }, { stroke: '#bbb', grid: { stroke: '#333' }, label: yLabel, size: 55 }],
      // Past a thousand patterns the bars are thinner than a pixel: a filled line draws the same
      // picture without a rectangle per pattern.
      series: [{}, { stroke: colour, fill: `${colour}99`, paths: values.length > 1000 ? undefined : uPlot.paths.bars({ size: [0.8, 30] }), points: { show: false } }],
    }, [xs, values], container);
  }

  function updatePlots() {
    if (!ctx.chrome) return;
    const energies = Array.from(ctx.lab.energies());
    const info = ctx.lab.readout();
    const xs = energies.map((_, i) => i);
    const series = [{ label: 'step' }, { label: 'energy', stroke: '#f28e2b', width: 2 }];
    const data = [xs, energies.map((e) => (Number.isFinite(e) ? e : null))];
    if (info.bounds) {
      series.push({ label: 'lower bound 0', stroke: '#59a14f', dash: [5, 4] }, { label: 'upper bound 2M²', stroke: '#e15759', dash: [5, 4] });
      data.push(xs.map(() => info.bounds[0]), xs.map(() => info.bounds[1]));
    }
    energyPlot?.destroy();
    plots.replaceChildren();
    energyPlot = new uPlot({
      width: Math.max(280, plots.clientWidth / 3 - 12 || 360), height: 200, title: 'Energy per step',
      scales: { x: { time: false } },
      axes: [{ stroke: '#bbb', grid: { stroke: '#333' }, label: 'step' }, { stroke: '#bbb', grid: { stroke: '#333' }, size: 70 }],
      series,
    }, data, plots);
    // The overlaps of the state whose energy is the plot's last point (during play one step
    // behind the picture: the next update supplies both, with no extra pass over the patterns).
    const behind = info.energy_step < info.steps ? ` (step ${info.energy_step})` : '';
    overlapPlot = barsPlot(plots, `Overlap with each stored pattern${behind}`, 'pattern', 'overlap m', Array.from(ctx.lab.booked_overlaps()), '#4e79a7', null, [-1, 1]);
    const w = Array.from(ctx.lab.weights());
    if (w.length) weightPlot = barsPlot(plots, 'Softmax weights p (averaging vs one pattern)', 'pattern', 'p', w, '#f28e2b', null, [0, 1]);
    else { weightPlot = null; plots.append(el('p', { class: 'el-help', text: 'Softmax weights exist for the modern model only.' })); }
  }

  // ---- the β film strip and the pitchfork -----------------------------------------------------
  function betaRange(center, count, decades) {
    return Array.from({ length: count }, (_, i) => center * 10 ** (decades * (i / (count - 1) - 0.5)));
  }
  // The pitchfork runs up to 48 β × 2 starts × 50 updates over the whole store: beyond this many
  // stored values (N·d) the strip and the pitchfork are computed in a worker, from the page's URL
  // (which holds the whole state, so the worker's session is the page's), while the page stays
  // responsive.
  const EXTRAS_WORKER_VALUES = 1 << 18;
  let extrasWorker = null;
  function updateExtras() {
    if (!ctx.chrome) return;
    const beta = Number(ctx.lab.param('beta'));
    const betas = betaRange(beta, STRIP_BETAS, 4), forkBetas = betaRange(beta, PITCHFORK_BETAS, 4);
    extrasWorker?.terminate();
    extrasWorker = null;
    const info = ctx.lab.readout();
    if (info.count * info.width * info.height < EXTRAS_WORKER_VALUES || typeof Worker === 'undefined') {
      let strip = null, entropy = null, separation = null;
      try { strip = ctx.lab.beta_strip_picture(betas); } catch (e) { notice(`strip: ${e.message || e}`, 'error'); }
      try { entropy = ctx.lab.entropy(forkBetas); separation = ctx.lab.separation(); } catch (e) { notice(`separation: ${e.message || e}`, 'error'); }
      showExtras(betas, strip, ctx.lab.pitchfork(forkBetas), entropy, separation);
      return;
    }
    const status = el('p', { class: 'el-help el-fork-status', role: 'status', text: 'Computing the β strip and the pitchfork in a background worker (a large store)…' });
    forkPlot?.destroy();
    forkPlot = null;
    forkBox.replaceChildren(el('h3', { text: 'Metastable states: the pitchfork of the two most similar patterns' }), status);
    const worker = extrasWorker = ctx.worker();
    const stop = () => { worker.terminate(); if (extrasWorker === worker) extrasWorker = null; };
    worker.onmessage = ({ data }) => {
      if (worker !== extrasWorker || ctx.destroyed) return stop();
      if (data.error) { stop(); status.textContent = `The pitchfork could not be computed: ${data.error}`; }
      else if (data.extras) { stop(); showExtras(betas, data.extras.strip, data.extras.fork, data.extras.entropy, data.extras.separation); }
      else if (data.progress !== undefined) status.textContent = `Computing the β strip and the pitchfork in a background worker (a large store): ${Math.round(100 * data.progress)} %`;
    };
    worker.onerror = (e) => { e.preventDefault?.(); stop(); status.textContent = `The pitchfork could not be computed: ${e.message || 'the worker failed'}`; };
    worker.postMessage({ kind: 'hopfield-extras', query: ctx.lab.query(), stripBetas: betas, forkBetas });
  }

  /** Draws the β strip (`strip`: its picture, or null), the pitchfork (`fork`), the entropy
   * curve and the separation view (each null when it could not be computed). */
  function showExtras(betas, strip, fork, entropy, separation) {
    drawEntropy(entropy);
    drawSeparation(separation);
    if (stripView && strip) {
      try { stripView.draw_grid(strip, ctx.lab.beta_strip_columns(betas.length)); } catch (e) { notice(`strip: ${e.message || e}`, 'error'); }
    }
    stripLabels.replaceChildren(...betas.map((b) => el('span', { text: `β = ${Number(b.toPrecision(2))}` })));
    // Put the labels under the pictures: the grid renderer centres whole-pixel cells with a
    // 6 px margin (src/render/grid.rs), so the pictures span cols·cell device pixels.
    const cols = ctx.lab.beta_strip_columns(betas.length), rows = ctx.lab.readout().height;
    const W = stripCanvas.width, H = stripCanvas.height;
    const cell = Math.max(1, Math.floor(Math.min((W - 12) / cols, (H - 12) / rows)));
    const scale = stripCanvas.clientWidth / Math.max(1, W);
    stripLabels.style.marginLeft = `${(6 + Math.floor((W - 12 - cols * cell) / 2)) * scale}px`;
    stripLabels.style.width = `${cols * cell * scale}px`;
    forkPlot?.destroy();
    forkBox.replaceChildren(el('h3', { text: 'Metastable states: the pitchfork of the two most similar patterns' }));
    if (!fork.points.length) { forkBox.append(el('p', { class: 'el-help', text: 'Needs two different stored patterns.' })); return; }
    const xs = fork.points.map((p) => Math.log10(p.beta));
    // β_c = 4/‖a−b‖² holds for patterns of equal norm only (Rust says NaN otherwise).
    const bc = fork.equal_norms && Number.isFinite(fork.beta_c) ? fork.beta_c : null;
    forkPlot = new uPlot({
      width: Math.max(300, forkBox.clientWidth || 700), height: 260,
      title: `patterns ${fork.a} and ${fork.b}: ‖a−b‖² = ${fmt(fork.dist2, 1)}, ` + (fork.equal_norms ? `β_c = 4/‖a−b‖² = ${bc ? Number(bc.toPrecision(3)) : '–'}` : 'no β_c: ‖a‖ ≠ ‖b‖'),
      scales: { x: { time: false }, y: { range: [-1.1, 1.1] } },
      axes: [{ stroke: '#bbb', grid: { stroke: '#333' }, label: 'β (log scale)', incrs: [1], values: decadeLabels }, { stroke: '#bbb', grid: { stroke: '#333' }, label: 't* (−1: b, 0: midpoint, +1: a)' }],
      series: [{ label: 'log10 β' },
        { label: 'from t₀ = +0.01', stroke: '#4e79a7', width: 2, points: { show: true, size: 4 } },
        { label: 'from t₀ = −0.01', stroke: '#f28e2b', width: 2, points: { show: true, size: 4 } },
        { label: 'two-pattern theory tanh(β‖a−b‖²t/4)', stroke: '#bbb', dash: [5, 4] }],
      hooks: { drawAxes: [(u) => {
        if (!bc) return;
        const x = u.valToPos(Math.log10(bc), 'x', true);
        const { ctx } = u; const { top, height } = u.bbox;
        ctx.save(); ctx.strokeStyle = '#e15759'; ctx.setLineDash([4, 4]); ctx.lineWidth = 2 * devicePixelRatio;
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
        ctx.fillStyle = '#e15759'; ctx.font = `${12 * devicePixelRatio}px system-ui`; ctx.fillText('β_c', x + 4, top + 14 * devicePixelRatio);
        ctx.restore();
      }] },
    }, [xs, fork.points.map((p) => p.t_plus), fork.points.map((p) => p.t_minus), fork.points.map((p) => (Number.isFinite(p.theory) ? p.theory : null))], forkBox);
    if (!fork.equal_norms) forkBox.append(el('p', { class: 'el-help el-fork-unequal', text: 'These two patterns differ in norm, so the softmax weighs them unequally at their midpoint: the midpoint is not a fixed point, and β_c = 4/‖a−b‖² and the two-pattern theory do not apply (they hold for ±1 patterns, or any of equal norm).' }));
    forkBox.append(el('p', { class: 'el-help' }, 'Every stored pattern takes part in the update; the start is the midpoint of a and b shifted by ±0.01 of their half-difference. Below β_c the metastable midpoint is stable (t* = 0); above it the state falls to a or b (derived in ', docLink('hopfield.md'), ', "What the lab derived itself"). With the blog scaling, β is divided by √d inside the update and β_c is shown in slider units.'));
    lastExtras = { strip: betas.length, pitchfork: fork.points.length, beta_c: bc, entropy, separation };
    emit('extras', lastExtras);
  }

  // ---- the softmax entropy against β and the separation view (Ramsauer et al.) ---------------
  /** log₁₀ v, at least `floor` (an error of exactly 0 is drawn on the floor); null for ∞. */
  const log10Floor = (v, floor) => (Number.isFinite(v) ? Math.max(floor, Math.log10(Math.max(v, 1e-300))) : null);

  /** A dashed horizontal line at y = `y` with a label, drawn over a uPlot. */
  const hLine = (y, colour, label) => (u) => {
    if (!Number.isFinite(y)) return;
    const { ctx } = u; const { left, width } = u.bbox;
    const py = u.valToPos(y, 'y', true);
    ctx.save(); ctx.strokeStyle = colour; ctx.setLineDash([5, 4]); ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.beginPath(); ctx.moveTo(left, py); ctx.lineTo(left + width, py); ctx.stroke();
    ctx.fillStyle = colour; ctx.font = `${11 * devicePixelRatio}px system-ui`; ctx.textAlign = 'left'; ctx.textBaseline = 'bottom';
    ctx.fillText(label, left + 4, py - 3 * devicePixelRatio);
    ctx.restore();
  };

  function drawEntropy(curve) {
    entropyPlot?.destroy();
    entropyPlot = null;
    entropyBox.replaceChildren(el('h3', { text: 'Averaging or one memory: the entropy of the softmax weights against β' }));
    if (!curve || !curve.points.length) { entropyBox.append(el('p', { class: 'el-help', text: 'The entropy could not be computed for these patterns.' })); return; }
    const beta = Number(ctx.lab.param('beta'));
    const xs = curve.points.map((p) => Math.log10(p.beta));
    entropyPlot = new uPlot({
      width: Math.max(300, entropyBox.clientWidth || 700), height: 240, legend: { live: false },
      title: `H(p) in nats, N = ${ctx.lab.readout().count}: ln N = ${fmt(curve.ln_n, 3)} is the global average, 0 one pattern`,
      scales: { x: { time: false }, y: { range: [-0.05 * curve.ln_n - 0.01, 1.08 * curve.ln_n + 0.01] } },
      axes: [{ stroke: '#bbb', grid: { stroke: '#333' }, label: 'β (log scale)', incrs: [1], values: decadeLabels }, { stroke: '#bbb', grid: { stroke: '#333' }, label: 'H(p) (nats)' }],
      series: [{ label: 'log10 β' },
        { label: 'one update of the query', stroke: '#4e79a7', width: 2, points: { show: true, size: 4 } },
        { label: 'where the iteration settles', stroke: '#f28e2b', width: 2, points: { show: true, size: 4 } }],
      hooks: { draw: [hLine(curve.ln_n, '#9c9c9c', 'ln N: uniform weights'), (u) => {
        const x = u.valToPos(Math.log10(beta), 'x', true);
        const { ctx: g } = u; const { top, height } = u.bbox;
        g.save(); g.strokeStyle = '#e15759'; g.setLineDash([2, 3]); g.lineWidth = 1.5 * devicePixelRatio;
        g.beginPath(); g.moveTo(x, top); g.lineTo(x, top + height); g.stroke();
        g.fillStyle = '#e15759'; g.font = `${11 * devicePixelRatio}px system-ui`; g.textAlign = 'left'; g.textBaseline = 'bottom';
        g.fillText('β now', x + 4, top + height - 4 * devicePixelRatio);
        g.restore();
      }] },
    }, [xs, curve.points.map((p) => p.one_step), curve.points.map((p) => p.settled)], entropyBox);
    entropyBox.append(el('p', { class: 'el-help' }, 'H(p) = −Σ pᵢ ln pᵢ of the softmax weights. For one update it can only fall as β grows (dH/dβ = −β Var_p(Xξ) ≤ 0): from ln N, where the update returns the average of all the patterns (a global fixed point), through metastable states that average a few similar patterns, to 0, where one pattern takes all the weight (Ramsauer et al., Section 2). See ', docLink('hopfield.md'), ', "The analysis views".'));
  }

  function drawSeparation(view) {
    deltaPlot?.destroy(); errorPlot?.destroy();
    deltaPlot = errorPlot = null;
    sepBox.replaceChildren(el('h3', { text: 'Which patterns one update retrieves, and why: separation against Theorem 5' }));
    if (!view || !view.rows.length) { sepBox.append(el('p', { class: 'el-help', text: 'The separation could not be computed for these patterns.' })); return; }
    const rows = view.rows, xs = rows.map((_, k) => k);
    const width = Math.max(280, sepBox.clientWidth / 2 - 12 || 360);
    const well = rows.filter((r) => r.well_separated).length, one = rows.filter((r) => r.one_step).length;
    const listed = rows.length < view.patterns ? ` (the first ${rows.length} of ${view.patterns})` : '';
    // The log plot's floor: two decades below the smallest bound (at most 10⁻¹²); errors of 0
    // sit on it.
    const smallest = Math.min(...rows.map((r) => (r.bound > 0 && Number.isFinite(r.bound) ? Math.log10(r.bound) : 0)));
    const floor = Math.max(-300, Math.min(-12, Math.floor(smallest) - 2));
    deltaPlot = new uPlot({
      width, height: 220, title: `Separation Δᵢ of each stored pattern${listed}`, legend: { live: false },
      scales: { x: { time: false, range: [-0.7, Math.max(1, rows.length) - 0.3] } },
      axes: [{ stroke: '#bbb', grid: { show: false }, label: 'pattern', values: (u, splits) => splits.map((v) => (Number.isInteger(v) && rows[v] ? String(rows[v].pattern) : '')) }, { stroke: '#bbb', grid: { stroke: '#333' }, label: 'Δᵢ', size: 60 }],
      series: [{ label: 'pattern' },
        { label: 'well separated', stroke: '#59a14f', fill: '#59a14f99', paths: uPlot.paths.bars({ size: [0.8, 30] }), points: { show: false } },
        { label: 'not', stroke: '#f28e2b', fill: '#f28e2b99', paths: uPlot.paths.bars({ size: [0.8, 30] }), points: { show: false } }],
      hooks: { draw: [hLine(view.threshold, '#e15759', `well separated: Δ ≥ ${fmt(view.threshold, 3)}`)] },
    }, [xs, rows.map((r) => (r.well_separated ? r.delta : null)), rows.map((r) => (r.well_separated ? null : (Number.isFinite(r.delta) ? r.delta : null)))], sepBox);
    errorPlot = new uPlot({
      width, height: 220, title: 'One update from each pattern: its error and Theorem 5\'s bound (log₁₀)', legend: { live: false },
      scales: { x: { time: false, range: [-0.7, Math.max(1, rows.length) - 0.3] } },
      axes: [{ stroke: '#bbb', grid: { show: false }, label: 'pattern', values: (u, splits) => splits.map((v) => (Number.isInteger(v) && rows[v] ? String(rows[v].pattern) : '')) }, { stroke: '#bbb', grid: { stroke: '#333' }, label: 'log₁₀ ‖f(xᵢ) − xᵢ‖', size: 60 }],
      series: [{ label: 'pattern' },
        { label: 'the update\'s error', stroke: '#4e79a7', width: 0, points: { show: true, size: 7, fill: '#4e79a7' } },
        { label: 'bound 2(N−1)e^(−βΔᵢ)M', stroke: '#e15759', width: 0, points: { show: true, size: 7, fill: 'transparent' } }],
      hooks: { draw: [hLine(Math.log10(1e-3 * view.max_norm), '#9c9c9c', 'one step: error ≤ 10⁻³‖xᵢ‖')] },
    }, [xs, rows.map((r) => log10Floor(r.error, floor)), rows.map((r) => log10Floor(r.bound, floor))], sepBox);
    const q = view.query;
    sepBox.append(el('p', { class: 'el-hf-sep-summary', text:
      `β = ${fmt(view.beta_effective, 4)} in the paper's formula, M = ${fmt(view.max_norm, 2)}: ${well} of ${rows.length} listed patterns are well separated, ${one} come back from themselves in one update. `
      + `The query (from pattern ${q.target}): Δ̃ = ${fmt(q.delta, 3)}, bound ${Number(q.bound ?? Infinity).toPrecision(3)}, error of one update ${Number(q.error).toPrecision(3)}, weight on its pattern p = ${fmt(q.p_target, 4)}.` }));
    sepBox.append(el('p', { class: 'el-help' }, 'Δᵢ = xᵢᵀxᵢ − max_{j≠i} xᵢᵀxⱼ (Definition 1); a pattern is well separated when Δᵢ ≥ 2/(βN) + β⁻¹ ln(2(N−1)NβM²). One update from xᵢ lands within 2(N−1)e^(−βΔᵢ)M of it (Theorem 5: 1 − pᵢ ≤ (N−1)e^(−βΔᵢ)), so a large separation or a large β retrieves a pattern in one step; a small or negative one lets its neighbours pull the update towards them. An error of 0 (f32 reproduces the pattern exactly) is drawn at the plot\'s floor. See ', docLink('hopfield.md'), ', "The analysis views".'));
  }

  // ---- jobs in a Web Worker: Run, Cancel, progress, status ----------------------------------
  /** The controls of a job run in a fresh Web Worker (capacity, accuracy): `start(message,
   *  onData)` posts the job and passes every message but progress and errors to `onData`;
   *  `stop(text)` ends it (Cancel, a failure, or `onData` when the job is done). */
  function workerJob(name, prefix) {
    let worker = null;
    const go = el('button', { type: 'button', class: `el-btn el-${prefix}-run` }, 'Run');
    const cancel = el('button', { type: 'button', class: 'el-btn', disabled: '' }, 'Cancel');
    const bar = el('progress', { max: 1, value: 0, class: 'el-progress' });
    const status = el('span', { class: `el-${prefix}-status`, role: 'status' });
    const stop = (text) => { worker?.terminate(); worker = null; go.disabled = false; cancel.disabled = true; status.textContent = text; };
    cancel.addEventListener('click', () => stop('cancelled'));
    const start = (message, onData) => {
      stop('');
      worker = ctx.worker();
      go.disabled = true; cancel.disabled = false; bar.value = 0; status.textContent = 'running…';
      worker.onmessage = ({ data }) => {
        if (data.error) { notice(`${name}: ${data.error}`, 'error'); stop('failed'); return; }
        if (data.progress !== undefined) { bar.value = data.progress; return; }
        onData(data);
      };
      worker.onerror = (e) => { e.preventDefault?.(); notice(`${name} worker: ${e.message || 'it failed'}`, 'error'); stop('failed'); };
      worker.postMessage(message);
    };
    return { go, cancel, bar, status, stop, start };
  }

  /** A uPlot draw hook: ±1 standard error bars at each point, for each [colour, (point) →
   *  [mean, se], x of a point]. */
  const errorBars = (points, x, bars) => (u) => {
    const { ctx: g } = u;
    g.save(); g.lineWidth = 1.5 * devicePixelRatio;
    for (const [colour, of] of bars) {
      g.strokeStyle = colour;
      for (const p of points) {
        const [m, se] = of(p), px = u.valToPos(x(p), 'x', true), e = Number.isFinite(se) ? se : 0;
        g.beginPath(); g.moveTo(px, u.valToPos(m - e, 'y', true)); g.lineTo(px, u.valToPos(m + e, 'y', true)); g.stroke();
      }
    }
    g.restore();
  };

  // ---- retrieval accuracy against corruption (a Web Worker) ----------------------------------
  function makeAccBox() {
    const perLevel = el('input', { type: 'number', min: 1, max: 1000, value: 20, 'aria-label': 'queries per level' });
    const out = el('div', { class: 'el-acc-plot' });
    const job = accJob = workerJob('accuracy', 'acc');
    const { go, cancel, bar, status } = job;
    go.addEventListener('click', () => {
      const n = Math.max(1, Math.min(1000, Math.round(Number(perLevel.value) || 20)));
      perLevel.value = n;
      const t1 = performance.now();
      job.start({ kind: 'hopfield-accuracy', query: ctx.lab.query(), perLevel: n }, (data) => {
        if (!data.curve) return;
        job.stop(`${data.curve.points.length} levels × ${n} queries in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
        drawAccuracy(out, data.curve);
        emit('accuracy', data.curve);
      });
    });
    accBox.replaceChildren(el('h3', { text: 'Retrieval accuracy against corruption (Web Worker)' }),
      el('p', { class: 'el-help', text: 'The page\'s model and stored patterns: at each level, queries made from random stored patterns with that much corruption (the kind chosen above: flips, noise, or a mask of that share of the rows from the bottom with the fill chosen above), each run until it settles. Plotted: the share retrieved exactly, the mean overlap with the pattern, and the mean share of components of the wrong sign, with ±1 standard error.' }),
      el('label', { text: 'queries per level ' }, perLevel), go, cancel, bar, status, out);
  }

  function drawAccuracy(container, curve) {
    const xs = curve.points.map((p) => p.amount);
    const axisLabel = { flip: 'fraction of components flipped', noise: 'noise σ', mask: 'fraction of rows masked' }[curve.axis] ?? curve.axis;
    const series = [['exact', 'exact_se', '#59a14f', 1], ['overlap', 'overlap_se', '#4e79a7', 1], ['wrong', 'wrong_se', '#e15759', 1 / curve.dim]];
    container.replaceChildren();
    accPlot?.destroy();
    accPlot = new uPlot({
      width: Math.max(300, container.clientWidth || 700), height: 280,
      title: `Retrieval by the ${curve.model} model, d = ${curve.dim}, P = ${curve.patterns}`, legend: { live: false },
      // Down to −1 only when some mean overlap is negative (an inverted pattern retrieved).
      scales: { x: { time: false }, y: { range: [Math.min(-0.05, ...curve.points.map((p) => p.overlap - 0.05)), 1.05] } },
      axes: [{ stroke: '#bbb', grid: { stroke: '#333' }, label: axisLabel }, { stroke: '#bbb', grid: { stroke: '#333' } }],
      series: [{ label: curve.axis },
        { label: 'retrieved exactly', stroke: '#59a14f', width: 2, points: { show: true, size: 6 } },
        { label: 'mean overlap with the pattern', stroke: '#4e79a7', width: 2, points: { show: true, size: 6 } },
        { label: 'share of components of the wrong sign', stroke: '#e15759', width: 2, points: { show: true, size: 6 } }],
      hooks: { draw: [errorBars(curve.points, (p) => p.amount, series.map(([key, seKey, colour, scale]) => [colour, (p) => [p[key] * scale, p[seKey] * scale]]))] },
    }, [xs, curve.points.map((p) => p.exact), curve.points.map((p) => p.overlap), curve.points.map((p) => p.wrong / curve.dim)], container);
    const csv = ['axis,amount,queries,exact,exact_se,overlap,overlap_se,wrong,wrong_se,steps']
      .concat(curve.points.map((p) => [curve.axis, p.amount, p.queries, p.exact, p.exact_se, p.overlap, p.overlap_se, p.wrong, p.wrong_se, p.steps].join(','))).join('\n') + '\n';
    container.append(el('div', { class: 'el-exports' },
      el('button', { type: 'button', class: 'el-btn', onclick: () => download(`hopfield-accuracy-${curve.model}.csv`, csv, 'text/csv') }, 'CSV'),
      el('button', { type: 'button', class: 'el-btn', onclick: () => download(`hopfield-accuracy-${curve.model}.json`, JSON.stringify({ ...curve, query: ctx.lab.query() }, null, 2), 'application/json') }, 'JSON')));
  }

  // ---- drawing and importing patterns --------------------------------------------------------
  function makeDrawBox() {
    const info = ctx.lab.readout();
    const side = info.width;
    const scale = Math.max(4, Math.floor(256 / side));
    const pad = el('canvas', { class: 'el-draw-pad', width: side * scale, height: info.height * scale, 'aria-label': 'drawing grid: click or drag to paint' });
    let cells = new Float32Array(side * info.height).fill(-1);
    let pen = 1, down = false;
    const pen2d = pad.getContext('2d');
    // +1 ink (24, 28, 38), −1 paper (236, 232, 220), grey values in between (the stage's colours).
    const shade = (v) => {
      const t = (1 - Math.max(-1, Math.min(1, v))) / 2;
      const mix = (a, b) => Math.round(a + (b - a) * t);
      return `rgb(${mix(24, 236)}, ${mix(28, 232)}, ${mix(38, 220)})`;
    };
    const paint = () => {
      for (let y = 0; y < info.height; y++) for (let x = 0; x < side; x++) {
        pen2d.fillStyle = shade(cells[y * side + x]);
        pen2d.fillRect(x * scale, y * scale, scale, scale);
      }
    };
    const at = (e) => {
      const r = pad.getBoundingClientRect();
      const x = Math.floor(((e.clientX - r.left) / r.width) * side), y = Math.floor(((e.clientY - r.top) / r.height) * info.height);
      if (x >= 0 && y >= 0 && x < side && y < info.height) { cells[y * side + x] = pen; paint(); }
    };
    pad.addEventListener('pointerdown', (e) => { down = true; pad.setPointerCapture(e.pointerId); at(e); });
    pad.addEventListener('pointermove', (e) => { if (down) at(e); });
    pad.addEventListener('pointerup', () => { down = false; });
    const penBtn = el('button', { type: 'button', class: 'el-btn' }, 'pen: ink');
    penBtn.addEventListener('click', () => { pen = -pen; penBtn.textContent = pen > 0 ? 'pen: ink' : 'pen: paper'; });
    const clear = el('button', { type: 'button', class: 'el-btn', onclick: () => { cells.fill(-1); paint(); } }, 'clear');
    const fromQuery = el('button', { type: 'button', class: 'el-btn', onclick: () => { cells = Float32Array.from(ctx.lab.query_values(), (v) => (v > 0 ? 1 : -1)); paint(); } }, 'copy the query');
    const add = el('button', { type: 'button', class: 'el-btn el-draw-add', onclick: () => {
      try { for (const n of ctx.lab.add_drawn(cells)) notice(n.message); } catch (e) { notice(String(e.message || e), 'error'); return; }
      ctx.syncInputs(); ctx.changed(true); makeDrawBox();
    } }, 'store as a pattern');
    const file = el('input', { type: 'file', accept: 'image/*', 'aria-label': 'import an image' });
    const importMode = el('select', { class: 'el-import-mode', 'aria-label': 'how an imported image becomes a pattern' },
      el('option', { value: 'binarise', text: 'binarised' }), el('option', { value: 'greyscale', text: 'greyscale' }));
    const threshold = el('input', { type: 'number', class: 'el-import-threshold', min: 0, max: 255, step: 1, value: 128, 'aria-label': 'binarising threshold (mean of RGB, 0–255)' });
    importMode.value = importChoice.mode;
    threshold.value = importChoice.threshold;
    importMode.addEventListener('change', () => { importChoice.mode = importMode.value; threshold.disabled = importMode.value === 'greyscale'; });
    threshold.addEventListener('change', () => { importChoice.threshold = threshold.value; });
    threshold.disabled = importMode.value === 'greyscale';
    // Any file may arrive here: it is checked before and after decoding, and a bad one leaves
    // the pad as it was, with a notice that names it (as text).
    file.addEventListener('change', async () => {
      const f = file.files?.[0];
      if (!f) return;
      const name = `"${f.name.length > 80 ? `${f.name.slice(0, 80)}…` : f.name}"`;
      let bitmap = null;
      try {
        if (f.size === 0) throw new Error('the file is empty');
        if (f.size > MAX_IMPORT_BYTES) throw new Error(`it has ${(f.size / 2 ** 20).toFixed(1)} MiB; at most ${MAX_IMPORT_BYTES / 2 ** 20} MiB are read`);
        bitmap = await createImageBitmap(f).catch(() => { throw new Error(`it is not an image this browser can decode (type ${f.type || 'unknown'})`); });
        if (!bitmap.width || !bitmap.height) throw new Error('the image has no pixels');
        if (bitmap.width * bitmap.height > MAX_IMPORT_PIXELS) throw new Error(`${bitmap.width}×${bitmap.height} pixels are more than ${MAX_IMPORT_PIXELS / 1e6} million`);
        const w = Math.min(bitmap.width, 1024), h = Math.min(bitmap.height, 1024);
        const c = new OffscreenCanvas(w, h);
        const g = c.getContext('2d');
        g.drawImage(bitmap, 0, 0, w, h);
        const rgba = new Uint8Array(g.getImageData(0, 0, w, h).data.buffer);
        await importPixels(rgba, w, h);
      } catch (e) {
        notice(`The image ${name} was not imported: ${e.message || e}. The drawing is unchanged.`, 'error');
      } finally {
        bitmap?.close();
        file.value = ''; // the same file can be chosen again
      }
    });
    /** Pixels (RGBA) into the pad with the chosen mode; also the tests' way in (no file dialog). */
    importPixels = async (rgba, w, h) => {
      const t = Number(threshold.value);
      if (!(t >= 0 && t <= 255)) { threshold.value = 128; importChoice.threshold = 128; notice('threshold: not a number from 0 to 255; using 128.'); }
      cells = Float32Array.from(ctx.lab.import_rgba(rgba, w, h, Number(threshold.value), importMode.value === 'greyscale'));
      paint();
    };
    drawBox.replaceChildren(el('h3', { text: 'Draw or import a pattern' }),
      el('p', { class: 'el-help', text: `Paint on the ${side}×${info.height} grid (the grid side is a parameter), or import an image, resized with an area average, then binarised (mean of RGB above the threshold is paper, −1, else ink, +1; the blog uses 128) or kept as greyscale (1 − 2L/255 with L = 0…255 the mean of RGB: black +1, white −1; the blog maps L/255·2 − 1, the same picture with the sign flipped). "Store" adds it to your drawn set, which goes into the URL so that a link reproduces it: 1 bit per cell while every pattern is ±1, 8 bits per cell once one is grey. The binary models (classical, dense, multitasking) store the sign of a grey pattern.` }),
      pad, el('div', { class: 'el-exports' }, penBtn, clear, fromQuery, el('label', { text: 'image: ' }, file), importMode,
        el('label', { text: 'threshold ' }, threshold), add));
    paint();
  }

  // ---- WebGPU compute ---------------------------------------------------------------------------
  function makeGpuBox() {
    const go = el('button', { type: 'button', class: 'el-btn el-gpu-run' }, 'Run the modern update on the GPU and the CPU');
    const out = el('div', { class: 'el-gpu-result', role: 'status' });
    go.addEventListener('click', () => api.compareGpu().then((r) => {
      out.textContent = `${r.queries} queries × ${r.patterns} patterns × d = ${r.dim}, β = ${Number(r.beta.toPrecision(3))}: GPU ${r.gpuMs.toFixed(1)} ms, CPU (wasm) ${r.cpuMs.toFixed(1)} ms; largest difference of the new states ${r.maxDiff.toExponential(2)}, of the weights ${r.maxDiffP.toExponential(2)} (${r.backend})`;
    }).catch((e) => { out.textContent = `GPU compute not available: ${e.message || e}. The CPU path is used everywhere.`; }));
    gpuBox.append(el('h3', { text: 'WebGPU compute (modern update, batched)' }),
      el('p', { class: 'el-help', text: 'ξ ← X softmax(β Xᵀξ) as WGSL compute shaders (scores, softmax, XP) over all stored patterns in a GPU buffer, for a batch of queries: the query, the state and every stored pattern (at most 64). Compared with the CPU (wasm, SIMD) on the same batch. On WebGL2 there is no compute; the CPU path runs. To run every step of the modern model here, set "Compute on" to gpu (compute=gpu in the URL).' }),
      go, out);
  }

  // ---- capacity experiments (Web Worker) ---------------------------------------------------------
  function makeCapBox() {
    const model = el('select', { 'aria-label': 'capacity model' }, el('option', { value: 'classical', text: 'classical' }), el('option', { value: 'dense', text: 'dense n = 3' }), el('option', { value: 'exp', text: 'exponential' }), el('option', { value: 'modern', text: 'modern (at β)' }));
    const beta = el('input', { type: 'number', min: 0.001, max: 1000, step: 'any', value: 1, 'aria-label': 'modern β' });
    const neurons = el('input', { type: 'number', min: 20, max: 2000, value: 200, 'aria-label': 'neurons N' });
    const tests = el('input', { type: 'number', min: 1, max: 100, value: 5, 'aria-label': 'repeats' });
    const flip = el('input', { type: 'number', min: 0, max: 0.5, step: 0.01, value: 0.05, 'aria-label': 'noisy start: flipped fraction' });
    const out = el('div', { class: 'el-cap-plot' });
    const job = capJob = workerJob('capacity', 'cap');
    const { go, cancel, bar, status } = job;
    go.addEventListener('click', () => {
      const m = model.value, n = Math.max(20, Math.min(2000, Number(neurons.value) || 200));
      const loads = m === 'classical' ? [0.02, 0.05, 0.08, 0.1, 0.12, 0.14, 0.16, 0.2, 0.25, 0.3]
        : m === 'dense' ? [0.1, 0.3, 0.6, 1, 1.5, 2, 3, 4] : m === 'modern' ? [0.25, 0.5, 1, 2, 4, 8, 16] : [0.1, 0.5, 1, 2, 4, 8];
      const ps = [...new Set(loads.map((l) => Math.max(1, Math.round(l * n))))];
      const t1 = performance.now();
      const points = [];
      job.start({ kind: 'hopfield-capacity', model: m, order: 3, beta: Number(beta.value) || 0.1, neurons: n, patterns: ps, tests: Math.max(1, Number(tests.value) || 5), flip: Math.round((Number(flip.value) || 0) * n), seed: ctx.lab.param('seed') }, (data) => {
        if (data.point) points.push(data.point);
        if (!data.finished) return;
        job.stop(`${points.length} loads in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
        drawCapacity(out, m, n, points);
        emit('capacity', { model: m, neurons: n, points });
      });
    });
    capBox.append(el('h3', { text: 'Capacity (Web Worker)' }),
      el('p', { class: 'el-help', text: 'Random ±1 patterns, P of them, N neurons, asynchronous dynamics: the fraction of stored patterns that are fixed points, and the mean final overlap from noisy starts, against the load P/N, with ±1 standard error over the repeats. Theory: 0.138 N (retrieval with a few errors) and N/(2 ln N) (error-free) for the classical model; N^(n−1)/(2(2n−3)!! ln N) for dense n; 2^(N/2) for the exponential model (far off the axis). Modern (at the β given, paper scaling, updates until p settles): exact retrieval from the pattern itself and from a noisy start, and the softmax weight on the target; its capacity is exponential in N, so the loads go far beyond 1.' }),
      el('label', { text: 'model ' }, model), el('label', { text: ' β ' }, beta), el('label', { text: ' N ' }, neurons), el('label', { text: ' repeats ' }, tests), el('label', { text: ' noisy start: flip ' }, flip), go, cancel, bar, status, out);
  }

  function drawCapacity(container, model, n, points) {
    points.sort((a, b) => a.patterns - b.patterns);
    const xs = points.map((p) => p.load);
    const t = points[0]?.theory ?? {};
    const lines = model === 'classical' ? [['0.138 N', 0.138], ['N/(2 ln N)', t.error_free / n]] : model === 'dense' && t.dense_error_free ? [['N²/(6 ln N)', t.dense_error_free / n]] : [];
    container.replaceChildren();
    capPlot?.destroy();
    capPlot = new uPlot({
      width: Math.max(300, container.clientWidth || 700), height: 280, title: `Capacity of the ${model} model, N = ${n}`,
      scales: { x: { time: false }, y: { range: [0, 1.05] } },
      axes: [{ stroke: '#bbb', grid: { stroke: '#333' }, label: 'load P/N' }, { stroke: '#bbb', grid: { stroke: '#333' } }],
      series: [{ label: 'P/N' },
        { label: model === 'modern' ? 'exact retrieval from the pattern itself' : 'fixed-point fraction', stroke: '#4e79a7', width: 2, points: { show: true, size: 6 } },
        { label: points[0]?.overlap_is ?? 'mean final overlap (noisy start)', stroke: '#f28e2b', width: 2, points: { show: true, size: 6 } },
        { label: 'perfectly retrieved', stroke: '#59a14f', width: 1.5, points: { show: true, size: 5 } }],
      hooks: { draw: [errorBars(points, (p) => p.load, [['#4e79a7', (p) => [p.fixed_point_fraction, p.fixed_point_se]], ['#f28e2b', (p) => [p.mean_overlap, p.overlap_se]]]), (u) => {
        const { ctx } = u; const { top, height } = u.bbox;
        ctx.save(); ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.strokeStyle = '#e15759'; ctx.setLineDash([5, 4]); ctx.fillStyle = '#e15759'; ctx.font = `${12 * devicePixelRatio}px system-ui`;
        for (const [label, x0] of lines) {
          if (!(x0 > 0)) continue;
          const x = u.valToPos(x0, 'x', true);
          ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
          ctx.fillText(label, x + 4, top + 14 * devicePixelRatio);
        }
        ctx.restore();
      }] },
    }, [xs, points.map((p) => p.fixed_point_fraction), points.map((p) => p.mean_overlap), points.map((p) => p.perfect_fraction)], container);
    const csv = ['neurons,patterns,load,tests,fixed_point_fraction,fixed_point_se,perfect_fraction,perfect_se,mean_overlap,overlap_se']
      .concat(points.map((p) => [p.neurons, p.patterns, p.load, p.tests, p.fixed_point_fraction, p.fixed_point_se, p.perfect_fraction, p.perfect_se, p.mean_overlap, p.overlap_se].join(','))).join('\n') + '\n';
    container.append(el('div', { class: 'el-exports' },
      el('button', { type: 'button', class: 'el-btn', onclick: () => download(`hopfield-capacity-${model}.csv`, csv, 'text/csv') }, 'CSV'),
      el('button', { type: 'button', class: 'el-btn', onclick: () => download(`hopfield-capacity-${model}.json`, JSON.stringify({ model, neurons: n, points }, null, 2), 'application/json') }, 'JSON')));
  }

  // ---- the modern step off the page's thread: WebGPU compute or the worker pool ---------------------
  // A store this large (N·d values, 4 MiB of f32) makes one update take milliseconds: auto hands
  // it to the pool, whose postMessage round trips then cost little beside the work.
  const POOL_MIN_VALUES = 1 << 20;
  /** 'gpu', 'pool' or null (the page's thread) for the next modern step. */
  function offThread() {
    if (ctx.lab.param('model') !== 'modern') return null;
    const where = ctx.lab.param('compute');
    if (where === 'gpu') return 'gpu';
    if (where === 'cpu' || typeof Worker === 'undefined') return null;
    if (where === 'workers') return 'pool';
    const cores = navigator.hardwareConcurrency || 1;
    const info = ctx.lab.readout();
    return cores > 1 && info.count * info.width * info.height >= POOL_MIN_VALUES ? 'pool' : null;
  }

  /** One modern update on the GPU or the pool (`kind`), booked into the session
   * (ctx.lab.step_with, with the dot products of the state it started from: they book that
   * state's energy, so a step costs one pass over the stored patterns; the new state's energy
   * waits for the next step or settleOffThread); the page's thread steps instead, with one
   * notice, where that path is missing or fails. Resolves to whether anything changed. */
  async function offThreadStep(kind) {
    const gen = ctx.lab.generation();
    const key = `${kind}:${gen}`;
    if (stepFailed === key) return cpuStep();
    try {
      const steps = ctx.lab.readout().steps;
      if (!stepper || stepperKey !== key) {
        stepper?.free?.();
        stepper = null;
        const info = ctx.lab.readout();
        const [n, d] = [info.count, info.width * info.height];
        let made;
        if (kind === 'gpu') {
          if (!ctx.mod.ModernGpu) throw new Error('this build has no GPU compute path');
          if (!ctx.view || ctx.view.backend() !== 'webgpu') throw new Error('this browser draws with WebGL2, which has no compute shaders');
          made = await ctx.mod.ModernGpu.create(ctx.lab.patterns_flat(), n, d);
        } else {
          made = await ModernPool.create(ctx.mod, ctx.lab.patterns_flat(), n, d);
          metrics.poolWorkers = made.size;
        }
        if (ctx.destroyed || ctx.lab.generation() !== gen) { made.free?.(); return true; }
        stepper = made; stepperKey = key;
      }
      const r = await stepper.update(ctx.lab.state_values(), 1, ctx.lab.effective_beta(), true);
      // The session moved on meanwhile (a reset, a new parameter, a CPU step): drop this update.
      if (ctx.destroyed || ctx.lab.generation() !== gen || ctx.lab.readout().steps !== steps) return true;
      const changedAny = ctx.lab.step_with(r.state, r.p, r.dots);
      metrics[kind === 'gpu' ? 'gpuSteps' : 'poolSteps'] += 1;
      if (kind !== 'gpu' && stepper.signalled && stepper.lastTwoPasses) metrics.poolSignalledSteps += 1;
      return changedAny;
    } catch (e) {
      if (ctx.destroyed) return false;
      stepper?.free?.();
      stepper = null; stepperKey = '';
      stepFailed = key;
      const what = kind === 'gpu' ? 'the GPU cannot run the modern update' : 'the worker pool cannot run the modern update';
      notice(`compute: ${what} (${e.message || e}); the page's thread computes.`, 'warn');
      return cpuStep();
    }
  }

  /** Books the newest state's pending energy where the step ran (`kind`): the pool's shards
   * compute its dot products (the page's own bits), the GPU an update from it whose dot
   * products come back with it; the page's thread where that fails. For the end of a run, a
   * pause or a single step: during play the next step books it. */
  async function settleOffThread(kind) {
    if (!ctx.lab.energy_pending() || !stepper || !stepperKey.startsWith(`${kind}:`)) { ctx.lab.settle(); return; }
    const gen = ctx.lab.generation(), steps = ctx.lab.readout().steps;
    try {
      const state = ctx.lab.state_values();
      const dots = kind === 'pool' ? await stepper.dots(state) : (await stepper.update(state, 1, ctx.lab.effective_beta(), true)).dots;
      if (ctx.destroyed || ctx.lab.generation() !== gen || ctx.lab.readout().steps !== steps || !ctx.lab.energy_pending()) return;
      ctx.lab.book_energy_from_dots(dots);
      metrics[kind === 'gpu' ? 'gpuSettles' : 'poolSettles'] += 1;
    } catch (e) {
      if (!ctx.destroyed) ctx.lab.settle();
    }
  }

  /** One step on the page's thread, taken even after convergence (it then books the same state
   * again, as the GPU and pool paths do); whether the run goes on (false: converged). */
  function cpuStep() { ctx.lab.run(1); return !ctx.lab.done(); }

  /** One step wherever the parameters say (resolves to whether anything changed). */
  async function stepOnce() {
    const kind = offThread();
    if (!kind) return cpuStep();
    const changedAny = await offThreadStep(kind);
    await settleOffThread(kind);
    return changedAny;
  }

  async function secondaryView(target) {
    // The extra pictures use the same build and backend as the stage.
    const rect = target.getBoundingClientRect();
    target.width = Math.max(1, Math.round(rect.width * (window.devicePixelRatio || 1)));
    target.height = Math.max(1, Math.round(rect.height * (window.devicePixelRatio || 1)));
    try { return await serialGpu(() => ctx.mod.create_view(target, ctx.view.backend())); } catch (e) { notice(`A second picture could not get the GPU: ${e.message || e}`, 'warn'); return null; }
  }


  const api = {
    captions, patternsBox, plots, stripBox, forkBox, entropyBox, sepBox, drawBox, gpuBox, capBox, accBox, stripCanvas, stripLabels, patternsCanvas,
    makeDrawBox, makeGpuBox, makeCapBox, makeAccBox, secondaryView, offThread, offThreadStep, settleOffThread, stepOnce,
    get plotsDirty() { return plotsDirty; }, set plotsDirty(v) { plotsDirty = v; },
    get extrasDirty() { return extrasDirty; }, set extrasDirty(v) { extrasDirty = v; },
    get lastStep() { return lastStep; }, set lastStep(v) { lastStep = v; },
    get stepBusy() { return stepBusy; }, set stepBusy(v) { stepBusy = v; },
    get lastExtras() { return lastExtras; },
    setViews(p, s) { patternsView = p; stripView = s; },
    /** After a lost GPU device: the stored patterns' and the strip's views, and the GPU compute
     *  comparison, are made again on the new device. */
    async restoreViews() {
      for (const v of [patternsView, stripView, gpuCompute]) { try { v?.free?.(); } catch { /* gone with the device */ } }
      patternsView = stripView = gpuCompute = null; gpuComputeKey = '';
      if (ctx.view) { patternsView = await secondaryView(patternsCanvas); stripView = await secondaryView(stripCanvas); }
      extrasDirty = true;
    },
    drawExtras() {
      patternsView?.draw_grid(ctx.lab.patterns_picture(THUMBS_PER_ROW), ctx.lab.patterns_columns(THUMBS_PER_ROW));
      updateExtras();
    },
    updatePlots,
    async importPixels(rgba, w, h, mode = 'binarise') {
      if (!importPixels) throw new Error('the draw box is not ready');
      importChoice.mode = mode === 'greyscale' ? 'greyscale' : 'binarise';
      makeDrawBox();
      await importPixels(Uint8Array.from(rgba), w, h);
    },
    async compareGpu() {
      if (!ctx.mod.ModernGpu) throw new Error('this build has no GPU compute path');
      if (!ctx.view || ctx.view.backend() !== 'webgpu') throw new Error('WebGPU compute needs the WebGPU backend');
      const info = ctx.lab.readout();
      const d = info.width * info.height, n = info.count;
      const stored = ctx.lab.patterns_flat();
      const q = Math.min(64, n + 2);
      const queries = new Float32Array(q * d);
      queries.set(ctx.lab.query_values(), 0);
      for (let i = 1; i < q; i++) queries.set(stored.subarray(((i - 1) % n) * d, ((i - 1) % n + 1) * d), i * d);
      const beta = ctx.lab.effective_beta();
      const key = `${ctx.lab.query()}`;
      if (!gpuCompute || gpuComputeKey !== key) { gpuCompute?.free?.(); gpuCompute = await ctx.mod.ModernGpu.create(stored, n, d); gpuComputeKey = key; }
      const g0 = performance.now();
      const gpu = await gpuCompute.update(queries, q, beta);
      const gpuMs = performance.now() - g0;
      const c0 = performance.now();
      const cpu = ctx.mod.hopfield_modern_update(stored, n, d, queries, q, beta);
      const cpuMs = performance.now() - c0;
      let maxDiff = 0, maxDiffP = 0;
      for (let i = 0; i < cpu.state.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cpu.state[i] - gpu.state[i]));
      for (let i = 0; i < cpu.p.length; i++) maxDiffP = Math.max(maxDiffP, Math.abs(cpu.p[i] - gpu.p[i]));
      const result = { queries: q, patterns: n, dim: d, beta, gpuMs, cpuMs, maxDiff, maxDiffP, backend: gpuCompute.backend_note() };
      emit('gpu', result);
      return result;
    },
    stop() {
      capJob?.stop('');
      accJob?.stop('');
      extrasWorker?.terminate();
      stepper?.free?.();
      for (const p of [energyPlot, overlapPlot, weightPlot, forkPlot, capPlot, entropyPlot, deltaPlot, errorPlot, accPlot]) p?.destroy();
      patternsView?.free(); stripView?.free();
    },
  };
  return api;
}

const own = (ctx) => (ctx.hopfield ??= create(ctx));

export default {
  embedControls: ['play', 'step', 'back', 'reset', 'model', 'beta', 'corrupt'],
  canvasLabel: 'query, current state and target pattern',
  transport: {
    neuron: ['·', 'One neuron (asynchronous binary models)', (ctx) => ctx.handle.stepNeuron()],
    run: ['⇥', 'Run to convergence', (ctx) => ctx.handle.run()],
  },

  async setup(ctx) {
    const h = own(ctx);
    ctx.stage.after(h.captions);
    if (!ctx.chrome) return;
    ctx.panels.append(h.patternsBox, h.plots, h.stripBox, h.forkBox, h.entropyBox, h.sepBox, h.drawBox, h.gpuBox, h.capBox, h.accBox);
    // The strip's canvas has the composite's aspect ratio, so the β labels sit under their pictures.
    const info = ctx.lab.readout();
    h.stripCanvas.style.aspectRatio = `${ctx.lab.beta_strip_columns(STRIP_BETAS)} / ${info.height}`;
    h.stripLabels.style.gridTemplateColumns = `repeat(${STRIP_BETAS}, 1fr)`;
    if (ctx.view) h.setViews(await h.secondaryView(h.patternsCanvas), await h.secondaryView(h.stripCanvas));
    h.makeDrawBox(); h.makeGpuBox(); h.makeCapBox(); h.makeAccBox();
  },

  async gpuRestored(ctx) {
    if (ctx.chrome) await own(ctx).restoreViews();
  },

  changed(ctx, all) {
    const h = own(ctx);
    h.plotsDirty = true;
    if (all) h.extrasDirty = true;
  },

  // Playing steps at the speed parameter; a modern step may run on the GPU or the worker pool,
  // asynchronously, one in flight at a time, while the frame loop keeps drawing.
  advance(ctx, dt, playing) {
    const h = own(ctx);
    const kind = playing ? h.offThread() : null;
    const now = performance.now();
    if (!kind) {
      const moved = ctx.lab.advance(dt, playing);
      if (moved) h.plotsDirty = true;
      if (playing && ctx.lab.done()) { ctx.playing = false; emitDone(ctx); }
      return moved;
    }
    if (!h.stepBusy && now - h.lastStep > 1000 / ctx.lab.speed()) {
      h.lastStep = now;
      h.stepBusy = true;
      ctx.busy(true);
      h.offThreadStep(kind).then(async (changedAny) => {
        if (!changedAny || !ctx.playing) await h.settleOffThread(kind);
        if (!changedAny) { ctx.playing = false; emitDone(ctx); }
        h.plotsDirty = true;
        ctx.changed();
      }).finally(() => { h.stepBusy = false; ctx.busy(false); });
    }
    return false;
  },

  frame(ctx) {
    const h = own(ctx);
    if (h.extrasDirty && ctx.chrome) {
      h.extrasDirty = false;
      try { h.drawExtras(); } catch (e) { ctx.notice(`${e.message || e}`, 'error'); }
    }
    if (h.plotsDirty && ctx.chrome) { h.plotsDirty = false; h.updatePlots(); }
    return false;
  },

  readoutText(ctx, i) {
    const energy = i.energy === null ? '–' : Number(i.energy).toPrecision(6);
    // While a modern run plays, the newest state's energy comes with the next update.
    const at = i.energy_step !== undefined && i.energy_step < i.steps ? ` at step ${i.energy_step}` : '';
    return `${i.model} · ${i.width}×${i.height} = ${i.width * i.height} neurons · P = ${i.count} · step ${i.steps}`
      + (i.effective_beta === null || i.effective_beta === undefined ? '' : ` · β in the paper's formula ${Number(i.effective_beta.toPrecision(4))}`)
      + ` · energy${at} ${energy}` + (i.bounds ? ` (bounds 0 … ${fmt(i.bounds[1], 1)})` : '')
      + ` · ${i.flipped_bits} signs changed from the query, ${i.wrong_bits} differ from the target`
      + ` · overlap with the target ${i.overlap_target === null ? '–' : Number(i.overlap_target).toFixed(3)}`
      + (i.converged ? ' · converged' : '') + (i.two_cycle ? ' · 2-cycle (synchronous)' : '');
  },

  extend(ctx) {
    const h = own(ctx);
    return {
      async step() { ctx.playing = false; await h.stepOnce(); ctx.changed(); },
      stepNeuron() { ctx.playing = false; ctx.lab.step_component(); ctx.changed(); },
      async run() {
        ctx.playing = false;
        const kind = h.offThread();
        if (kind) {
          for (let i = 0; i < 1000 && !ctx.destroyed; i++) if (!(await h.offThreadStep(kind))) break;
          await h.settleOffThread(kind);
        } else ctx.lab.run(1000);
        ctx.changed();
      },
      energies() { return Array.from(ctx.lab.energies()); },
      /** The last β strip / pitchfork / entropy / separation computed (the 'extras' event). */
      extras() { return h.lastExtras; },
      importPixels: (rgba, w, hgt, mode) => h.importPixels(rgba, w, hgt, mode),
      compareGpu: () => h.compareGpu(),
    };
  },

  destroy(ctx) { own(ctx).stop(); },
};

function emitDone(ctx) { ctx.emit('done', ctx.handle.state()); }
