// Generated lab URLs for the browser fuzz tests (fuzz.test.mjs in Chromium, a smaller set in
// firefox.test.mjs): a seeded generator (xorshift32, so a failing URL can be replayed with
// EL_FUZZ_SEED), values that are valid, extreme, out of range or garbage, random seeds, steps,
// scenarios and controls. `schemas` is {id: {schema, scenarios}}, read from the pages' handles.

export const FUZZ_SEED = Number(process.env.EL_FUZZ_SEED ?? 20261202);

/** xorshift32: the tests' own seeded generator (the lab's is not in reach from Node). */
export function generator(seed) {
  let x = seed >>> 0 || 1;
  const next = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
  return { next, int: (n) => Math.floor(next() * n), pick: (a) => a[Math.floor(next() * a.length)] };
}

const GARBAGE = ['NaN', 'abc', '%FF%FE', '1e999', '-1e999', '', '0x10', '  ', '<b>x</b>', 'x'.repeat(3000), '1,2,,3', '-0'];

function value(g, spec) {
  const roll = g.next();
  if (roll < 0.15) return g.pick(GARBAGE);
  if (spec.type === 'choice') return g.pick(spec.options);
  if (spec.type === 'bool') return g.pick(['0', '1', 'true', 'no']);
  if (spec.type === 'list' || spec.type === 'packed') return g.pick(['', '1,2,3', '0', 'AAAA', '~~', '5 3 9 1 7 2']);
  if (roll < 0.35) return String(g.pick([spec.min, spec.max, spec.max * 10, spec.min - 1]));
  if (spec.type === 'float' && spec.log) return String(Number((spec.min * (spec.max / spec.min) ** g.next()).toPrecision(3)));
  const v = spec.min + g.next() * (spec.max - spec.min);
  return String(spec.type === 'int' ? Math.round(v) : Number(v.toPrecision(3)));
}

/** One generated query (with its leading `?`) for experiment `id`. */
export function generatedUrl(g, id, schemas) {
  const { schema, scenarios } = schemas[id];
  const q = new URLSearchParams({ exp: id });
  if (g.next() < 0.7) q.set('seed', g.next() < 0.9 ? String(g.int(2 ** 32)) : g.pick(GARBAGE));
  if (g.next() < 0.4) q.set('step', String(g.pick([0, 1, g.int(50), g.int(3000), 10 ** 12])));
  if (g.next() < 0.3) q.set('scenario', g.next() < 0.8 ? g.pick(scenarios) : 'nope');
  for (let k = g.int(7); k > 0; k--) {
    const spec = g.pick(schema);
    q.set(spec.key, value(g, spec));
  }
  if (g.next() < 0.2) q.set(g.pick(['nope', 'controls', 'backend', 'autoplay']), g.pick(['1', 'play,step', 'webgl2', 'zz']));
  return `?${q}`;
}

/** Reads `{schema, scenarios}` from a started lab page: `evaluate(fnBody)` runs script there. */
export const SCHEMA_SCRIPT = 'return { schema: window.__lab.schema(), scenarios: window.__lab.scenarios().map((s) => s.id) };';
