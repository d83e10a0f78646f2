#!/usr/bin/python3
"""`mergeflow aggregate` on a large 10x Matrix Market directory under a memory
limit: does it finish, and within the limit?

  /usr/bin/python3 bench/mtx_memory_bench.py --cells 1000000 --genes 20000 --density 0.005 --memory-limit 1G

Generates the directory (matrix.mtx with entries in random order, barcodes,
features) and META (barcode -> one of --clusters clusters) with awk, cached in
bench/data; runs mergeflow with --stats mean,var,nnz and the limit; prints
wall time, peak RSS (wait4) and the limit, and exits non-zero when the run
failed or its peak RSS exceeded the limit.
"""
import argparse
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import HERE, ROOT, run_measured  # noqa: E402

UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def generate(directory, cells, genes, density, clusters):
    if os.path.exists(os.path.join(directory, "matrix.mtx")):
        return
    os.makedirs(directory, exist_ok=True)
    entries = int(cells * genes * density)
    awk = r'''BEGIN { srand(7); printf "%%%%MatrixMarket matrix coordinate integer general\n%%%%\n%d %d %d\n", G, C, N
                 for (k = 0; k < N; k++) printf "%d %d %d\n", 1 + int(rand() * G), 1 + int(rand() * C), 1 + int(rand() * 20) }'''
    with open(os.path.join(directory, "matrix.mtx.tmp"), "w") as out:
        subprocess.run(["awk", "-v", "G=%d" % genes, "-v", "C=%d" % cells, "-v", "N=%d" % entries, awk], stdout=out,
                       check=True)
    with open(os.path.join(directory, "barcodes.tsv"), "w") as f:
        f.write("".join("cell%d\n" % i for i in range(cells)))
    with open(os.path.join(directory, "features.tsv"), "w") as f:
        f.write("".join("ENSG%d\tgene%d\tGene Expression\n" % (g, g) for g in range(genes)))
    with open(os.path.join(directory, "meta.tsv"), "w") as f:
        f.write("barcode\tcluster\n" + "".join("cell%d\tc%03d\n" % (i, i * 7919 % clusters) for i in range(cells)))
    os.rename(os.path.join(directory, "matrix.mtx.tmp"), os.path.join(directory, "matrix.mtx"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cells", type=int, default=1000000)
    p.add_argument("--genes", type=int, default=20000)
    p.add_argument("--density", type=float, default=0.005)
    p.add_argument("--clusters", type=int, default=100)
    p.add_argument("--memory-limit", default="1G")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--mergeflow", default=os.path.join(ROOT, "build", "mergeflow"))
    p.add_argument("--data-dir", default=os.path.join(HERE, "data"))
    a = p.parse_args()
    directory = os.path.join(a.data_dir, "mtx-%dx%d-d%g" % (a.cells, a.genes, a.density))
    generate(directory, a.cells, a.genes, a.density, a.clusters)
    # The META lives beside the matrix but is not one of its three files.
    meta = os.path.join(a.data_dir, "mtx-%dx%d-d%g-meta.tsv" % (a.cells, a.genes, a.density))
    if not os.path.exists(meta):
        shutil.move(os.path.join(directory, "meta.tsv"), meta)
    out = "/tmp/mergeflow-mtx-bench"
    shutil.rmtree(out, ignore_errors=True)
    wall, rss, code, err = run_measured([a.mergeflow, "aggregate", directory, "--meta", meta, "--by", "cluster",
                                         "--stats", "mean,var,nnz", "--memory-limit", a.memory_limit, "--threads",
                                         str(a.threads), "-q", "-o", out])
    limit = int(a.memory_limit[:-1]) * UNITS[a.memory_limit[-1]]
    size = os.path.getsize(os.path.join(directory, "matrix.mtx"))
    print("%d barcodes x %d features, %d MB of matrix.mtx, %d clusters, --stats mean,var,nnz, --memory-limit %s, "
          "%d threads" % (a.cells, a.genes, size >> 20, a.clusters, a.memory_limit, a.threads))
    print("exit %d, wall %.1f s, peak RSS %d MB (limit %d MB)%s" % (code, wall, rss >> 20, limit >> 20,
                                                                     "" if code == 0 else ": " + err.strip()[-200:]))
    sys.exit(0 if code == 0 and rss <= limit else 1)


if __name__ == "__main__":
    main()
