// Emergence Lab: the Hopfield page. Wiring only: the models, patterns, queries, energies, the
// β strip, the pitchfork and the capacity runs are Rust (src/hopfield, through
// src/web/hopfield.rs); the pictures are drawn by wgpu (three views: the stage, the stored
// patterns, the β film strip); the plots by uPlot; the modern update can also run as WebGPU
// compute shaders (src/render/modern_compute.rs) where the device offers them.

import uPlot from './vendor/uPlot.esm.js';
import { ModernPool } from './modern-pool.js';
import { el, fmt, download, openLab, labWorker, transportButtons, observeCanvas, rgbaToPng, serialGpu, noticeBoard, transportKeys, seedField, showBackend, wantedControls } from './common.js';

const EMBED_DEFAULT_CONTROLS = ['play', 'step', 'back', 'reset', 'model', 'beta', 'corrupt'];
const STRIP_BETAS = 9;
const PITCHFORK_BETAS = 48;
const THUMBS_PER_ROW = 12;
const log10OrNull = (v) => (v > 0 && Number.isFinite(v) ? Math.log10(v) : null);
const decadeLabels = (u, splits) => splits.map((v) => (Number.isInteger(v) ? `1e${v}` : ''));

export function mountHopfield(element, options = {}) {
  const chrome = options.chrome !== false;
  const listeners = {};
  const emit = (event, detail) => (listeners[event] || []).forEach((fn) => { try { fn(detail); } catch (e) { console.error(e); } });
  let mod = null, lab = null, view = null, canvas = null, started = false, destroyed = false, visible = true;
  let playing = false, lastStep = 0, frameId = 0, needDraw = true, drawnOnce = false, plotsDirty = true, extrasDirty = true;
  let patternsView = null, stripView = null, capWorker = null, resizeObserver = null, gpuCompute = null, gpuComputeKey = '';
  // The import choices outlive the draw box (it is rebuilt after each store); importPixels is
  // the current box's way to load pixels.
  const importChoice = { mode: 'binarise', threshold: 128 };
  let importPixels = null;
  // The modern steps off the page's thread: on the WebGPU compute path (compute=gpu) or on a pool
  // of workers (compute=workers, or auto with a large store). The stored patterns go to the GPU
  // or the workers once per session generation; an update still in flight when the session moves
  // on is dropped. stepFailed names the generation and path that failed (the page's thread steps
  // for the rest of it; the notice said why).
  let stepper = null, stepperKey = '', stepBusy = false, stepFailed = null;
  let energyPlot = null, overlapPlot = null, weightPlot = null, forkPlot = null, capPlot = null;
  const t0 = performance.now();
  const metrics = { firstFrameMs: null, wasmLoadMs: null, build: null, gpuSteps: 0, poolSteps: 0, poolWorkers: 0 };

  element.classList.add('el-host');
  const root = el('div', { class: chrome ? 'el-lab el-full el-hopfield' : 'el-lab el-embed el-hopfield', tabindex: '0' });
  canvas = el('canvas', { class: 'el-canvas', 'aria-label': 'query, current state and target pattern' });
  const stage = el('div', { class: 'el-stage' }, canvas);
  const captions = el('div', { class: 'el-captions' }, el('span', { text: 'query' }), el('span', { text: 'state' }), el('span', { text: 'target pattern' }));
  const overlay = el('div', { class: 'el-overlay', role: 'status' });
  stage.append(overlay);
  const notices = el('ul', { class: 'el-notices', role: 'status', 'aria-live': 'polite' });
  const readout = el('div', { class: 'el-readout', 'aria-live': 'off' });
  const badge = el('span', { class: 'el-badge', title: 'drawing backend' }, 'starting…');
  const transport = el('div', { class: 'el-transport', role: 'toolbar', 'aria-label': 'transport' });
  const params = el('form', { class: 'el-params', onsubmit: (e) => e.preventDefault() });
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
  root.append(stage, captions, transport, readout, notices);
  if (chrome) root.append(params, patternsBox, plots, stripBox, forkBox, drawBox, gpuBox, capBox);
  else root.append(params);
  element.append(root);

  const notice = noticeBoard(notices, emit);
  const takeNotices = () => { for (const n of lab.take_notices()) notice(n.message); };

  // ---- controls ---------------------------------------------------------------------------
  const buttons = {};
  function makeControls(wanted) {
    const show = (name) => wanted === null || wanted.includes(name);
    const defs = {
      reset: ['⟲', 'Back to the query (R)', () => handle.reset()],
      back: ['◀', 'Step back (,)', () => handle.back()],
      play: ['▶', 'Play / pause (Space)', () => (playing ? handle.pause() : handle.play())],
      step: ['▶|', 'One step: a sweep, a synchronous update or a modern update (.)', () => handle.step()],
      neuron: ['·', 'One neuron (asynchronous binary models)', () => handle.stepNeuron()],
      run: ['⇥', 'Run to convergence', () => handle.run()],
    };
    transport.replaceChildren();
    transportButtons(transport, defs, show, buttons);
    transport.append(badge);
    params.replaceChildren();
    for (const spec of mod.HopfieldLab.schema()) if (show(spec.key) && spec.type !== 'packed') params.append(paramControl(spec));
    if (show('seed')) params.append(seedControl());
  }

  function paramControl(spec) {
    const id = `el-${spec.key}-${Math.random().toString(36).slice(2, 8)}`;
    const current = lab.param(spec.key);
    let input, extra = null;
    if (spec.type === 'choice') {
      input = el('select', { id });
      for (const o of spec.options) input.append(el('option', { value: o, text: o }));
      input.value = current;
      input.addEventListener('change', () => setParam(spec.key, input.value));
    } else if (spec.type === 'bool') {
      input = el('input', { id, type: 'checkbox' });
      input.checked = current === '1';
      input.addEventListener('change', () => setParam(spec.key, input.checked ? '1' : '0'));
    } else if (spec.type === 'float') {
      input = el('input', { id, type: 'number', value: current, min: spec.min, max: spec.max, step: 'any' });
      input.addEventListener('change', () => setParam(spec.key, input.value));
      const log = spec.log;
      extra = el('input', { type: 'range', 'data-slider': spec.key, 'aria-label': `${spec.label} slider`,
        min: log ? Math.log10(spec.min) : spec.min, max: log ? Math.log10(spec.max) : spec.max, step: log ? 0.01 : (spec.max - spec.min) / 200 });
      extra.value = log ? Math.log10(Number(current)) : current;
      extra.addEventListener('change', () => {
        const v = log ? Number((10 ** Number(extra.value)).toPrecision(3)) : Number(Number(extra.value).toPrecision(3));
        input.value = v;
        setParam(spec.key, v);
      });
    } else if (spec.type === 'list') {
      input = el('input', { id, type: 'text', value: current, placeholder: 'x,y,w,h', spellcheck: 'false', size: 12 });
      input.addEventListener('change', () => setParam(spec.key, input.value));
    } else {
      input = el('input', { id, type: 'number', value: current, min: spec.min, max: spec.max, step: 1 });
      input.addEventListener('change', () => setParam(spec.key, input.value));
    }
    input.dataset.key = spec.key;
    return el('div', { class: 'el-field' }, el('label', { for: id, text: spec.label }), input, extra, el('small', { class: 'el-help', text: spec.help }));
  }

  const seedControl = () => seedField(() => lab.param('seed'), (v) => setParam('seed', v),
    'The random patterns, the corruption and the update order all come from this seed.');

  function setParam(key, value) {
    playing = false;
    for (const n of lab.set_param(key, String(value))) notice(n.message);
    syncInputs();
    changed(true);
  }

  function syncInputs() {
    for (const input of params.querySelectorAll('[data-key]')) {
      const v = lab.param(input.dataset.key);
      if (v === undefined || document.activeElement === input) continue;
      if (input.type === 'checkbox') input.checked = v === '1'; else input.value = v;
    }
    for (const slider of params.querySelectorAll('[data-slider]')) {
      const spec = mod.HopfieldLab.schema().find((s) => s.key === slider.dataset.slider);
      const v = Number(lab.param(spec.key));
      slider.value = spec.log ? Math.log10(v) : v;
    }
  }

  function changed(all = false) {
    needDraw = true;
    plotsDirty = true;
    if (all) extrasDirty = true;
    emit('state', handle.state());
    schedule();
  }

  // ---- read-outs and plots -------------------------------------------------------------------
  function updateReadout() {
    const i = lab.info();
    const energy = i.energy === null ? '–' : Number(i.energy).toPrecision(6);
    readout.textContent = `${i.model} · ${i.width}×${i.height} = ${i.width * i.height} neurons · P = ${i.count} · step ${i.steps}`
      + ` · energy ${energy}` + (i.bounds ? ` (bounds 0 … ${fmt(i.bounds[1], 1)})` : '')
      + ` · overlap with the target ${i.overlap_target === null ? '–' : Number(i.overlap_target).toFixed(3)}`
      + (i.converged ? ' · converged' : '') + (i.two_cycle ? ' · 2-cycle (synchronous)' : '');
    if (buttons.play) buttons.play.textContent = playing ? '❚❚' : '▶';
  }

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
    if (!chrome) return;
    const energies = Array.from(lab.energies());
    const info = lab.info();
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
    overlapPlot = barsPlot(plots, 'Overlap with each stored pattern', 'pattern', 'overlap m', Array.from(lab.overlaps()), '#4e79a7', null, [-1, 1]);
    const w = Array.from(lab.weights());
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
    if (!chrome) return;
    const beta = Number(lab.param('beta'));
    const betas = betaRange(beta, STRIP_BETAS, 4), forkBetas = betaRange(beta, PITCHFORK_BETAS, 4);
    extrasWorker?.terminate();
    extrasWorker = null;
    const info = lab.info();
    if (info.count * info.width * info.height < EXTRAS_WORKER_VALUES || typeof Worker === 'undefined') {
      let strip = null;
      try { strip = lab.beta_strip_picture(betas); } catch (e) { notice(`strip: ${e.message || e}`, 'error'); }
      showExtras(betas, strip, lab.pitchfork(forkBetas));
      return;
    }
    const status = el('p', { class: 'el-help el-fork-status', role: 'status', text: 'Computing the β strip and the pitchfork in a background worker (a large store)…' });
    forkPlot?.destroy();
    forkPlot = null;
    forkBox.replaceChildren(el('h3', { text: 'Metastable states: the pitchfork of the two most similar patterns' }), status);
    const worker = extrasWorker = labWorker(mod);
    const stop = () => { worker.terminate(); if (extrasWorker === worker) extrasWorker = null; };
    worker.onmessage = ({ data }) => {
      if (worker !== extrasWorker || destroyed) return stop();
      if (data.error) { stop(); status.textContent = `The pitchfork could not be computed: ${data.error}`; }
      else if (data.extras) { stop(); showExtras(betas, data.extras.strip, data.extras.fork); }
      else if (data.progress !== undefined) status.textContent = `Computing the β strip and the pitchfork in a background worker (a large store): ${Math.round(100 * data.progress)} %`;
    };
    worker.onerror = (e) => { e.preventDefault?.(); stop(); status.textContent = `The pitchfork could not be computed: ${e.message || 'the worker failed'}`; };
    worker.postMessage({ kind: 'hopfield-extras', query: lab.query(), stripBetas: betas, forkBetas });
  }

  /** Draws the β strip (`strip`: its picture, or null) and the pitchfork (`fork`). */
  function showExtras(betas, strip, fork) {
    if (stripView && strip) {
      try { stripView.draw_grid(strip, lab.beta_strip_columns(betas.length)); } catch (e) { notice(`strip: ${e.message || e}`, 'error'); }
    }
    stripLabels.replaceChildren(...betas.map((b) => el('span', { text: `β = ${Number(b.toPrecision(2))}` })));
    // Put the labels under the pictures: the grid renderer centres whole-pixel cells with a
    // 6 px margin (src/render/grid.rs), so the pictures span cols·cell device pixels.
    const cols = lab.beta_strip_columns(betas.length), rows = lab.info().height;
    const W = stripCanvas.width, H = stripCanvas.height;
    const cell = Math.max(1, Math.floor(Math.min((W - 12) / cols, (H - 12) / rows)));
    const scale = stripCanvas.clientWidth / Math.max(1, W);
    stripLabels.style.marginLeft = `${(6 + Math.floor((W - 12 - cols * cell) / 2)) * scale}px`;
    stripLabels.style.width = `${cols * cell * scale}px`;
    forkPlot?.destroy();
    forkBox.replaceChildren(el('h3', { text: 'Metastable states: the pitchfork of the two most similar patterns' }));
    if (!fork.points.length) { forkBox.append(el('p', { class: 'el-help', text: 'Needs two different stored patterns.' })); return; }
    const xs = fork.points.map((p) => Math.log10(p.beta));
    const bc = fork.beta_c;
    forkPlot = new uPlot({
      width: Math.max(300, forkBox.clientWidth || 700), height: 260,
      title: `patterns ${fork.a} and ${fork.b}: ‖a−b‖² = ${fmt(fork.dist2, 1)}, β_c = 4/‖a−b‖² = ${bc ? Number(bc.toPrecision(3)) : '–'}`,
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
    }, [xs, fork.points.map((p) => p.t_plus), fork.points.map((p) => p.t_minus), fork.points.map((p) => p.theory)], forkBox);
    forkBox.append(el('p', { class: 'el-help', text: 'Every stored pattern takes part in the update; the start is the midpoint of a and b shifted by ±0.01 of their half-difference. Below β_c the metastable midpoint is stable (t* = 0); above it the state falls to a or b (spec §2.2). With the blog scaling, β is divided by √d inside the update and β_c is shown in slider units.' }));
    emit('extras', { strip: betas.length, pitchfork: fork.points.length, beta_c: bc });
  }

  // ---- drawing and importing patterns --------------------------------------------------------
  function makeDrawBox() {
    const info = lab.info();
    const side = info.width;
    const scale = Math.max(4, Math.floor(256 / side));
    const pad = el('canvas', { class: 'el-draw-pad', width: side * scale, height: info.height * scale, 'aria-label': 'drawing grid: click or drag to paint' });
    let cells = new Float32Array(side * info.height).fill(-1);
    let pen = 1, down = false;
    const ctx = pad.getContext('2d');
    // +1 ink (24, 28, 38), −1 paper (236, 232, 220), grey values in between (the stage's colours).
    const shade = (v) => {
      const t = (1 - Math.max(-1, Math.min(1, v))) / 2;
      const mix = (a, b) => Math.round(a + (b - a) * t);
      return `rgb(${mix(24, 236)}, ${mix(28, 232)}, ${mix(38, 220)})`;
    };
    const paint = () => {
      for (let y = 0; y < info.height; y++) for (let x = 0; x < side; x++) {
        ctx.fillStyle = shade(cells[y * side + x]);
        ctx.fillRect(x * scale, y * scale, scale, scale);
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
    const fromQuery = el('button', { type: 'button', class: 'el-btn', onclick: () => { cells = Float32Array.from(lab.query_values(), (v) => (v > 0 ? 1 : -1)); paint(); } }, 'copy the query');
    const add = el('button', { type: 'button', class: 'el-btn el-draw-add', onclick: () => {
      try { for (const n of lab.add_drawn(cells)) notice(n.message); } catch (e) { notice(String(e.message || e), 'error'); return; }
      syncInputs(); changed(true); makeDrawBox();
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
    file.addEventListener('change', async () => {
      const f = file.files?.[0];
      if (!f) return;
      try {
        const bitmap = await createImageBitmap(f);
        const w = Math.min(bitmap.width, 1024), h = Math.min(bitmap.height, 1024);
        const c = new OffscreenCanvas(w, h);
        const g = c.getContext('2d');
        g.drawImage(bitmap, 0, 0, w, h);
        const rgba = new Uint8Array(g.getImageData(0, 0, w, h).data.buffer);
        await importPixels(rgba, w, h);
      } catch (e) { notice(`The image could not be read: ${e.message || e}`, 'error'); }
    });
    /** Pixels (RGBA) into the pad with the chosen mode; also the tests' way in (no file dialog). */
    importPixels = async (rgba, w, h) => {
      const t = Number(threshold.value);
      if (!(t >= 0 && t <= 255)) { threshold.value = 128; importChoice.threshold = 128; notice('threshold: not a number from 0 to 255; using 128.'); }
      cells = Float32Array.from(lab.import_rgba(rgba, w, h, Number(threshold.value), importMode.value === 'greyscale'));
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
    go.addEventListener('click', () => handle.compareGpu().then((r) => {
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
    const go = el('button', { type: 'button', class: 'el-btn el-cap-run' }, 'Run');
    const cancel = el('button', { type: 'button', class: 'el-btn', disabled: '' }, 'Cancel');
    const bar = el('progress', { max: 1, value: 0, class: 'el-progress' });
    const status = el('span', { class: 'el-cap-status', role: 'status' });
    const out = el('div', { class: 'el-cap-plot' });
    const stop = (text) => { capWorker?.terminate(); capWorker = null; go.disabled = false; cancel.disabled = true; status.textContent = text; };
    cancel.addEventListener('click', () => stop('cancelled'));
    go.addEventListener('click', () => {
      stop('');
      const m = model.value, n = Math.max(20, Math.min(2000, Number(neurons.value) || 200));
      const loads = m === 'classical' ? [0.02, 0.05, 0.08, 0.1, 0.12, 0.14, 0.16, 0.2, 0.25, 0.3]
        : m === 'dense' ? [0.1, 0.3, 0.6, 1, 1.5, 2, 3, 4] : m === 'modern' ? [0.25, 0.5, 1, 2, 4, 8, 16] : [0.1, 0.5, 1, 2, 4, 8];
      const ps = [...new Set(loads.map((l) => Math.max(1, Math.round(l * n))))];
      const t1 = performance.now();
      capWorker = labWorker(mod);
      go.disabled = true; cancel.disabled = false; status.textContent = 'running…';
      const points = [];
      capWorker.onmessage = ({ data }) => {
        if (data.error) { notice(`capacity: ${data.error}`, 'error'); stop('failed'); return; }
        if (data.progress !== undefined) { bar.value = data.progress; return; }
        if (data.point) { points.push(data.point); return; }
        if (data.finished) {
          stop(`${points.length} loads in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
          drawCapacity(out, m, n, points);
          emit('capacity', { model: m, neurons: n, points });
        }
      };
      capWorker.onerror = (e) => { notice(`capacity worker: ${e.message}`, 'error'); stop('failed'); };
      capWorker.postMessage({ kind: 'hopfield-capacity', model: m, order: 3, beta: Number(beta.value) || 0.1, neurons: n, patterns: ps, tests: Math.max(1, Number(tests.value) || 5), flip: Math.round((Number(flip.value) || 0) * n), seed: lab.param('seed') });
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
      hooks: { draw: [(u) => {
        const { ctx } = u; const { top, height } = u.bbox;
        ctx.save(); ctx.lineWidth = 1.5 * devicePixelRatio;
        for (const [k, colour, key] of [[1, '#4e79a7', 'fixed_point'], [2, '#f28e2b', 'overlap']]) {
          ctx.strokeStyle = colour;
          for (const p of points) {
            const x = u.valToPos(p.load, 'x', true), m = k === 1 ? p.fixed_point_fraction : p.mean_overlap, se = p[`${key}_se`] || 0;
            ctx.beginPath(); ctx.moveTo(x, u.valToPos(m - se, 'y', true)); ctx.lineTo(x, u.valToPos(m + se, 'y', true)); ctx.stroke();
          }
        }
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
    if (lab.param('model') !== 'modern') return null;
    const where = lab.param('compute');
    if (where === 'gpu') return 'gpu';
    if (where === 'cpu' || typeof Worker === 'undefined') return null;
    if (where === 'workers') return 'pool';
    const cores = navigator.hardwareConcurrency || 1;
    const info = lab.info();
    return cores > 1 && info.count * info.width * info.height >= POOL_MIN_VALUES ? 'pool' : null;
  }

  /** One modern update on the GPU or the pool (`kind`), booked into the session
   * (lab.step_with); the page's thread steps instead, with one notice, where that path is
   * missing or fails. Resolves to whether anything changed. */
  async function offThreadStep(kind) {
    const gen = lab.generation();
    const key = `${kind}:${gen}`;
    if (stepFailed === key) return lab.step();
    try {
      const steps = lab.info().steps;
      if (!stepper || stepperKey !== key) {
        stepper?.free?.();
        stepper = null;
        const info = lab.info();
        const [n, d] = [info.count, info.width * info.height];
        let made;
        if (kind === 'gpu') {
          if (!mod.ModernGpu) throw new Error('this build has no GPU compute path');
          if (!view || view.backend() !== 'webgpu') throw new Error('this browser draws with WebGL2, which has no compute shaders');
          made = await mod.ModernGpu.create(lab.patterns_flat(), n, d);
        } else {
          made = await ModernPool.create(mod, lab.patterns_flat(), n, d);
          metrics.poolWorkers = made.size;
        }
        if (destroyed || lab.generation() !== gen) { made.free?.(); return true; }
        stepper = made; stepperKey = key;
      }
      const r = await stepper.update(lab.state_values(), 1, lab.effective_beta());
      // The pool also computes the new state's scores, which the energy and the overlaps need
      // (a pass over every stored pattern that would otherwise run on the page's thread).
      const scores = kind === 'pool' ? await stepper.scores(r.state) : null;
      // The session moved on meanwhile (a reset, a new parameter, a CPU step): drop this update.
      if (destroyed || lab.generation() !== gen || lab.info().steps !== steps) return true;
      const changedAny = scores ? lab.step_with_scores(r.state, r.p, scores) : lab.step_with(r.state, r.p);
      metrics[kind === 'gpu' ? 'gpuSteps' : 'poolSteps'] += 1;
      return changedAny;
    } catch (e) {
      if (destroyed) return false;
      stepper?.free?.();
      stepper = null; stepperKey = '';
      stepFailed = key;
      const what = kind === 'gpu' ? 'the GPU cannot run the modern update' : 'the worker pool cannot run the modern update';
      notice(`compute: ${what} (${e.message || e}); the page's thread computes.`, 'warn');
      return lab.step();
    }
  }

  /** One step wherever the parameters say (resolves to whether anything changed). */
  async function stepOnce() { const kind = offThread(); return kind ? offThreadStep(kind) : lab.step(); }

  // ---- frame loop ---------------------------------------------------------------------------------
  function frame(now) {
    frameId = 0;
    if (destroyed) return;
    const kind = playing ? offThread() : null;
    if (kind) {
      // Asynchronous steps: one in flight at a time; the frame loop keeps drawing meanwhile.
      if (!stepBusy && now - lastStep > 120) {
        lastStep = now;
        stepBusy = true;
        offThreadStep(kind).then((changedAny) => {
          if (!changedAny) { playing = false; emit('done', handle.state()); }
          needDraw = true; plotsDirty = true;
          emit('state', handle.state());
          schedule();
        }).finally(() => { stepBusy = false; });
      }
    } else if (playing && now - lastStep > 120) {
      lastStep = now;
      if (!lab.step()) { playing = false; emit('done', handle.state()); }
      needDraw = true; plotsDirty = true;
      emit('state', handle.state());
    }
    if (needDraw && view) {
      try {
        if (view.draw_grid(lab.stage_picture(), lab.stage_columns())) {
          needDraw = false;
          if (!drawnOnce) { drawnOnce = true; metrics.firstFrameMs = performance.now() - t0; emit('frame', { first: true, ms: metrics.firstFrameMs }); }
        }
        for (const e of view.take_errors()) notice(`GPU: ${e}`, 'error');
      } catch (e) {
        notice(`Drawing stopped: ${e.message || e}. The numbers and plots keep working.`, 'error');
        view = null; badge.textContent = 'no GPU';
      }
    }
    if (extrasDirty && chrome) {
      extrasDirty = false;
      try {
        patternsView?.draw_grid(lab.patterns_picture(THUMBS_PER_ROW), lab.patterns_columns(THUMBS_PER_ROW));
        updateExtras();
      } catch (e) { notice(`${e.message || e}`, 'error'); }
    }
    if (plotsDirty && chrome) { plotsDirty = false; updatePlots(); }
    updateReadout();
    if (playing || needDraw) schedule();
  }
  function schedule() {
    if (!frameId && !destroyed && visible && started) frameId = requestAnimationFrame(frame);
  }
  let keydown = null;
  const docKeydown = (e) => { if (e.target === document.body) keydown(e); };

  async function secondaryView(target) {
    // The extra pictures use the same build and backend as the stage.
    const rect = target.getBoundingClientRect();
    target.width = Math.max(1, Math.round(rect.width * (window.devicePixelRatio || 1)));
    target.height = Math.max(1, Math.round(rect.height * (window.devicePixelRatio || 1)));
    try { return await serialGpu(() => mod.create_view(target, view.backend())); } catch (e) { notice(`A second picture could not get the GPU: ${e.message || e}`, 'warn'); return null; }
  }

  // ---- the handle ---------------------------------------------------------------------------------
  const handle = {
    element: root,
    metrics,
    play() { if (!started) return; playing = true; lastStep = 0; changed(); },
    pause() { playing = false; changed(); },
    async step() { if (!started) return; playing = false; await stepOnce(); changed(); },
    stepNeuron() { if (!started) return; playing = false; lab.step_component(); changed(); },
    back() { if (!started) return; playing = false; lab.back(); changed(); },
    reset() { if (!started) return; playing = false; lab.reset(); changed(); },
    async run() {
      if (!started) return;
      playing = false;
      const kind = offThread();
      if (kind) { for (let i = 0; i < 1000 && !destroyed; i++) if (!(await offThreadStep(kind))) break; } else lab.run(1000);
      changed();
    },
    setParams(values) { for (const [k, v] of Object.entries(values)) setParam(k, v); },
    state() {
      if (!started) return { ready: false };
      return { ready: true, experiment: 'hopfield', query: lab.query(), playing, clean: !needDraw || !view,
        backend: view ? view.backend() : 'none', build: metrics.build, info: lab.info() };
    },
    energies() { return Array.from(lab.energies()); },
    on(event, fn) { (listeners[event] ||= []).push(fn); return () => { listeners[event] = listeners[event].filter((f) => f !== fn); }; },
    setVisible(v) { visible = v; if (v) schedule(); },
    async readPixels(w, h) {
      if (!view) throw new Error('no GPU view: drawing is not available in this browser');
      return view.read_grid(lab.stage_picture(), lab.stage_columns(), w, h);
    },
    async png() { const [w, h] = [canvas.width, canvas.height]; return rgbaToPng(await handle.readPixels(w, h), w, h); },
    /** RGBA pixels (w×h) into the draw pad as the image input would load them ('binarise' or
     * 'greyscale'); "store as a pattern" then adds them. For tests and scripts. */
    async importPixels(rgba, w, h, mode = 'binarise') {
      if (!importPixels) throw new Error('the draw box is not ready');
      importChoice.mode = mode === 'greyscale' ? 'greyscale' : 'binarise';
      makeDrawBox();
      await importPixels(Uint8Array.from(rgba), w, h);
    },
    /** One batched modern update on the GPU (WebGPU compute) and on the CPU; their agreement. */
    async compareGpu() {
      if (!mod.ModernGpu) throw new Error('this build has no GPU compute path');
      if (!view || view.backend() !== 'webgpu') throw new Error('WebGPU compute needs the WebGPU backend');
      const info = lab.info();
      const d = info.width * info.height, n = info.count;
      const stored = lab.patterns_flat();
      const q = Math.min(64, n + 2);
      const queries = new Float32Array(q * d);
      queries.set(lab.query_values(), 0);
      for (let i = 1; i < q; i++) queries.set(stored.subarray(((i - 1) % n) * d, ((i - 1) % n + 1) * d), i * d);
      const beta = lab.effective_beta();
      const key = `${lab.query()}`;
      if (!gpuCompute || gpuComputeKey !== key) { gpuCompute?.free?.(); gpuCompute = await mod.ModernGpu.create(stored, n, d); gpuComputeKey = key; }
      const g0 = performance.now();
      const gpu = await gpuCompute.update(queries, q, beta);
      const gpuMs = performance.now() - g0;
      const c0 = performance.now();
      const cpu = mod.hopfield_modern_update(stored, n, d, queries, q, beta);
      const cpuMs = performance.now() - c0;
      let maxDiff = 0, maxDiffP = 0;
      for (let i = 0; i < cpu.state.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cpu.state[i] - gpu.state[i]));
      for (let i = 0; i < cpu.p.length; i++) maxDiffP = Math.max(maxDiffP, Math.abs(cpu.p[i] - gpu.p[i]));
      const result = { queries: q, patterns: n, dim: d, beta, gpuMs, cpuMs, maxDiff, maxDiffP, backend: gpuCompute.backend_note() };
      emit('gpu', result);
      return result;
    },
    destroy() {
      destroyed = true;
      if (frameId) cancelAnimationFrame(frameId);
      capWorker?.terminate();
      extrasWorker?.terminate();
      stepper?.free?.();
      resizeObserver?.disconnect();
      document.removeEventListener('keydown', docKeydown);
      for (const p of [energyPlot, overlapPlot, weightPlot, forkPlot, capPlot]) p?.destroy();
      root.remove();
      lab?.free(); view?.free(); patternsView?.free(); stripView?.free();
      lab = null; view = null; started = false;
    },
  };

  keydown = transportKeys(handle);
  handle.ready = (async () => {
    const query = options.query ?? '';
    const opened = await openLab(query, canvas, (m, old) => new m.HopfieldLab(old ? old.query() : query), 'hopfield');
    ({ mod, lab, view, canvas } = opened);
    if (opened.note) notice(opened.note, view ? 'warn' : 'error', opened.detail);
    metrics.build = mod.kind;
    metrics.wasmLoadMs = mod.loadMs;
    showBackend(view, badge, overlay);
    takeNotices();
    makeControls(wantedControls(query, chrome, EMBED_DEFAULT_CONTROLS));
    if (chrome) {
      // The strip's canvas has the composite's aspect ratio, so the β labels sit under their pictures.
      const info = lab.info();
      stripCanvas.style.aspectRatio = `${lab.beta_strip_columns(STRIP_BETAS)} / ${info.height}`;
      stripLabels.style.gridTemplateColumns = `repeat(${STRIP_BETAS}, 1fr)`;
      if (view) { patternsView = await secondaryView(patternsCanvas); stripView = await secondaryView(stripCanvas); }
      makeDrawBox(); makeGpuBox(); makeCapBox();
    }
    if (/(?:^|[?&])autoplay=1(?:&|$)/.test(query)) playing = true;
    root.addEventListener('keydown', keydown);
    if (chrome) document.addEventListener('keydown', docKeydown);
    if (view) resizeObserver = observeCanvas(() => canvas, () => view, () => { needDraw = true; schedule(); });
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
