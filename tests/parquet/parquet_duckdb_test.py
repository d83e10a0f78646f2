#!/usr/bin/python3
"""mergeflow's Parquet parts read back by DuckDB (npm), an independent reader:
for every join type, the rows equal those of the TSV output of the same join;
the schema, encodings, compression and statistics are what the writer
promises; several row groups and pages; an empty result; a failed run leaves
no output.

  tests/parquet/parquet_duckdb_test.py BUILD_DIR   (after npm install in tests/parquet)
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MERGEFLOW = os.path.join(sys.argv[1], "mergeflow")
failures = []


def duckdb(*sql):
    out = subprocess.run(["node", os.path.join(HERE, "duckdb_query.mjs"), *sql], check=True, capture_output=True,
                         text=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def join(work, how, out, *extra, env=None):
    return subprocess.run([MERGEFLOW, "join", f"{work}/l.tsv", f"{work}/r.tsv", "--on", "id", "--how", how, "-o", out,
                           "-q", "--threads", "2", *extra], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})))


def write_inputs(work):
    rng = random.Random(42)
    with open(f"{work}/l.tsv", "w") as f:
        f.write("id\tcity\tnote\n")
        for i in range(200000):
            note = '"a\ttab and ""quotes"""' if i % 997 == 0 else ("" if i % 7 == 0 else f"note{i}")
            f.write(f"{rng.randrange(250000)}\tcity{rng.randrange(40)}\t{note}\n")
    with open(f"{work}/r.tsv", "w") as f:
        f.write("id\tscore\n")
        for _ in range(60000):
            f.write(f"{rng.randrange(250000)}\t{rng.randrange(5)}\n")


def rows_digest(source, columns):
    """count and an order-free hash of the rows (empty text for SQL NULL: read_csv reads '' as NULL)."""
    hashed = ", ".join(f"coalesce({c}, '')" for c in columns)
    return duckdb(f"select count(*) as n, sum(hash({hashed})) as h from {source}")[0][0]


def main():
    work = tempfile.mkdtemp(prefix="mergeflow-parquet-")
    try:
        write_inputs(work)
        for how in ["inner", "left", "right", "outer", "semi", "anti"]:
            # row groups of as little text as the join hands on at once
            # (a probe chunk's rows, with 64 KiB chunks): several per part
            done = join(work, how, f"{work}/{how}-pq", "--format", "parquet", "--chunk-size", "64K",
                        env={"MERGEFLOW_PARQUET_ROW_GROUP_BYTES": "65536"})
            check(done.returncode == 0, f"{how}: join --format parquet succeeds ({done.stderr.strip()})")
            text = join(work, how, f"{work}/{how}-tsv")
            check(text.returncode == 0, f"{how}: join to TSV succeeds")
            columns = duckdb(f"select name from parquet_schema('{work}/{how}-pq/part-00000.parquet') "
                             "where name <> 'schema'")[0]
            names = [c["name"] for c in columns]
            parquet = rows_digest(f"'{work}/{how}-pq/*.parquet'", names)
            tsv = rows_digest(f"read_csv('{work}/{how}-tsv/*.tsv', delim='\t', header=true, all_varchar=true, "
                              "quote='\"', escape='\"')", names)
            check(parquet == tsv and int(parquet["n"]) > 0, f"{how}: Parquet rows equal TSV rows {parquet} {tsv}")
            manifest = json.load(open(f"{work}/{how}-pq/_SUCCESS"))
            check(sum(p["rows"] for p in manifest["parts"]) == int(parquet["n"]),
                  f"{how}: the manifest counts the Parquet rows")
            check(all(p["name"].endswith(".parquet") for p in manifest["parts"]), f"{how}: parts are .parquet")
        how = "left"
        schema = duckdb(f"select name, type, logical_type, repetition_type from parquet_schema("
                        f"'{work}/{how}-pq/part-00000.parquet') where name <> 'schema'")[0]
        check(all(c["type"] == "BYTE_ARRAY" and c["logical_type"] == "StringType()" and
                  c["repetition_type"] == "REQUIRED" for c in schema), "text columns: required String byte arrays")
        meta = duckdb(f"select file_name, row_group_id, path_in_schema as col, encodings, compression, "
                      f"stats_min_value as lo, stats_max_value as hi from parquet_metadata('{work}/{how}-pq/*.parquet')")[0]
        groups = {}
        for m in meta:
            groups.setdefault(m["file_name"], set()).add(m["row_group_id"])
        check(max(len(g) for g in groups.values()) >= 2, f"several row groups in a part ({groups})")
        check(all(m["compression"] == "ZSTD" for m in meta), "pages compressed with zstd")
        check(all("RLE_DICTIONARY" in m["encodings"] for m in meta if m["col"] in ("city", "score")),
              "few distinct values: dictionary-encoded")
        check(all("RLE_DICTIONARY" not in m["encodings"] for m in meta if m["col"] == "note"),
              "mostly distinct values: plain")
        # The statistics of each row group are its true min and max (DuckDB
        # computes them from the rows, by file and row group).
        truth = duckdb(f"select filename as file_name, min(city) as lo, max(city) as hi from read_parquet("
                       f"'{work}/{how}-pq/*.parquet', filename=true) group by filename")[0]
        by_file = {}
        for m in meta:
            if m["col"] == "city":
                lo, hi = by_file.get(m["file_name"], (m["lo"], m["hi"]))
                by_file[m["file_name"]] = (min(lo, m["lo"]), max(hi, m["hi"]))
        check(all(by_file[t["file_name"]] == (t["lo"], t["hi"]) for t in truth), "min/max statistics are right")
        tabs = duckdb(f"select count(*) as n from '{work}/{how}-pq/*.parquet' where note = 'a' || chr(9) || "
                      "'tab and \"quotes\"'")[0][0]
        check(int(tabs["n"]) > 0, "a quoted value with a tab and quotes comes back unquoted")
        empty = duckdb(f"select count(*) as n from '{work}/{how}-pq/*.parquet' where note = ''")[0][0]
        check(int(empty["n"]) > 0, "an empty field is the empty string, not NULL")

        # An empty result: a readable file with the columns and no rows.
        with open(f"{work}/none.tsv", "w") as f:
            f.write("id\tscore\n")
        done = subprocess.run([MERGEFLOW, "join", f"{work}/l.tsv", f"{work}/none.tsv", "--on", "id", "-o",
                               f"{work}/empty", "--format", "parquet", "-q"], capture_output=True, text=True)
        result = duckdb(f"select count(*) as n from '{work}/empty/*.parquet'",
                        f"select count(*) as n from parquet_schema('{work}/empty/part-00000.parquet')")
        check(done.returncode == 0 and int(result[0][0]["n"]) == 0 and int(result[1][0]["n"]) == 5,
              "an empty result is a Parquet file with its 4 columns and no rows")

        # A bad row half-way: the run fails and no output appears.
        shutil.copy(f"{work}/r.tsv", f"{work}/bad.tsv")
        with open(f"{work}/bad.tsv", "a") as f:
            f.write("1\t2\t3\n")
        done = subprocess.run([MERGEFLOW, "join", f"{work}/l.tsv", f"{work}/bad.tsv", "--on", "id", "-o",
                               f"{work}/failed", "--format", "parquet", "-q"], capture_output=True, text=True)
        check(done.returncode == 1 and "bad.tsv:60002" in done.stderr and not os.path.exists(f"{work}/failed"),
              f"a bad row fails the run with file:line and no output ({done.stderr.strip()})")
        done = subprocess.run([MERGEFLOW, "join", f"{work}/l.tsv", f"{work}/r.tsv", "--format", "parquet"],
                              capture_output=True, text=True)
        check(done.returncode == 2 and "needs -o" in done.stderr, "Parquet to standard output is refused")
    finally:
        shutil.rmtree(work)
    if failures:
        sys.exit(f"{len(failures)} Parquet check(s) failed")
    print("all Parquet checks passed")


if __name__ == "__main__":
    main()
