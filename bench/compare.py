#!/usr/bin/python3
"""Runs mergeflow and its peers on the same generated data and compares them.

  /usr/bin/python3 bench/compare.py --rows 10000000 --key-space 20000000 --threads 2

Generates LEFT and RIGHT with mergeflow-gen (cached in bench/data), runs each
tool as a child process, measures wall time and peak RSS (wait4), checks that
every tool produced the same multiset of rows as mergeflow, and prints a
Markdown table with ratios to mergeflow. Peers come from bench/node_modules
(npm install in bench/), Debian's python3-pandas and GNU coreutils.
"""
import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_measured(cmd, env=None):
    """Runs cmd; returns (wall seconds, peak RSS bytes, exit status, stderr)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    return wall, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status), stderr


def rows_digest(out_dir):
    """(row count, digest) of the data rows of every part in out_dir, order-independent."""
    parts = sorted(
        os.path.join(out_dir, n) for n in os.listdir(out_dir) if not n.startswith(("_", "."))
    )
    awk = subprocess.Popen(["awk", "FNR > 1"] + parts, stdout=subprocess.PIPE)
    sort = subprocess.Popen(
        ["sort", "-S", "30%", "--parallel=2"], stdin=awk.stdout, stdout=subprocess.PIPE,
        env=dict(os.environ, LC_ALL="C"))
    awk.stdout.close()
    digest = hashlib.sha256()
    count = 0
    for line in sort.stdout:
        digest.update(line)
        count += 1
    sort.wait()
    awk.wait()
    return count, digest.hexdigest()[:16]


def generate(args, side, seed):
    zipf = args.zipf if side == "left" else 0.0
    name = f"{side}-{args.rows}-{args.key_space}-z{zipf}-c{args.columns}-w{args.value_width}-s{seed}.tsv"
    path = os.path.join(args.data_dir, name)
    if not os.path.exists(path):
        os.makedirs(args.data_dir, exist_ok=True)
        subprocess.check_call([
            args.gen, "--rows", str(args.rows), "--key-space", str(args.key_space), "--zipf", str(zipf),
            "--columns", str(args.columns), "--value-width", str(args.value_width), "--seed", str(seed),
            "-o", path + ".tmp"])
        os.rename(path + ".tmp", path)
    return path


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--key-space", type=int, default=2_000_000)
    p.add_argument("--zipf", type=float, default=0.0,
                   help="Zipf exponent of the LEFT side's keys (the right side stays uniform: skew on both "
                        "sides would make the output of the hottest key quadratic)")
    p.add_argument("--columns", type=int, default=2)
    p.add_argument("--value-width", type=int, default=15)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--how", default="inner", choices=["inner", "left", "right", "outer"])
    p.add_argument("--memory-limit", default="", help="passed to mergeflow and DuckDB, e.g. 2G")
    p.add_argument("--peers", default="mergeflow,duckdb,duckdb-typed,polars,sortjoin",
                   help="comma-separated: mergeflow,duckdb,duckdb-typed,polars,pandas,sortjoin")
    p.add_argument("--repeat", type=int, default=1, help="runs per tool; the median and the fastest are reported")
    p.add_argument("--no-check", action="store_true", help="skip the row comparison")
    p.add_argument("--mergeflow", default=os.path.join(ROOT, "build", "mergeflow"))
    p.add_argument("--gen", default=os.path.join(ROOT, "build", "mergeflow-gen"))
    p.add_argument("--data-dir", default=os.path.join(HERE, "data"))
    p.add_argument("--work-dir", default=os.path.join(HERE, "data", "out"))
    args = p.parse_args()

    left = generate(args, "left", 1)
    right = generate(args, "right", 2)
    peers = args.peers.split(",")
    if "sortjoin" in peers and args.how != "inner":
        peers.remove("sortjoin")
    node = shutil.which("node")
    env_threads = dict(os.environ, POLARS_MAX_THREADS=str(args.threads))
    mem = args.memory_limit

    def command(tool, out):
        if tool == "mergeflow":
            cmd = [args.mergeflow, "join", left, right, "-o", out, "--how", args.how, "--threads", str(args.threads)]
            return cmd + (["--memory-limit", mem] if mem else [])
        if tool in ("duckdb", "duckdb-typed"):
            return [node, os.path.join(HERE, "peers", "duckdb_join.mjs"), left, right, out, str(args.threads),
                    args.how, mem or "-"] + (["typed"] if tool == "duckdb-typed" else [])
        if tool == "polars":
            return [node, os.path.join(HERE, "peers", "polars_join.mjs"), left, right, out, args.how]
        if tool == "pandas":
            return ["/usr/bin/python3", os.path.join(HERE, "peers", "pandas_join.py"), left, right, out, args.how]
        if tool == "sortjoin":
            return [os.path.join(HERE, "peers", "sort_join.sh"), left, right, out, str(args.threads)]
        raise SystemExit(f"unknown peer {tool}")

    # Round-robin: every tool once per round, so that a noisy spell on the
    # machine hits all tools alike instead of one tool's runs.
    runs = {tool: [] for tool in peers}
    failed = set()
    checks = {}
    reference = None
    for round_index in range(args.repeat):
        for tool in peers:
            if tool in failed:
                continue
            out = os.path.join(args.work_dir, tool)
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            wall, rss, code, err = run_measured(command(tool, out), env=env_threads)
            if code != 0:
                print(f"{tool} failed ({code}): {err.strip()[-500:]}", file=sys.stderr)
                failed.add(tool)
                shutil.rmtree(out, ignore_errors=True)
                continue
            runs[tool].append((wall, rss))
            if round_index == 0 and not args.no_check:
                digest = rows_digest(out)
                if reference is None:
                    reference = digest
                checks[tool] = f"{digest[0]} rows, " + ("same" if digest == reference else f"DIFFERENT ({digest[1]})")
            shutil.rmtree(out, ignore_errors=True)

    results = []
    for tool in peers:
        if tool in failed:
            results.append((tool, None, None, None, "failed"))
            continue
        walls = sorted(w for w, _ in runs[tool])
        mid = len(walls) // 2
        median = walls[mid] if len(walls) % 2 else (walls[mid - 1] + walls[mid]) / 2
        results.append((tool, median, max(r for _, r in runs[tool]), walls[0], checks.get(tool, "-")))

    base = next((r for r in results if r[0] == "mergeflow" and r[1] is not None), None)
    size = os.path.getsize(left)
    print(f"\n{args.rows:,} x {args.rows:,} rows, keys {'zipf(%g) on the left' % args.zipf if args.zipf else 'uniform'} "
          f"over {args.key_space:,}, {args.columns} columns, {size / 1e6:.0f} MB a side, --how {args.how}, "
          f"{args.threads} threads{', memory limit ' + mem if mem else ''}; "
          f"{platform.node()} {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}\n")
    print(f"wall: median of {args.repeat} run(s) (fastest in brackets); peak RSS: the largest of the runs\n")
    print("| tool | wall s | peak RSS MB | wall / mergeflow | RSS / mergeflow | rows check |")
    print("|---|---:|---:|---:|---:|---|")
    for tool, wall, rss, fastest, check in results:
        if wall is None:
            print(f"| {tool} | failed | | | | |")
            continue
        ratio = f"{wall / base[1]:.2f}x" if base else "-"
        rss_ratio = f"{rss / base[2]:.2f}x" if base else "-"
        print(f"| {tool} | {wall:.2f} ({fastest:.2f}) | {rss / 1e6:.0f} | {ratio} | {rss_ratio} | {check} |")


if __name__ == "__main__":
    main()
