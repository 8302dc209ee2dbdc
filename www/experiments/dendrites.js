// The dendrites experiment's own parts of the page (the skeleton is shell.js): the colour
// legend, the equations with the current numbers (MathML), the paper's figures with log axes
// (uPlot; log axes drawn as log10 on linear axes because uPlot's log ticks stop near 1e-16), the
// overlap histogram, and simulated points in a Web Worker with their intervals. The theory, the
// figures' numbers, the bit view and the Monte Carlo are Rust (src/dendrites).

import uPlot from '../vendor/uPlot.esm.js';
import { el, fmt, download } from '../common.js';

// Cell colours of the bit view (src/dendrites/scene.rs, `colour`).
const LEGEND = [
  ['inactive', '#2c323c'], ['active cell', '#afb4b9'], ['synapse', '#4678d7'], ['synapse on an active cell (overlap)', '#faa028'],
  ['noise: synapse that lost its input', '#eb3c3c'], ['noise: removed cell', '#782828'], ['noise: added cell', '#5ac864'],
];
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
const CURRENT = '#ffffff';
const SIM = '#ff5fd2';
// Integer parameters with a log-scale slider (their range spans decades).
const LOG_SLIDERS = new Set(['n', 'a', 's', 'k', 'trials']);

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

  function makeLegend() {
    const legend = el('div', { class: 'el-legend', 'aria-label': 'colours' });
    for (const [name, colour] of LEGEND) legend.append(el('span', {}, el('i', { style: `background:${colour}` }), name));
    legend.append(el('span', {}, el('i', { style: 'background:#fff' }), 'meter: overlap, white line θ'));
    ctx.readout.before(legend);
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
    const num = (v, log10) => ((v === 0 || v === null) && Number.isFinite(log10) ? `1e${log10}` : v ?? '');
    lines.push('', 'simulated_series,x,theory,theory_log10,p,log10_p,se,ci_low,ci_high,hits,trials,upper_bound,method,ess');
    for (const { request: r, estimate: e } of sims) {
      lines.push([q(r.series), r.x, num(r.theory, r.theory_log10), r.theory_log10, num(e.p, e.log10_p), Number.isFinite(e.log10_p) ? e.log10_p : '', e.se, e.ci_low, e.ci_high, e.hits, e.trials, e.upper_bound ?? '', r.importance ? 'importance' : 'monte-carlo', Number.isFinite(e.ess) ? e.ess : ''].join(','));
    }
    return `${lines.join('\n')}\n`;
  }

  // ---- simulation (Web Worker) -------------------------------------------------------------
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
      el('p', { class: 'el-help', text: 'Bit-level Monte Carlo as the official C++ does it (random segments of s cells, random patterns of a cells; each overlap counted cell by cell against a bitset of the other set, as the C++ counts shared ON bits), seeded from this page\'s seed. Points below 1e-4 use the importance sampler for E3 (weights never use the closed form). Error bars are 95% intervals (Wilson\'s score interval, which holds with few hits, where the official code\'s p ± 1.96·se does not); a run with no hits shows the one-sided bound 3/N.' }),
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
      const z = e.se > 0 && typeof r.theory === 'number' ? (e.p - r.theory) / e.se : NaN;
      const sim = e.hits === 0 && e.upper_bound ? `< ${fmtP(e.upper_bound)} (no hits)` : fmtP(e.p, e.log10_p);
      t.append(el('tr', {}, el('td', { text: r.series }), el('td', { text: fmt(r.x, 3) }), el('td', { text: fmtP(r.theory, r.theory_log10) }),
        el('td', { text: sim }), el('td', { text: e.se > 0 ? e.se.toExponential(2) : '–' }), el('td', { text: Number.isFinite(z) ? z.toFixed(2) : '–' }),
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
    equations, figureBox, histBox, simBox, makeLegend, makeSimBox, refreshFigures,
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
  embedControls: ['play', 'step', 'back', 'reset', 'view', 'theta', 'v'],
  logSliders: ['n', 'a', 's', 'k', 'trials'],
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
    if (!ctx.chrome) return;
    ctx.panels.append(d.equations, d.figureBox, d.simBox, d.histBox);
    d.makeSimBox();
    new ResizeObserver(() => d.resize()).observe(d.figureBox);
  },
  changed(ctx) { own(ctx).figureDirty = true; },
  frame(ctx) {
    const d = own(ctx);
    if (d.figureDirty && ctx.chrome) { d.figureDirty = false; d.refreshFigures(); }
    return false;
  },
  readoutText(ctx, i) {
    const what = { match: 'false matches', noise: 'matches kept', union: 'false matches', neuron: 'false firings' }[ctx.lab.param('view')] ?? 'hits';
    ctx.readout.dataset.matched = String(i.matched);
    // The expected tally P·N, from its log10 where P underflows (never a false 0).
    const known = typeof i.expected === 'number' || Number.isFinite(i.expected_log10);
    const tally = i.samples === 0 ? '0' : fmtP(typeof i.expected === 'number' ? i.expected * i.samples : null, i.expected_log10 + Math.log10(i.samples));
    const expected = known ? ` (expected ${tally})` : '';
    return `sample ${i.samples} · overlap ${i.overlap} of θ = ${i.theta} → ${i.matched ? 'MATCH' : 'no match'} · ${what} so far: ${i.hits} of ${i.samples}${expected}`
      + ` · synapses ${i.synapses}` + (i.drawn < Number(ctx.lab.param('n')) ? ` · drawing the first ${i.drawn} cells` : '') + (i.note ? ` · ${i.note}` : '');
  },
  state(ctx) { return { summary: ctx.lab.summary() }; },
  extend(ctx) {
    const d = own(ctx);
    return { figure: () => d.figure(), simulate: () => d.simulate() };
  },
  destroy(ctx) { own(ctx).stop(); },
};
