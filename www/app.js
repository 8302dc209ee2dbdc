// The full lab page: mounts the lab from the page URL and keeps the URL in step with it.
import { mount } from './lab.js';

const main = document.querySelector('#lab');
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
