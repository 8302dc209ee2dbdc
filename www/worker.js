// Long runs off the main thread. Messages in:
//   {kind: 'batch', query, runs}                               many runs of the page's setup
//   {kind: 'reproduce', figure, seed, runs, worker, workers}    this worker's share of a figure
//   {kind: 'trajectories', query, runs, points, traditional}    sortedness per swap of many runs
// Messages out: {progress: 0..1} now and then, then {summary, csv}, {rows} or {trajectories},
// or {error}.
// The page cancels by terminating the worker.
import init, { SortingBatch, SortingReproduce, SortingTrajectories } from './pkg/webgpu/emergence_lab.js';

const ready = init({ module_or_path: new URL('./pkg/webgpu/emergence_lab_bg.wasm', import.meta.url) });

function loop(job, total, step, finish) {
  let last = 0;
  while (job.done() < total) {
    step();
    const now = performance.now();
    if (now - last > 50) {
      self.postMessage({ progress: job.done() / total, done: job.done() });
      last = now;
    }
  }
  self.postMessage({ progress: 1, done: total });
  finish();
}

self.onmessage = async ({ data }) => {
  try {
    await ready;
    if (data.kind === 'trajectories') {
      const job = new SortingTrajectories(String(data.query ?? ''), Number(data.runs) || 30, Number(data.points) || 200, !!data.traditional);
      loop(job, job.total(), () => job.run_next(), () => self.postMessage({ trajectories: Array.from(job.trajectories(), (p) => Array.from(p)) }));
      job.free();
      return;
    }
    if (data.kind === 'reproduce') {
      const job = new SortingReproduce(String(data.figure), String(data.seed ?? '1'), Number(data.runs) || 100, data.worker | 0, Math.max(1, data.workers | 0));
      const total = job.total_runs();
      loop({ done: () => job.done_runs() }, total, () => job.run_next(5), () => self.postMessage({ rows: job.rows() }));
      job.free();
      return;
    }
    const batch = new SortingBatch(String(data.query ?? ''), Math.max(1, Math.min(100000, Number(data.runs) || 100)));
    const total = batch.total();
    loop(batch, total, () => batch.run_next(1), () => self.postMessage({ summary: batch.summary(), csv: batch.csv() }));
    batch.free();
  } catch (e) {
    self.postMessage({ error: String(e && e.message ? e.message : e) });
  }
};
