"""pandas peer: the same join as `mergeflow join LEFT RIGHT --how HOW -o OUT`.

usage: /usr/bin/python3 pandas_join.py LEFT RIGHT OUT HOW
Reads every value as text (dtype=str, no NA conversion), writes OUT/part-0.tsv.
"""
import os
import sys

import pandas as pd

left, right, out, how = sys.argv[1:5]
read = lambda path: pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_values=[""])
merged = pd.merge(read(left), read(right), on="id", how=how)
os.makedirs(out, exist_ok=True)
merged.to_csv(os.path.join(out, "part-0.tsv"), sep="\t", index=False)
