// Emergence Lab: the page skeleton every experiment shares. One code path behind three doors
// (mount(), <emergence-lab>, embed.html; see lab.js): the chrome, the scenario chips and their
// narrative, the transport and its keys, the controls generated from the Rust schema (only the
// ones that apply, essential first, advanced one click away, help on demand), notices, the frame
// loop, the WebGPU → WebGL2 → no-GPU ladder, exports, the share/embed builder and the handle.
//
// An experiment's module (www/experiments/<id>.js) adds only what differs: its panels, plots,
// read-out text and extra handle methods, through the hooks documented on `DEFAULT_MODULE`. An
// experiment without a module (a new one) still gets all of the above from its Rust handle.

import { el, fmt, download, openLab, labWorker, rgbaToPng, observeCanvas, noticeBoard, transportButtons, showBackend, registry, serialGpu } from './common.js';

/** The hooks a module may define; all optional. `ctx` is the lab's context (see `context`). */
const DEFAULT_MODULE = {
  /** Controls an embed shows when its URL has no `controls=`. */
  embedControls: ['play', 'back', 'step', 'reset', 'speed'],
  /** Extra transport buttons: { name: [label, title, (ctx) => …] }, shown like play/step. */
  transport: {},
  /** Integer parameters whose slider is logarithmic (floats say so in the schema). */
  logSliders: [],
  /** The visible text of a choice option. */
  optionLabel: (ctx, key, value) => value,
  /** The largest value a slider offers now (when it depends on another parameter). */
  sliderMax: (ctx, key) => null,
  /** The aria-label of the picture. */
  canvasLabel: 'the experiment',
  /** Build the module's panels (full page) into ctx.panels; called once after the lab starts. */
  setup: (ctx) => {},
  /** Called after every parameter change or rebuild (`all`: the run was rebuilt). */
  changed: (ctx, all) => {},
  /** Called each frame after drawing; return true to be called again next frame. */
  frame: (ctx, now) => false,
  /** Move the run for this frame (default: lab.advance). Returns whether the picture changed. */
  advance: null,
  /** The read-out line. */
  readoutText: (ctx, r) => Object.entries(r).filter(([, v]) => typeof v === 'number' || typeof v === 'boolean').map(([k, v]) => `${k} ${typeof v === 'number' ? fmt(v) : v}`).join(' · '),
  /** Fields added to handle.state(). */
  state: (ctx) => ({}),
  /** Methods added to the handle (an object of functions). */
  extend: (ctx) => ({}),
  /** Called after a lost GPU device was replaced (ctx.view is the new view): re-create the
   *  module's own views. */
  gpuRestored: async (ctx) => {},
  /** Called when the lab is destroyed. */
  destroy: (ctx) => {},
};

const BASE = new URL('.', import.meta.url);
const modules = {};
/** An experiment's page module, or the defaults when the registry says it has none. */
function loadModule(entry) {
  if (!entry.module) return Promise.resolve({ ...DEFAULT_MODULE });
  modules[entry.id] ??= import(new URL(`experiments/${entry.id}.js`, BASE).href)
    .then((m) => ({ ...DEFAULT_MODULE, ...m.default }));
  return modules[entry.id];
}

/** The experiment a query names (`exp=`), or the registry's first; unknown ids are reported by Rust. */
function experimentOf(query, list) {
  const asked = (/(?:^|[?&])exp=([^&]*)/i.exec(query)?.[1] ?? '').trim().toLowerCase();
  return list.find((e) => e.id === asked)?.id ?? list[0].id;
}

/** The wasm handle class of an experiment: "sorting" → SortingLab. */
const handleClass = (mod, id) => mod[`${id.replace(/(^|[-_])([a-z])/g, (_, __, c) => c.toUpperCase())}Lab`];

let uid = 0;

/**
 * Mount a lab in `element`.
 * options: { query: 'exp=sorting&seed=7', chrome: true|false, scenario: 'id' }
 * Returns a handle: play, pause, step, back, reset, seek, setParams, openScenario, scenarios,
 * state, on, setVisible, readPixels, png, runJob, destroy, plus ready (a promise) and canvas.
 */
export function mount(element, options = {}) {
  const chrome = options.chrome !== false;
  let query = options.query ?? '';
  if (options.scenario && !/(?:^|[?&])scenario=/.test(query)) query += `${query ? '&' : ''}scenario=${encodeURIComponent(options.scenario)}`;
  const listeners = {};
  const emit = (event, detail) => (listeners[event] || []).forEach((fn) => { try { fn(detail); } catch (e) { console.error(e); } });

  let mod = null, lab = null, view = null, module = DEFAULT_MODULE, entry = null;
  let playing = false, destroyed = false, visible = true, started = false;
  let lastTime = null, frameId = 0, needDraw = true, modulePending = true, drawnOnce = false, stateDirty = false, lastStateEmit = 0;
  let wanted = null, showAdvanced = false, schema = [], resizeObserver = null, moduleBusy = false;
  const jobs = new Set();
  const t0 = performance.now();
  const metrics = { firstFrameMs: null, wasmLoadMs: null, build: null, version: null };

  element.classList.add('el-host');
  const root = el('div', { class: chrome ? 'el-lab el-full' : 'el-lab el-embed', tabindex: '0' });
  let canvas = el('canvas', { class: 'el-canvas' });
  const overlay = el('div', { class: 'el-overlay', role: 'status' });
  const stage = el('div', { class: 'el-stage' }, canvas, overlay);
  const chips = el('div', { class: 'el-scenarios', role: 'toolbar', 'aria-label': 'scenarios' });
  const narrative = el('div', { class: 'el-narrative', role: 'note' });
  const notices = el('ul', { class: 'el-notices', role: 'status', 'aria-live': 'polite' });
  const readout = el('div', { class: 'el-readout', 'aria-live': 'off' });
  const badge = el('span', { class: 'el-badge', title: 'drawing backend' }, 'starting…');
  const transport = el('div', { class: 'el-transport', role: 'toolbar', 'aria-label': 'transport' });
  const params = el('form', { class: 'el-params', onsubmit: (e) => e.preventDefault() });
  const panels = el('div', { class: 'el-panels' });
  const exportsBar = el('div', { class: 'el-exports' });
  const share = el('div', { class: 'el-share-panel', hidden: '' });
  root.append(chips, narrative, stage, transport, readout, notices, params, share);
  if (chrome) root.append(exportsBar, panels);
  element.append(root);

  const notice = noticeBoard(notices, emit);
  const takeNotices = () => { for (const n of lab.take_notices()) notice(n.message); };
  const show = (name) => wanted === null || wanted.includes(name);

  // ---- the context modules see ----------------------------------------------------------------
  const ctx = {
    chrome, root, stage, panels, transport, readout, emit, notice, show, metrics,
    get mod() { return mod; }, get lab() { return lab; }, get view() { return view; }, get canvas() { return canvas; },
    get playing() { return playing; }, set playing(v) { playing = v; },
    get destroyed() { return destroyed; },
    changed: (all = false) => changed(all), schedule: () => schedule(), syncInputs: () => syncInputs(),
    worker: () => { const w = labWorker(mod); jobs.add(w); return w; },
    forget: (w) => { w?.terminate(); jobs.delete(w); },
    setParam: (k, v) => setParam(k, v),
  };

  // ---- transport ------------------------------------------------------------------------------
  const buttons = {};
  function makeTransport() {
    transport.replaceChildren();
    const defs = {
      reset: ['⟲', 'Reset (R)', () => handle.reset()],
      back: ['◀', 'Step back (,)', () => handle.back()],
      play: ['▶', 'Play / pause (Space)', () => (playing ? handle.pause() : handle.play())],
      step: ['▶|', `Step: one ${entry.step_unit} (.)`, () => handle.step()],
    };
    for (const [name, [label, title, fn]] of Object.entries(module.transport)) defs[name] = [label, title, () => fn(ctx)];
    transportButtons(transport, defs, show, buttons);
    const speedSpec = schema.find((s) => s.key === 'speed');
    if (speedSpec && show('speed')) {
      const id = `el-speed-${++uid}`;
      const slider = el('input', { id, type: 'range', class: 'el-speed', 'data-slider': 'speed', min: Math.log10(speedSpec.min), max: Math.log10(speedSpec.max), step: 0.01, 'aria-label': `speed: ${entry.step_unit}s per second` });
      const out = el('output', { for: id, class: 'el-speed-value' });
      const sync = () => { const v = Number(lab.param('speed')); slider.value = Math.log10(v); out.textContent = `${fmt(v, v < 10 ? 1 : 0)}/s`; };
      slider.addEventListener('input', () => { setParam('speed', String(Number((10 ** Number(slider.value)).toPrecision(3)))); sync(); });
      sync();
      transport.append(el('label', { class: 'el-speed-box', title: `${entry.step_unit}s per second` }, slider, out));
    }
    transport.append(badge);
    if (show('share')) transport.append(el('button', { type: 'button', class: 'el-btn el-share', 'aria-expanded': 'false', onclick: (e) => toggleShare(e.currentTarget) }, 'Share / embed'));
  }

  // ---- scenarios ------------------------------------------------------------------------------
  let scenarioList = [];
  function makeChips() {
    chips.replaceChildren();
    if (!show('scenarios') || !scenarioList.length) { chips.hidden = true; return; }
    chips.hidden = false;
    chips.append(el('span', { class: 'el-chips-title', text: 'Scenarios:' }));
    for (const s of scenarioList) {
      chips.append(el('button', { type: 'button', class: 'el-chip', 'data-scenario': s.id, title: s.narrative, onclick: () => handle.openScenario(s.id) }, s.title));
    }
  }
  function updateScenario() {
    const id = lab.scenario();
    for (const b of chips.querySelectorAll('.el-chip')) b.setAttribute('aria-pressed', String(b.dataset.scenario === id));
    const s = scenarioList.find((x) => x.id === id);
    const opts = lab.view_options();
    if (!opts.narrative || (!s && (!chrome || chips.hidden))) { narrative.hidden = true; narrative.replaceChildren(); return; }
    narrative.hidden = false;
    if (!s) {
      // No scenario yet: say where to start.
      narrative.replaceChildren(el('p', { class: 'el-start' }, el('b', { text: 'Where to start: ' }),
        `pick a scenario above; each sets up one finding of the paper and says what to watch. Or press ▶ (Space) to run this setup, one ${entry.step_unit} at a time with ▶| (.) and back with ◀ (,).`));
      return;
    }
    narrative.hidden = false;
    narrative.replaceChildren(el('h3', { class: 'el-narrative-title', text: s.title }), el('p', { text: s.narrative }),
      el('p', { class: 'el-watch' }, el('b', { text: 'Look for: ' }), el('span', { class: 'el-watch-label', text: s.watch.label }), ' ',
        el('output', { class: 'el-watch-value' }), el('span', { class: 'el-watch-range', text: ` (expected ${rangeText(s.watch)} ${whenText(s.watch.until)})` })));
    updateWatch();
  }
  /** When a promise holds: "at the end of the run", or "after 2,000 samples" (as counted on screen). */
  const whenText = (until) => {
    if (until.until === 'done') return 'at the end of the run';
    const n = until.steps + (entry.first_shown ?? 0);
    return `after ${n.toLocaleString('en')} ${entry.step_unit}${n === 1 ? '' : 's'}`;
  };
  const rangeText = (w) => (w.min === w.max ? fmt(w.min, 3) : `${fmt(w.min, 3)} to ${fmt(w.max, 3)}`);
  let lastWatch = 0;
  function updateWatch(force = false) {
    const out = narrative.querySelector('.el-watch-value');
    if (!out) return;
    const now = performance.now();
    if (!force && now - lastWatch < 400) return;
    lastWatch = now;
    const s = scenarioList.find((x) => x.id === lab.scenario());
    const v = s ? lab.measure(s.watch.key) : undefined;
    out.textContent = v === undefined || v === null || Number.isNaN(v) ? '–' : `now ${fmt(v, 3)}`;
    out.dataset.value = v === undefined || v === null ? '' : String(v);
  }

  // ---- controls from the schema ---------------------------------------------------------------
  function makeControls() {
    params.replaceChildren();
    const fields = el('div', { class: 'el-fields' });
    for (const spec of schema) {
      if (spec.type === 'packed' || spec.key === 'speed' || !show(spec.key)) continue;
      fields.append(paramControl(spec));
    }
    if (show('seed')) fields.append(seedControl());
    params.append(fields);
    if (wanted === null) {
      const more = el('button', { type: 'button', class: 'el-btn el-more', 'aria-expanded': String(showAdvanced), onclick: () => {
        showAdvanced = !showAdvanced; more.setAttribute('aria-expanded', String(showAdvanced)); updateVisibility();
      } });
      params.append(more);
    }
    updateVisibility();
  }

  function helpToggle(id, text) {
    const help = el('small', { class: 'el-help', id: `${id}-help`, hidden: '', text });
    const button = el('button', { type: 'button', class: 'el-info', 'aria-label': 'help', 'aria-expanded': 'false', 'aria-controls': `${id}-help`, title: text, onclick: () => {
      help.hidden = !help.hidden; button.setAttribute('aria-expanded', String(!help.hidden));
    } }, '?');
    return [button, help];
  }

  function paramControl(spec) {
    const id = `el-${spec.key}-${++uid}`;
    const current = lab.param(spec.key);
    let input, slider = null;
    if (spec.type === 'choice') {
      input = el('select', { id });
      for (const o of spec.options) input.append(el('option', { value: o, text: module.optionLabel(ctx, spec.key, o) }));
      input.value = current;
      input.addEventListener('change', () => setParam(spec.key, input.value));
    } else if (spec.type === 'bool') {
      input = el('input', { id, type: 'checkbox' });
      input.checked = current === '1';
      input.addEventListener('change', () => setParam(spec.key, input.checked ? '1' : '0'));
    } else if (spec.type === 'list') {
      input = el('input', { id, type: 'text', value: current, placeholder: 'e.g. 5,3,9,1', spellcheck: 'false', size: 12 });
      input.addEventListener('change', () => setParam(spec.key, input.value));
    } else {
      const isFloat = spec.type === 'float';
      input = el('input', { id, type: 'number', value: current, min: spec.min, max: spec.max, step: isFloat ? 'any' : 1 });
      input.addEventListener('change', () => setParam(spec.key, input.value));
      const log = isFloat ? spec.log : module.logSliders.includes(spec.key);
      const lo = log ? Math.log10(Math.max(isFloat ? spec.min : 1, spec.min || 1e-9)) : spec.min;
      slider = el('input', { type: 'range', 'data-slider': spec.key, 'data-log': log ? '1' : '', 'aria-label': `${spec.label} slider`,
        min: lo, max: log ? Math.log10(spec.max) : spec.max, step: log ? 0.01 : (isFloat ? (spec.max - spec.min) / 200 : 1) });
      slider.value = log ? Math.log10(Math.max(1e-12, Number(current))) : current;
      slider.addEventListener(isFloat ? 'change' : 'input', () => {
        const raw = log ? 10 ** Number(slider.value) : Number(slider.value);
        const v = isFloat ? Number(raw.toPrecision(3)) : Math.round(raw);
        input.value = v;
        setParam(spec.key, v, spec.key);
      });
    }
    input.dataset.key = spec.key;
    const [info, help] = helpToggle(id, spec.help + (spec.apply === 'reset' ? ' (Changing it restarts the run.)' : ''));
    return el('div', { class: 'el-field', 'data-field': spec.key, 'data-level': spec.level },
      el('label', { for: id, text: spec.label }), info, input, slider, help);
  }

  function seedControl() {
    const id = `el-seed-${++uid}`;
    const input = el('input', { id, type: 'text', inputmode: 'numeric', value: lab.param('seed'), size: 12 });
    input.dataset.key = 'seed';
    input.addEventListener('change', () => setParam('seed', input.value));
    const dice = el('button', { type: 'button', class: 'el-btn', title: 'new random seed', onclick: () => {
      // Math.random only proposes a seed; every draw of the lab comes from it (CODE_STYLE.md).
      input.value = String(Math.floor(Math.random() * 2 ** 32));
      setParam('seed', input.value);
    } }, 'new seed');
    const [info, help] = helpToggle(id, 'Every random choice of the run comes from this seed; the same seed gives the same run, here and in the command line (changing it restarts the run).');
    return el('div', { class: 'el-field', 'data-field': 'seed', 'data-level': 'advanced' }, el('label', { for: id, text: 'Seed' }), info, input, dice, help);
  }

  /** Show the controls that apply: relevant ones, and advanced ones only when asked for. */
  function updateVisibility() {
    const states = new Map(lab.controls().map((c) => [c.key, c]));
    let advanced = 0;
    for (const field of params.querySelectorAll('[data-field]')) {
      const c = states.get(field.dataset.field);
      const relevant = c ? c.relevant : true;
      const isAdvanced = field.dataset.level === 'advanced';
      if (relevant && isAdvanced) advanced++;
      field.hidden = !relevant || (wanted === null && isAdvanced && !showAdvanced);
    }
    const more = params.querySelector('.el-more');
    if (more) {
      more.textContent = showAdvanced ? 'Fewer settings' : `More settings (${advanced})`;
      more.hidden = advanced === 0;
    }
  }

  // Inputs show the lab's values after repairs (θ ≤ s, …) and changes made elsewhere.
  function syncInputs(skipSlider = null) {
    for (const input of root.querySelectorAll('.el-params [data-key]')) {
      const v = lab.param(input.dataset.key);
      if (v === undefined || document.activeElement === input) continue;
      if (input.type === 'checkbox') input.checked = v === '1'; else input.value = v;
    }
    for (const slider of params.querySelectorAll('[data-slider]')) {
      const key = slider.dataset.slider;
      const max = module.sliderMax(ctx, key);
      if (max !== null && max !== undefined) slider.max = max;
      if (key === skipSlider) continue;
      const v = Number(lab.param(key));
      slider.value = slider.dataset.log ? Math.log10(Math.max(1e-12, v)) : v;
    }
    updateVisibility();
  }

  function setParam(key, value, fromSlider = null) {
    const generation = lab.generation();
    for (const n of lab.set_param(key, String(value))) notice(n.message);
    syncInputs(fromSlider);
    changed(lab.generation() !== generation);
  }

  function changed(all = false) {
    needDraw = true;
    modulePending = true;
    try { module.changed(ctx, all); } catch (e) { notice(`${e.message || e}`, 'error'); }
    emitState(true);
    schedule();
  }

  // 'state' events (which drive the page URL) are throttled to 4 per second; a throttled change
  // is sent by a later frame, so the URL always ends at the current state.
  function emitState(force) {
    const now = performance.now();
    if (!force && now - lastStateEmit < 250) { stateDirty = true; return; }
    stateDirty = false;
    lastStateEmit = now;
    emit('state', handle.state());
  }

  // ---- exports --------------------------------------------------------------------------------
  function makeExports() {
    exportsBar.replaceChildren();
    if (!show('export')) return;
    const btn = (text, fn) => el('button', { type: 'button', class: 'el-btn', onclick: fn }, text);
    const id = entry.id;
    exportsBar.append(el('span', { text: 'Export: ' }));
    if (lab.csv()) exportsBar.append(btn('CSV', () => download(`${id}-series.csv`, lab.csv(), 'text/csv')));
    exportsBar.append(btn('JSON', () => download(`${id}-state.json`, lab.json(), 'application/json')),
      btn('PNG', async () => { try { download(`${id}.png`, await handle.png(), 'image/png'); } catch (e) { notice(String(e.message || e), 'error'); } }));
  }

  // ---- share / embed builder ------------------------------------------------------------------
  function toggleShare(button) {
    share.hidden = !share.hidden;
    button.setAttribute('aria-expanded', String(!share.hidden));
    if (!share.hidden) buildShare();
  }

  /** The snippets for the current state: { link, iframe, element } with the chosen controls. */
  function snippets(controls, autoplay, narrativeOn) {
    const q = new URLSearchParams(lab.query());
    q.delete('controls'); q.delete('autoplay'); q.delete('narrative');
    if (controls) q.set('controls', controls.join(','));
    if (autoplay) q.set('autoplay', '1');
    if (!narrativeOn) q.set('narrative', '0');
    const text = q.toString().replaceAll('%2C', ',');
    const page = new URL('index.html', BASE), embed = new URL('embed.html', BASE), script = new URL('lab.js', BASE), css = new URL('lab.css', BASE);
    const attrs = [];
    for (const [k, v] of q) {
      if (k === 'controls' || k === 'autoplay' || k === 'step') continue;
      attrs.push(`${k === 'exp' ? 'experiment' : k}="${v.replaceAll('&', '&amp;').replaceAll('"', '&quot;')}"`);
    }
    if (controls) attrs.push(`controls="${controls.join(',')}"`);
    if (autoplay) attrs.push('autoplay');
    return {
      link: `${page.href}?${text}`,
      iframe: `<iframe src="${embed.href}?${text.replaceAll('&', '&amp;')}" style="width:100%;height:480px;border:0" loading="lazy" title="${entry.title}"></iframe>`,
      element: `<script type="module" src="${script.href}"></script>\n<link rel="stylesheet" href="${css.href}">\n<emergence-lab ${attrs.join(' ')} style="display:block;height:480px"></emergence-lab>`,
    };
  }

  function buildShare() {
    const names = ['play', 'back', 'step', 'reset', 'speed', ...Object.keys(module.transport), 'scenarios', 'seed',
      ...schema.filter((s) => s.type !== 'packed' && s.key !== 'speed').map((s) => s.key)];
    const defaults = new Set(module.embedControls);
    const boxes = names.map((name) => {
      const spec = schema.find((s) => s.key === name);
      const box = el('input', { type: 'checkbox', value: name, 'data-control': name });
      box.checked = defaults.has(name);
      const names = { play: 'Play/pause', back: 'Step back', step: 'Step', reset: 'Reset', scenarios: 'Scenario chips', seed: 'Seed' };
      const transportName = module.transport[name]?.[1];
      return el('label', { class: 'el-share-control' }, box, ` ${spec ? spec.label : names[name] ?? transportName ?? name}`);
    });
    const autoplay = el('input', { type: 'checkbox', class: 'el-share-autoplay' });
    const narrativeBox = el('input', { type: 'checkbox', class: 'el-share-narrative' });
    narrativeBox.checked = true;
    const outputs = {};
    const rows = ['link', 'iframe', 'element'].map((kind) => {
      const area = el('textarea', { class: `el-snippet el-snippet-${kind}`, readonly: '', rows: kind === 'link' ? 2 : 3, spellcheck: 'false', 'aria-label': `${kind} snippet` });
      outputs[kind] = area;
      const copy = el('button', { type: 'button', class: 'el-btn el-copy', 'data-copy': kind, onclick: async () => {
        try { await navigator.clipboard.writeText(area.value); copy.textContent = 'Copied'; } catch { area.select(); document.execCommand?.('copy'); copy.textContent = 'Selected'; }
        setTimeout(() => { copy.textContent = 'Copy'; }, 1500);
      } }, 'Copy');
      const titles = { link: 'Link to this state', iframe: 'Embed: an iframe', element: 'Embed: the custom element' };
      return el('div', { class: 'el-snippet-row' }, el('b', { text: titles[kind] }), area, copy);
    });
    const update = () => {
      const chosen = boxes.map((l) => l.querySelector('input')).filter((b) => b.checked).map((b) => b.value);
      const s = snippets(chosen, autoplay.checked, narrativeBox.checked);
      for (const k of Object.keys(outputs)) outputs[k].value = s[k];
    };
    share.replaceChildren(el('h3', { text: 'Share or embed this state' }),
      el('p', { class: 'el-help', text: 'The link opens the full lab at exactly this state. The two embed snippets show the lab in a course page with the controls ticked here; the state (seed, parameters, scenario) travels with them.' }),
      el('fieldset', { class: 'el-share-controls' }, el('legend', { text: 'Controls the embed shows' }), ...boxes),
      el('label', {}, autoplay, ' autoplay'), ' ', el('label', {}, narrativeBox, ' scenario narrative'),
      ...rows);
    share.addEventListener('change', update);
    update();
  }

  // ---- the frame loop -------------------------------------------------------------------------
  function frame(now) {
    frameId = 0;
    if (destroyed) return;
    const dt = lastTime === null ? 0 : now - lastTime;
    lastTime = now;
    let moved = false;
    try {
      moved = module.advance ? module.advance(ctx, dt, playing) : lab.advance(dt, playing);
    } catch (e) { notice(`${e.message || e}`, 'error'); playing = false; }
    if (moved) { needDraw = true; stateDirty = true; }
    if (stateDirty) emitState(false);
    if (playing && lab.done() && !module.advance) { playing = false; emit('done', handle.state()); emitState(true); }
    if (needDraw && view) {
      try {
        if (lab.draw(view)) {
          needDraw = false;
          if (!drawnOnce) {
            drawnOnce = true;
            metrics.firstFrameMs = performance.now() - t0;
            emit('frame', { first: true, ms: metrics.firstFrameMs });
          }
        }
        for (const e of view.take_errors()) notice(`GPU: ${e}`, 'error');
      } catch (e) {
        if (view && view.lost()) recoverGpu();
        else {
          notice(`Drawing stopped: ${e.message || e}. The numbers, plots and exports keep working.`, 'error');
          view = null;
          badge.textContent = 'no GPU';
        }
      }
    }
    let again = false;
    try { again = module.frame(ctx, now) === true; } catch (e) { notice(`${e.message || e}`, 'error'); }
    // A module that throttles its panels (the sorting cell's-eye words, its plots) says so;
    // until it has caught up the page is not clean.
    modulePending = again;
    updateReadout();
    // Throttled while playing (a watched value may cost O(run)); exact once the run rests.
    updateWatch(!playing && !lab.busy());
    if (playing || needDraw || stateDirty || again || lab.busy() || moduleBusy) schedule();
  }

  // ---- a lost GPU device ---------------------------------------------------------------------------
  // The browser may take the GPU away (a driver reset, a tab in the background, a test that
  // destroys the device). The experiment lives in wasm memory apart from the view, so it keeps its
  // state and step: the view is made again on a new device for the same canvas, the module
  // re-creates its own pictures, and the frame is drawn again. After a few losses the page stops
  // trying and shows the numbers without the GPU.
  const MAX_GPU_RECOVERIES = 3;
  let gpuRecoveries = 0, recovering = false;
  async function recoverGpu() {
    if (recovering || !view) return;
    recovering = true;
    const lost = view, backend = lost.backend();
    view = null;
    badge.textContent = 'GPU lost…';
    try { lost.free(); } catch { /* already gone with its device */ }
    let why = 'the GPU device was lost';
    if (gpuRecoveries < MAX_GPU_RECOVERIES) {
      gpuRecoveries += 1;
      try {
        const made = await serialGpu(() => mod.create_view(canvas, backend));
        if (destroyed) { made.free(); return; }
        view = made;
        showBackend(view, badge, overlay);
        metrics.gpuRecoveries = gpuRecoveries;
        notice(`The GPU device was lost; drawing resumed on a new device (${gpuRecoveries} of ${MAX_GPU_RECOVERIES}). The experiment kept its state: ${entry.step_unit} ${fmt(lab.position() + (entry.first_shown ?? 0))}.`, 'warn');
        try { await module.gpuRestored(ctx); } catch (e) { notice(`${e.message || e}`, 'warn'); }
        needDraw = true;
        emit('gpu-restored', { recoveries: gpuRecoveries, backend: view.backend() });
        schedule();
        return;
      } catch (e) { why = `a new GPU device could not be made (${e.message || e})`; }
      finally { recovering = false; }
    }
    recovering = false;
    notice(`Drawing stopped: ${why}. The numbers, plots and exports keep working.`, 'error');
    badge.textContent = 'no GPU';
  }
  // A paused page draws nothing, so a loss would go unseen until the next change: look once a second.
  const lostTimer = setInterval(() => { if (started && !destroyed && view && view.lost()) recoverGpu(); }, 1000);

  function schedule() {
    if (!frameId && !destroyed && visible && started) frameId = requestAnimationFrame(frame);
  }

  function updateReadout() {
    const text = module.readoutText(ctx, lab.readout());
    readout.textContent = text + (lab.busy() ? ` · going to ${entry.step_unit} ${fmt(lab.target() + (entry.first_shown ?? 0))}…` : '');
    if (buttons.play) buttons.play.textContent = playing ? '❚❚' : '▶';
  }

  const docKeydown = (e) => { if (e.target === document.body) keydown(e); };
  function keydown(e) {
    if (e.target.closest && e.target.closest('input, select, textarea')) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === ' ') { e.preventDefault(); playing ? handle.pause() : handle.play(); }
    else if (e.key === '.') handle.step();
    else if (e.key === ',') handle.back();
    else if (e.key === 'r' || e.key === 'R') handle.reset();
  }

  // ---- the handle -----------------------------------------------------------------------------
  const handle = {
    element: root,
    metrics,
    play() { if (!started) return; if (lab.done()) lab.reset(); playing = true; lastTime = null; changed(); },
    pause() { playing = false; changed(); },
    step() { if (!started) return; playing = false; lab.step(); changed(); },
    back() { if (!started) return; playing = false; lab.back(); changed(); },
    reset() { if (!started) return; playing = false; lab.reset(); changed(); },
    seek(step) { if (!started) return; lab.seek(step); changed(); },
    setParams(values) { for (const [k, v] of Object.entries(values)) setParam(k, v); },
    /** `[{id, title, narrative, query, watch}]` of this experiment. */
    scenarios() { return scenarioList; },
    /** The parameter schema (key, label, type, range, default, apply, help, level). */
    schema() { return schema; },
    openScenario(id) {
      if (!started) return;
      playing = false;
      for (const n of lab.open_scenario(String(id))) notice(n.message);
      makeControls();
      syncInputs();
      updateScenario();
      changed(true);
      emit('scenario', { id: lab.scenario() });
    },
    state() {
      if (!started) return { ready: false };
      const r = lab.readout();
      return { ready: true, experiment: entry.id, query: lab.query(), position: lab.position(), target: lab.target(),
        busy: lab.busy(), done: lab.done(), playing, clean: (!needDraw || !view) && !modulePending, backend: view ? view.backend() : 'none',
        build: metrics.build, scenario: lab.scenario() ?? null, readout: r, info: r, ...module.state(ctx) };
    },
    on(event, fn) { (listeners[event] ||= []).push(fn); return () => { listeners[event] = listeners[event].filter((f) => f !== fn); }; },
    setVisible(v) { visible = v; if (v) { lastTime = null; schedule(); } },
    /** Bytes of this page's wasm memory (also its peak: it only grows) and of JS heap in use
     *  (Chromium reports it; null elsewhere). */
    memory() { return { wasm: mod.wasm_memory_bytes(), jsHeap: performance.memory?.usedJSHeapSize ?? null }; },
    /** Destroy the GPU device as a driver reset would, to see (or test) the recovery: the page
     *  makes a new device and view and redraws; the experiment keeps its state. */
    simulateGpuLoss() {
      if (!view) throw new Error('no GPU view: drawing is not available in this browser');
      view.destroy_device();
    },
    /** Render offscreen and read back RGBA (Uint8Array), rows top to bottom. */
    async readPixels(w, h) {
      if (!view) throw new Error('no GPU view: drawing is not available in this browser');
      return lab.read_pixels(view, w, h);
    },
    async png() {
      const [w, h] = [canvas.width, canvas.height];
      return rgbaToPng(await handle.readPixels(w, h), w, h);
    },
    /** Run one job in a Web Worker of this build; resolves to its last message, rejects with its error. */
    runJob(kind, data = {}) {
      return new Promise((resolve, reject) => {
        const w = ctx.worker();
        w.onmessage = ({ data: m }) => {
          if (m.error) { ctx.forget(w); reject(new Error(m.error)); return; }
          if (m.progress !== undefined) return;
          ctx.forget(w); resolve(m);
        };
        w.onerror = (e) => { ctx.forget(w); reject(new Error(e.message || 'the worker failed')); };
        w.postMessage({ ...data, kind });
      });
    },
    destroy() {
      destroyed = true;
      clearInterval(lostTimer);
      if (frameId) cancelAnimationFrame(frameId);
      for (const w of jobs) w.terminate();
      try { module.destroy(ctx); } catch { /* the page is going away */ }
      resizeObserver?.disconnect();
      document.removeEventListener('keydown', docKeydown);
      root.remove();
      lab?.free(); view?.free();
      lab = null; view = null; started = false;
    },
  };
  Object.defineProperty(handle, 'canvas', { get: () => canvas });

  // ---- start ----------------------------------------------------------------------------------
  handle.ready = (async () => {
    const list = await registry();
    const id = experimentOf(query, list);
    entry = list.find((e) => e.id === id);
    module = await loadModule(entry);
    canvas.setAttribute('aria-label', module.canvasLabel);
    const opened = await openLab(query, canvas, (m, old) => new (handleClass(m, id))(old ? old.query() : query), id);
    ({ mod, lab, view, canvas } = opened);
    if (opened.note) notice(opened.note, view ? 'warn' : 'error', opened.detail);
    metrics.build = mod.kind;
    metrics.wasmLoadMs = mod.loadMs;
    metrics.version = mod.lab_version();
    const cls = handleClass(mod, id);
    schema = cls.schema();
    scenarioList = cls.scenarios();
    const opts = lab.view_options();
    wanted = opts.controls ?? (chrome ? null : module.embedControls);
    if (opts.autoplay) playing = true;
    root.classList.add(`el-${id}`);
    showBackend(view, badge, overlay);
    takeNotices();
    makeTransport();
    makeChips();
    makeControls();
    updateScenario();
    if (chrome) makeExports();
    try { await module.setup(ctx); } catch (e) { notice(`${e.message || e}`, 'error'); }
    Object.assign(handle, module.extend(ctx));
    root.addEventListener('keydown', keydown);
    if (chrome) document.addEventListener('keydown', docKeydown);
    if (view) resizeObserver = observeCanvas(() => canvas, () => view, () => { needDraw = true; schedule(); });
    started = true;
    module.changed(ctx, true);
    emit('ready', handle.state());
    schedule();
    return handle;
  })().catch((e) => {
    notice(`The lab could not start: ${e.message || e}`, 'error');
    emit('error', e);
    throw e;
  });
  ctx.busy = (b) => { moduleBusy = b; if (b) schedule(); };
  ctx.handle = handle;
  return handle;
}

/** `<emergence-lab experiment="sorting" seed="7" controls="play,step,n" autoplay scenario="…">` */
export class EmergenceLabElement extends HTMLElement {
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
