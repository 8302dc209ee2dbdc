// The iframe embed (embed.html): the same URL schema as the full page, without its chrome;
// `controls=` picks the controls, `autoplay=1` starts it, `scenario=` opens a scenario.
import { mount } from './lab.js';

window.__lab = mount(document.querySelector('#lab'), { query: location.search, chrome: false });
