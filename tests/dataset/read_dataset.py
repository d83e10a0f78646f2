#!/usr/bin/python3
"""An independent reader of a mergeflow dataset on local disk, for the tests.

Reads DATASET/_LATEST.json, checks that the current version's _SUCCESS has
the pointer's sha256 and that every part it lists exists with its listed
size, and prints the data rows of those parts (each part's header dropped),
sorted; Parquet parts are checked, not printed. A merge-on-read version's
parts lose the rows their deletes files name (byte ranges, decoded here from
docs/datasets.md's description), and its delta parts are read too. With --version V it reads that version instead (no pointer check).
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


def decode_deletes(data, path):
    """The byte ranges of a deletes file: a magic line, then varint pairs (gap, length)."""
    magic = b"mergeflow deletes 1\n"
    if not data.startswith(magic):
        fail(f"{path} is not a deletes file")
    numbers, value, shift = [], 0, 0
    for byte in data[len(magic):]:
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            numbers.append(value)
            value, shift = 0, 0
    if shift or len(numbers) % 2:
        fail(f"{path} is truncated")
    ranges, end = [], 0
    for gap, length in zip(numbers[0::2], numbers[1::2]):
        ranges.append((end + gap, end + gap + length))
        end += gap + length
    return ranges


def read_listed(dataset, version, entry):
    """The bytes of a file the manifest lists, checked against its listed size."""
    path = os.path.join(dataset, "_versions", entry.get("version", version), entry["name"])
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        fail(f"a listed file is missing: {e}")
    if len(data) != entry["bytes"]:
        fail(f"{path} has {len(data)} bytes, the manifest says {entry['bytes']}")
    return path, data


def current_files(dataset, version, manifest):
    """(path, bytes) of the version's data files as they are now: each part less its deleted rows, then the deltas."""
    files = []
    for part in manifest["parts"]:
        path, data = read_listed(dataset, version, part)
        if "deletes" in part:
            deletes_path, deletes = read_listed(dataset, version, part["deletes"])
            ranges = decode_deletes(deletes, deletes_path)
            if len(ranges) > part["deletes"]["rows"] or ranges and ranges[-1][1] > len(data):
                fail(f"{deletes_path} does not fit {path}")
            kept, at = [], 0
            for begin, end in ranges:
                kept.append(data[at:begin])
                at = end
            data = b"".join(kept) + data[at:]
        files.append((path, data))
    for delta in manifest.get("deltas", []):
        files.append(read_listed(dataset, version, delta))
    return files


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
    for path, data in current_files(args.dataset, version, json.loads(manifest_bytes)):
        if path.endswith(".parquet"):
            continue
        lines = data.decode().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        rows.extend(lines[1:])
    sys.stdout.write("".join(row + "\n" for row in sorted(rows)))


if __name__ == "__main__":
    main()
