#!/usr/bin/env python3
"""Record activation traces of the official self-sorting code and the statistics the lab's
`threads` scheduler is fitted to (docs/sorting-scheduler.md).

The official code (Zhangtaining/cell_research) runs one Python thread per cell; every `move()`
holds one global lock. This script runs its cell classes *unchanged* and patches only at run
time:

* the shared lock is wrapped so that each `release()` (the end of one `move()`, still holding
  the lock) appends (thread, swap count) to a log: the activation order and whether each
  activation swapped;
* for the immovable-frozen conditions, `MultiThreadCell.swap` refuses a frozen target, which is
  the commented-out `or current_cell_at_target.status == CellStatus.FREEZE` of the official
  `swap` switched on (the paper's `*frozen_cannot_move*` runs).

The driver is the official drivers' procedure, written out here because they import tkinter and
numpy: n = 100 distinct values reshuffled per run, one `CellGroup` with period and count-down
1e9, frozen cells drawn with `random.randint` (repeats allowed, as `create_cells_within_one_group`
does), poll `is_sorted` every 0.1 ms without frozen cells (`multithread_cell_sorting_steps.py`)
or `no_cells_should_move` every 1 s with them (`multithread_cell_sorting_with_frozen_steps.py`).
Chimeras are 50 + 50 cells with shuffled types (`get_cell_type_list_v2`), on distinct values as
the lab's Fig. 8 condition. Delayed gratification is `get_max_delay_gratification` (monotonicity
error of each per-swap snapshot, then `avg_wandering_range`), re-implemented below from
`analysis/delay_gratification_analysis.py`.

Usage:
    python3 scripts/record_official_traces.py --repo PATH/TO/cell_research --runs 50 \
        --out docs/data/official-traces.json [--replays tests/data/official-replays.json]
    python3 scripts/record_official_traces.py --out docs/data/official-traces.json \
        --fit src/sorting/threads_law.rs

Timing matters: the traces are how CPython 3.11's threads share one lock on this machine, so
run it on an otherwise idle machine. It prints the Python version and the machine it ran on
into the output.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import threading
import time

BURST_CAP = 25  # continuation probabilities are fitted for burst positions 1..BURST_CAP-1, pooled beyond


class LoggingLock:
    """The official shared lock, logging each release with the releasing thread, the swap count
    and the read count: `acquire` is the real lock's own (no Python frame added on the contended
    path)."""

    def __init__(self, probe):
        self._lock = threading.Lock()
        self.acquire = self._lock.acquire
        self._release = self._lock.release
        self.log = []
        self.probe = probe
        self._ident = threading.get_ident

    def release(self):
        probe = self.probe
        self.log.append((self._ident(), probe.swap_count, probe.compare_and_swap_count))
        self._release()

    def locked(self):
        return self._lock.locked()


def load_official(repo):
    sys.path.insert(0, repo)
    from modules.multithread.StatusProbe import StatusProbe
    from modules.multithread.BubbleSortCell import BubbleSortCell
    from modules.multithread.InsertionSortCell import InsertionSortCell
    from modules.multithread.SelectionSortCell import SelectionSortCell
    from modules.multithread.CellGroup import CellGroup, GroupStatus
    from modules.multithread.MultiThreadCell import MultiThreadCell, CellStatus

    return dict(
        StatusProbe=StatusProbe,
        Bubble=BubbleSortCell,
        Insertion=InsertionSortCell,
        Selection=SelectionSortCell,
        CellGroup=CellGroup,
        GroupStatus=GroupStatus,
        MultiThreadCell=MultiThreadCell,
        CellStatus=CellStatus,
    )


def make_immovable(off):
    """Switch on the commented-out frozen-target check of `MultiThreadCell.swap`."""
    MultiThreadCell, CellStatus = off["MultiThreadCell"], off["CellStatus"]
    original = MultiThreadCell.swap

    def swap(self, target_position, skip_stats=False):
        target = self.cells[int(target_position[0])]
        if self.immovable_frozen and target.status == CellStatus.FREEZE:
            if not self.tried_to_swap_with_frozen:
                self.status_probe.count_frozen_cell_attempt()
                self.tried_to_swap_with_frozen = True
            return
        return original(self, target_position, skip_stats)

    MultiThreadCell.swap = swap
    MultiThreadCell.immovable_frozen = False


# ---- the official analysis, re-implemented ----------------------------------------------------

def monotonicity_error(values, decreasing=False):
    """`get_monotonicity`: adjacent pairs against the goal."""
    if decreasing:
        return sum(1 for a, b in zip(values, values[1:]) if b > a)
    return sum(1 for a, b in zip(values, values[1:]) if b < a)


def runs_of_changes(errors):
    """`get_discrepency_arr`: the error series without repeats, its differences merged into
    runs of one sign."""
    dedup = [e for k, e in enumerate(errors) if k == 0 or errors[k - 1] != e]
    diffs = [b - a for a, b in zip(dedup, dedup[1:])]
    if not diffs:
        return [0]
    out, acc = [], diffs[0]
    for prev, d in zip(diffs, diffs[1:]):
        if prev * d > 0:
            acc += d
        else:
            out.append(acc)
            acc = d
    out.append(acc)
    return out


def delayed_gratification(errors):
    """`avg_wandering_range` of the per-swap error series."""
    runs = runs_of_changes(errors)
    i = next((k for k, r in enumerate(runs) if r > 0), len(runs))
    if i >= len(runs) - 1:
        return 0.0
    total, count = 0.0, 0
    while i < len(runs):
        j = i + 1
        if j >= len(runs) or runs[j] > 0:
            return total  # the official early return (the sum, not the mean)
        total += -(runs[j] + runs[i]) / runs[i]
        count += 1
        i += 2
    return total / count if count else 0.0


def aggregation(types):
    """`get_aggregation_value_avg` as the lab has it: adjacent same-type pairs over n."""
    return sum(1 for a, b in zip(types, types[1:]) if a == b) / len(types)


# ---- one run ------------------------------------------------------------------------------------

def run_once(off, algotypes, frozen, immovable, decreasing=False, n=100, values=None, idle_tail=0, settle=0.0):
    StatusProbe, CellGroup, GroupStatus, CellStatus = (
        off["StatusProbe"], off["CellGroup"], off["GroupStatus"], off["CellStatus"])
    if values is None:
        values = list(range(n))
        random.shuffle(values)
    n = len(values)
    if len(algotypes) == 1:
        types = [algotypes[0]] * n
    else:
        per = n // len(algotypes)
        types = [a for a in algotypes for _ in range(per)]
        random.shuffle(types)
    probe = StatusProbe()
    lock = LoggingLock(probe)
    left, right = (0, 1), (n - 1, 1)
    cells = []
    for i in range(n):
        cls = off[types[i]]
        cell = cls(i + 1, values[i], lock, (i, 1), cells, left, right, probe,
                   disable_visualization=True, swapping_count=[0], export_steps=[],
                   reverse_direction=decreasing)
        cell.immovable_frozen = immovable
        cells.append(cell)
    group = CellGroup(cells, cells, 0, left, right, GroupStatus.ACTIVE, lock, 1000000000, 1000000000)
    for cell in cells:
        cell.group = group
    for _ in range(frozen):
        cells[random.randint(0, n - 1)].set_cell_to_freeze()
    initial = [c.value for c in cells]
    frozen_at = [i for i, c in enumerate(cells) if c.status == CellStatus.FREEZE]

    def is_sorted():
        return all(a.value <= b.value for a, b in zip(cells, cells[1:]))

    def no_cells_should_move():
        for c in cells:
            if c.status == CellStatus.SLEEP:
                return False
            if c.status == CellStatus.ACTIVE and c.should_move():
                return False
        return True

    started = time.perf_counter()
    lock.acquire()
    threads = [c for c in cells if c.status != CellStatus.FREEZE]
    for c in threads:
        c.start()
    group.start()
    lock.release()
    # Replays let the threads run a moment before the first poll, so that an array whose cells
    # want nothing from the start still records activations (an idle trace to replay).
    time.sleep(settle)
    if frozen:
        while not no_cells_should_move():
            time.sleep(1)
    else:
        while not is_sorted():
            time.sleep(0.0001)
    lock.acquire()
    elapsed = time.perf_counter() - started
    for c in cells:
        c.status = CellStatus.INACTIVE
    group.status = GroupStatus.MERGED
    log = list(lock.log)
    lock.release()
    for c in threads:
        c.join()
    group.join(timeout=5)

    by_ident = {c.ident: c.threadID - 1 for c in threads}
    # Each activation: (cell, state) with state 0 = idle, 1 = a read without a swap
    # (`should_move()` was true), 2 = a swap.
    acts = []
    last_swaps, last_reads = 0, 0
    for ident, swaps, reads in log:
        if ident in by_ident:
            state = 2 if swaps > last_swaps else 1 if reads > last_reads else 0
            acts.append((by_ident[ident], state))
            last_swaps, last_reads = swaps, reads
    # Cut the idle tail after the last swap (the poll, not the cells, decides how long it is),
    # keeping `idle_tail` activations of it for replays: there no cell may swap.
    last_swap = max((k for k, a in enumerate(acts) if a[1] == 2), default=-1)
    acts = acts[: last_swap + 1 + idle_tail]
    errors = [monotonicity_error(s) for s in probe.sorting_steps if s]
    out = dict(
        swaps=probe.swap_count,
        reads=probe.compare_and_swap_count,
        dg=delayed_gratification(errors) if errors else 0.0,
        seconds=elapsed,
        initial=initial,
        types=types,
        frozen_at=frozen_at,
        acts=acts,
    )
    if len(set(types)) > 1:
        series = [aggregation([t for t in (row[1] for row in snap)]) for snap in probe.cell_types]
        out["aggregation"] = series
    return out


# ---- trace statistics ---------------------------------------------------------------------------

def trace_statistics(runs):
    """Burst lengths, the chance a burst goes on after each of its activations (by position in
    the burst and by what that activation did: idle, read, swap), and who acts next."""
    hist = {}
    go_on = {(k, s): [0, 0] for k in range(1, BURST_CAP) for s in (0, 1, 2)}
    rank_hist = [0] * 10
    rank_fine = [0] * 20
    swap_then_same = [0, 0]
    # Consecutive swaps (whatever acted between them) started by the same cell: the lab's
    # `same_mover_share`.
    next_swap_same = [0, 0]
    for run in runs:
        acts = run["acts"]
        swappers = [cell for cell, state in acts if state == 2]
        next_swap_same[0] += sum(1 for a, b in zip(swappers, swappers[1:]) if a == b)
        next_swap_same[1] += max(0, len(swappers) - 1)
        active = len(run["initial"]) - len(set(run["frozen_at"]))
        last_seen = {}
        k = 0
        for t, (cell, state) in enumerate(acts):
            swapped = state == 2
            k = k + 1 if t > 0 and acts[t - 1][0] == cell else 1
            if t + 1 < len(acts):
                same = acts[t + 1][0] == cell
                key = (min(k, BURST_CAP - 1), state)
                go_on[key][0] += same
                go_on[key][1] += 1
                if swapped:
                    swap_then_same[0] += same
                    swap_then_same[1] += 1
                if not same:
                    hist[k] = hist.get(k, 0) + 1
                    nxt = acts[t + 1][0]
                    # Rank of the next cell among the other cells by how long since each last
                    # acted (0 = longest waiting), in tenths.
                    if len(last_seen) >= active - 1 and nxt in last_seen:
                        waited = last_seen[nxt]
                        older = sum(1 for c, s in last_seen.items() if c != cell and s < waited)
                        rank_hist[min(9, older * 10 // max(1, active - 1))] += 1
                        rank_fine[min(19, older * 20 // max(1, active - 1))] += 1
            last_seen[cell] = t
    bursts = sum(hist.values())
    return dict(
        bursts=bursts,
        burst_length_share={str(k): hist[k] / bursts for k in sorted(hist)} if bursts else {},
        mean_burst=sum(k * v for k, v in hist.items()) / bursts if bursts else 0,
        go_on={f"{k}{'irs'[s]}": {"same": v[0], "of": v[1]} for (k, s), v in go_on.items()},
        swap_followed_by_same_cell={"same": swap_then_same[0], "of": swap_then_same[1]},
        next_swap_by_same_cell={"same": next_swap_same[0], "of": next_swap_same[1]},
        next_cell_wait_rank_tenths=rank_hist,
        next_cell_wait_rank_twentieths=rank_fine,
    )


def summary(runs, key):
    xs = [r[key] for r in runs]
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return dict(mean=statistics.fmean(xs), sd=sd, se=sd / len(xs) ** 0.5, runs=len(xs))


def aggregation_summary(runs):
    curves = []
    for r in runs:
        s = r["aggregation"]
        last = len(s) - 1
        curves.append([s[int(last * k / 100)] for k in range(101)])
    mean = [statistics.fmean(c[k] for c in curves) for k in range(101)]
    peak = max(mean)
    peaks = [max(r["aggregation"]) for r in runs]
    # Per-run peak positions give the position's spread.
    at = [max(range(101), key=lambda k: c[k]) for c in curves]
    return dict(
        peak_of_mean=peak,
        peak_at_percent=mean.index(peak),
        mean_of_run_peaks=statistics.fmean(peaks),
        run_peaks_sd=statistics.stdev(peaks) if len(peaks) > 1 else 0.0,
        run_peak_at_percent=dict(mean=statistics.fmean(at), sd=statistics.stdev(at) if len(at) > 1 else 0.0),
        mean_curve=[round(x, 5) for x in mean],
    )


CONDITIONS = [
    # name, Algotypes, frozen cells, immovable
    ("bubble", ["Bubble"], 0, False),
    ("selection", ["Selection"], 0, False),
    ("insertion", ["Insertion"], 0, False),
    ("bubble+selection", ["Bubble", "Selection"], 0, False),
    ("bubble, 3 immovable frozen", ["Bubble"], 3, True),
    ("selection, 3 immovable frozen", ["Selection"], 3, True),
    ("bubble+selection, 3 immovable frozen", ["Bubble", "Selection"], 3, True),
]


def fit_law(trace):
    """The `threads` law from one condition's trace statistics (docs/sorting-scheduler.md,
    "The fit"): continuation probabilities are the observed shares by burst position and by what
    the activation did (idle, read, swap); the next cell's waiting rank among the others follows
    the observed histogram in twentieths."""
    go_on = []
    for k in range(1, BURST_CAP):
        row = []
        for s in ("i", "r", "s"):
            v = trace["go_on"][f"{k}{s}"]
            row.append(v["same"] / v["of"] if v["of"] else (go_on[-1][len(row)] if go_on else 0.5))
        go_on.append(row)
    h = trace["next_cell_wait_rank_twentieths"]
    total = sum(h)
    return dict(go_on=go_on, next_rank=[x / total for x in h])


def write_rust_law(data, path):
    lines = [
        "// Written by `python3 scripts/record_official_traces.py --fit` from",
        "// docs/data/official-traces.json; do not edit by hand (tests/sorting_scheduler.rs checks it).",
        "use super::{BurstLaw, BURST_POSITIONS};",
        "",
    ]
    # Two drivers, two laws: without frozen cells the main thread polls `is_sorted` every 0.1 ms
    # (and takes the interpreter each time); with them it sleeps 1 s between polls. Insertion was
    # recorded without frozen cells only, so its law serves both.
    for algotype, condition, name in [
        ("bubble", "bubble", "BUBBLE"),
        ("selection", "selection", "SELECTION"),
        ("insertion", "insertion", "INSERTION"),
        ("bubble", "bubble, 3 immovable frozen", "BUBBLE_SLOW_POLL"),
        ("selection", "selection, 3 immovable frozen", "SELECTION_SLOW_POLL"),
    ]:
        law = fit_law(data["conditions"][condition]["trace"])
        rows = ", ".join(f"[{a!r}, {b!r}, {c!r}]" for a, b, c in law["go_on"])
        lines += [
            f"/// Fitted from the {data['conditions'][condition]['swaps']['runs']} recorded runs of \"{condition}\".",
            f"pub static {name}: BurstLaw = BurstLaw {{",
            f"    go_on: [{rows}],",
            "    others_only: true,",
            f"    next_rank: [{', '.join(repr(x) for x in law['next_rank'])}],",
            "};",
            "",
        ]
    lines += [
        "/// The official runs' statistics recorded here: (condition, statistic, mean, standard error,",
        "/// runs), for the Reproduce tables' \"official code, run here\" column.",
        "pub static OFFICIAL: &[(&str, &str, f64, f64, u32)] = &[",
    ]
    for name, c in data["conditions"].items():
        runs = c["swaps"]["runs"]
        for stat in ["swaps", "reads", "dg"]:
            lines.append(f"    ({name!r}, {stat!r}, {c[stat]['mean']!r}, {c[stat]['se']!r}, {runs}),".replace("'", '"'))
        if "aggregation" in c:
            a = c["aggregation"]
            se = a["run_peaks_sd"] / runs ** 0.5
            lines.append(f"    ({name!r}, \"mean_of_run_peaks\", {a['mean_of_run_peaks']!r}, {se!r}, {runs}),".replace("'", '"'))
            lines.append(f"    ({name!r}, \"peak_of_mean\", {a['peak_of_mean']!r}, f64::NAN, {runs}),".replace("'", '"'))
            lines.append(f"    ({name!r}, \"peak_at_percent\", {float(a['peak_at_percent'])!r}, f64::NAN, {runs}),".replace("'", '"'))
    lines += ["];", "", f"const _: () = assert!(BURST_POSITIONS == {BURST_CAP - 1});"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", help="a work tree of Zhangtaining/cell_research")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", help="record only conditions whose name contains this")
    ap.add_argument("--skip", help="skip conditions whose name contains this")
    ap.add_argument("--replays", help="also write short replayable traces (n = 24) here")
    ap.add_argument("--seed", type=int, default=2401)
    ap.add_argument("--fit", metavar="RUST_FILE",
                    help="only fit the threads law from --out's statistics and write it as Rust")
    args = ap.parse_args()
    if args.fit:
        with open(args.out) as f:
            write_rust_law(json.load(f), args.fit)
        return
    if not args.repo:
        ap.error("--repo is needed to record")
    random.seed(args.seed)
    off = load_official(os.path.abspath(args.repo))
    make_immovable(off)
    result = dict(
        source="Zhangtaining/cell_research, modules/multithread (run unchanged, patched at run time)",
        recorded=time.strftime("%Y-%m-%d"),
        python=platform.python_version(),
        machine=f"{platform.machine()}, {os.cpu_count()} cores",
        runs_per_condition=args.runs,
        conditions={},
    )
    if os.path.exists(args.out):
        with open(args.out) as f:
            result["conditions"] = json.load(f).get("conditions", {})
    for name, algotypes, frozen, immovable in CONDITIONS:
        if (args.only and args.only not in name) or (args.skip and args.skip in name):
            continue
        runs = []
        for r in range(args.runs):
            runs.append(run_once(off, algotypes, frozen, immovable))
            print(f"{name}: run {r + 1}/{args.runs}: {runs[-1]['swaps']} swaps, "
                  f"DG {runs[-1]['dg']:.3f}, {runs[-1]['seconds']:.2f} s", file=sys.stderr, flush=True)
        entry = dict(
            algotypes=[a.lower() for a in algotypes],
            frozen=frozen,
            frozen_kind="immovable" if immovable else "movable",
            swaps=summary(runs, "swaps"),
            reads=summary(runs, "reads"),
            dg=summary(runs, "dg"),
            seconds=summary(runs, "seconds"),
            trace=trace_statistics(runs),
        )
        if len(algotypes) > 1:
            entry["aggregation"] = aggregation_summary(runs)
        result["conditions"][name] = entry
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)
    if args.replays:
        # Deterministic Algotypes, so the lab can replay each recorded activation order through
        # its own rules and must reproduce every swap: insertion and selection with movable
        # frozen cells, increasing and decreasing (the decreasing insertion cell's prev = -1 reset).
        replays = []
        for algotype in ["Insertion", "Selection"]:
            for decreasing in [False, True]:
                values = list(range(24))
                random.shuffle(values)
                run = run_once(off, [algotype], 3, False, decreasing=decreasing, values=values, idle_tail=3000, settle=0.3)
                replays.append(dict(
                    algotype=algotype.lower(), decreasing=decreasing, initial=run["initial"],
                    frozen_at=run["frozen_at"], swaps=run["swaps"],
                    acts="".join(f"{c},{1 if s == 2 else 0};" for c, s in run["acts"]),
                ))
        with open(args.replays, "w") as f:
            json.dump(dict(source=result["source"], recorded=result["recorded"], python=result["python"],
                           replays=replays), f)


if __name__ == "__main__":
    main()
