// The dendrites experiment's own parts of the page (the skeleton is shell.js): the colour
// legend, the equations with the current numbers (MathML), the paper's figures with log axes
// (uPlot; log axes drawn as log10 on linear axes because uPlot's log ticks stop near 1e-16), the
// overlap histogram, and simulated points in a Web Worker with their intervals. The theory, the
// figures' numbers, the bit view and the Monte Carlo are Rust (src/dendrites).

import uPlot from '../vendor/uPlot.esm.js';
import { el, fmt, download } from '../common.js';

// Cell colours of the bit view (src/dendrites/scene.rs, `colour` and `HUES`), per view.
const HUE_CSS = ['#4678d7', '#a064d2', '#3cafaf', '#d764a0', '#78963c', '#6e6ee6', '#288c6e', '#be825a'];
const IDLE = ['inactive', '#2c323c'], ACTIVE = ['active cell of the pattern', '#afb4b9'], SYNAPSE = ['synapse', '#4678d7'];
const OVERLAP = ['synapse on an active cell (overlap)', '#faa028'];
function legendFor(view) {
  switch (view) {
    case 'noise': return [IDLE, ACTIVE, SYNAPSE, OVERLAP, ['synapse that lost its input', '#eb3c3c'], ['removed by the noise', '#782828'], ['added by the noise', '#5ac864']];
    case 'union': return [IDLE, ACTIVE, ['synapses, coloured by the pattern they came from', HUE_CSS], OVERLAP];
    case 'neuron': return [IDLE, ACTIVE, ['synapses, coloured by segment', HUE_CSS], OVERLAP];
    case 'pair': return [['top left x, top right y; bottom: x AND y, x OR y', null], ['in x', '#4678d7'], ['in y', '#5ac864'], ['in x and y (overlap)', '#faa028'], IDLE];
    case 'members': return [['input union, coloured by the pattern that set the cell', HUE_CSS], ['test synapse on the union', '#faa028'], ['test synapse off the union', '#ebebf0'], IDLE];
    default: return [IDLE, ACTIVE, SYNAPSE, OVERLAP];
  }
}
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
const CURRENT = '#ffffff';
const SIM = '#ff5fd2';

// Log axes are drawn as log10 of the value on a linear axis: uPlot's own log axes cannot
// place ticks below about 1e-16, and these probabilities go down to 1e-300.
const log10OrNull = (v) => (v > 0 && Number.isFinite(v) ? Math.log10(v) : null);
const DECADES = [1, 2, 5, 10, 20, 50, 100];
const decadeLabels = (u, splits) => splits.map((v) => (Number.isInteger(v) ? (v === 0 ? '1' : `1e${v}`) : ''));
/** Whole decades around the data, at least one. */
function decadeRange(u, min, max) {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [-1, 0];
  let lo = Math.floor(min), hi = Math.ceil(max);
  if (lo === hi) { lo -= 1; hi += 1; }
  return [lo, hi];
}

/** Probability text: plain down to 1e-4, then scientific; from its log10 below f64's range (a
 *  value that is not 0 never shows as 0); as 1 − (1 − P) when P would round to 1 (`oneMinus`,
 *  or its log10 `oneMinusLog10` where that underflows too). */
export function fmtP(p, log10, oneMinus, oneMinusLog10) {
  if ((p === null || p === undefined || p === 0) && Number.isFinite(log10)) return `10^${log10.toFixed(2)}`;
  if (p === null || p === undefined) return '–';
  if (p === 0) return '0';
  if (p > 0.5 && (oneMinus === null || oneMinus === 0) && Number.isFinite(oneMinusLog10)) return `1 − 10^${oneMinusLog10.toFixed(2)}`;
  if (p > 0.5 && oneMinus > 0 && oneMinus < 5e-5) return `1 − ${fmtP(oneMinus)}`;
  if (p >= 1e-4) return Number(p.toPrecision(4)).toString();
  return p.toExponential(3);
}
const prob = (j) => (j ? fmtP(j.p, j.log10_p, j.one_minus_p, j.log10_one_minus_p) : 'too costly here (see the CLI)');


/** The module's state and panels for one lab (a page may hold several). */
function create(ctx) {
  const notice = ctx.notice, emit = ctx.emit;
  let figPlot = null, histPlot = null, currentFigure = null, simWorker = null, figureDirty = true;
  const simResults = new Map(); // key: figure id + query without step → [{request, estimate}]
  const equations = el('div', { class: 'el-equations', 'aria-label': 'equations with the current numbers' });
  const figureBox = el('div', { class: 'el-figure' });
  const histBox = el('div', { class: 'el-histogram' });
  const simBox = el('div', { class: 'el-sim' });
  const dirty = () => { figureDirty = true; ctx.schedule(); };

  const legend = el('div', { class: 'el-legend', 'aria-label': 'colours' });
  let legendView = null;
  function makeLegend() {
    ctx.readout.before(legend);
    updateLegend();
  }
  function updateLegend() {
    const view = ctx.lab.param('view');
    if (view === legendView) return;
    legendView = view;
    ctx.stage.classList.toggle('el-painting', view === 'paint' || view === 'pair');
    legend.replaceChildren();
    for (const [name, colour] of legendFor(view)) {
      const swatches = colour === null ? [] : (Array.isArray(colour) ? colour.slice(0, 4) : [colour]).map((c) => el('i', { style: `background:${c}` }));
      legend.append(el('span', {}, ...swatches, name));
    }
    legend.append(el('span', {}, el('i', { style: 'background:#fff' }), 'meter: overlap, white line θ'));
    const hint = {
      paint: 'click or drag on the cells to paint (choose x or the segment under "Paint")',
      pair: 'click or drag in the x or y panel to paint',
      members: 'is a pattern in this union? A segment learned from any of the M patterns has all its synapses on the union and always says yes; the test here is a random segment, which should say no (E7)',
    }[view];
    if (hint) legend.append(el('span', { class: 'el-hint', text: hint }));
  }

  // ---- hands on: hover, paint, zoom (issue 16) ----------------------------------------------
  // The canvas may be replaced (GPU recovery), so the listeners sit on the stage and read
  // ctx.canvas and ctx.view at each event. Cells are found by the same layout the renderer
  // used (DendritesLab.cell_at), in device pixels.
  const tip = el('div', { class: 'el-cell-tip', role: 'status', hidden: '' });
  function makeHandsOn() {
    const stage = ctx.stage;
    stage.append(tip);
    const cellAt = (e) => {
      const canvas = ctx.canvas;
      if (!ctx.view || !canvas) return -1;
      const r = canvas.getBoundingClientRect();
      if (!r.width || !r.height) return -1;
      return ctx.lab.cell_at(ctx.view, (e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height);
    };
    const paintable = () => ['paint', 'pair'].includes(ctx.lab.param('view'));
    let stroke = null; // picture cells painted in this drag (each at most once)
    function paintAt(e) {
      const i = cellAt(e);
      if (i < 0 || stroke.has(i)) return;
      stroke.add(i);
      const generation = ctx.lab.generation();
      let result;
      try { result = ctx.lab.paint(i); } catch (err) { notice(`paint: ${err.message || err}`, 'error'); return; }
      if (result === false) return;
      for (const n of result) notice(n.message);
      ctx.syncInputs();
      ctx.changed(ctx.lab.generation() !== generation);
      emit('painted', { index: i, query: ctx.lab.query() });
    }
    function hover(e) {
      const i = cellAt(e);
      const text = i >= 0 ? ctx.lab.describe_cell(i) : undefined;
      if (!text) { tip.hidden = true; return; }
      tip.textContent = text;
      tip.hidden = false;
      const r = stage.getBoundingClientRect();
      tip.style.left = `${Math.max(0, Math.min(e.clientX - r.left + 14, r.width - tip.offsetWidth - 4))}px`;
      tip.style.top = `${Math.min(e.clientY - r.top + 14, r.height - tip.offsetHeight - 4)}px`;
    }
    stage.addEventListener('pointerdown', (e) => {
      if (!paintable() || e.button !== 0) return;
      stroke = new Set();
      stage.setPointerCapture?.(e.pointerId);
      paintAt(e);
      e.preventDefault();
    });
    stage.addEventListener('pointermove', (e) => { if (stroke) paintAt(e); hover(e); });
    const end = () => { stroke = null; };
    stage.addEventListener('pointerup', end);
    stage.addEventListener('pointercancel', end);
    stage.addEventListener('pointerleave', () => { tip.hidden = true; });
    // The wheel zooms by 2 around the cell under the pointer; at either end of the range the
    // page scrolls as usual.
    stage.addEventListener('wheel', (e) => {
      const i = e.deltaY === 0 ? -1 : cellAt(e);
      const window = i >= 0 ? ctx.lab.zoom_around(i, e.deltaY < 0) : undefined;
      if (!window) return;
      e.preventDefault();
      const [zoom, at] = window;
      ctx.setParam('zoom', zoom);
      ctx.setParam('at', at);
      emit('zoomed', { zoom, at });
    }, { passive: false });
  }

  // ---- the neuron view: K segments as branches of one cell (SVG) --------------------------------
  const SVG = 'http://www.w3.org/2000/svg';
  const svg = (tag, attrs = {}, text) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const neuronBox = el('div', { class: 'el-neuron', hidden: '', 'aria-label': 'the neuron: its segments as branches' });
  let neuronKey = '';
  function drawNeuron() {
    const view = ctx.lab.param('view');
    neuronBox.hidden = view !== 'neuron';
    if (neuronBox.hidden) { neuronKey = ''; return; }
    const key = `${ctx.lab.query()}|${ctx.lab.position()}`;
    if (key === neuronKey) return;
    neuronKey = key;
    const SHOWN = 12, DOTS = 40, GAP = 11;
    const branches = ctx.lab.branches(SHOWN);
    const r = ctx.lab.readout();
    const k = Number(ctx.lab.param('k')), theta = Number(ctx.lab.param('theta'));
    const rowH = 24, top = 18, width = 900, height = top * 2 + rowH * Math.max(1, branches.length);
    const soma = { x: 56, y: height / 2 };
    const pic = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', height, role: 'img', class: 'el-neuron-svg' });
    const anyFired = branches.some((b) => b.fired);
    branches.forEach((b, row) => {
      const y = top + rowH * (row + 0.5);
      const stroke = b.fired ? '#ffd54a' : '#4678d7';
      const dots = Math.min(b.synapses, DOTS);
      const end = 160 + dots * GAP;
      pic.append(svg('path', { d: `M ${soma.x + 20} ${soma.y} C ${soma.x + 70} ${soma.y}, ${soma.x + 60} ${y}, 150 ${y} L ${end} ${y}`, fill: 'none', stroke, 'stroke-width': b.fired ? 3 : 1.5, class: b.fired ? 'el-branch el-fired' : 'el-branch' }));
      // Counts only: the synapses on active cells are drawn first (their order on a real
      // branch is not modelled).
      const on = Math.min(b.overlap, dots);
      for (let j = 0; j < dots; j++) pic.append(svg('circle', { cx: 160 + j * GAP, cy: y, r: 3.8, fill: j < on ? '#faa028' : '#2c323c', stroke: '#8aa4d6', 'stroke-width': 0.8 }));
      const more = b.synapses > dots ? ` (+${b.synapses - dots} more)` : '';
      pic.append(svg('text', { x: end + 10, y: y + 4, fill: b.fired ? '#ffd54a' : '#bbb', 'font-size': 12 }, `segment ${b.segment + 1}: ${b.overlap} of ${b.synapses} on active cells${more}${b.fired ? ` ≥ θ = ${theta}: fires` : ''}`));
    });
    pic.append(svg('circle', { cx: soma.x, cy: soma.y, r: 20, fill: anyFired ? '#ffd54a' : '#2c323c', stroke: '#ddd', 'stroke-width': 1.5, class: 'el-soma' }));
    pic.append(svg('text', { x: soma.x, y: soma.y + 4, 'text-anchor': 'middle', fill: anyFired ? '#10141a' : '#ddd', 'font-size': 11 }, anyFired ? 'fires' : 'cell'));
    const shown = branches.length < k ? `${branches.length} of K = ${k} segments shown (every one that fired first)` : `K = ${k} segments`;
    const chance = fmtP(r.expected, r.expected_log10);
    neuronBox.replaceChildren(pic, el('p', { class: 'el-help', text: `${shown}. θ = ${theta}. A random pattern of a = ${ctx.lab.param('a')} cells makes some segment fire with probability ${chance} (E4, exact 1 − (1 − P_fm)^K).` }));
  }

  // ---- equations (MathML with the current numbers) -------------------------------------------
  // The equations are MathML markup built here from numbers; every number or word that goes into
  // them is escaped, so nothing from outside can become markup.
  const esc = (x) => String(x).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const mi = (x) => `<mi>${esc(x)}</mi>`, mn = (x) => `<mn>${esc(x)}</mn>`, mo = (x) => `<mo>${esc(x)}</mo>`;
  const C = (a, b) => `<mrow><mi>C</mi><mo>(</mo>${a}<mo>,</mo>${b}<mo>)</mo></mrow>`;
  const frac = (a, b) => `<mfrac><mrow>${a}</mrow><mrow>${b}</mrow></mfrac>`;
  const sum = (from, to) => `<munderover><mo>∑</mo><mrow>${from}</mrow><mrow>${to}</mrow></munderover>`;
  const math = (body) => `<math display="block"><mrow>${body}</mrow></math>`;
  function updateEquations() {
    const s = ctx.lab.summary();
    const p = s.params;
    const rows = [
      ['E1 · number of patterns', math(`${C(mn(p.n), mn(p.a))}${mo('=')}<msup>${mn(10)}${mn(s.sdr_count_log10.toFixed(3))}</msup>`)],
      ['E3 · false match of one segment', math(`<msub>${mi('P')}${mi('fm')}</msub>${mo('=')}${sum(`${mi('b')}${mo('=')}${mn(p.theta)}`, `${mn(Math.min(p.s, p.a))}`)}${frac(`${C(mn(p.s), mi('b'))}${C(mn(p.n - p.s), `${mn(p.a)}${mo('−')}${mi('b')}`)}`, C(mn(p.n), mn(p.a)))}${mo('=')}${mn(prob(s.false_match))}`)],
      [`E4 · any of K = ${p.k} segments (${p.set_exact ? 'exact' : 'bound'} chosen)`, math(`${mn(1)}${mo('−')}<msup><mrow>${mo('(')}${mn(1)}${mo('−')}<msub>${mi('P')}${mi('fm')}</msub>${mo(')')}</mrow>${mn(p.k)}</msup>${mo('=')}${mn(prob(s.set_exact))}${mo('≤')}${mn(p.k)}${mo('·')}<msub>${mi('P')}${mi('fm')}</msub>${mo('=')}${mn(fmtP(s.set_bound, s.set_bound_log10))}`)],
      [`E5 · false negative with v = ${p.v} noisy cells`, math(`<msub>${mi('P')}${mi('fn')}</msub>${mo('=')}${sum(`${mi('b')}${mo('=')}${mn(Math.min(p.s, p.a) - p.theta + 1)}`, mn(Math.min(p.s, p.a)))}${frac(`${C(mn(Math.min(p.s, p.a)), mi('b'))}${C(mn(p.a - Math.min(p.s, p.a)), `${mn(p.v)}${mo('−')}${mi('b')}`)}`, C(mn(p.a), mn(p.v)))}${mo('=')}${mn(prob(s.false_negative))}`)],
      [`E6 · one segment holding M = ${p.m} patterns`, math(`${mi('S')}${mo('=')}${mn(p.n)}${mo('(')}${mn(1)}${mo('−')}<msup><mrow>${mo('(')}${mn(1)}${mo('−')}${frac(mn(p.s), mn(p.n))}${mo(')')}</mrow>${mn(p.m)}</msup>${mo(')')}${mo('=')}${mn(fmt(s.union_synapses, 1))}${mo(';')}<msub>${mi('P')}${mi('exact')}</msub>${mo('=')}${mn(prob(s.union_exact))}${mo(',')}<msub>${mi('P')}${mi('rounded')}</msub>${mo('=')}${mn(prob(s.union_rounded))}`)],
      [`E7 · input that is the union of M = ${p.m} patterns`, math(`${mi('A')}${mo('=')}${mn(p.n)}${mo('(')}${mn(1)}${mo('−')}<msup><mrow>${mo('(')}${mn(1)}${mo('−')}${frac(mn(p.a), mn(p.n))}${mo(')')}</mrow>${mn(p.m)}</msup>${mo(')')}${mo('=')}${mn(fmt(s.union_input_size, 2))}${mo(';')}<msub>${mi('P')}${mi('fm')}</msub>${mo('(')}${mi('n')}${mo(',')}${mi('A')}${mo(',')}${mn(p.s)}${mo(',')}${mn(p.theta)}${mo(')')}${mo('=')}${mn(prob(s.union_input))}`)],
    ];
    equations.replaceChildren(el('h3', { text: 'The equations, with the current numbers' }));
    for (const [title, html] of rows) {
      const row = el('div', { class: 'el-eq' }, el('span', { class: 'el-eq-title', text: title }));
      const m = el('div', { class: 'el-eq-math' });
      m.innerHTML = html;
      row.append(m);
      equations.append(row);
    }
    equations.append(el('p', { class: 'el-help', text: 'C(n,k) = 0 outside 0 ≤ k ≤ n. Everything is computed in log space in Rust (exact to about 1e-12 relative); below 1e-300 the value is shown as a power of ten.' }));
  }

  // ---- figures ---------------------------------------------------------------------------------
  function simKey() {
    return `${ctx.lab.param('fig')}|${ctx.lab.query().replace(/(^|&)step=\d+/, '')}`;
  }

  function figureData(fig, sims, tx, ty) {
    const tables = fig.series.map((s) => [s.x.map(tx), s.y.map((v) => (v === undefined || v === null ? null : ty(v)))]);
    if (fig.marker) tables.push([[tx(fig.marker.x)], [ty(fig.marker.y)]]);
    const simPts = sims.filter((r) => r.estimate.p > 0);
    if (simPts.length) {
      const sorted = [...simPts].sort((a, b) => a.request.x - b.request.x);
      tables.push([sorted.map((r) => tx(r.request.x)), sorted.map((r) => ty(r.estimate.p))]);
    }
    // uPlot wants strictly increasing x per table.
    const cleaned = tables.map(([x, y]) => {
      const pairs = x.map((xi, i) => [xi, y[i]]).sort((a, b) => a[0] - b[0]);
      const xs = [], ys = [];
      for (const [xi, yi] of pairs) {
        if (xs.length && xs[xs.length - 1] === xi) { if (yi !== null) ys[ys.length - 1] = yi; continue; }
        xs.push(xi); ys.push(yi);
      }
      return [xs, ys];
    });
    return { data: uPlot.join(cleaned), hasSim: simPts.length > 0 };
  }

  function drawFigure() {
    if (!ctx.chrome) return;
    const fig = ctx.lab.figure();
    currentFigure = fig;
    const sims = simResults.get(simKey()) ?? [];
    const tx = fig.x_log ? log10OrNull : (v) => v;
    const ty = fig.y_log ? log10OrNull : (v) => v;
    const { data, hasSim } = figureData(fig, sims, tx, ty);
    const series = [{ label: fig.x_label }];
    let colour = 0;
    for (const s of fig.series) {
      const base = { label: s.label, spanGaps: true, points: { show: false } };
      if (s.style === 'current') series.push({ ...base, stroke: CURRENT, width: 2.5 });
      else if (s.style === 'points') series.push({ ...base, stroke: '#edc948', width: 0, points: { show: true, size: 13, width: 2, stroke: '#edc948', fill: 'transparent' }, paths: () => null });
      else if (s.style === 'dashed') series.push({ ...base, stroke: PALETTE[colour++ % PALETTE.length], width: 1.5, dash: [6, 4] });
      else series.push({ ...base, stroke: PALETTE[colour++ % PALETTE.length], width: 1.8 });
    }
    if (fig.marker) series.push({ label: fig.marker.label, stroke: CURRENT, width: 0, paths: () => null, points: { show: true, size: 11, fill: '#f28e2b', stroke: CURRENT } });
    if (hasSim) series.push({ label: 'this lab\'s simulation (95% CI)', stroke: SIM, width: 0, paths: () => null, points: { show: true, size: 7, fill: SIM } });
    const axis = (extra) => ({ stroke: '#bbb', grid: { stroke: '#333' }, ...extra });
    const logAxis = { incrs: DECADES, values: decadeLabels };
    const opts = {
      width: Math.max(300, figureBox.clientWidth || 800), height: 380, title: fig.title,
      scales: { x: { time: false, ...(fig.x_log ? { range: decadeRange } : {}) }, y: fig.y_log ? { range: decadeRange } : { auto: true } },
      axes: [axis({ label: fig.x_label, ...(fig.x_log ? logAxis : {}) }), axis({ label: fig.y_label + (fig.y_log ? ' (log scale)' : ''), size: 70, ...(fig.y_log ? logAxis : {}) })],
      series,
      hooks: { drawAxes: [(u) => shade(u, fig, tx, ty)], draw: [(u) => errorBars(u, sims, tx, ty)] },
    };
    figPlot?.destroy();
    figureBox.replaceChildren();
    figPlot = new uPlot(opts, data, figureBox);
    figPlot.root.classList.add('el-figure-plot');
    for (const note of fig.notes) figureBox.append(el('p', { class: 'el-help el-fig-note', text: note }));
    const btn = (text, fn) => el('button', { type: 'button', class: 'el-btn', onclick: fn }, text);
    figureBox.append(el('div', { class: 'el-exports' }, el('span', { text: 'Export this figure: ' }),
      btn('CSV', () => download(`dendrites-${fig.id}.csv`, figureCsv(fig, sims), 'text/csv')),
      btn('JSON', () => download(`dendrites-${fig.id}.json`, JSON.stringify({ figure: fig, simulation: sims, query: ctx.lab.query() }, null, 2), 'application/json')),
      btn('PNG of the bit view', async () => { try { download('dendrites-bits.png', await ctx.handle.png(), 'image/png'); } catch (e) { notice(String(e.message || e), 'error'); } })));
    updateSimBox(fig, sims);
    emit('figure', { id: fig.id, series: fig.series.length, simulated: sims.length });
  }

  function shade(u, fig, tx, ty) {
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    if (fig.shade_below !== null && fig.shade_below !== undefined) {
      const y = u.valToPos(ty(fig.shade_below), 'y', true);
      if (Number.isFinite(y)) {
        ctx.fillStyle = 'rgba(89,161,79,0.18)';
        const y0 = Math.max(top, Math.min(top + height, y));
        ctx.fillRect(left, y0, width, top + height - y0);
        ctx.fillStyle = '#8fd19e';
        ctx.font = `${12 * devicePixelRatio}px system-ui`;
        ctx.fillText(`median ≤ ${fig.shade_below.toExponential(0)}`, left + 8, Math.min(top + height - 6, y0 + 16 * devicePixelRatio));
      }
    }
    if (fig.x_band) {
      const [a, b, label] = fig.x_band;
      const x0 = u.valToPos(tx(a), 'x', true), x1 = u.valToPos(tx(b), 'x', true);
      ctx.fillStyle = 'rgba(242,142,43,0.10)';
      ctx.fillRect(x0, top, x1 - x0, height);
      ctx.fillStyle = '#f5b971';
      ctx.font = `${12 * devicePixelRatio}px system-ui`;
      ctx.fillText(label, x0 + 6, top + 16 * devicePixelRatio);
    }
    ctx.restore();
  }

  // 95% intervals of the simulated points; zero-hit points as a downward arrow from 3/N.
  function errorBars(u, sims, tx, ty) {
    const { ctx } = u;
    const { top, height } = u.bbox;
    const bottom = top + height;
    ctx.save();
    ctx.strokeStyle = SIM;
    ctx.fillStyle = SIM;
    ctx.lineWidth = 1.5 * devicePixelRatio;
    for (const { request, estimate: e } of sims) {
      const x = u.valToPos(tx(request.x), 'x', true);
      if (!Number.isFinite(x)) continue;
      const ypos = (v) => { const t = v > 0 ? ty(v) : null; return t === null ? bottom : Math.min(bottom, Math.max(top, u.valToPos(t, 'y', true))); };
      if (e.hits === 0 && e.upper_bound) {
        const y = ypos(e.upper_bound);
        ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x, y + 14 * devicePixelRatio); ctx.stroke();
        ctx.beginPath(); ctx.moveTo(x - 5 * devicePixelRatio, y + 8 * devicePixelRatio); ctx.lineTo(x, y + 15 * devicePixelRatio); ctx.lineTo(x + 5 * devicePixelRatio, y + 8 * devicePixelRatio); ctx.fill();
        ctx.beginPath(); ctx.moveTo(x - 5 * devicePixelRatio, y); ctx.lineTo(x + 5 * devicePixelRatio, y); ctx.stroke();
        continue;
      }
      const y0 = ypos(e.ci_low), y1 = ypos(e.ci_high);
      ctx.beginPath(); ctx.moveTo(x, y0); ctx.lineTo(x, y1); ctx.stroke();
      for (const y of [y0, y1]) { ctx.beginPath(); ctx.moveTo(x - 4 * devicePixelRatio, y); ctx.lineTo(x + 4 * devicePixelRatio, y); ctx.stroke(); }
    }
    ctx.restore();
  }

  function figureCsv(fig, sims) {
    const q = (v) => `"${String(v).replaceAll('"', '""')}"`;
    const lines = ['series,style,x,y'];
    for (const s of fig.series) s.x.forEach((x, i) => lines.push([q(s.label), s.style, x, s.y[i] ?? ''].join(',')));
    for (const { request: r, estimate: e } of sims) {
      lines.push([q(`simulation of ${r.series}`), r.importance ? 'importance' : 'monte-carlo', r.x, e.p === 0 && Number.isFinite(e.log10_p) ? `1e${e.log10_p}` : e.p].join(','));
    }
    // Values below f64's range are written from their log10 ("1e-412.3" reads as 10^-412.3), never as 0.
    // The interval p ± 1.96·SE of an estimate below the range, from its logarithms (its lower end
    // is 0 only where the interval really reaches 0).
    const ciOf = (e) => {
      if (e.ci_high > 0 || !Number.isFinite(e.log10_p)) return [e.ci_low, e.ci_high];
      // Every sample had the same weight (SE exactly 0): the interval is the point itself.
      if (!Number.isFinite(e.log10_se)) return [`1e${e.log10_p}`, `1e${e.log10_p}`];
      const rel = 10 ** (e.log10_se - e.log10_p);
      return [rel < 1 / 1.96 ? `1e${e.log10_p + Math.log10(1 - 1.96 * rel)}` : 0, `1e${e.log10_p + Math.log10(1 + 1.96 * rel)}`];
    };
    const num = (v, log10) => ((v === 0 || v === null) && Number.isFinite(log10) ? `1e${log10}` : v ?? '');
    lines.push('', 'simulated_series,x,theory,theory_log10,p,log10_p,se,ci_low,ci_high,hits,trials,upper_bound,method,ess,log10_se');
    for (const { request: r, estimate: e } of sims) {
      lines.push([q(r.series), r.x, num(r.theory, r.theory_log10), r.theory_log10, num(e.p, e.log10_p), Number.isFinite(e.log10_p) ? e.log10_p : '', num(e.se, e.log10_se), ...ciOf(e), e.hits, e.trials, e.upper_bound ?? '', r.importance ? 'importance' : 'monte-carlo', Number.isFinite(e.ess) ? e.ess : '', Number.isFinite(e.log10_se) ? e.log10_se : ''].join(','));
    }
    return `${lines.join('\n')}\n`;
  }

  // ---- simulation (Web Worker) -------------------------------------------------------------
  /** (p − theory)/SE; from logarithms where p, its SE or the theory are below f64's range
   *  (the importance sampler reports log10_p and log10_se there): (10^(lp − lt) − 1)/10^(lse − lt). */
  function zScore(r, e) {
    if (e.se > 0 && typeof r.theory === 'number' && e.p > 0) return (e.p - r.theory) / e.se;
    if (!Number.isFinite(e.log10_p) || !Number.isFinite(e.log10_se) || !Number.isFinite(r.theory_log10)) return NaN;
    return (10 ** (e.log10_p - r.theory_log10) - 1) / 10 ** (e.log10_se - r.theory_log10);
  }
  // The importance sampler's effective sample size (Kish) says how far its ± SE can be trusted:
  // below MIN_ESS equally weighted hits a few heavy weights decide the estimate.
  const MIN_ESS = 50;
  const method = (r, e) => {
    if (!r.importance) return 'Monte Carlo';
    if (!Number.isFinite(e.ess)) return 'importance';
    const ess = `importance (ESS ${e.ess >= 100 ? Math.round(e.ess) : e.ess.toFixed(1)})`;
    return e.ess < MIN_ESS ? `${ess} ⚠ too few effective samples to trust ± SE` : ess;
  };
  const simUi = {};
  function makeSimBox() {
    if (!ctx.chrome) return;
    simUi.go = el('button', { type: 'button', class: 'el-btn el-sim-run' }, 'Simulate these points');
    simUi.cancel = el('button', { type: 'button', class: 'el-btn', disabled: '' }, 'Cancel');
    simUi.bar = el('progress', { max: 1, value: 0, class: 'el-progress el-sim-progress' });
    simUi.status = el('span', { class: 'el-sim-status', role: 'status' });
    simUi.table = el('div', { class: 'el-sim-table' });
    simUi.go.addEventListener('click', () => api.simulate().catch((e) => notice(`simulation: ${e.message || e}`, 'error')));
    simUi.cancel.addEventListener('click', () => { stopSim('cancelled'); });
    simBox.append(el('h3', { text: 'Theory against simulation (Web Worker)' }),
      el('p', { class: 'el-help', text: 'Bit-level Monte Carlo as the official C++ does it (random segments of s cells, random patterns of a cells; each overlap counted cell by cell against a bitset of the other set, as the C++ counts shared ON bits), seeded from this page\'s seed. Points below 1e-4 use the importance sampler (E3, E5, E6, E7: cells drawn one at a time from a proposal conditioned on just reaching the threshold, each sample weighted by its likelihood ratio; the weights never use the closed form; E4 with several segments stays plain). Error bars are 95% intervals (Wilson\'s score interval, which holds with few hits, where the official code\'s p ± 1.96·se does not); a run with no hits shows the one-sided bound 3/N.' }),
      simUi.go, simUi.cancel, simUi.bar, simUi.status, simUi.table);
  }

  function updateSimBox(fig, sims) {
    if (!simUi.go) return;
    simUi.go.disabled = !fig.simulate.length || !!simWorker;
    simUi.go.title = fig.simulate.length ? `${fig.simulate.length} points` : 'this figure is theory only';
    // How the last run for these points ended ("11 points in 9.2 s", "cancelled") stays until
    // the points change.
    const ended = simEnded.key === simKey() ? simEnded.text : '';
    if (!simWorker) simUi.status.textContent = ended || (fig.simulate.length ? `${fig.simulate.length} points can be simulated, ${ctx.lab.param('trials')} samples each` : 'this figure is theory only');
    if (!sims.length) { simUi.table.replaceChildren(); return; }
    const t = el('table', { class: 'el-table el-sim-results' },
      el('tr', {}, ...['series', 'x', 'theory', 'simulated', '± SE', 'z', 'hits / N', 'method'].map((h) => el('th', { text: h }))));
    for (const { request: r, estimate: e } of sims) {
      const z = zScore(r, e);
      const sim = e.hits === 0 && e.upper_bound ? `< ${fmtP(e.upper_bound)} (no hits)` : fmtP(e.p, e.log10_p);
      const se = e.se > 0 ? e.se.toExponential(2) : Number.isFinite(e.log10_se) ? `10^${e.log10_se.toFixed(2)}` : '–';
      t.append(el('tr', {}, el('td', { text: r.series }), el('td', { text: fmt(r.x, 3) }), el('td', { text: fmtP(r.theory, r.theory_log10) }),
        el('td', { text: sim }), el('td', { text: se }), el('td', { text: Number.isFinite(z) ? z.toFixed(2) : '–' }),
        el('td', { text: `${e.hits} / ${e.trials}` }), el('td', { text: method(r, e) })));
    }
    simUi.table.replaceChildren(t);
  }

  const simEnded = { key: '', text: '' };
  function stopSim(text) {
    simWorker?.terminate();
    simWorker = null;
    Object.assign(simEnded, { key: simKey(), text });
    if (simUi.go) { simUi.cancel.disabled = true; simUi.status.textContent = text; dirty(); }
  }

  // ---- histogram -------------------------------------------------------------------------------
  function drawHistogram() {
    if (!ctx.chrome) return;
    const h = ctx.lab.histogram();
    const lp = h.probability.map((p) => (p === null ? null : log10OrNull(p)));
    const below = lp.map((p, i) => (h.overlap[i] < h.theta ? p : null));
    const above = lp.map((p, i) => (h.overlap[i] >= h.theta ? p : null));
    const floor = (u) => u.scales.y.min;
    const opts = {
      width: Math.max(300, histBox.clientWidth || 800), height: 220,
      title: `Overlap of a random pattern with the segment: P(overlap ≥ θ = ${h.theta}) = ${fmtP(h.tail, h.tail_log10)}`,
      scales: { x: { time: false, range: [Math.min(...h.overlap) - 0.7, Math.max(...h.overlap) + 0.7] }, y: { range: decadeRange } },
      axes: [{ stroke: '#bbb', grid: { show: false }, label: 'overlap b (synapses on active cells)' }, { stroke: '#bbb', grid: { stroke: '#333' }, size: 70, label: 'probability (log scale)', incrs: DECADES, values: decadeLabels }],
      series: [{},
        { label: 'below θ', stroke: '#4e79a7', fill: '#4e79a7aa', fillTo: floor, paths: uPlot.paths.bars({ size: [0.8, 40] }), points: { show: false } },
        { label: 'at or above θ (E3)', stroke: '#f28e2b', fill: '#f28e2baa', fillTo: floor, paths: uPlot.paths.bars({ size: [0.8, 40] }), points: { show: false } }],
    };
    histPlot?.destroy();
    histBox.replaceChildren();
    histPlot = new uPlot(opts, [h.overlap, below, above], histBox);
  }

  function refreshFigures() {
    try {
      drawFigure();
      drawHistogram();
      updateEquations();
    } catch (e) {
      notice(`figure: ${e.message || e}`, 'error');
    }
  }


  const api = {
    resize() {
      figPlot?.setSize({ width: Math.max(300, figureBox.clientWidth), height: 380 });
      histPlot?.setSize({ width: Math.max(300, histBox.clientWidth), height: 220 });
    },
    equations, figureBox, histBox, simBox, neuronBox, makeLegend, makeHandsOn, makeSimBox, refreshFigures, drawNeuron, updateLegend,
    get figureDirty() { return figureDirty; }, set figureDirty(v) { figureDirty = v; },
    figure: () => currentFigure,
    stop: () => { simWorker?.terminate(); figPlot?.destroy(); histPlot?.destroy(); },
    simulate() {
      const fig = ctx.lab.figure();
      if (!fig.simulate.length) return Promise.reject(new Error('this figure is theory only'));
      stopSim('');
      const key = simKey();
      const trials = Number(ctx.lab.param('trials'));
      const results = [];
      simResults.set(key, results);
      return new Promise((resolve, reject) => {
        const worker = ctx.worker();
        simWorker = worker;
        const t1 = performance.now();
        if (simUi.go) { simUi.go.disabled = true; simUi.cancel.disabled = false; simUi.bar.value = 0; simUi.status.textContent = 'simulating…'; }
        worker.onmessage = ({ data }) => {
          if (simWorker !== worker) return;
          if (data.error) { stopSim('failed'); reject(new Error(data.error)); return; }
          if (data.progress !== undefined) { if (simUi.bar) simUi.bar.value = data.progress; return; }
          if (data.point !== undefined) {
            results.push({ request: fig.simulate[data.point], estimate: data.estimate });
            dirty();
            return;
          }
          if (data.finished) {
            const seconds = (performance.now() - t1) / 1000;
            stopSim(`${results.length} points in ${seconds.toFixed(1)} s`);
            emit('simulated', { figure: fig.id, results, seconds });
            resolve(results);
          }
        };
        worker.onerror = (e) => { stopSim('failed'); reject(new Error(e.message)); };
        worker.postMessage({ kind: 'dendrites-sim', requests: fig.simulate, seed: ctx.lab.param('seed'), trials });
      });
    },
  };
  return api;
}

const own = (ctx) => (ctx.dendrites ??= create(ctx));

export default {
  embedControls: ['play', 'step', 'back', 'reset', 'view', 'theta', 'v', 'brush', 'zoom'],
  logSliders: ['n', 'a', 's', 'k', 'trials', 'zoom'],
  canvasLabel: 'bit view: the n cells, the segment\'s synapses and the current pattern',
  optionLabel(ctx, key, value) {
    if (key !== 'fig') return value;
    ctx.figureTitles ??= new Map(ctx.mod.DendritesLab.figure_list().map((f) => [f.id, f.title]));
    return ctx.figureTitles.get(value) ?? value;
  },
  // Sliders whose range depends on another parameter: θ ≤ s, v ≤ a.
  sliderMax(ctx, key) { return key === 'theta' ? ctx.lab.param('s') : key === 'v' ? ctx.lab.param('a') : null; },

  setup(ctx) {
    const d = own(ctx);
    d.makeLegend();
    d.makeHandsOn();
    ctx.stage.after(d.neuronBox);
    d.drawNeuron();
    if (!ctx.chrome) return;
    ctx.panels.append(d.equations, d.figureBox, d.simBox, d.histBox);
    d.makeSimBox();
    new ResizeObserver(() => d.resize()).observe(d.figureBox);
  },
  changed(ctx) { const d = own(ctx); d.figureDirty = true; d.updateLegend(); },
  frame(ctx) {
    const d = own(ctx);
    d.drawNeuron();
    if (d.figureDirty && ctx.chrome) { d.figureDirty = false; d.refreshFigures(); }
    return false;
  },
  readoutText(ctx, i) {
    const view = ctx.lab.param('view');
    const what = { match: 'false matches', noise: 'matches kept', union: 'false matches', neuron: 'false firings', paint: 'matches', pair: 'matches', members: 'false matches' }[view] ?? 'hits';
    ctx.readout.dataset.matched = String(i.matched);
    const chance = fmtP(i.expected, i.expected_log10);
    // What is on the grid, then the verdict, then the tally beside its expectation.
    const head = {
      paint: `x: ${i.pattern_size} active cells · segment: ${i.synapses} synapses · overlap ${i.overlap}`,
      pair: `|x| = ${i.synapses} · |y| = ${i.pattern_size} · x AND y: ${i.overlap} · x OR y: ${i.union_cells}`,
      members: `input: union of M = ${ctx.lab.param('m')} patterns, ${i.union_cells} cells · test segment: ${i.overlap} of s = ${i.synapses} synapses on the union`,
    }[view] ?? `sample ${i.samples} · overlap ${i.overlap}`;
    const verdict = `${head} ${i.matched ? '≥' : '<'} θ = ${i.theta} → ${i.matched ? 'MATCH' : 'no match'}`;
    let tally;
    if (i.fixed) {
      const whom = view === 'pair' ? `a random y of ${i.pattern_size} cells overlaps x` : `a random pattern of ${i.pattern_size} cells matches this segment`;
      tally = `your pattern is painted, so every sample is the same; by chance, ${whom} with probability ${chance}`;
    } else {
      // The expected tally P·N (from its log10 where P underflows: never a false 0) and the
      // central 95 % range of the count, at the exact probability given what the view holds
      // fixed (tally_p: for a union, E3 at the drawn union's size; the paper's E6/E7 average it
      // over unions).
      const n = Math.max(1, i.samples);
      const given = typeof i.tally_p === 'number' || Number.isFinite(i.tally_log10);
      const known = given || typeof i.expected === 'number' || Number.isFinite(i.expected_log10);
      const [p, lp] = given ? [i.tally_p, i.tally_log10] : [i.expected, i.expected_log10];
      const mean = fmtP(typeof p === 'number' ? p * n : null, lp + Math.log10(n));
      const range = Number.isFinite(i.expected_low) ? `, 95 % range ${i.expected_low}–${i.expected_high}` : '';
      let why = `P = ${chance} per sample`;
      if (view === 'union' || view === 'members') {
        const eq = view === 'union' ? 'E6' : 'E7';
        why = `P = ${fmtP(i.tally_p, i.tally_log10)} for this union of ${view === 'union' ? i.synapses : i.union_cells} cells; ${eq} averages it over unions: ${chance}`;
      } else if (view === 'neuron') {
        why = `E4 for independent random segments: P = ${chance}; these K segments are fixed and may share cells, so no range`;
      }
      tally = `${what} so far: ${i.hits} of ${i.samples}` + (known ? ` (expected ${mean}${range}; ${why})` : '');
    }
    const end = Number(ctx.lab.param('n'));
    const window = i.drawn < end ? ` · showing cells ${i.window_start}–${i.window_start + i.drawn - 1} of ${end}` : '';
    return `${verdict} · ${tally}` + (view === 'match' || view === 'noise' ? ` · synapses ${i.synapses}` : '') + window + (i.note ? ` · ${i.note}` : '');
  },
  state(ctx) { return { summary: ctx.lab.summary() }; },
  extend(ctx) {
    const d = own(ctx);
    return { figure: () => d.figure(), simulate: () => d.simulate() };
  },
  destroy(ctx) { own(ctx).stop(); },
};
