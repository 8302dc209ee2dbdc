// The full lab page: mounts the lab from the page URL, builds the menu from the registry, shows
// the experiment's introduction, and keeps the URL in step with the lab.
import { mount, registry } from './lab.js';

const main = document.querySelector('#lab');
const handle = mount(main, { query: location.search, chrome: true });
window.__lab = handle;

// The menu: one link per experiment of the registry (src/lab/registry.rs, via experiments.json).
registry().then((list) => {
  const nav = document.querySelector('nav[aria-label="experiments"]');
  nav.replaceChildren(...list.map((e) => {
    const a = document.createElement('a');
    a.href = `?exp=${encodeURIComponent(e.id)}`;
    a.dataset.exp = e.id;
    a.textContent = e.title;
    return a;
  }));
}).catch(() => {});

handle.on('state', (s) => {
  if (!s.ready) return;
  const url = `${location.pathname}?${s.query}`;
  if (url !== location.pathname + location.search) history.replaceState(null, '', url);
});
handle.ready.then(() => {
  const s = handle.state();
  document.querySelector('.el-footer')?.append(` · version ${handle.metrics.version}`);
  history.replaceState(null, '', `${location.pathname}?${s.query}`);
  // Show the experiment's own introduction and mark it in the menu.
  for (const about of document.querySelectorAll('.el-about[data-exp]')) about.hidden = about.dataset.exp !== s.experiment;
  for (const a of document.querySelectorAll('nav a[data-exp]')) {
    if (a.dataset.exp === s.experiment) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}).catch(() => {});
