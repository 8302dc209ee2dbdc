// A small static server for dist/ (or any folder): correct MIME types for .wasm and .mjs,
// bound to 127.0.0.1. Usage: node scripts/serve.mjs [dir] [port]   (port 0 = any free port)
// EL_ISOLATED=1 sends the two headers that make pages cross-origin isolated
// (Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp), which
// SharedArrayBuffer and threaded wasm need.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.ts': 'text/plain; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.md': 'text/plain; charset=utf-8',
};

/** The headers of a cross-origin isolated page (`crossOriginIsolated` true: SharedArrayBuffer). */
export const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** Serve `dir` at `prefix` (e.g. '/course/week3/' to mimic a course site's sub-path).
 * `isolated`: send ISOLATION_HEADERS with every file. `mounts`: more folders, `{ '/peers/':
 * folder }`, served at those paths below `prefix` (the benchmark's peer runtimes). */
export function serve(dir, port = 0, host = '127.0.0.1', prefix = '/', { isolated = false, mounts = {} } = {}) {
  const roots = [...Object.entries(mounts).map(([at, folder]) => [at, path.resolve(folder)]), ['/', path.resolve(dir)]];
  const extra = isolated ? ISOLATION_HEADERS : {};
  const server = http.createServer((req, res) => {
    let rel;
    try { rel = decodeURIComponent(new URL(req.url, 'http://x').pathname); } catch { res.writeHead(400).end('bad request'); return; }
    if (!rel.startsWith(prefix)) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
    rel = '/' + rel.slice(prefix.length);
    const [at, root] = roots.find(([at]) => rel.startsWith(at));
    let file = path.join(root, rel.slice(at.length - 1));
    if (!file.startsWith(root)) { res.writeHead(403).end('forbidden'); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-cache', ...extra });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] || 'dist';
  const port = Number(process.argv[3] ?? process.env.PORT ?? 8080);
  const isolated = process.env.EL_ISOLATED === '1';
  const server = await serve(dir, port, '127.0.0.1', '/', { isolated });
  console.log(`Emergence Lab: http://127.0.0.1:${server.address().port}/  (serving ${dir}${isolated ? ', cross-origin isolated' : ''}; Ctrl-C to stop)`);
}
