#!/usr/bin/python3
"""Runs `mergeflow aggregate` and its peers on the same generated wide matrix.

  /usr/bin/python3 bench/aggregate_bench.py --cells 2000 --genes 50000 --clusters 50 --stats mean

Generates MATRIX (cells x genes, tab-separated, a `cell` id column, a share of
exact zeros as in single-cell counts, other values with up to 4 decimals) and
META (cell -> cluster), cached in bench/data; runs mergeflow, pandas
(read_csv, merge, groupby().agg()) and DuckDB (a join, GROUP BY and AVG of
every column) as child processes taking turns for --repeat rounds, measures
wall time and peak RSS (wait4), checks that every peer's table equals
mergeflow's within 1e-9 relative, and prints a Markdown table with ratios to
mergeflow. A peer that fails is reported with its exit status and last line
of stderr.
"""
import argparse
import math
import os
import random
import shutil
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import HERE, ROOT, run_measured  # noqa: E402


def generate(path_matrix, path_meta, cells, genes, clusters, zeros, seed):
    if os.path.exists(path_matrix) and os.path.exists(path_meta):
        return
    rng = random.Random(seed)
    with open(path_matrix + ".tmp", "w") as f:
        f.write("cell\t" + "\t".join("gene%d" % g for g in range(genes)) + "\n")
        for c in range(cells):
            f.write("cell%d\t" % c + "\t".join(
                "0" if rng.random() < zeros else "%.4g" % (rng.expovariate(0.5)) for _ in range(genes)) + "\n")
    os.rename(path_matrix + ".tmp", path_matrix)
    with open(path_meta + ".tmp", "w") as f:
        f.write("cell\tcluster\n")
        for c in range(cells):
            f.write("cell%d\tcluster%02d\n" % (c, rng.randrange(clusters)))
    os.rename(path_meta + ".tmp", path_meta)


def read_table(path):
    rows = {}
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            fields = line.rstrip("\n").split("\t")
            rows[fields[0]] = [float(x) if x != "" else math.nan for x in fields[1:]]
    return header[1:], rows


def same_table(a, b):
    ha, ra = read_table(a)
    hb, rb = read_table(b)
    if ha != hb or ra.keys() != rb.keys():
        return "different columns or groups"
    for k in ra:
        for x, y in zip(ra[k], rb[k]):
            if not (math.isnan(x) and math.isnan(y)) and not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12):
                return "group %s: %r against %r" % (k, x, y)
    return "same"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cells", type=int, default=2000)
    p.add_argument("--genes", type=int, default=50000)
    p.add_argument("--clusters", type=int, default=50)
    p.add_argument("--zeros", type=float, default=0.8)
    p.add_argument("--stats", default="mean")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--peers", default="mergeflow,pandas,duckdb")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--timeout", type=int, default=600, help="seconds a peer may take before it counts as failed")
    p.add_argument("--mergeflow", default=os.path.join(ROOT, "build", "mergeflow"))
    p.add_argument("--data-dir", default=os.path.join(HERE, "data"))
    p.add_argument("--work-dir", default="/tmp/mergeflow-aggregate-bench")
    a = p.parse_args()
    os.makedirs(a.data_dir, exist_ok=True)
    name = "%dx%d-z%g-k%d" % (a.cells, a.genes, a.zeros, a.clusters)
    matrix = os.path.join(a.data_dir, "matrix-%s.tsv" % name)
    meta = os.path.join(a.data_dir, "meta-%s.tsv" % name)
    generate(matrix, meta, a.cells, a.genes, a.clusters, a.zeros, 1)
    shutil.rmtree(a.work_dir, ignore_errors=True)
    os.makedirs(a.work_dir)
    commands = {
        "mergeflow": lambda out: [a.mergeflow, "aggregate", matrix, "--meta", meta, "--by", "cluster", "--stats",
                                  a.stats, "--threads", str(a.threads), "-q", "-o", out],
        "pandas": lambda out: ["/usr/bin/python3", os.path.join(HERE, "peers", "pandas_aggregate.py"), matrix, meta,
                               out, a.stats],
        "duckdb": lambda out: ["timeout", str(a.timeout), "node", os.path.join(HERE, "peers", "duckdb_aggregate.mjs"),
                               matrix, meta, out, str(a.threads)],
    }
    peers = a.peers.split(",")
    results = {peer: [] for peer in peers}
    failures = {}
    for _ in range(a.repeat):
        for peer in peers:
            if peer in failures:
                continue
            out = os.path.join(a.work_dir, peer)
            shutil.rmtree(out, ignore_errors=True)
            wall, rss, code, err = run_measured(commands[peer](out))
            if code != 0:
                last = err.strip().splitlines()[-1] if err.strip() else ""
                failures[peer] = "exit %d after %.1f s: %s" % (code, wall, last[:160])
                continue
            results[peer].append((wall, rss))
    first_stat = a.stats.split(",")[0]
    reference = os.path.join(a.work_dir, "mergeflow", first_stat, "part-00000.tsv")
    if "mergeflow" in failures:
        sys.exit("mergeflow failed: " + failures["mergeflow"])
    base = statistics.median(w for w, _ in results["mergeflow"])
    base_rss = max(r for _, r in results["mergeflow"])
    size = os.path.getsize(matrix)
    print("%d cells x %d genes (%d MB, %g%% zeros), %d clusters, --stats %s, %d threads; %s" % (
        a.cells, a.genes, size >> 20, a.zeros * 100, a.clusters, a.stats, a.threads, os.uname().nodename))
    print("wall: median of %d run(s) (fastest in brackets); peak RSS: the largest" % a.repeat)
    print("| tool | wall s | peak RSS MB | wall / mergeflow | RSS / mergeflow | %s table |" % first_stat)
    print("|---|---:|---:|---:|---:|---|")
    for peer in peers:
        if peer in failures:
            print("| %s | failed | | | | %s |" % (peer, failures[peer]))
            continue
        walls = [w for w, _ in results[peer]]
        rss = max(r for _, r in results[peer])
        check = "reference" if peer == "mergeflow" else same_table(
            reference, os.path.join(a.work_dir, peer, first_stat, "part-00000.tsv"))
        print("| %s | %.2f (%.2f) | %d | %.2fx | %.2fx | %s |" % (
            peer, statistics.median(walls), min(walls), rss >> 20, statistics.median(walls) / base, rss / base_rss,
            check))


if __name__ == "__main__":
    main()
