"""The Python module against pandas, against the mergeflow program, and on
errors and interrupts. Run by scripts/test.sh with PYTHONPATH=build/python,
MERGEFLOW_BINARY and MERGEFLOW_GEN_BINARY set."""

import io
import json
import os
import random
import signal
import subprocess
import threading

import pandas as pd
import pytest

import mergeflow

BINARY = os.environ.get("MERGEFLOW_BINARY", "build/mergeflow")
GEN = os.environ.get("MERGEFLOW_GEN_BINARY", "build/mergeflow-gen")
HOWS = ["inner", "left", "right", "outer"]


def write_side(path, key, value, rows, rng, sep="\t"):
    """A side with repeated keys, empty keys and values, and (in CSV) values
    that need quoting."""
    lines = [f"{key}{sep}{value}"]
    for i in range(rows):
        k = "" if rng.random() < 0.05 else f"k{rng.randrange(rows)}"
        v = rng.choice(["", f"v{i}", f"has{sep}sep", 'has"quote', "two\nlines"] if sep == "," else ["", f"v{i}"])
        if sep == "," and any(c in v for c in ',"\n'):
            v = '"' + v.replace('"', '""') + '"'
        lines.append(f"{k}{sep}{v}")
    path.write_text("\n".join(lines) + "\n")


def read_text(path, sep="\t"):
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)


def pandas_join(left, right, how):
    """pandas.merge with mergeflow's default rule that empty keys match nothing."""
    lk = left[left["ID"] != ""]
    rk = right[right["ID"] != ""]
    merged = lk.merge(rk, on="ID", how=how)
    extra = []
    if how in ("left", "outer"):
        extra.append(left[left["ID"] == ""])
    if how in ("right", "outer"):
        extra.append(right[right["ID"] == ""])
    return pd.concat([merged] + extra, ignore_index=True).fillna("")


def same_rows(a, b):
    columns = list(a.columns)
    assert list(b.columns) == columns
    key = lambda df: df.sort_values(columns).reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(key(a.astype(str)), key(b.astype(str)))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("how", HOWS)
def test_join_equals_pandas_merge(tmp_path, seed, how):
    rng = random.Random(seed)
    write_side(tmp_path / "l.tsv", "ID", "a", 300, rng)
    write_side(tmp_path / "r.tsv", "ID", "b", 300, rng)
    got = mergeflow.join(tmp_path / "l.tsv", tmp_path / "r.tsv", on="ID", how=how, threads=2)
    assert list(got.columns) == ["ID", "a", "b"]
    assert all(dtype == object for dtype in got.dtypes)
    same_rows(got, pandas_join(read_text(tmp_path / "l.tsv"), read_text(tmp_path / "r.tsv"), how))


@pytest.mark.parametrize("how", HOWS + ["semi", "anti"])
def test_join_equals_the_program_on_quoted_csv(tmp_path, how):
    rng = random.Random(7)
    write_side(tmp_path / "l.csv", "ID", "value", 500, rng, sep=",")
    write_side(tmp_path / "r.csv", "ID", "value", 500, rng, sep=",")
    got = mergeflow.join(tmp_path / "l.csv", tmp_path / "r.csv", how=how, memory_limit="64M")
    printed = subprocess.run([BINARY, "join", tmp_path / "l.csv", tmp_path / "r.csv", "--how", how, "-q"],
                             check=True, capture_output=True).stdout.decode()
    expected = pd.read_csv(io.StringIO(printed), dtype=str, keep_default_na=False)
    assert list(got.columns) == list(expected.columns)
    same_rows(got, expected)
    assert any("\n" in v for v in got.iloc[:, -1]) or how in ("semi", "anti")


def test_keyword_options_reach_the_command(tmp_path):
    (tmp_path / "l.tsv").write_text("a\tx\n1\tp\n2\tq\n")
    (tmp_path / "r.tsv").write_text("b\tx\n1\tr\n3\ts\n")
    got = mergeflow.join(tmp_path / "l.tsv", tmp_path / "r.tsv", left_on=["a"], right_on="b", how="outer",
                         suffixes=("_left", "_right"))
    assert list(got.columns) == ["a", "x_left", "b", "x_right"]
    assert len(got) == 3
    headerless = mergeflow.join(tmp_path / "l.tsv", tmp_path / "r.tsv", header=False)
    assert list(headerless.columns) == ["c1", "c2_x", "c2_y"]
    assert len(headerless) == 1  # the header lines "a" and "b" are rows now and do not match


def test_a_one_column_result_keeps_its_empty_values(tmp_path):
    (tmp_path / "l.tsv").write_text('ID\n\n""\nx\n')
    (tmp_path / "r.tsv").write_text("ID\tv\nx\t1\n")
    got = mergeflow.join(tmp_path / "l.tsv", tmp_path / "r.tsv", how="anti", null_keys_equal=True)
    assert list(got["ID"]) == [""]


def test_output_returns_the_manifest_and_writes_parts(tmp_path):
    rng = random.Random(3)
    write_side(tmp_path / "l.tsv", "ID", "a", 1000, rng)
    write_side(tmp_path / "r.tsv", "ID", "b", 1000, rng)
    manifest = mergeflow.join(tmp_path / "l.tsv", tmp_path / "r.tsv", how="left", output=tmp_path / "out")
    assert manifest == json.loads((tmp_path / "out" / "_SUCCESS").read_text())
    frame = mergeflow.join(tmp_path / "l.tsv", tmp_path / "r.tsv", how="left")
    assert manifest["rows"]["output"] == len(frame) == sum(p["rows"] for p in manifest["parts"])


def test_errors(tmp_path):
    (tmp_path / "l.tsv").write_text("ID\tv\n1\t2\n")
    (tmp_path / "bad.tsv").write_text("ID\tv\n1\t2\t3\n")
    with pytest.raises(mergeflow.Error, match="missing.tsv"):
        mergeflow.join(tmp_path / "l.tsv", tmp_path / "missing.tsv")
    with pytest.raises(mergeflow.Error, match=r"bad.tsv:2: expected 2 fields, found 3"):
        mergeflow.join(tmp_path / "l.tsv", tmp_path / "bad.tsv")
    with pytest.raises(TypeError, match="memory_limt"):
        mergeflow.join(tmp_path / "l.tsv", tmp_path / "l.tsv", memory_limt="1G")
    with pytest.raises(TypeError, match="True or False"):
        mergeflow.join(tmp_path / "l.tsv", tmp_path / "l.tsv", header="no")
    with pytest.raises(ValueError, match="sideways"):
        mergeflow.join(tmp_path / "l.tsv", tmp_path / "l.tsv", how="sideways")
    with pytest.raises(ValueError, match="two strings"):
        mergeflow.join(tmp_path / "l.tsv", tmp_path / "l.tsv", suffixes="_x")
    with pytest.raises(ValueError, match="invalid size 'lots'"):
        mergeflow.join(tmp_path / "l.tsv", tmp_path / "l.tsv", memory_limit="lots")


def test_ctrl_c_stops_the_join_and_leaves_the_output_as_it_was(tmp_path):
    for seed, side in ((1, "l"), (2, "r")):
        subprocess.run([GEN, "--rows", "6000000", "--key-space", "12000000", "--seed", str(seed), "-o",
                        tmp_path / f"{side}.tsv"], check=True)
    (tmp_path / "small.tsv").write_text("key\tvalue\n1\ta\n")
    before = mergeflow.join(tmp_path / "small.tsv", tmp_path / "small.tsv", output=tmp_path / "out")
    # Python's own Ctrl-C handler, as in a notebook or a terminal (a process
    # started in the background by a shell inherits SIGINT ignored).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            mergeflow.join(tmp_path / "l.tsv", tmp_path / "r.tsv", output=tmp_path / "out", threads=2)
    finally:
        timer.join()
        signal.signal(signal.SIGINT, previous)
    assert json.loads((tmp_path / "out" / "_SUCCESS").read_text()) == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [p["name"] for p in before["parts"]] + ["_SUCCESS"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.tsv", "out", "r.tsv", "small.tsv"]  # no staging left
    # and the module works on afterwards
    assert len(mergeflow.join(tmp_path / "small.tsv", tmp_path / "small.tsv")) == 1


def test_aggregate_equals_pandas_groupby(tmp_path):
    rng = random.Random(11)
    features = [f"g{i}" for i in range(30)]
    cells = [f"c{i}" for i in range(400)]
    counts = pd.DataFrame([[rng.choice([0, 0, 1, 2.5, 7]) for _ in features] for _ in cells], columns=features)
    counts.insert(0, "cell", cells)
    meta = pd.DataFrame({"cell": cells, "cluster": [rng.choice("ABCDE") for _ in cells]})
    counts.to_csv(tmp_path / "counts.tsv", sep="\t", index=False)
    meta.to_csv(tmp_path / "meta.tsv", sep="\t", index=False)
    got = mergeflow.aggregate(tmp_path / "counts.tsv", tmp_path / "meta.tsv", by="cluster", stats=["mean", "nnz"])
    grouped = counts.drop(columns="cell").groupby(meta["cluster"])
    pd.testing.assert_frame_equal(got["mean"], grouped.mean(), check_names=False, check_column_type=False)
    pd.testing.assert_frame_equal(got["nnz"], (grouped.agg(lambda c: (c != 0).sum())).astype("float64"),
                                  check_names=False, check_column_type=False)
    assert all(dtype == "float64" for dtype in got.dtypes)


def test_upsert_applies_changes_and_returns_the_versions_manifest(tmp_path):
    (tmp_path / "load.csv").write_text("id,ts,name\n1,1,a\n2,1,b\n3,1,c\n")
    (tmp_path / "cdc.csv").write_text("Op,id,ts,name\nU,2,5,B\nD,3,5,\nI,4,5,d\nU,1,0,stale\n")
    first = mergeflow.upsert(tmp_path / "lake", tmp_path / "load.csv", key="id", order_by="ts:int")
    second = mergeflow.upsert(tmp_path / "lake", [tmp_path / "cdc.csv"], key="id", order_by="ts:int")
    assert first["run_id"] != second["run_id"]
    counts = second["counts"]
    assert (counts["inserted"], counts["updated"], counts["deleted"], counts["stale_ignored"]) == (1, 1, 1, 1)
    rows = mergeflow.join(tmp_path / "lake", tmp_path / "lake", on="id", how="semi")
    assert sorted(zip(rows["id"], rows["name"])) == [("1", "a"), ("2", "B"), ("4", "d")]
    assert mergeflow.upsert(tmp_path / "lake", tmp_path / "cdc.csv", key="id", order_by="ts:int") == {}  # a replay


def test_parquet_written_by_one_call_is_read_by_the_next(tmp_path):
    rng = random.Random(8)
    write_side(tmp_path / "l.csv", "ID", "a", 800, rng, sep=",")
    write_side(tmp_path / "r.csv", "ID", "b", 800, rng, sep=",")
    manifest = mergeflow.join(tmp_path / "l.csv", tmp_path / "r.csv", how="outer", output=tmp_path / "pq",
                              format="parquet")
    assert all(p["name"].endswith(".parquet") for p in manifest["parts"])
    mergeflow.join(tmp_path / "l.csv", tmp_path / "r.csv", how="outer", output=tmp_path / "csv")
    from_parquet = mergeflow.join(tmp_path / "pq", tmp_path / "r.csv", how="semi")
    from_text = mergeflow.join(tmp_path / "csv", tmp_path / "r.csv", how="semi")
    assert len(from_text) > 500
    same_rows(from_parquet, from_text)  # quotes, separators and line breaks come back as they were
    (tmp_path / "cdc.csv").write_text("Op,id,ts,name\nI,1,1,a\nI,2,1,b\nU,2,2,B\n")
    lake = mergeflow.upsert(tmp_path / "lake", tmp_path / "cdc.csv", key="id", order_by="ts:int", format="parquet")
    assert [p["name"][-8:] for p in lake["parts"]] == [".parquet"] * len(lake["parts"])
    rows = mergeflow.join(tmp_path / "lake", tmp_path / "lake", on="id", how="semi")
    assert sorted(zip(rows["id"], rows["name"])) == [("1", "a"), ("2", "B")]


def test_a_parameterised_pipeline_runs_from_python_like_a_notebook(tmp_path):
    (tmp_path / "x.tsv").write_text("ID\tvalue\nA\t1\nB\t2\n")
    (tmp_path / "y.tsv").write_text("ID\tvalue\nA\t10\nC\t30\n")
    (tmp_path / "p.yaml").write_text(
        "name: nightly\n"
        "params: {how: inner}\n"
        "steps:\n"
        "  - name: merge\n"
        "    join:\n"
        f"      left: {tmp_path}/x.tsv\n"
        f"      right: {tmp_path}/y.tsv\n"
        "      on: ID\n"
        '      how: "${how}"\n'
        f'      output: "{tmp_path}/out/${{how}}"\n')
    # the parameters a notebook cell would set
    for how, rows in (("inner", 1), ("outer", 3)):
        record = mergeflow.run(tmp_path / "p.yaml", params={"how": how})
        assert record["status"] == "succeeded"
        assert [s["status"] for s in record["steps"]] == ["succeeded"]
        assert json.loads((tmp_path / "out" / how / "_SUCCESS").read_text())["rows"]["output"] == rows
    again = mergeflow.run(tmp_path / "p.yaml", params={"how": "outer"})
    assert [s["status"] for s in again["steps"]] == ["skipped"]
    (tmp_path / "x.tsv").unlink()
    with pytest.raises(mergeflow.Error, match="merge"):
        mergeflow.run(tmp_path / "p.yaml", params={"how": "left"})
