#!/usr/bin/python3
"""Writes mergeflow's malformed-input corpus: one file per case and
expected.tsv, the golden answer for each (exit status, standard error), as
`mergeflow join CASE good.tsv -q -o out` must give it. Cases whose files are
large or odd (a 100 MB line, truncated compressed data, a directory without
parts) are made here rather than kept in the repository.

    tests/corpus/make_malformed.py DIR
"""
import gzip
import os
import sys

E = "mergeflow: error: "
cases = []  # (name, bytes or None for a directory, exit, stderr)


def case(name, data, code, err):
    cases.append((name, data, code, err))


def bad(name, data, line, what):
    case(name, data, 1, f"{E}{name}:{line}: {what}\n")


def ok(name, data):
    case(name, data, 0, "")


# Wrong field counts.
bad("too-many.tsv", b"id\tv\n1\ta\n2\tb\tc\n", 3, "expected 2 fields, found 3")
bad("too-few.tsv", b"id\tv\n1\ta\n2\n", 3, "expected 2 fields, found 1")
bad("ragged-late.tsv", b"id\tv\n" + b"".join(b"%d\tv\n" % i for i in range(5000)) + b"9\n", 5002,
    "expected 2 fields, found 1")
bad("extra-tab.tsv", b"id\tv\n1\ta\t\n", 2, "expected 2 fields, found 3")
bad("too-many.csv", b"id,v\n1,a,b\n", 2, "expected 2 fields, found 3")
bad("wide-header.tsv", b"id\tv\tw\n1\ta\n", 2, "expected 3 fields, found 2")
bad("crlf-ragged.tsv", b"id\tv\r\n1\ta\r\n2\r\n", 3, "expected 2 fields, found 1")
bad("bom-ragged.tsv", b"\xef\xbb\xbfid\tv\n1\n", 2, "expected 2 fields, found 1")
bad("no-final-newline-ragged.tsv", b"id\tv\n1\ta\n2", 3, "expected 2 fields, found 1")
bad("blank-line-then-ragged.tsv", b"id\tv\n\n1\n", 3, "expected 2 fields, found 1")
# Broken quoting (CSV).
bad("unterminated.csv", b'id,v\n1,"abc\n2,d\n', 2, "unterminated quoted field")
bad("unterminated-at-end.csv", b'id,v\n1,"abc', 2, "unterminated quoted field")
bad("quote-inside.csv", b'id,v\n1,ab"c\n', 2, "quote inside an unquoted field (use --quote none for raw text)")
bad("after-closing-quote.csv", b'id,v\n1,"ab"c\n', 2, "unexpected character after a closing quote")
bad("after-closing-quote-key.csv", b'id,v\n"1"x,a\n', 2, "unexpected character after a closing quote")
bad("quote-in-tsv.tsv", b'id\tv\n1\tsay "hi"\n', 2, "quote inside an unquoted field (use --quote none for raw text)")
bad("quoted-newline-then-ragged.csv", b'id,v\n1,"a\nb"\n2\n', 4, "expected 2 fields, found 1")
bad("unterminated-header.csv", b'id,"v\n1,a\n', 1, "unterminated quoted field")
# Line ends.
bad("cr-only.tsv", b"id\tv\r1\ta\r2\tb\r", 1,
    "lines end in a lone CR (classic Mac OS); mergeflow reads LF or CRLF line ends")
bad("cr-only.csv", b"id,v\r1,a\r", 1, "lines end in a lone CR (classic Mac OS); mergeflow reads LF or CRLF line ends")
ok("crlf.tsv", b"id\tv\r\n1\ta\r\n")
ok("mixed-line-ends.tsv", b"id\tv\n1\ta\r\n2\tb\n")
ok("no-final-newline.tsv", b"id\tv\n1\ta")
# Header problems.
case("empty.tsv", b"", 1, f"{E}LEFT empty.tsv is empty: no header line to name its columns\n")
case("blank-lines-only.tsv", b"\n\n\r\n", 1, f"{E}LEFT blank-lines-only.tsv is empty: no header line to name its columns\n")
ok("header-only.tsv", b"id\tv\n")
ok("header-only-no-newline.tsv", b"id\tv")
bad("duplicate-columns.tsv", b"id\tv\tv\n1\ta\tb\n", 1, "column 'v' appears twice (columns 2 and 3)")
bad("duplicate-key-column.tsv", b"id\tid\n1\t2\n", 1, "column 'id' appears twice (columns 1 and 2)")
bad("duplicate-quoted.csv", b'id,"v","v"\n1,a,b\n', 1, "column 'v' appears twice (columns 2 and 3)")
bad("duplicate-far-apart.tsv", b"\t".join(b"c%d" % i for i in range(3000)) + b"\tc7\n", 1,
    "column 'c7' appears twice (columns 8 and 3001)")
ok("empty-column-name.tsv", b"id\t\n1\ta\n")
ok("one-column.tsv", b"id\n1\n2\n")
# Bytes that are values like any other (values are byte strings).
ok("nul-bytes.tsv", b"id\tv\n1\ta\x00b\n\x002\tc\n")
ok("invalid-utf8.tsv", b"id\tv\n1\t\xff\xfe\xc3\n\x80\tx\n")
ok("latin1.tsv", b"id\tv\n1\tcaf\xe9\n")
ok("bom.tsv", b"\xef\xbb\xbfid\tv\n1\ta\n")
ok("empty-keys.tsv", b"id\tv\n\ta\n\tb\n")
ok("long-value.tsv", b"id\tv\n1\t" + b"x" * 3_000_000 + b"\n")
ok("many-columns.tsv", b"\t".join(b"c%d" % i for i in range(20000)) + b"\n" + b"\t".join(b"%d" % i for i in range(20000)) + b"\n")
ok("quoted-everything.csv", b'"id","v"\n"1","a,b"\n"2","say ""hi"""\n')
ok("quoted-newlines.csv", b'id,v\n1,"line\nbreak"\n')
ok("trailing-blank-lines.tsv", b"id\tv\n1\ta\n\n\n")
ok("spaces-around.csv", b"id , v\n1 , a\n")
# Compressed data.
gz = gzip.compress(b"id\tv\n" + b"".join(b"%d\tvalue\n" % i for i in range(20000)))
case("truncated.tsv.gz", gz[: len(gz) // 2], 1, f"{E}truncated.tsv.gz: truncated gzip data\n")
case("truncated-header.tsv.gz", gz[:12], 1, f"{E}truncated-header.tsv.gz: truncated gzip data\n")
case("corrupt.tsv.gz", gz[:40] + bytes(b ^ 0x5A for b in gz[40:200]) + gz[200:], 1,
     f"{E}corrupt.tsv.gz: corrupt gzip data (invalid deflate block)\n")
bad("gzip-ragged.tsv.gz", gzip.compress(b"id\tv\n1\ta\n2\n"), 3, "expected 2 fields, found 1")
ok("gzip-not-named.tsv", gzip.compress(b"id\tv\n1\ta\n"))
ok("gzip-empty-member.tsv.gz", gzip.compress(b"") + gzip.compress(b"id\tv\n1\ta\n"))
# zstd frames are made by the test with the zstd tool (see run_malformed.sh).
# Inputs that are not files.
case("no-parts", None, 1, f"{E}no data files in directory no-parts\n")
case("only-hidden-parts", {"_SUCCESS": b"{}", ".hidden.tsv": b"id\tv\n1\ta\n"}, 1,
     f"{E}no data files in directory only-hidden-parts\n")
case("parts-disagree", {"part-00000.tsv": b"id\tv\n1\ta\n", "part-00001.tsv": b"id\tv\tw\n2\tb\tc\n"}, 1,
     f"{E}parts-disagree/part-00001.tsv:1: expected 2 fields, found 3\n")
# A line of 100 MB (a key and a value that long).
case("line-100mb.tsv", b"id\tv\n" + b"k" * 50_000_000 + b"\t" + b"v" * 50_000_000 + b"\n", 0, "")

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "expected.tsv"), "w") as golden:
    for name, data, code, err in cases:
        path = os.path.join(out, name)
        if data is None:
            os.makedirs(path, exist_ok=True)
        elif isinstance(data, dict):
            os.makedirs(path, exist_ok=True)
            for part, content in data.items():
                with open(os.path.join(path, part), "wb") as f:
                    f.write(content)
        else:
            with open(path, "wb") as f:
                f.write(data)
        golden.write(f"{name}\t{code}\t{err.encode('unicode_escape').decode()}\n")
print(len(cases), "cases")
