// Polars peer: the same join as `mergeflow join LEFT RIGHT --how HOW -o OUT`.
// usage: POLARS_MAX_THREADS=N node polars_join.mjs LEFT RIGHT OUT HOW
// Reads every column as text (no schema inference), writes OUT/part-0.tsv.
import pl from 'nodejs-polars';
import { mkdirSync } from 'node:fs';

const [left, right, out, how] = process.argv.slice(2);
const read = (path) => pl.readCSV(path, { sep: '\t', hasHeader: true, inferSchemaLength: 0 });
const joined = read(left).join(read(right), { on: 'id', how, suffix: '_y' });
mkdirSync(out, { recursive: true });
joined.rename({ v1: 'v1_x' }).writeCSV(`${out}/part-0.tsv`, { separator: '\t' });
