// Batch runs off the main thread. Messages in: {query, runs}. Messages out: {progress: 0..1}
// after each chunk, then {summary, csv}, or {error}. The page cancels by terminating us.
import init, { SortingBatch } from './pkg/webgpu/emergence_lab.js';

const ready = init({ module_or_path: new URL('./pkg/webgpu/emergence_lab_bg.wasm', import.meta.url) });

self.onmessage = async ({ data }) => {
  try {
    await ready;
    const batch = new SortingBatch(String(data.query ?? ''), Math.max(1, Math.min(100000, Number(data.runs) || 100)));
    const total = batch.total();
    let last = 0;
    while (batch.done() < total) {
      batch.run_next(1);
      const now = performance.now();
      if (now - last > 50) {
        self.postMessage({ progress: batch.done() / total });
        last = now;
      }
    }
    self.postMessage({ progress: 1 });
    self.postMessage({ summary: batch.summary(), csv: batch.csv() });
    batch.free();
  } catch (e) {
    self.postMessage({ error: String(e && e.message ? e.message : e) });
  }
};
