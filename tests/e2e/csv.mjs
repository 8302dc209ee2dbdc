// The simulated points of a dendrites figure's CSV export (`figureCsv` in
// www/experiments/dendrites.js), read by name rather than by column position.

/** One object per simulated point, keyed by the table's header (simulated_series, x, theory, …),
 *  each value as written (text; quoted cells unquoted). Throws when the CSV has no such table. */
export function simulatedPoints(csv) {
  const at = csv.indexOf('\nsimulated_series,');
  if (at < 0) throw new Error(`the CSV has no simulation table: ${csv.slice(0, 200)}`);
  const [header, ...rows] = csv.slice(at + 1).trim().split('\n');
  const names = header.split(',');
  return rows.map((row) => {
    const cells = row.match(/("[^"]*"|[^,]*)(,|$)/g).map((c) => c.replace(/,$/, '').replace(/^"(.*)"$/, '$1').replaceAll('""', '"'));
    return Object.fromEntries(names.map((name, i) => [name, cells[i]]));
  });
}
