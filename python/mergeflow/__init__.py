"""mergeflow from Python: the same commands as the ``mergeflow`` program, run
inside this process by the same engine.

>>> import mergeflow
>>> df = mergeflow.join("x.tsv", "y.tsv", on="ID", how="left")
>>> manifest = mergeflow.join("s3://raw/x/", "s3://raw/y/", on="ID", output="s3://work/merged")
>>> means = mergeflow.aggregate("cells.h5ad", "meta.tsv", by="cluster", stats=["mean", "nnz"])

Every keyword argument is the command's option of the same name (``memory_limit="2G"`` is
``--memory-limit 2G``; ``header=False`` is ``--no-header``; lists become comma-separated lists).
Without ``output``, ``join`` and ``aggregate`` return a pandas DataFrame; with it, the output's
manifest (``_SUCCESS``) as a dict. A failed command raises :class:`mergeflow.Error` with the
program's one-line message; unknown or wrong arguments raise ``TypeError`` or ``ValueError``.
The engine runs without the GIL; Ctrl-C stops it and leaves the output as it was.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping, Sequence, Union

from . import _mergeflow

__all__ = ["Error", "join", "aggregate", "upsert", "run", "__version__"]
__version__: str = _mergeflow.version

#: A mergeflow command failed; the message is the program's one-line error.
Error = _mergeflow.Error

PathLike = Union[str, "os.PathLike[str]"]
Columns = Union[str, Sequence[str]]

_option_names: dict[str, dict[str, bool]] = {}
#: The mergeflow program shipped in the package, which a pipeline's steps run.
_PROGRAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "mergeflow")


def _options_of(command: str) -> dict[str, bool]:
    if command not in _option_names:
        _option_names[command] = _mergeflow.options(command)
    return _option_names[command]


def _word(value: Any) -> str:
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    if isinstance(value, (list, tuple)):
        return ",".join(_word(v) for v in value)
    if isinstance(value, bool):
        raise TypeError("a flag takes True or False, not a value")
    return str(value)


def _arguments(command: str, function: str, options: Mapping[str, Any]) -> list[str]:
    """The command line words of keyword arguments (None: not given)."""
    known = _options_of(command)
    words: list[str] = []
    for key, value in options.items():
        if value is None:
            continue
        name = key.replace("_", "-")
        if name not in known:
            valid = ", ".join(sorted(n.replace("-", "_") for n in known if not n.startswith("no-")))
            raise TypeError(f"{function}() got an unexpected keyword argument '{key}' (options: {valid})")
        if not known[name]:  # a flag
            if not isinstance(value, bool):
                raise TypeError(f"{function}(): {key} takes True or False, not {value!r}")
            if value:
                words.append("--" + name)
            elif "no-" + name in known:
                words.append("--no-" + name)
            continue
        words += ["--" + name, _word(value)]
    return words


def _progress(progress: bool) -> list[str]:
    return [] if progress else ["--quiet"]


def _manifest(result: dict) -> dict:
    return json.loads(result["manifest"]) if result["manifest"] is not None else {}


def _frame(table: tuple):
    import pandas as pd

    names, columns = table
    return pd.DataFrame(dict(zip(names, columns)), copy=False)


def join(
    left: PathLike,
    right: PathLike,
    on: Columns | None = None,
    how: str = "inner",
    *,
    left_on: Columns | None = None,
    right_on: Columns | None = None,
    output: PathLike | None = None,
    suffixes: tuple[str, str] = ("_x", "_y"),
    progress: bool = False,
    **options: Any,
):
    """Joins LEFT and RIGHT on a key, as ``mergeflow join`` (pandas.merge semantics).

    left, right: a file, a directory of part files, a glob or an ``s3://`` path
        (``.gz``/``.zst`` read as such); a dataset path reads its current version.
    on: key column(s) on both sides (default: the first column of each);
        or ``left_on`` and ``right_on``.
    how: inner, left, right, outer (full), semi or anti.
    output: a directory or ``s3://`` prefix to write parts and ``_SUCCESS`` to;
        with ``dataset=True``, a dataset to write a new version of.
    suffixes: for column names found on both sides.
    progress: print progress reports on standard error.
    options: any other option of ``mergeflow join``, by name: ``memory_limit="2G"``,
        ``threads=4``, ``header=False``, ``sep=","``, ``order="left"``, ``bad_rows="skip"``,
        ``null_keys_equal=True``, ``compress="zstd"``, ``temp_dir=...``, ``dataset=True`` ...

    Returns a pandas DataFrame of text (str) columns without ``output``; with
    it, the output's manifest as a dict.
    """
    if isinstance(suffixes, str) or len(suffixes) != 2:
        raise ValueError("suffixes takes two strings, e.g. ('_x', '_y')")
    words = ["join", _word(left), _word(right)] + _progress(progress)
    words += _arguments(
        "join",
        "join",
        dict(on=on, how=how, left_on=left_on, right_on=right_on, output=output, suffixes=suffixes, **options),
    )
    result = _mergeflow.run(words, output is None, _PROGRAM)
    return _frame(result["tables"][0]) if output is None else _manifest(result)


def aggregate(
    matrix: PathLike,
    meta: PathLike,
    by: Columns,
    stats: Columns = "mean",
    *,
    output: PathLike | None = None,
    progress: bool = False,
    **options: Any,
):
    """Grouped statistics of a wide matrix, as ``mergeflow aggregate``.

    matrix: rows of numbers (TSV/CSV, 10x .h5, .h5ad or Matrix Market), keyed by
        their first column; meta: the rows' groups.
    by: the META column(s) to group by; stats: mean, sum, count, nnz, min, max, var, std ...
    output: write the tables (or a dataset version, ``dataset=True``) instead of returning them.
    options: any other option of ``mergeflow aggregate`` by name (``layout="long"``, ...).

    Returns, without ``output``, a pandas DataFrame of float64 columns indexed by the
    groups (one column per feature; with several statistics, columns (statistic, feature));
    with it, the output's manifest as a dict.
    """
    words = ["aggregate", _word(matrix)] + _progress(progress)
    words += _arguments("aggregate", "aggregate", dict(meta=meta, by=by, stats=stats, output=output, **options))
    result = _mergeflow.run(words, output is None, _PROGRAM)
    if output is not None:
        return _manifest(result)
    index = [c for g in ([by] if isinstance(by, str) else by) for c in g.split(",")]
    if options.get("layout") == "long":
        index.append("feature")
    frames = [_numeric(_frame(table), index) for table in result["tables"]]
    if len(frames) == 1:
        return frames[0]
    import pandas as pd

    names = [s for g in ([stats] if isinstance(stats, str) else stats) for s in g.split(",")]
    return pd.concat(frames, axis=1, keys=names)


def _numeric(frame, index: list[str]):
    """The statistics as float64 (empty: NaN), indexed by the first len(index) columns."""
    for column in frame.columns[len(index):]:
        frame[column] = frame[column].replace("", "nan").astype("float64")
    return frame.set_index(list(frame.columns[: len(index)]))


def upsert(dataset: PathLike, changes: PathLike | Sequence[PathLike], *, key: Columns, order_by: str,
           progress: bool = False, **options: Any) -> dict:
    """Applies change files to a dataset and publishes the result, as ``mergeflow upsert``.

    changes: one path or a list, oldest first (AWS DMS's CSV layout: an ``Op`` column of I/U/D).
    key: the key column(s); order_by: ``COLUMN[:int|decimal|timestamp|string]``.
    options: any other option of ``mergeflow upsert`` by name (``merge_mode="commit-time"``,
        ``strict=True``, ``no_publish=True``, ``memory_limit="2G"`` ...).

    Returns the new version's manifest as a dict (``counts``: inserted, updated, deleted,
    unchanged, stale_ignored, delete_missing, rejected); an empty dict when every change file
    was applied before.
    """
    paths = [changes] if isinstance(changes, (str, os.PathLike)) else list(changes)
    words = ["upsert", _word(dataset)] + [_word(p) for p in paths] + _progress(progress)
    words += _arguments("upsert", "upsert", dict(key=key, order_by=order_by, **options))
    return _manifest(_mergeflow.run(words, False, _PROGRAM))


def run(pipeline: PathLike, params: Mapping[str, Any] | None = None, **options: Any) -> dict:
    """Runs a pipeline file, as ``mergeflow run``: every step not done yet, with retries,
    its logs and record beside the data. The steps run the mergeflow program shipped with
    this package, as separate processes.

    params: the pipeline's parameters (``-p NAME=VALUE``), e.g. ``{"day": "2026-12-01"}``.
    options: ``force="STEP"``, ``resume="RUN_ID"``, ``log_uri="s3://..."``, ``metrics_file=...``.

    Returns the run's record (``run.json``) as a dict; a step that failed after its
    retries raises :class:`mergeflow.Error` naming it.
    """
    words = ["run", _word(pipeline)]
    for name, value in (params or {}).items():
        words += ["-p", f"{name}={_word(value)}"]
    words += _arguments("run", "run", options)
    return _manifest(_mergeflow.run(words, False, _PROGRAM))
