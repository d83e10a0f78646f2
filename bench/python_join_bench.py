#!/usr/bin/python3
"""mergeflow.join to a DataFrame against pd.read_csv + pd.merge (the user's
pandas script), on the same generated files (mergeflow-gen: an id and a
15-byte value, ids over twice as many values as rows): wall seconds and peak
memory of each (GNU time), every run a process of its own, the two
alternating round by round.

  PYTHONPATH=build/python /usr/bin/python3 bench/python_join_bench.py [--rows 1000000 10000000] [--rounds 3]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

RUNS = {
    "mergeflow.join": "import mergeflow\n"
                      "df = mergeflow.join(sys.argv[1], sys.argv[2], on='id', how='inner')\n",
    "pd.read_csv + pd.merge": "import pandas as pd\n"
                              "read = lambda p: pd.read_csv(p, sep='\\t', dtype=str, keep_default_na=False)\n"
                              "df = read(sys.argv[1]).merge(read(sys.argv[2]), on='id', how='inner')\n",
}


def measure(code, left, right):
    """(seconds, peak RSS in MB, rows) of `code` in a process of its own."""
    program = "import sys\n" + code + "print(len(df))\n"
    done = subprocess.run(["/usr/bin/time", "-f", "%e %M", sys.executable, "-c", program, left, right],
                          check=True, capture_output=True, text=True)
    seconds, kb = done.stderr.split()[-2:]
    return float(seconds), int(kb) / 1024, int(done.stdout.split()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1000000, 10000000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--gen", default="build/mergeflow-gen")
    args = parser.parse_args()
    print("| rows a side | tool | median s | peak RSS MB | output rows |")
    print("|---:|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as work:
        for rows in args.rows:
            files = []
            for seed in (1, 2):
                path = os.path.join(work, f"{rows}-{seed}.tsv")
                subprocess.run([args.gen, "--rows", str(rows), "--key-space", str(rows * 2), "--seed", str(seed),
                                "-o", path], check=True)
                files.append(path)
            results = {name: [] for name in RUNS}
            for _ in range(args.rounds):
                for name, code in RUNS.items():
                    results[name].append(measure(code, *files))
            counts = {runs[0][2] for runs in results.values()}
            if len(counts) != 1:
                sys.exit(f"the tools disagree on the rows: {counts}")
            for name, runs in results.items():
                print(f"| {rows:,} | {name} | {statistics.median(r[0] for r in runs):.2f} | "
                      f"{max(r[1] for r in runs):.0f} | {runs[0][2]:,} |", flush=True)


if __name__ == "__main__":
    main()
