#!/usr/bin/python3
"""pandas peer: the same as `mergeflow aggregate MATRIX --meta META --by cluster
--stats STATS -o OUT` (wide layout), the way a data scientist writes it:
read_csv, merge, groupby().agg(), to_csv.

usage: pandas_aggregate.py MATRIX META OUT STATS
"""
import os
import sys

import pandas as pd

matrix_path, meta_path, out, stats = sys.argv[1:5]
matrix = pd.read_csv(matrix_path, sep="\t", dtype={"cell": str})
meta = pd.read_csv(meta_path, sep="\t", dtype=str)
merged = matrix.merge(meta, on="cell")
grouped = merged.drop(columns=["cell"]).groupby("cluster", sort=True)
os.makedirs(out, exist_ok=True)
for stat in stats.split(","):
    os.makedirs(os.path.join(out, stat), exist_ok=True)
    grouped.agg(stat).to_csv(os.path.join(out, stat, "part-00000.tsv"), sep="\t")
