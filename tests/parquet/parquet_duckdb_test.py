#!/usr/bin/python3
"""mergeflow's Parquet parts read back by DuckDB (npm), an independent reader:
for every join type, the rows equal those of the TSV output of the same join;
the schema, encodings, compression and statistics are what the writer
promises; several row groups and pages; an empty result; a failed run leaves
no output. aggregate's tables (50,000 columns wide, and long): DuckDB's
reading of the Parquet equals pandas' reading of the TSV tables, counts as
INT64, statistics as DOUBLE, undefined values as NULL.

Reading: files DuckDB writes (every common type, NULLs, several row groups,
snappy, gzip, zstd, lz4, brotli and no compression) joined by mergeflow give the rows
DuckDB's own join gives, each value spelled as DuckDB casts it to text,
Parquet v2 files (delta encodings, data pages v2) too; what mergeflow does
not read (a nested column) is one line naming the file and the column. Upserts: a
Parquet dataset (--format parquet) upserted batch after batch holds, as
DuckDB reads the parts its manifest lists, the rows of the same upserts
into a TSV dataset; a TSV dataset turned Parquet by an upsert too.

  tests/parquet/parquet_duckdb_test.py BUILD_DIR   (after npm install in tests/parquet)
"""

import json
import math
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


def check_aggregate(work):
    import pandas as pd

    rng = random.Random(5)
    features = [f"gene{i}" for i in range(50000)]
    with open(f"{work}/counts.tsv", "w") as f:
        f.write("cell\t" + "\t".join(features) + "\n")
        for cell in range(12):
            f.write(f"c{cell}\t" + "\t".join(rng.choice(["0", "0", "1", "3.5"]) for _ in features) + "\n")
    with open(f"{work}/cells.tsv", "w") as f:
        f.write("cell\tcluster\n")
        for cell in range(12):
            f.write(f"c{cell}\t{'single' if cell == 0 else 'k' + str(cell % 3)}\n")  # 'single': var undefined
    for layout, stats in (("wide", "mean,count,var"), ("long", "mean,nnz,var")):
        outputs = {}
        for fmt in ("parquet", "tsv"):
            done = subprocess.run([MERGEFLOW, "aggregate", f"{work}/counts.tsv", "--meta", f"{work}/cells.tsv",
                                   "--by", "cluster", "--stats", stats, "--layout", layout, "--format", fmt,
                                   "-o", f"{work}/agg-{layout}-{fmt}", "-q"], capture_output=True, text=True)
            check(done.returncode == 0, f"aggregate --layout {layout} --format {fmt} ({done.stderr.strip()})")
            outputs[fmt] = f"{work}/agg-{layout}-{fmt}"
        tables = [(f"{outputs['parquet']}/{s}", f"{outputs['tsv']}/{s}", s) for s in stats.split(",")] \
            if layout == "wide" else [(outputs["parquet"], outputs["tsv"], stats)]
        for parquet_dir, tsv_dir, stat in tables:
            # DuckDB takes minutes to bind all 50,000 columns: the wide tables
            # are compared on every 250th column (the long table holds every value).
            wide = layout == "wide"
            columns = ", ".join(["cluster"] + [f"gene{i}" for i in range(0, 50000, 250)]) if wide else "*"
            duckdb(f"copy (select {columns} from '{parquet_dir}/*.parquet') to '{work}/back.csv' (header, nullstr '')")
            back = pd.read_csv(f"{work}/back.csv", keep_default_na=False, na_values=[""], dtype={"cluster": str})
            text = pd.read_csv(f"{tsv_dir}/part-00000.tsv", sep="\t", keep_default_na=False, na_values=[""],
                               dtype={"cluster": str})
            if wide:
                text = text[list(back.columns)]
            same = list(back.columns) == list(text.columns) and back.shape == text.shape and all(
                back[c].tolist() == text[c].tolist() if back[c].dtype == object else
                all((math.isnan(a) and math.isnan(b)) or a == b for a, b in zip(back[c], text[c]))
                for c in text.columns)
            check(same, f"aggregate {layout} {stat}: DuckDB's Parquet equals the TSV table {back.shape}")
            types = {r["name"]: (r["type"], r["repetition_type"]) for r in duckdb(
                f"select name, type, repetition_type from parquet_schema('{parquet_dir}/part-00000.parquet')")[0]}
            if layout == "wide":
                want = ("INT64" if stat == "count" else "DOUBLE", "OPTIONAL")
                check(len(types) == 50002 and types["gene7"] == want and types["cluster"][0] == "BYTE_ARRAY",
                      f"aggregate wide {stat}: 50,000 columns of {want}")
            else:
                check(types["nnz"] == ("INT64", "OPTIONAL") and types["mean"] == ("DOUBLE", "OPTIONAL"),
                      "aggregate long: nnz INT64, mean DOUBLE")
        nulls = duckdb(f"select count(*) as n from '{outputs['parquet']}/{'var/' if layout == 'wide' else ''}*.parquet'"
                       + (" where gene3 is null" if layout == "wide" else " where var is null"))[0][0]
        check(int(nulls["n"]) > 0, f"aggregate {layout}: an undefined variance is NULL")


def check_reading(work):
    """Parquet files written by DuckDB, as join inputs."""
    left = f"{work}/typed.parquet"
    duckdb(f"""copy (select i::integer as id,
        case when i % 11 = 0 then null when i % 10 = 0 then 'tab' || chr(9) || 'q"uote' || chr(10) || 'line'
             else 'name ' || (i % 300) end as name,
        i * 0.1 as x, (i * 0.25)::float as f, case when i % 3 = 0 then null else i * 1000003 end as big,
        date '2024-01-01' + (i % 4000)::integer as d,
        timestamp '2024-03-01 00:00:00' + to_microseconds(i * 1234567) as ts,
        (timestamp '2024-03-01 00:00:00' + to_milliseconds(i * 120))::timestamp_ms as ts_ms,
        (time '00:00:00' + to_microseconds(i * 999999))::time as t,
        (i / 7)::decimal(12, 3) as dec, (i * 100003)::decimal(30, 5) as wide_dec, i % 2 = 0 as b,
        ('12345678-9abc-def0-0123-' || lpad(i::varchar, 12, '0'))::uuid as u
        from range(30000) t(i)) to '{left}' (format parquet, compression snappy, row_group_size 7000)""")
    columns = ["id", "name", "x", "f", "big", "d", "ts", "ts_ms", "t", "dec", "wide_dec", "b", "u", "rv"]
    for codec in ("gzip", "zstd", "lz4", "brotli", "uncompressed"):
        right = f"{work}/right-{codec}.parquet"
        duckdb(f"copy (select (i * 3)::bigint as id, case when i % 5 = 0 then null else 'r' || i end as rv "
               f"from range(12000) t(i)) to '{right}' (format parquet, compression {codec})")
        out = f"{work}/typed-join-{codec}"
        done = subprocess.run([MERGEFLOW, "join", left, right, "--on", "id", "--how", "left", "-o", out, "-q"],
                              capture_output=True, text=True)
        check(done.returncode == 0, f"join of DuckDB's Parquet files (right side {codec}) ({done.stderr.strip()})")
        got = rows_digest(f"read_csv('{out}/*.tsv', delim='\t', header=true, all_varchar=true, quote='\"', "
                          "escape='\"')", columns)
        casts = ", ".join(f"cast({c} as varchar) as {c}" for c in columns)
        want = rows_digest(f"(select {casts} from '{left}' left join '{right}' using (id))", columns)
        check(got == want and int(got["n"]) == 30000, f"{codec}: the join's rows and text are DuckDB's ({got} {want})")
    header = open(f"{work}/typed-join-gzip/part-00000.tsv").readline().rstrip("\n").split("\t")
    check(header == columns, f"the header holds the Parquet column names ({header})")

    # mergeflow's own Parquet, read back by mergeflow: a semi join keeps every row.
    done = subprocess.run([MERGEFLOW, "join", f"{work}/typed-join-gzip", f"{work}/right-zstd.parquet", "--on", "id",
                           "-o", f"{work}/round-pq", "--format", "parquet", "-q"], capture_output=True, text=True)
    again = subprocess.run([MERGEFLOW, "join", f"{work}/round-pq", f"{work}/right-zstd.parquet", "--on", "id",
                            "--how", "semi", "-o", f"{work}/round-tsv", "-q"], capture_output=True, text=True)
    names = columns[:-1] + ["rv_x", "rv_y"]
    first = rows_digest(f"'{work}/round-pq/*.parquet'", names)
    second = rows_digest(f"read_csv('{work}/round-tsv/*.tsv', delim='\t', header=true, all_varchar=true, "
                         "quote='\"', escape='\"')", names)
    check(done.returncode == 0 and again.returncode == 0 and first == second and int(first["n"]) > 0,
          f"mergeflow's Parquet read back by mergeflow ({first} {second} {done.stderr.strip()} {again.stderr.strip()})")

    # Parquet v2 (DuckDB's parquet_version v2: DELTA_BINARY_PACKED integers,
    # DELTA_BYTE_ARRAY strings, BYTE_STREAM_SPLIT floats, data pages v2):
    # the same rows and text.
    v2 = f"{work}/typed-v2.parquet"
    duckdb(f"copy (select *, 'unique-' || id || repeat('x', (id % 7)::integer) as uniq from '{left}') to '{v2}' "
           "(format parquet, parquet_version v2, compression zstd, row_group_size 9000)")
    v2_columns = columns[:-1] + ["uniq", "rv"]
    encodings = {e for r in duckdb(f"select encodings from parquet_metadata('{v2}')")[0] for e in
                 r["encodings"].split(", ")}
    right = f"{work}/right-gzip.parquet"
    done = subprocess.run([MERGEFLOW, "join", v2, right, "--on", "id", "--how", "left", "-o", f"{work}/v2-out", "-q"],
                          capture_output=True, text=True)
    got = rows_digest(f"read_csv('{work}/v2-out/*.tsv', delim='\t', header=true, all_varchar=true, quote='\"', "
                      "escape='\"')", v2_columns)
    casts = ", ".join(f"cast({c} as varchar) as {c}" for c in v2_columns)
    want = rows_digest(f"(select {casts} from '{v2}' left join '{right}' using (id))", v2_columns)
    check(done.returncode == 0 and got == want and int(got["n"]) == 30000 and
          {"DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "BYTE_STREAM_SPLIT"} <= encodings,
          f"Parquet v2 ({sorted(encodings)}): the join's rows and text are DuckDB's ({done.stderr.strip()})")

    # What is not read (a nested column): one line naming the file and the column, no output.
    duckdb(f"copy (select i::bigint as id, [i, i] as pair from range(100) t(i)) to '{work}/nested.parquet' "
           "(format parquet)")
    done = subprocess.run([MERGEFLOW, "join", f"{work}/nested.parquet", left, "--on", "id", "-o",
                           f"{work}/nested-out", "-q"], capture_output=True, text=True)
    check(done.returncode == 1 and done.stderr.count("\n") == 1 and f"{work}/nested.parquet" in done.stderr and
          "'pair'" in done.stderr and not os.path.exists(f"{work}/nested-out"),
          f"a nested column: one line naming file and column ({done.stderr.strip()})")
    with open(left, "rb") as f:
        head = f.read(os.path.getsize(left) // 2)
    with open(f"{work}/cut.parquet", "wb") as f:
        f.write(head)
    done = subprocess.run([MERGEFLOW, "join", f"{work}/cut.parquet", left, "--on", "id", "-o", f"{work}/cut-out"],
                          capture_output=True, text=True)
    check(done.returncode == 1 and f"{work}/cut.parquet: " in done.stderr and not os.path.exists(f"{work}/cut-out"),
          f"a truncated Parquet file: an error naming it, no output ({done.stderr.strip()})")


def version_parts(dataset, ext):
    """The parts the current version of `dataset` lists, as paths."""
    version = json.load(open(f"{dataset}/_LATEST.json"))["version"]
    manifest = json.load(open(f"{dataset}/_versions/{version}/_SUCCESS"))
    paths = [f"{dataset}/_versions/{p.get('version', version)}/{p['name']}" for p in manifest["parts"]]
    check(all(p.endswith(ext) for p in paths), f"{dataset}: the parts are {ext}")
    return "[" + ", ".join(f"'{p}'" for p in paths) + "]"


def check_upsert(work):
    """The same change batches upserted into a TSV and a Parquet dataset."""
    rng = random.Random(9)
    columns = ["id", "name", "amount", "ts"]
    for batch in range(4):
        with open(f"{work}/changes-{batch}.tsv", "w") as f:
            f.write("Op\tid\tname\tamount\tts\n")
            for _ in range(3000):
                key = rng.randrange(2000)
                op = rng.choice("IUUD") if batch else "I"
                name = '"a\tb ""q"""' if rng.random() < 0.02 else f"n{rng.randrange(10**6)}"
                f.write(f"{op}\t{key}\t{name}\t{rng.randrange(10**5) / 100}\t"
                        f"2024-01-{1 + batch:02d} {rng.randrange(24):02d}:{rng.randrange(60):02d}:00\n")
    common = ["--key", "id", "--order-by", "ts:timestamp", "--buckets", "16", "-q"]
    for batch in range(4):
        changes = f"{work}/changes-{batch}.tsv"
        runs = [subprocess.run([MERGEFLOW, "upsert", f"{work}/ds-tsv", changes, *common], capture_output=True,
                               text=True),
                subprocess.run([MERGEFLOW, "upsert", f"{work}/ds-pq", changes, *common] +
                               (["--format", "parquet"] if batch == 0 else []) +
                               (["--compress", "snappy"] if batch == 3 else []), capture_output=True, text=True),
                subprocess.run([MERGEFLOW, "upsert", f"{work}/ds-turned", changes, *common] +
                               (["--format", "parquet", "--compress", "snappy"] if batch == 2 else []),
                               capture_output=True, text=True)]
        check(all(r.returncode == 0 for r in runs), f"upsert batch {batch} ({[r.stderr.strip() for r in runs]})")
        tsv = rows_digest(f"read_csv({version_parts(f'{work}/ds-tsv', '.tsv')}, delim='\t', header=true, "
                          "all_varchar=true, quote='\"', escape='\"')", columns)
        parquet = rows_digest(f"read_parquet({version_parts(f'{work}/ds-pq', '.parquet')})", columns)
        turned = f"read_parquet({version_parts(f'{work}/ds-turned', '.parquet')})" if batch >= 2 else \
            f"read_csv({version_parts(f'{work}/ds-turned', '.tsv')}, delim='\t', header=true, all_varchar=true, " \
            "quote='\"', escape='\"')"
        check(parquet == tsv and rows_digest(turned, columns) == tsv and int(tsv["n"]) > 0,
              f"batch {batch}: the Parquet datasets hold the TSV dataset's rows ({parquet} {tsv})")
        if batch == 2:
            codecs = duckdb(f"select distinct compression as c from parquet_metadata("
                            f"{version_parts(f'{work}/ds-pq', '.parquet')})",
                            f"select distinct compression as c from parquet_metadata("
                            f"{version_parts(f'{work}/ds-turned', '.parquet')})")
            check([r["c"] for r in codecs[0]] == ["ZSTD"] and [r["c"] for r in codecs[1]] == ["SNAPPY"],
                  f"upserted parts: zstd by default, snappy when asked ({codecs})")
    # --compress alone: for the parts this upsert writes into a Parquet
    # dataset; refused where the parts are text.
    version = json.load(open(f"{work}/ds-pq/_LATEST.json"))["version"]
    written = [f"'{work}/ds-pq/_versions/{version}/{p['name']}'" for p in
               json.load(open(f"{work}/ds-pq/_versions/{version}/_SUCCESS"))["parts"] if "version" not in p]
    codecs = duckdb(f"select distinct compression as c from parquet_metadata([{', '.join(written)}])")
    check(written and [r["c"] for r in codecs[0]] == ["SNAPPY"],
          f"--compress snappy into a Parquet dataset: its new parts are snappy ({codecs})")
    with open(f"{work}/one-change.tsv", "w") as f:
        f.write("Op\tid\tname\tamount\tts\nU\t1\tx\t1.5\t2024-02-01 00:00:00\n")
    refused = subprocess.run([MERGEFLOW, "upsert", f"{work}/ds-tsv", f"{work}/one-change.tsv", *common,
                              "--compress", "snappy"], capture_output=True, text=True)
    check(refused.returncode != 0 and "--compress applies to Parquet parts" in refused.stderr,
          f"--compress into a text dataset is refused ({refused.stderr.strip()})")
    # A change file in Parquet (as DMS can write them), from the same rows as a TSV one.
    with open(f"{work}/changes-4.tsv", "w") as f:
        f.write("Op\tid\tname\tamount\tts\n")
        for _ in range(1000):
            f.write(f"{rng.choice('IUD')}\t{rng.randrange(2000)}\tp{rng.randrange(99)}\t1.5\t2024-01-09 00:00:00\n")
    duckdb(f"copy (select * from read_csv('{work}/changes-4.tsv', delim='\t', header=true, all_varchar=true)) "
           f"to '{work}/changes-4.parquet' (format parquet)")
    text = subprocess.run([MERGEFLOW, "upsert", f"{work}/ds-tsv", f"{work}/changes-4.tsv", *common])
    parquet = subprocess.run([MERGEFLOW, "upsert", f"{work}/ds-pq", f"{work}/changes-4.parquet", *common])
    tsv = rows_digest(f"read_csv({version_parts(f'{work}/ds-tsv', '.tsv')}, delim='\t', header=true, "
                      "all_varchar=true, quote='\"', escape='\"')", columns)
    got = rows_digest(f"read_parquet({version_parts(f'{work}/ds-pq', '.parquet')})", columns)
    check(text.returncode == 0 and parquet.returncode == 0 and got == tsv,
          f"a Parquet change file upserts as its TSV twin does ({got} {tsv})")


def main():
    work = tempfile.mkdtemp(prefix="mergeflow-parquet-")
    try:
        check_reading(work)
        check_upsert(work)
        check_aggregate(work)
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

        # Other codecs: the same rows, the codec named in the metadata.
        want = rows_digest(f"'{work}/left-pq/*.parquet'", ["id", "city", "note", "score"])
        for flag, codec in (("snappy", "SNAPPY"), ("none", "UNCOMPRESSED"), ("zstd", "ZSTD")):
            done = join(work, "left", f"{work}/left-{flag}", "--format", "parquet", "--compress", flag)
            got = rows_digest(f"'{work}/left-{flag}/*.parquet'", ["id", "city", "note", "score"])
            codecs = {m["compression"] for m in duckdb(
                f"select compression from parquet_metadata('{work}/left-{flag}/*.parquet')")[0]}
            check(done.returncode == 0 and got == want and codecs == {codec},
                  f"--compress {flag}: the same rows, pages {codec} ({codecs})")
        done = join(work, "left", f"{work}/left-gzip", "--format", "parquet", "--compress", "gzip")
        check(done.returncode == 2 and "snappy" in done.stderr and not os.path.exists(f"{work}/left-gzip"),
              "--compress gzip with Parquet is refused, saying what fits")
    finally:
        shutil.rmtree(work)
    if failures:
        sys.exit(f"{len(failures)} Parquet check(s) failed")
    print("all Parquet checks passed")


if __name__ == "__main__":
    main()
