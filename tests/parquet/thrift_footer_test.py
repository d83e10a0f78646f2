#!/usr/bin/python3
"""mergeflow's Thrift compact encoder checked against Apache Thrift's own
decoder (Debian's python3-thrift, TCompactProtocol): every footer and page
header of Parquet parts mergeflow writes decodes, field by field, to what
the file holds: the schema's names and types, the row count, each column
chunk's codec, value count and page offsets, and pages that chain exactly
over each chunk's stored bytes. Wide tables (50,000 columns: long lists,
field-id jumps) included.

  tests/parquet/thrift_footer_test.py BUILD_DIR
"""

import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

from thrift.protocol.TCompactProtocol import TCompactProtocol
from thrift.Thrift import TType
from thrift.transport.TTransport import TMemoryBuffer

MERGEFLOW = os.path.join(sys.argv[1], "mergeflow")
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def read_value(protocol, ttype):
    if ttype == TType.STRUCT:
        return read_struct(protocol)
    if ttype in (TType.LIST, TType.SET):
        element, size = protocol.readListBegin()
        values = [read_value(protocol, element) for _ in range(size)]
        protocol.readListEnd()
        return values
    if ttype == TType.MAP:
        key, value, size = protocol.readMapBegin()
        pairs = {read_value(protocol, key): read_value(protocol, value) for _ in range(size)}
        protocol.readMapEnd()
        return pairs
    return {TType.BOOL: protocol.readBool, TType.BYTE: protocol.readByte, TType.I16: protocol.readI16,
            TType.I32: protocol.readI32, TType.I64: protocol.readI64, TType.DOUBLE: protocol.readDouble,
            TType.STRING: protocol.readBinary}[ttype]()


def read_struct(protocol):
    """A struct as {field id: value}, by Thrift's own compact protocol."""
    protocol.readStructBegin()
    fields = {}
    while True:
        _, ttype, fid = protocol.readFieldBegin()
        if ttype == TType.STOP:
            break
        fields[fid] = read_value(protocol, ttype)
        protocol.readFieldEnd()
    protocol.readStructEnd()
    return fields


def decode(data):
    """(struct, bytes it took)."""
    buffer = TMemoryBuffer(data)
    fields = read_struct(TCompactProtocol(buffer))
    return fields, buffer._buffer.tell()


def check_file(path, names, rows, physical, codec):
    data = open(path, "rb").read()
    footer_size = struct.unpack("<I", data[-8:-4])[0]
    meta, used = decode(data[-8 - footer_size:-8])
    base = os.path.basename(path)
    check(used == footer_size, f"{base}: the footer decodes to its last byte ({used} of {footer_size})")
    schema = meta[2]
    check(schema[0][4] == b"schema" and schema[0][5] == len(names), f"{base}: the root names {len(names)} columns")
    check([s[4].decode() for s in schema[1:]] == names, f"{base}: the column names")
    check([s[1] for s in schema[1:]] == physical, f"{base}: the physical types")
    check(meta[3] == rows and sum(g[3] for g in meta[4]) == rows, f"{base}: {rows} rows, in the row groups too")
    chained = True
    for group in meta[4]:
        for column, chunk in enumerate(group[1]):
            m = chunk[3]
            chained &= m[1] == physical[column] and m[3] == [names[column].encode()] and m[4] == codec
            chained &= m[5] == group[3]
            offset = m.get(11, m[9])
            end = offset + m[7]
            values = 0
            while offset < end:
                header, size = decode(data[offset:offset + 256])
                if header[1] == 0:  # a data page
                    values += header[5][1]
                offset += size + header[3]
            chained &= offset == end and values == m[5]
    check(chained, f"{base}: each chunk's metadata is right and its page headers chain over its bytes")


def main():
    work = tempfile.mkdtemp(prefix="mergeflow-thrift-")
    try:
        rng = random.Random(3)
        with open(f"{work}/l.tsv", "w") as f:
            f.write("id\tcity\tnote\n")
            for i in range(50000):
                f.write(f"{rng.randrange(60000)}\tcity{rng.randrange(30)}\tnote {i}\n")
        with open(f"{work}/r.tsv", "w") as f:
            f.write("id\tscore\n")
            for i in range(20000):
                f.write(f"{rng.randrange(60000)}\t{rng.randrange(9)}\n")
        done = subprocess.run([MERGEFLOW, "join", f"{work}/l.tsv", f"{work}/r.tsv", "--on", "id", "-o",
                               f"{work}/joined", "--format", "parquet", "--compress", "snappy", "--threads", "1", "-q"],
                              env=dict(os.environ, MERGEFLOW_PARQUET_ROW_GROUP_BYTES="100000"))
        out = subprocess.run([MERGEFLOW, "join", f"{work}/l.tsv", f"{work}/r.tsv", "--on", "id", "--threads", "1"],
                             capture_output=True, text=True).stdout
        rows = out.count("\n") - 1
        check(done.returncode == 0, "join --format parquet")
        check_file(f"{work}/joined/part-00000.parquet", ["id", "city", "note", "score"], rows, [6, 6, 6, 6], 1)

        features = [f"g{i}" for i in range(50000)]
        with open(f"{work}/wide.tsv", "w") as f:
            f.write("cell\t" + "\t".join(features) + "\n")
            for cell in range(6):
                f.write(f"c{cell}\t" + "\t".join(rng.choice("0013") for _ in features) + "\n")
        with open(f"{work}/meta.tsv", "w") as f:
            f.write("cell\tgroup\n" + "".join(f"c{c}\tk{c % 2}\n" for c in range(6)))
        done = subprocess.run([MERGEFLOW, "aggregate", f"{work}/wide.tsv", "--meta", f"{work}/meta.tsv", "--by",
                               "group", "--stats", "count,mean", "-o", f"{work}/agg", "--format", "parquet", "-q"])
        check(done.returncode == 0, "aggregate --format parquet, 50,000 columns")
        check_file(f"{work}/agg/count/part-00000.parquet", ["group"] + features, 2, [6] + [2] * 50000, 6)
        check_file(f"{work}/agg/mean/part-00000.parquet", ["group"] + features, 2, [6] + [5] * 50000, 6)
    finally:
        shutil.rmtree(work)
    if failures:
        sys.exit(f"{len(failures)} Thrift check(s) failed")
    print("all Thrift checks passed")


if __name__ == "__main__":
    main()
