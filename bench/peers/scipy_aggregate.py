#!/usr/bin/python3
"""Python peer for sparse aggregation, the way scanpy's sc.get.aggregate works:
anndata.read_h5ad, then an indicator matrix (groups x cells, scipy.sparse)
multiplied with X for sums, with X squared for sums of squares and with
X != 0 for non-zero counts; mean, var (ddof 1) and nnz per group and gene,
written as mergeflow's wide tables.

usage: scipy_aggregate.py H5AD BY OUT
Prints the seconds anndata.read_h5ad took on stderr ("read_seconds N").
"""
import os
import sys
import time

import anndata
import numpy as np
import pandas as pd
import scipy.sparse as sp

path, by, out = sys.argv[1:4]
start = time.monotonic()
adata = anndata.read_h5ad(path)
print("read_seconds %.2f" % (time.monotonic() - start), file=sys.stderr)
X = sp.csr_matrix(adata.X, dtype=np.float64)
codes = adata.obs[by].cat.codes.to_numpy()
keep = codes >= 0
groups = adata.obs[by].cat.categories
indicator = sp.csr_matrix((np.ones(keep.sum()), (codes[keep], np.nonzero(keep)[0])),
                          shape=(len(groups), X.shape[0]))
n = np.asarray(indicator.sum(axis=1)).ravel()
sums = np.asarray((indicator @ X).todense())
squares = np.asarray((indicator @ X.multiply(X)).todense())
nnz = np.asarray((indicator @ (X != 0).astype(np.float64)).todense())
mean = sums / n[:, None]
with np.errstate(invalid="ignore", divide="ignore"):
    var = (squares - sums * sums / n[:, None]) / (n[:, None] - 1)
present = n > 0
for name, table in (("mean", mean), ("var", var), ("nnz", nnz)):
    os.makedirs(os.path.join(out, name), exist_ok=True)
    frame = pd.DataFrame(table[present], index=pd.Index(groups[present], name=by), columns=adata.var_names)
    frame.to_csv(os.path.join(out, name, "part-00000.tsv"), sep="\t")
