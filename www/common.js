// Pieces the page skeleton (shell.js), the experiments' modules and the workers share: the
// registry, the wasm builds, the GPU queue, DOM helpers, downloads, and opening a wgpu view with
// the WebGPU → WebGL2 fallback.

const BASE = new URL('.', import.meta.url);
const builds = {};
let registryPromise = null;

/** The registry of experiments (`experiments.json`, written by the build from the Rust
 * registry: `emergence-lab experiments --json`): [{id, title, step_unit, extra_controls}]. */
export function registry() {
  registryPromise ??= fetch(new URL('experiments.json', BASE)).then((r) => {
    if (!r.ok) throw new Error(`experiments.json: ${r.status} ${r.statusText}`);
    return r.json();
  });
  return registryPromise;
}

/** Load a wasm build once: 'webgpu-sorting', 'webgpu-dendrites', 'webgpu-hopfield' (small:
 * one experiment, no WebGL2) or 'webgl' (every experiment, the fallback). */
export function loadBuild(kind) {
  if (!builds[kind]) {
    builds[kind] = (async () => {
      const t0 = performance.now();
      const mod = await import(new URL(`pkg/${kind}/emergence_lab.js`, BASE).href);
      await mod.default({ module_or_path: new URL(`pkg/${kind}/emergence_lab_bg.wasm`, BASE) });
      // Module namespaces are frozen: copy the exports and add what we know of the build.
      return { ...mod, kind, loadMs: performance.now() - t0 };
    })();
  }
  return builds[kind];
}

/** Appends the transport buttons of `defs` ({name: [label, title, onclick]}, in order) that
 * `show(name)` allows to `transport`, and keeps each in `buttons[name]`. */
export function transportButtons(transport, defs, show, buttons) {
  for (const [name, [label, title, onclick]] of Object.entries(defs)) {
    if (!show(name)) continue;
    buttons[name] = el('button', { type: 'button', class: `el-btn el-${name}`, title, 'aria-label': title, onclick }, label);
    transport.append(buttons[name]);
  }
}

/** A Web Worker (www/worker.js) that loads the same build as the page (`mod` from loadBuild). */
export function labWorker(mod) {
  return new Worker(new URL(`worker.js?build=${encodeURIComponent(mod.kind)}`, BASE), { type: 'module' });
}

// One GPU request at a time per page: the WebGPU device is shared (see src/web/gpu.rs).
let gpuQueue = Promise.resolve();
export function serialGpu(fn) {
  const run = gpuQueue.then(fn, fn);
  gpuQueue = run.catch(() => {});
  return run;
}

/** A link to one of the project's docs (copied into the site's docs/ by the build). */
export function docLink(file, label = `docs/${file}`) {
  return el('a', { href: new URL(`docs/${file}`, BASE).href, target: '_blank', rel: 'noopener' }, label);
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

export function fmt(x, digits = 2) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  return Math.abs(x) >= 1e5 ? x.toExponential(3) : Number.isInteger(x) ? String(x) : x.toFixed(digits);
}

export function download(name, data, type) {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** Which drawing backend the URL asks for: 'webgl2', 'webgpu' or 'auto'. */
export function forcedBackend(query) {
  return /(?:^|[?&])backend=(webgl2?|gl)(?:&|$)/i.test(query) ? 'webgl2'
    : /(?:^|[?&])backend=webgpu(?:&|$)/i.test(query) ? 'webgpu' : 'auto';
}

function sizeCanvas(canvas) {
  const rect = canvas.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  return [Math.max(1, Math.round(rect.width * dpr)), Math.max(1, Math.round(rect.height * dpr))];
}

/**
 * Open a wgpu view for a lab: the small WebGPU build of `experiment` first; without a WebGPU adapter, the
 * WebGL2 build on a fresh canvas (a canvas that gave a WebGPU context cannot give WebGL2).
 * `makeLab(mod)` builds the experiment's handle in a build; it is called again after a switch.
 * Returns { mod, lab, view, canvas, note, detail }; view is null when neither API works.
 */
export async function openLab(query, canvas, makeLab, experiment) {
  const forced = forcedBackend(query);
  const wantGpu = forced !== 'webgl2' && 'gpu' in navigator;
  // An experiment without its own small build (a new one) uses the build with everything.
  let mod = wantGpu ? await loadBuild(`webgpu-${experiment}`).catch(() => loadBuild('webgl')) : await loadBuild('webgl');
  let lab = makeLab(mod, null);
  let view = null, note = '', detail = '';
  const open = (target, backend) => {
    [target.width, target.height] = sizeCanvas(target);
    return serialGpu(() => mod.create_view(target, backend));
  };
  try {
    view = await open(canvas, forced === 'webgl2' ? 'webgl2' : 'webgpu');
  } catch (e) {
    const why = String(e.message || e);
    if (forced === 'webgpu') note = `WebGPU was requested but is not available here (${why}); using WebGL2.`;
    if (mod.kind !== 'webgl') {
      const old = lab;
      mod = await loadBuild('webgl');
      lab = makeLab(mod, old);
      old.free();
    }
    const fresh = canvas.cloneNode(false);
    canvas.replaceWith(fresh);
    canvas = fresh;
    try {
      view = await open(canvas, 'webgl2');
    } catch (e2) {
      note = 'No GPU drawing here: this browser offers neither a WebGPU adapter nor WebGL2. The numbers, plots and exports still work.';
      detail = `WebGPU: ${why}\nWebGL2: ${e2.message || e2}`;
    }
  }
  if (forced === 'webgpu' && view && view.backend() !== 'webgpu' && !note) {
    note = 'WebGPU was requested (backend=webgpu) but this browser has no WebGPU adapter; using WebGL2.';
  }
  return { mod, lab, view, canvas, note, detail };
}

/** Keep a canvas's drawing buffer at its device-pixel size; calls onResize(w, h). */
export function observeCanvas(getCanvas, getView, onResize) {
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) {
      let w, h;
      const box = entry.devicePixelContentBoxSize && entry.devicePixelContentBoxSize[0];
      if (box) { w = box.inlineSize; h = box.blockSize; } else {
        const dpr = window.devicePixelRatio || 1;
        w = Math.round(entry.contentRect.width * dpr); h = Math.round(entry.contentRect.height * dpr);
      }
      const view = getView();
      if (w === 0 || h === 0 || !view) continue;
      const max = view.max_side();
      w = Math.min(w, max); h = Math.min(h, max);
      const canvas = getCanvas();
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w; canvas.height = h;
        view.resize(w, h);
        onResize(w, h);
      }
    }
  });
  const canvas = getCanvas();
  try { observer.observe(canvas, { box: 'device-pixel-content-box' }); } catch { observer.observe(canvas); }
  return observer;
}

/** Encode RGBA rows (top to bottom) as a PNG blob. */
export function rgbaToPng(rgba, w, h) {
  const c = document.createElement('canvas');
  c.width = w; c.height = h;
  c.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length), w, h), 0, 0);
  return new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
}

/** The notice list of a lab: returns notice(message, kind, detail), which adds a dismissable
 *  line to `list` and emits a 'notice' event. */
export function noticeBoard(list, emit) {
  return function notice(message, kind = 'warn', detail = '') {
    const body = el('span', { text: message });
    if (detail) body.append(el('details', {}, el('summary', { text: 'details' }), el('code', { text: detail })));
    const li = el('li', { class: `el-notice el-${kind}` }, body,
      el('button', { type: 'button', class: 'el-dismiss', 'aria-label': 'dismiss', onclick: () => li.remove() }, '×'));
    list.append(li);
    emit('notice', { message, kind });
  };
}

/** Say which backend draws: the badge beside the transport, and the overlay when none does. */
export function showBackend(view, badge, overlay) {
  badge.textContent = view ? [view.backend() === 'webgpu' ? 'WebGPU' : 'WebGL2', view.adapter()].filter(Boolean).join(' · ') : 'no GPU';
  badge.dataset.backend = view ? view.backend() : 'none';
  if (!view) overlay.textContent = 'No GPU drawing available in this browser; see the notice.';
}
