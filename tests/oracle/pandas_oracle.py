#!/usr/bin/python3
"""Oracle test: mergeflow join against pandas.merge on generated tricky inputs.

usage: /usr/bin/python3 tests/oracle/pandas_oracle.py MERGEFLOW_BINARY [--cases N] [--seed S] [--python]

With --python, mergeflow runs through the Python module (`import mergeflow`,
on PYTHONPATH) and its DataFrames are compared instead of the program's output.

Each case writes a LEFT and a RIGHT file (TSV or CSV, LF or CRLF) with
duplicate keys, empty keys, composite keys, UTF-8 and values holding
separators, quotes and newlines (RFC 4180 quoted), then runs every join type
with and without --null-keys-equal, on one thread and on several threads with
tiny chunks, and compares mergeflow's header and rows (as sorted multisets)
with pandas.merge on the same files. Empty keys are NULL for mergeflow by
default (they match nothing); pandas matches them, so for that mode the
oracle gives each empty key a unique placeholder first.
Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import argparse
import csv
import io
import os
import random
import subprocess
import sys
import tempfile

import pandas as pd

VALUES = ["x", "y", "hello world", "a,b", "tab\there", 'say "hi"', "two\nlines", "é", "日本", "", " padded ", "0", "00"]


def make_side(rng, key_cols, other_cols, rows, key_space):
    table = []
    for _ in range(rows):
        row = []
        for _ in key_cols:
            row.append("" if rng.random() < 0.08 else rng.choice(key_space))
        for _ in other_cols:
            row.append(rng.choice(VALUES) + (str(rng.randrange(5)) if rng.random() < 0.5 else ""))
        table.append(row)
    return table


def write_table(path, header, table, sep, newline):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=sep, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(table)


def read_pandas(path, sep):
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""])


def expected(left_path, right_path, sep, keys, how, nulls_equal):
    left = read_pandas(left_path, sep)
    right = read_pandas(right_path, sep)
    if not nulls_equal:
        # NULL keys match nothing: give each a placeholder of its own.
        for frame, tag in ((left, "L"), (right, "R")):
            for k in keys:
                mask = frame[k].isna()
                frame.loc[mask, k] = [f"\x00{tag}{i}" for i in range(mask.sum())]
    if how in ("semi", "anti"):
        right_keys = set(map(tuple, right[keys].astype(object).where(right[keys].notna(), "\x01NaN").values))
        left_tuples = map(tuple, left[keys].astype(object).where(left[keys].notna(), "\x01NaN").values)
        hits = [t in right_keys for t in left_tuples]
        result = left[[h == (how == "semi") for h in hits]]
    else:
        result = pd.merge(left, right, on=keys, how=how)
    rows = []
    for values in result.astype(object).values:
        rows.append(tuple("" if (isinstance(v, float) or v is None or str(v).startswith("\x00")) else v
                          for v in values))
    return list(result.columns), sorted(rows)


def actual_in_python(left_path, right_path, keys, how, nulls_equal, parallel):
    import mergeflow

    threads = dict(threads=3, chunk_size=128) if parallel else dict(threads=1)
    frame = mergeflow.join(left_path, right_path, on=keys, how=how, null_keys_equal=nulls_equal, **threads)
    return list(frame.columns), sorted(tuple(r) for r in frame.itertuples(index=False, name=None))


def actual(binary, left_path, right_path, keys, how, nulls_equal, parallel, sep):
    cmd = [binary, "join", left_path, right_path, "--on", ",".join(keys), "--how", how]
    if nulls_equal:
        cmd.append("--null-keys-equal")
    cmd += ["--threads", "3", "--chunk-size", "128"] if parallel else ["--threads", "1"]
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    reader = csv.reader(io.StringIO(proc.stdout.decode("utf-8"), newline=""), delimiter=sep)
    lines = list(reader)
    return lines[0], sorted(tuple(r) for r in lines[1:])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary")
    p.add_argument("--cases", type=int, default=25)
    p.add_argument("--seed", type=int, default=20261121)
    p.add_argument("--python", action="store_true", help="run mergeflow through the Python module")
    args = p.parse_args()
    rng = random.Random(args.seed)
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="mergeflow-oracle-") as tmp:
        for case in range(args.cases):
            fmt = rng.choice(["tsv", "csv"])
            sep = "\t" if fmt == "tsv" else ","
            newline = rng.choice(["\n", "\r\n"])
            keys = ["k1"] if rng.random() < 0.6 else ["k1", "k2"]
            key_space = [rng.choice(["a", "b", "c", "d", "é", "a b", "1", "01", "q,\"x\""]) for _ in range(6)]
            left_cols = keys + ["a", "b"][: rng.randrange(1, 3)]
            right_cols = keys + ["a", "c"][: rng.randrange(1, 3)]
            left = make_side(rng, keys, left_cols[len(keys):], rng.randrange(0, 60), key_space)
            right = make_side(rng, keys, right_cols[len(keys):], rng.randrange(0, 60), key_space)
            left_path = os.path.join(tmp, f"left{case}.{fmt}")
            right_path = os.path.join(tmp, f"right{case}.{fmt}")
            write_table(left_path, left_cols, left, sep, newline)
            write_table(right_path, right_cols, right, sep, newline)
            for how in ["inner", "left", "right", "outer", "semi", "anti"]:
                for nulls_equal in (False, True):
                    want_header, want_rows = expected(left_path, right_path, sep, keys, how, nulls_equal)
                    for parallel in (False, True):
                        label = f"case {case} ({fmt}, keys {keys}, --how {how}, nulls_equal={nulls_equal}, parallel={parallel})"
                        try:
                            if args.python:
                                header, rows = actual_in_python(left_path, right_path, keys, how, nulls_equal,
                                                                parallel)
                            else:
                                header, rows = actual(args.binary, left_path, right_path, keys, how, nulls_equal,
                                                      parallel, sep)
                            assert header == want_header, f"header {header} != {want_header}"
                            assert rows == want_rows, (f"{len(rows)} rows != {len(want_rows)} expected; "
                                                       f"first difference: "
                                                       f"{next(((a, b) for a, b in zip(rows, want_rows) if a != b), None)}")
                            passed += 1
                        except AssertionError as e:
                            failed += 1
                            print(f"FAIL {label}: {e}", file=sys.stderr)
    print(f"oracle: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
