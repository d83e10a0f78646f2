#!/usr/bin/python3
"""Oracle test: mergeflow aggregate against pandas (DESIGN.md section 5).

usage: /usr/bin/python3 tests/oracle/aggregate_oracle.py MERGEFLOW_BINARY [--seeds N] [--first S]
       [--extra "ARGS"] [--launch "LAUNCHER"] [--wide] [--expect-blocks] [--h5ad]

Each seed draws a random matrix and META: missing values in every spelling
(empty, NA, NaN, nan), zeros written several ways, negative numbers,
exponents, large values with small differences (a test of cancellation in
variances), ids with no META row, META rows with no matrix row, groups with
one row, empty group values, group values that sort differently as numbers
and as bytes, one or two --by columns, TSV or CSV, quoted fields. mergeflow
computes every statistic in every layout (wide, long, transposed); pandas
computes the same from read_csv, merge and groupby, and every cell must
agree within 1e-9 relative (counts exactly), every number must be written as
Python's repr writes it, and the manifest's row counts must be pandas' too.

--h5ad writes each matrix also as an AnnData file (python3-anndata: X dense,
CSR or CSC, float64 or float32, gzip- or lzf-compressed; the groups also as
categorical obs columns with missing codes) and as a 10x Matrix Market
directory (scipy.io.mmwrite), and runs mergeflow on them, with META and with
--by naming obs columns, against the same pandas results.

--wide draws matrices of 300-900 features and up to 60 groups, for runs with
a small --memory-limit that take features in blocks; --expect-blocks then
requires more than one block in at least one run. --extra ARGS go to every
run; --launch LAUNCHER goes before it (e.g. "mpirun -np 3").
Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import argparse
import json
import math
import os
import random
import shlex
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

STATS = ["count", "sum", "mean", "var", "std", "min", "max", "nnz", "frac_nnz", "count_ge:1", "count_gt:0",
         "count_ge:-0.5"]
COUNTS = {"count", "nnz", "count_ge:1", "count_gt:0", "count_ge:-0.5"}
MISSING = ["", "NA", "NaN", "nan"]
GROUP_VALUES = ["A", "B", "10", "9", "b", "a c", "x,y", ""]


def value_text(rng, big):
    r = rng.random()
    if r < 0.35:
        return rng.choice(["0", "0", "0", "0.0", "-0", "0e3"])
    if r < 0.45:
        return rng.choice(MISSING)
    if big:
        return repr(1e6 + rng.randint(0, 1000) * 1e-3)
    kind = rng.randint(0, 4)
    if kind == 0:
        return str(rng.randint(-20, 20))
    if kind == 1:
        return "%.6g" % rng.uniform(-100, 100)
    if kind == 2:
        return "%de%d" % (rng.randint(1, 9), rng.randint(-12, 12))
    if kind == 3:
        return "%.3fE%+d" % (rng.uniform(-5, 5), rng.randint(-3, 3))
    return "+%s" % rng.randint(1, 7)


def quote(field, sep):
    if sep in field or '"' in field or "\n" in field:
        return '"' + field.replace('"', '""') + '"'
    return field


def make_case(rng, path, wide):
    sep = rng.choice(["\t", ","])
    ext = "tsv" if sep == "\t" else "csv"
    features = rng.randint(300, 900) if wide else rng.randint(1, 12)
    rows = rng.randint(50, 400) if wide else rng.randint(0, 60)
    by_count = rng.choice([1, 1, 2])
    groups = rng.randint(2, 60) if wide else rng.randint(1, 6)
    group_pool = [tuple(rng.choice(GROUP_VALUES) if not wide else "g%d" % rng.randint(0, groups)
                        for _ in range(by_count)) for _ in range(groups)]
    names = ["G%d" % i for i in range(features)]
    big = [rng.random() < 0.1 for _ in range(features)]
    ids = ["c%d" % i for i in range(rows)]
    matrix_ids = [rng.choice(ids + ["ghost%d" % i for i in range(3)]) if rng.random() < 0.1 else i for i in ids]
    id_name = "cell id" if rng.random() < 0.3 else "cell"
    with open(os.path.join(path, "matrix." + ext), "w", newline="") as f:
        f.write(sep.join(quote(n, sep) for n in [id_name] + names) + "\n")
        for cid in matrix_ids:
            f.write(sep.join([quote(cid, sep)] + [quote(value_text(rng, big[j]), sep) for j in range(features)]) + "\n")
    by_names = ["cluster", "batch"][:by_count]
    meta_ids = ids + ["extra%d" % i for i in range(rng.randint(0, 3))]
    rng.shuffle(meta_ids)
    with open(os.path.join(path, "meta." + ext), "w", newline="") as f:
        f.write(sep.join([id_name, "note"] + by_names) + "\n")
        for cid in meta_ids:
            if rng.random() < 0.05:
                continue  # an id with no META row
            g = rng.choice(group_pool)
            f.write(sep.join([quote(cid, sep), "n"] + [quote(v, sep) for v in g]) + "\n")
    return sep, ext, id_name, by_names, names


def pandas_stats(path, sep, ext, id_name, by_names, names, ddof):
    na = MISSING
    matrix = pd.read_csv(os.path.join(path, "matrix." + ext), sep=sep, dtype={id_name: str}, keep_default_na=False,
                         na_values=na)
    meta = pd.read_csv(os.path.join(path, "meta." + ext), sep=sep, dtype=str, keep_default_na=False)
    for n in names:
        matrix[n] = matrix[n].astype("float64")
    merged = matrix.merge(meta, on=id_name, how="inner")
    unmatched = len(matrix) - len(merged)
    null_group = merged[by_names].eq("").any(axis=1)
    merged = merged[~null_group]
    keys = [merged[b] for b in by_names]
    data = merged[names]
    g = data.groupby(keys, sort=True)
    out = {
        "count": g.count(), "sum": g.sum(), "mean": g.mean(), "var": g.var(ddof=ddof), "std": g.std(ddof=ddof),
        "min": g.min(), "max": g.max(),
        "nnz": (data.notna() & (data != 0)).groupby(keys, sort=True).sum(),
    }
    out["frac_nnz"] = out["nnz"] / out["count"]
    out["count_ge:1"] = (data >= 1).groupby(keys, sort=True).sum()
    out["count_gt:0"] = (data > 0).groupby(keys, sort=True).sum()
    out["count_ge:-0.5"] = (data >= -0.5).groupby(keys, sort=True).sum()
    counts = {"matrix": len(matrix), "unmatched_rows": unmatched, "null_group_rows": int(null_group.sum()),
              "aggregated": len(merged)}
    return out, counts


def close(a, b, scale):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12 * scale)


def cell(text, stat):
    if text == "":
        return None
    if stat in COUNTS:
        if not text.lstrip("-").isdigit():
            raise ValueError("count %r is not an integer" % text)
        return float(int(text))
    value = float(text)
    if repr(value) != text:
        raise ValueError("%r is not written as Python's repr (%r)" % (text, repr(value)))
    return value


def read_table(path, sep):
    frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
    return frame


def check(expected, stat, got_rows, scale, problems, label):
    """got_rows: {(group tuple, feature): text}."""
    frame = expected[stat]
    seen = 0
    for group, row in frame.iterrows():
        group = group if isinstance(group, tuple) else (group,)
        for feature, value in row.items():
            want = None if (value is None or (isinstance(value, float) and math.isnan(value))) else float(value)
            text = got_rows.get((tuple(group), feature))
            seen += 1
            if text is None:
                problems.append("%s %s: no cell for %s %s" % (label, stat, group, feature))
                return
            try:
                got = cell(text, stat)
            except ValueError as e:
                problems.append("%s %s %s %s: %s" % (label, stat, group, feature, e))
                return
            s = scale[feature] ** 2 if stat == "var" else scale[feature]
            if not close(got, want, max(s, 1.0)):
                problems.append("%s %s %s %s: mergeflow %r, pandas %r" % (label, stat, group, feature, text, want))
                return
    if seen != len(got_rows):
        problems.append("%s %s: %d cells, pandas %d" % (label, stat, len(got_rows), seen))


def write_h5ad(rng, path, sep, ext, id_name, by_names, names):
    """The matrix as an AnnData file; returns (path, obs column names, float32?)."""
    import anndata
    import scipy.sparse as sp
    import warnings
    matrix = pd.read_csv(os.path.join(path, "matrix." + ext), sep=sep, dtype={id_name: str}, keep_default_na=False,
                         na_values=MISSING)
    meta = pd.read_csv(os.path.join(path, "meta." + ext), sep=sep, dtype=str, keep_default_na=False)
    values = matrix[names].to_numpy(dtype="float64")
    single = rng.random() < 0.3
    if single:
        values = values.astype("float32")
    layout = rng.choice(["dense", "csr", "csc"])
    X = values if layout == "dense" else (sp.csr_matrix(values) if layout == "csr" else sp.csc_matrix(values))
    obs = pd.DataFrame(index=matrix[id_name].tolist())
    groups = dict(zip(meta[id_name], meta[by_names].itertuples(index=False, name=None)))
    obs_names = []
    for k, b in enumerate(by_names):
        column = [groups.get(i, ("",) * len(by_names))[k] for i in matrix[id_name]]
        obs["obs_" + b] = pd.Categorical([v if v != "" else None for v in column])
        obs_names.append("obs_" + b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        adata = anndata.AnnData(X=X, obs=obs, var=pd.DataFrame(index=names), dtype=X.dtype)
        out = os.path.join(path, "matrix.h5ad")
        adata.write_h5ad(out, compression=rng.choice(["gzip", "lzf"]))
    # The same matrix as a 10x Matrix Market directory (features x barcodes).
    import scipy.io
    mtx = os.path.join(path, "mtx")
    os.makedirs(mtx)
    scipy.io.mmwrite(os.path.join(mtx, "matrix.mtx"), sp.coo_matrix(values.astype("float64").T))
    with open(os.path.join(mtx, "barcodes.tsv"), "w") as f:
        f.write("".join(i + "\n" for i in matrix[id_name]))
    with open(os.path.join(mtx, "features.tsv"), "w") as f:
        f.write("".join("ID%d\t%s\tGene Expression\n" % (k, n) for k, n in enumerate(names)))
    return out, obs_names, single


def h5ad_runs(rng, binary, launch, path, sep, ext, id_name, by_names, names, expected, counts, ddof, extra, problems):
    h5ad, obs_names, single = write_h5ad(rng, path, sep, ext, id_name, by_names, names)
    matrix = pd.read_csv(os.path.join(path, "matrix." + ext), sep=sep, dtype={id_name: str}, keep_default_na=False,
                         na_values=MISSING)
    # float32 storage: the values pandas saw, rounded as the file stores them.
    if single:
        for n in names:
            matrix[n] = matrix[n].astype("float32").astype("float64")
        meta = pd.read_csv(os.path.join(path, "meta." + ext), sep=sep, dtype=str, keep_default_na=False)
        merged = matrix.merge(meta, on=id_name, how="inner")
        merged = merged[~merged[by_names].eq("").any(axis=1)]
        expected = {"mean": merged[names].groupby([merged[b] for b in by_names], sort=True).mean(),
                    "sum": merged[names].groupby([merged[b] for b in by_names], sort=True).sum(),
                    "var": merged[names].groupby([merged[b] for b in by_names], sort=True).var(ddof=ddof),
                    "nnz": expected["nnz"], "count": expected["count"]}
    scale = {n: float(np.nanmax(np.abs(matrix[n].to_numpy()), initial=0.0)) for n in names}
    stats = ["mean", "sum", "var", "nnz", "count"]
    with_meta = ["--meta", os.path.join(path, "meta." + ext), "--by", ",".join(by_names)]
    for label, source, by in [("h5ad+META", h5ad, with_meta), ("h5ad obs", h5ad, ["--by", ",".join(obs_names)]),
                              ("mtx+META", os.path.join(path, "mtx"), with_meta)]:
        out = os.path.join(path, "out-" + label.replace(" ", "-").replace("+", "-"))
        done = run(binary, launch, [source] + by + ["--stats", ",".join(stats), "--ddof", str(ddof), "-q", "-o", out] +
                   shlex.split(extra))
        if done.returncode != 0:
            problems.append("%s: exit %d: %s" % (label, done.returncode, done.stderr.strip()[-500:]))
            continue
        manifest = json.load(open(os.path.join(out, "_SUCCESS")))
        if label != "h5ad obs" and manifest["rows"]["unmatched_rows"] != counts["unmatched_rows"]:
            problems.append("%s: unmatched_rows %s, pandas %s" % (label, manifest["rows"]["unmatched_rows"],
                                                                 counts["unmatched_rows"]))
        for stat in stats:
            frame = read_table(os.path.join(out, stat, "part-00000.tsv"), "\t")
            got = {}
            columns = obs_names if label == "h5ad obs" else by_names
            for _, r in frame.iterrows():
                for n in names:
                    got[(tuple(r[b] for b in columns), n)] = r[n]
            check(expected, stat, got, scale, problems, label)


def run(binary, launch, args):
    cmd = shlex.split(launch) + [binary, "aggregate"] + args
    return subprocess.run(cmd, capture_output=True, text=True)


def one_seed(binary, seed, extra, launch, wide, blocks_seen, h5ad=False):
    rng = random.Random(seed)
    problems = []
    with tempfile.TemporaryDirectory() as path:
        sep, ext, id_name, by_names, names = make_case(rng, path, wide)
        ddof = rng.choice([1, 1, 0, 2])
        expected, counts = pandas_stats(path, sep, ext, id_name, by_names, names, ddof)
        matrix = pd.read_csv(os.path.join(path, "matrix." + ext), sep=sep, dtype={id_name: str},
                             keep_default_na=False, na_values=MISSING)
        scale = {n: float(np.nanmax(np.abs(matrix[n].astype("float64").to_numpy()), initial=0.0)) for n in names}
        stats = ",".join(STATS)
        base = [os.path.join(path, "matrix." + ext), "--meta", os.path.join(path, "meta." + ext),
                "--id", id_name, "--by", ",".join(by_names), "--stats", stats, "--ddof", str(ddof), "-q"] + \
            shlex.split(extra)
        if h5ad:
            h5ad_runs(rng, binary, launch, path, sep, ext, id_name, by_names, names, expected, counts, ddof, extra,
                      problems)
            return problems
        for layout in ["wide", "long", "transposed"]:
            out = os.path.join(path, "out-" + layout)
            args = base + ["-o", out] + (["--layout", "long"] if layout == "long" else []) + \
                (["--transpose"] if layout == "transposed" else [])
            done = run(binary, launch, args)
            if done.returncode != 0:
                problems.append("%s: exit %d: %s" % (layout, done.returncode, done.stderr.strip()[-500:]))
                continue
            manifest = json.load(open(os.path.join(out, "_SUCCESS")))
            for k, v in counts.items():
                if manifest["rows"][k] != v:
                    problems.append("%s: manifest rows.%s %s, pandas %s" % (layout, k, manifest["rows"][k], v))
            if manifest["aggregate"]["feature_blocks"] > 1:
                blocks_seen.append(seed)
            if layout == "long":
                frame = read_table(os.path.join(out, "part-00000." + ext), sep)
                for stat in STATS:
                    got = {(tuple(r[b] for b in by_names), r["feature"]): r[stat] for _, r in frame.iterrows()}
                    check(expected, stat, got, scale, problems, layout)
                continue
            for stat in STATS:
                frame = read_table(os.path.join(out, stat, "part-00000." + ext), sep)
                got = {}
                if layout == "wide":
                    if list(frame.columns) != by_names + names:
                        problems.append("wide %s: header %s" % (stat, list(frame.columns)[:8]))
                        continue
                    for _, r in frame.iterrows():
                        for n in names:
                            got[(tuple(r[b] for b in by_names), n)] = r[n]
                else:
                    groups = {"_".join(g if isinstance(g, tuple) else (g,)): (g if isinstance(g, tuple) else (g,))
                              for g in expected[stat].index}
                    if list(frame.columns)[1:] != list(groups):
                        problems.append("transposed %s: header %s, groups %s" % (stat, list(frame.columns)[1:6],
                                                                                 list(groups)[:5]))
                        continue
                    for _, r in frame.iterrows():
                        for joined, g in groups.items():
                            got[(g, r["feature"])] = r[joined]
                check(expected, stat, got, scale, problems, layout)
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--extra", default="")
    parser.add_argument("--launch", default="")
    parser.add_argument("--wide", action="store_true")
    parser.add_argument("--expect-blocks", action="store_true")
    parser.add_argument("--h5ad", action="store_true")
    a = parser.parse_args()
    passed = failed = 0
    blocks_seen = []
    for seed in range(a.first, a.first + a.seeds):
        problems = one_seed(os.path.abspath(a.binary), seed, a.extra, a.launch, a.wide, blocks_seen, a.h5ad)
        if problems:
            failed += 1
            print("seed %d FAILED:\n  %s" % (seed, "\n  ".join(problems[:5])))
        else:
            passed += 1
    if a.expect_blocks and not blocks_seen:
        print("no run took its features in more than one block")
        failed += 1
    print("aggregate oracle: %d passed, %d failed%s" % (passed, failed,
          " (feature blocks in %d runs)" % len(blocks_seen) if blocks_seen else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
