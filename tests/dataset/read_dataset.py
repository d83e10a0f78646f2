#!/usr/bin/python3
"""An independent reader of a mergeflow dataset on local disk, for the tests.

Reads DATASET/_LATEST.json, checks that the current version's _SUCCESS has
the pointer's sha256 and that every part it lists exists with its listed
size, and prints the data rows of those parts (each part's header dropped),
sorted; Parquet parts are checked, not printed. With --version V it reads that version instead (no pointer check).
Exit status 1, with one line on stderr, when the dataset is inconsistent.
Written from DESIGN.md section 6 alone; shares no code with mergeflow.
"""
import argparse
import hashlib
import json
import os
import sys


def fail(message):
    print(f"read_dataset.py: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset")
    parser.add_argument("--version")
    args = parser.parse_args()
    version = args.version
    expected_sha = None
    if version is None:
        try:
            with open(os.path.join(args.dataset, "_LATEST.json"), "rb") as f:
                pointer = json.load(f)
        except (OSError, ValueError) as e:
            fail(f"no readable pointer: {e}")
        version = pointer["version"]
        expected_sha = pointer["manifest_sha256"]
    version_dir = os.path.join(args.dataset, "_versions", version)
    try:
        with open(os.path.join(version_dir, "_SUCCESS"), "rb") as f:
            manifest_bytes = f.read()
    except OSError as e:
        fail(f"version {version} has no manifest: {e}")
    if expected_sha is not None and hashlib.sha256(manifest_bytes).hexdigest() != expected_sha:
        fail(f"the manifest of {version} does not have the pointer's sha256")
    rows = []
    for part in json.loads(manifest_bytes)["parts"]:
        path = os.path.join(args.dataset, "_versions", part.get("version", version), part["name"])
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            fail(f"a listed part is missing: {e}")
        if len(data) != part["bytes"]:
            fail(f"{path} has {len(data)} bytes, the manifest says {part['bytes']}")
        if path.endswith(".parquet"):
            continue
        lines = data.decode().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        rows.extend(lines[1:])
    sys.stdout.write("".join(row + "\n" for row in sorted(rows)))


if __name__ == "__main__":
    main()
