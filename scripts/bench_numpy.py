"""numpy (float32, OpenBLAS) on the same workloads as `emergence-lab hopfield bench`: one modern
Hopfield update (Ramsauer et al. eq. 3, batched), S = beta * Xi @ X.T, P = row-softmax(S)
(max-shifted), Xi' = P @ X. Prints one JSON object (medians in ms) on stdout.

Run through scripts/bench-hopfield.sh, which makes the venv (numpy is not a dependency of the lab).
"""
import json
import os
import statistics
import time

import numpy as np


def update(x, xi, beta):
    s = beta * (xi @ x.T)
    s -= s.max(axis=1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=1, keepdims=True)
    return s @ x, s


def median_ms(d, n, q, runs):
    rng = np.random.default_rng(1)
    x = rng.uniform(-1.0, 1.0, size=(n, d)).astype(np.float32)
    xi = rng.uniform(-1.0, 1.0, size=(q, d)).astype(np.float32)
    beta = np.float32(1.0 / np.sqrt(d))
    update(x, xi, beta)  # warm up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        state, p = update(x, xi, beta)
        times.append((time.perf_counter() - t0) * 1e3)
    assert state.dtype == np.float32 and p.dtype == np.float32
    return statistics.median(times)


def blas_info():
    try:
        from threadpoolctl import threadpool_info  # optional

        return [f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads)" for i in threadpool_info()]
    except ImportError:
        cfg = np.show_config(mode="dicts") if hasattr(np, "show_config") else {}
        try:
            blas = cfg["Build Dependencies"]["blas"]
            return [f"{blas.get('name')} {blas.get('version')}"]
        except (KeyError, TypeError):
            return ["unknown"]


if __name__ == "__main__":
    result = {
        "numpy": np.__version__,
        "blas": blas_info(),
        "threads": os.cpu_count(),
        "batch": {"d": 1024, "n": 10000, "q": 100, "ms": median_ms(1024, 10000, 100, 7)},
        "single_64x64": {"d": 4096, "n": 10000, "q": 1, "ms": median_ms(4096, 10000, 1, 15)},
    }
    print(json.dumps(result))
