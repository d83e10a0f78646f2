#!/usr/bin/python3
"""Sparse aggregation: `mergeflow aggregate X.h5ad --by cluster --stats
mean,var,nnz` against the Python route (anndata.read_h5ad, then scipy
indicator-matrix products, as scanpy's aggregate does), on one generated
AnnData file.

  /usr/bin/python3 bench/sparse_aggregate_bench.py --cells 200000 --genes 30000 --density 0.05 --clusters 300

Generates the file (CSR, float32 counts, uncompressed; cached in
bench/data), runs each tool as a child process, the tools taking turns for
--repeat rounds, measures wall time and peak RSS (wait4), checks the mean
tables against each other (1e-9 relative), and prints a Markdown table; the
Python route's time includes anndata's read, which is also shown apart.
"""
import argparse
import os
import shutil
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aggregate_bench import same_table  # noqa: E402
from compare import HERE, ROOT, run_measured  # noqa: E402


def generate(path, cells, genes, density, clusters, seed):
    if os.path.exists(path):
        return
    import anndata
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp
    rng = np.random.default_rng(seed)
    # Entries drawn at random with replacement, a row's repeats merged: about
    # `density` of each row is non-zero, columns sorted within a row.
    per_row = rng.binomial(genes, density, size=cells)
    rows = np.repeat(np.arange(cells, dtype=np.int64), per_row)
    keys = np.unique(rows * genes + rng.integers(0, genes, size=rows.size))
    del rows
    indices = (keys % genes).astype(np.int32)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(keys // genes, minlength=cells))]).astype(np.int64)
    del keys
    data = rng.integers(1, 20, size=indices.size).astype(np.float32)
    X = sp.csr_matrix((data, indices, indptr), shape=(cells, genes))
    obs = pd.DataFrame({"cluster": pd.Categorical(["c%03d" % k for k in rng.integers(0, clusters, size=cells)])},
                       index=["cell%d" % i for i in range(cells)])
    var = pd.DataFrame(index=["gene%d" % g for g in range(genes)])
    anndata.AnnData(X=X, obs=obs, var=var, dtype=np.float32).write_h5ad(path + ".tmp.h5ad")
    os.rename(path + ".tmp.h5ad", path)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cells", type=int, default=200000)
    p.add_argument("--genes", type=int, default=30000)
    p.add_argument("--density", type=float, default=0.05)
    p.add_argument("--clusters", type=int, default=300)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--mergeflow", default=os.path.join(ROOT, "build", "mergeflow"))
    p.add_argument("--data-dir", default=os.path.join(HERE, "data"))
    p.add_argument("--work-dir", default="/tmp/mergeflow-sparse-bench")
    a = p.parse_args()
    os.makedirs(a.data_dir, exist_ok=True)
    h5ad = os.path.join(a.data_dir, "sparse-%dx%d-d%g-k%d.h5ad" % (a.cells, a.genes, a.density, a.clusters))
    generate(h5ad, a.cells, a.genes, a.density, a.clusters, 1)
    shutil.rmtree(a.work_dir, ignore_errors=True)
    os.makedirs(a.work_dir)
    commands = {
        "mergeflow": lambda out: [a.mergeflow, "aggregate", h5ad, "--by", "cluster", "--stats", "mean,var,nnz",
                                  "--threads", str(a.threads), "-q", "-o", out],
        "python (anndata + scipy)": lambda out: ["/usr/bin/python3", os.path.join(HERE, "peers", "scipy_aggregate.py"),
                                                 h5ad, "cluster", out],
    }
    results = {name: [] for name in commands}
    reads = []
    for _ in range(a.repeat):
        for name, command in commands.items():
            out = os.path.join(a.work_dir, name.split()[0])
            shutil.rmtree(out, ignore_errors=True)
            wall, rss, code, err = run_measured(command(out))
            if code != 0:
                sys.exit("%s failed (exit %d): %s" % (name, code, err.strip()[-300:]))
            results[name].append((wall, rss))
            for line in err.splitlines():
                if line.startswith("read_seconds "):
                    reads.append(float(line.split()[1]))
    base = statistics.median(w for w, _ in results["mergeflow"])
    base_rss = max(r for _, r in results["mergeflow"])
    nnz_share = a.density * 100
    print("%d cells x %d genes (CSR, about %g%% non-zero, %d MB), %d clusters, --stats mean,var,nnz, %d threads" % (
        a.cells, a.genes, nnz_share, os.path.getsize(h5ad) >> 20, a.clusters, a.threads))
    print("| tool | wall s | peak RSS MB | wall / mergeflow | RSS / mergeflow | mean table |")
    print("|---|---:|---:|---:|---:|---|")
    for name in commands:
        walls = [w for w, _ in results[name]]
        rss = max(r for _, r in results[name])
        check = "reference" if name == "mergeflow" else same_table(
            os.path.join(a.work_dir, "mergeflow", "mean", "part-00000.tsv"),
            os.path.join(a.work_dir, name.split()[0], "mean", "part-00000.tsv"))
        print("| %s | %.2f (%.2f) | %d | %.2fx | %.2fx | %s |" % (
            name, statistics.median(walls), min(walls), rss >> 20, statistics.median(walls) / base, rss / base_rss,
            check))
    if reads:
        print("anndata.read_h5ad alone: %.2f s median" % statistics.median(reads))


if __name__ == "__main__":
    main()
