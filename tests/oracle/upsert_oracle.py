#!/usr/bin/python3
"""Oracle test: mergeflow upsert against a plain Python reference of DESIGN.md
section 6 ("Upserts"), written from the spec alone.

usage: /usr/bin/python3 tests/oracle/upsert_oracle.py MERGEFLOW_BINARY [--seeds N] [--first S] [--extra "ARGS"]
       [--launch "LAUNCHER"]

Each seed draws a key layout (one key or two), an --order-by type (int,
decimal, timestamp, string, with values written in several equal forms such
as "007"/"7" and "1.50"/"1.5"), a merge mode, and a stream of upsert calls of
one to three CSV change files each: duplicates of a key within a call, ties
on the order value, out-of-order arrivals, deletes then re-inserts, late
older updates after a delete, updates and deletes of missing keys, files
without the Op column (DMS LOAD files, inserts), new columns, values that
need quoting, a replayed file, and with --bad-rows skip a few bad rows.
After every call the dataset, read by an independent reader
(tests/dataset/read_dataset.py), must equal the reference's rows, and the
manifest's counts the reference's counts. --extra ARGS go to every
`mergeflow upsert` (e.g. "--buckets 1 --threads 1", or "--memory-limit 4K
--buckets 64", which spills the changes and reduces them a group at a time);
--launch LAUNCHER goes before each (e.g. "mpirun -np 3": ranks share the
buckets). --new-columns P is the chance that a change file adds a column
(0.3; a new column rewrites every bucket, so "--extra --merge-on-read"
runs lower it to keep buckets in deletes files and deltas for several
calls). With --merge-on-read, the run fails unless some versions it checked
had deletes files or deltas.
Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import argparse
import csv
import datetime
import decimal
import io
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
READER = os.path.join(HERE, "..", "dataset", "read_dataset.py")
DUCKDB = os.path.join(HERE, "..", "parquet", "duckdb_query.mjs")  # reads Parquet parts (npm install there)
sys.path.insert(0, os.path.dirname(READER))
import read_dataset as read_dataset_module  # noqa: E402  the independent reader's own functions

VALUES = ["x", "y", "a,b", 'say "hi"', "two\nlines", "é", "", "0"]


def order_key(kind, text):
    if kind == "int":
        return int(text)
    if kind == "decimal":
        return decimal.Decimal(text)
    if kind == "timestamp":
        t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if t.tzinfo is None:
            t = t.replace(tzinfo=datetime.timezone.utc)
        return t
    return text.encode()


def order_text(rng, kind, n):
    """A text for order value n, in one of its equal spellings."""
    if kind == "int":
        return rng.choice([str(n), "%03d" % n if n >= 0 else str(n), "+%d" % n if n >= 0 else str(n)])
    if kind == "decimal":
        return rng.choice(["%d.5" % n, "%d.50" % n, "%d.500" % n])
    if kind == "timestamp":
        t = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(minutes=n)
        return rng.choice([t.strftime("%Y-%m-%d %H:%M:%S"), t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                           (t + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00"),
                           t.strftime("%Y-%m-%d %H:%M:%S.000000")])
    return "v%04d" % (n + 500)  # fixed width, so text order is number order


class Reference:
    def __init__(self, keys, order_col, kind, commit_time, tombstone_versions):
        self.keys, self.order_col, self.kind = keys, order_col, kind
        self.commit_time, self.tombstone_versions = commit_time, tombstone_versions
        self.columns = []
        self.rows = {}        # key -> row dict
        self.tombs = {}       # key -> (order, generation)
        self.generation = 0
        self.applied = set()

    def apply(self, files, strict, skip_bad):
        """files: list of (sha, header, rows as lists). Returns counts or raises ValueError."""
        fresh = [f for f in files if f[0] not in self.applied]
        if not fresh:
            return None
        columns = list(self.columns)
        for _, header, _ in fresh:
            for name in header:
                if name != "Op" and name not in columns:
                    columns.append(name)
        counts = dict(inserted=0, updated=0, deleted=0, unchanged=0, stale_ignored=0, delete_missing=0, rejected=0)
        best = {}
        for file_index, (_, header, rows) in enumerate(fresh):
            for line, values in enumerate(rows):
                row = dict(zip(header, values))
                op = row.get("Op", "I").upper()
                bad = op not in ("I", "U", "D") or any(row[k] == "" for k in self.keys) or row[self.order_col] == ""
                try:
                    order = order_key(self.kind, row[self.order_col])
                except (ValueError, decimal.InvalidOperation):
                    bad = True
                if bad:
                    if not skip_bad:
                        raise ValueError("bad row")
                    counts["rejected"] += 1
                    continue
                key = tuple(row[k] for k in self.keys)
                rank = (order, file_index, line)
                if key not in best or rank > best[key][0]:
                    best[key] = (rank, op, {c: row.get(c, "") for c in columns})
        generation = self.generation + 1
        live = {k: t for k, t in self.tombs.items() if t[1] >= generation - self.tombstone_versions}
        rows = {k: {c: r.get(c, "") for c in columns} for k, r in self.rows.items()}
        for key, (rank, op, new_row) in best.items():
            order = rank[0]
            if key in rows:
                stored = order_key(self.kind, rows[key][self.order_col])
                if not self.commit_time and order < stored:
                    counts["stale_ignored"] += 1
                elif op == "D":
                    counts["deleted"] += 1
                    del rows[key]
                    live[key] = (order, generation)
                else:
                    counts["updated"] += 1
                    rows[key] = new_row
            else:
                tomb = live.get(key)
                if not self.commit_time and tomb is not None and order < tomb[0]:
                    counts["stale_ignored"] += 1
                elif op == "D":
                    counts["delete_missing"] += 1
                elif strict and op == "U":
                    raise ValueError("strict")
                else:
                    counts["inserted"] += 1
                    rows[key] = new_row
                    live.pop(key, None)
        counts["unchanged"] = len(rows) - counts["inserted"] - counts["updated"]
        self.columns, self.rows, self.tombs, self.generation = columns, rows, live, generation
        self.applied.update(f[0] for f in fresh)
        return counts

    def lines(self):
        out = []
        for row in self.rows.values():
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="").writerow([row[c] for c in self.columns])
            out.append(buffer.getvalue())
        return sorted(out)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    import hashlib
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_dataset(path):
    """The current version's rows as CSV lines (the reader sorts raw lines; re-render them)."""
    version = json.load(open(os.path.join(path, "_LATEST.json")))["version"]
    manifest = json.load(open(os.path.join(path, "_versions", version, "_SUCCESS")))
    subprocess.run([sys.executable, READER, path], check=True, stdout=subprocess.DEVNULL)
    rows = []
    parquet = []
    for part_path, data in read_dataset_module.current_files(path, version, manifest):
        if part_path.endswith(".parquet"):
            parquet.append(part_path)
            continue
        rows += list(csv.reader(io.StringIO(data.decode(), newline="")))[1:]
    if parquet:  # read by DuckDB, an independent Parquet reader
        listed = ", ".join("'%s'" % p for p in parquet)
        out = subprocess.run(["node", DUCKDB, "select * from read_parquet([%s])" % listed], check=True,
                             capture_output=True, text=True).stdout
        rows += [[record[c] for c in manifest["columns"]] for record in json.loads(out.splitlines()[0])]
    lines = []
    for row in rows:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(row)
        lines.append(buffer.getvalue())
    return sorted(lines), manifest


def run_seed(binary, seed, extra, launch, work, new_columns):
    rng = random.Random(seed)
    keys = ["id"] if rng.random() < 0.7 else ["id", "region"]
    kind = rng.choice(["int", "decimal", "timestamp", "string"])
    commit_time = rng.random() < 0.25
    tombstone_versions = rng.choice([1, 2, 10])
    ref = Reference(keys, "ts", kind, commit_time, tombstone_versions)
    dataset = os.path.join(work, "ds")
    key_space = rng.randrange(3, 40)
    extra_cols = ["name"]
    previous_files = []
    for call in range(rng.randrange(2, 6)):
        skip_bad = rng.random() < 0.2
        files = []
        paths = []
        for f in range(rng.randrange(1, 4)):
            if rng.random() < new_columns:
                extra_cols.append("c%d" % len(extra_cols))
            with_op = not (call == 0 and f == 0 and rng.random() < 0.5)
            header = (["Op"] if with_op else []) + keys + ["ts"] + rng.sample(extra_cols, len(extra_cols))
            rows = []
            for _ in range(rng.randrange(1, 25)):
                row = []
                for name in header:
                    if name == "Op":
                        row.append(rng.choice(["I", "U", "D", "u", "d"]))
                    elif name == "id":
                        row.append(str(rng.randrange(key_space)))
                    elif name == "region":
                        row.append(rng.choice(["eu", "us"]))
                    elif name == "ts":
                        row.append(order_text(rng, kind, rng.randrange(-3 if kind == "int" else 0, 12)))
                    else:
                        row.append(rng.choice(VALUES))
                rows.append(row)
            if skip_bad and rng.random() < 0.5:  # a bad row: unknown op, empty key or empty order value
                bad = list(rows[0])
                which = rng.choice(["ts", "id"] + (["Op"] if with_op else []))
                bad[header.index(which)] = "X" if which == "Op" else ""
                rows.insert(rng.randrange(len(rows) + 1), bad)
            path = os.path.join(work, "c%d_%d.csv" % (call, f))
            files.append((write_csv(path, header, rows), header, rows))
            paths.append(path)
        if previous_files and rng.random() < 0.2:  # a replay of an applied file
            paths.append(previous_files[-1][0])
            files.append(previous_files[-1][1])
        strict = rng.random() < 0.15
        args = launch + [binary, "upsert", dataset] + paths + ["--key", ",".join(keys), "--order-by", "ts:" + kind, "-q"]
        if commit_time:
            args += ["--merge-mode", "commit-time"]
        args += ["--tombstone-versions", str(tombstone_versions)]
        if strict:
            args.append("--strict")
        if skip_bad:
            args += ["--bad-rows", "skip"]
        args += extra
        try:
            expected = ref.apply(files, strict, skip_bad)
            expect_error = False
        except ValueError:
            expected, expect_error = None, True
        done = subprocess.run(args, capture_output=True, text=True)
        if expect_error:
            if done.returncode == 0:
                return "call %d: expected an error (strict), mergeflow succeeded" % call
            continue
        if done.returncode != 0:
            return "call %d: mergeflow failed: %s" % (call, done.stderr.strip())
        previous_files.append((paths[0], files[0]))
        if expected is None:
            continue  # nothing new to apply
        lines, manifest = read_dataset(dataset)
        if lines != ref.lines():
            return "call %d: rows differ:\n  mergeflow %s\n  reference %s" % (call, lines, ref.lines())
        if manifest["counts"] != expected:
            return "call %d: counts differ: mergeflow %s, reference %s" % (call, manifest["counts"], expected)
        if manifest["columns"] != ref.columns:
            return "call %d: columns differ: %s vs %s" % (call, manifest["columns"], ref.columns)
        if "deltas" in manifest or any("deletes" in part for part in manifest["parts"]):
            MERGED_ON_READ[0] += 1
    return None


MERGED_ON_READ = [0]  # versions checked that had deletes files or delta parts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--extra", default="")
    parser.add_argument("--launch", default="")
    parser.add_argument("--new-columns", type=float, default=0.3, help="chance that a change file adds a column")
    args = parser.parse_args()
    args.extra = shlex.split(args.extra)
    args.launch = shlex.split(args.launch)
    passed = failed = 0
    for seed in range(args.first, args.first + args.seeds):
        with tempfile.TemporaryDirectory(prefix="mergeflow-upsert-oracle-") as work:
            problem = run_seed(args.binary, seed, args.extra, args.launch, work, args.new_columns)
        if problem:
            failed += 1
            print("seed %d: %s" % (seed, problem))
        else:
            passed += 1
    print("%d passed, %d failed; %d versions read through deletes files and deltas" %
          (passed, failed, MERGED_ON_READ[0]))
    # --merge-on-read must have made some: else this run checked nothing of it.
    sys.exit(1 if failed or ("--merge-on-read" in args.extra and MERGED_ON_READ[0] == 0) else 0)


if __name__ == "__main__":
    main()
