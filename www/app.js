// The full lab page: mounts the lab from the page URL and keeps the URL in step with it.
import { mount } from './lab.js';

const main = document.querySelector('#lab');
// Show the experiment's own introduction and mark it in the menu.
const exp = (/(?:^|[?&])exp=(dendrites|hopfield)(?:&|$)/i.exec(location.search)?.[1] ?? 'sorting').toLowerCase();
for (const s of document.querySelectorAll('.el-about[data-exp]')) s.hidden = s.dataset.exp !== exp;
for (const a of document.querySelectorAll('nav a[data-exp]')) {
  if (a.dataset.exp === exp) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
}
const handle = mount(main, { query: location.search, chrome: true });
window.__lab = handle;

handle.on('state', (s) => {
  if (!s.ready) return;
  const url = `${location.pathname}?${s.query}`;
  if (url !== location.pathname + location.search) history.replaceState(null, '', url);
});
handle.ready.then(() => {
  const s = handle.state();
  history.replaceState(null, '', `${location.pathname}?${s.query}`);
}).catch(() => {});
