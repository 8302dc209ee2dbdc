// Emergence Lab: the entry point for pages. One code path behind three doors:
//   mount(element, {query, chrome, scenario})  -> handle   (JS module)
//   <emergence-lab experiment="sorting" seed="7" controls="play,step,n">  (custom element)
//   embed.html?exp=sorting&...                  (iframe, see embed.html)
// All three go through the page skeleton (shell.js); the science, the URL codec and the
// drawing live in Rust/wasm.

import { mount, EmergenceLabElement } from './shell.js';
import { loadBuild, registry } from './common.js';

export { mount, loadBuild, registry };

if (!customElements.get('emergence-lab')) customElements.define('emergence-lab', EmergenceLabElement);
