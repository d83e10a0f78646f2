// DuckDB peer: the same join as `mergeflow join LEFT RIGHT --how HOW -o OUT`.
// usage: node duckdb_join.mjs LEFT RIGHT OUT THREADS HOW [MEMORY_LIMIT|-] [typed|text] [parquet]
// Reads every column as text (all_varchar), as mergeflow does, unless
// "typed" is given (inputs named *.parquet: as their types say); writes tab-separated parts into directory OUT, or
// zstd-compressed Parquet parts with "parquet".
import { DuckDBInstance } from '@duckdb/node-api';

const [left, right, out, threads, how, memoryLimit, typed, format] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
await db.run(`SET threads = ${Number(threads)}`);
if (memoryLimit && memoryLimit !== '-') await db.run(`SET memory_limit = '${memoryLimit}'`);
const text = typed === 'typed' ? '' : ', all_varchar = true';
const read = (path) =>
  path.endsWith('.parquet') ? `read_parquet('${path}')` : `read_csv('${path}', delim = '\t', header = true${text})`;
const joinType = { inner: 'INNER', left: 'LEFT', right: 'RIGHT', outer: 'FULL OUTER' }[how];
await db.run(`
  COPY (
    SELECT COALESCE(l.id, r.id) AS id, l.v1 AS v1_x, r.v1 AS v1_y
    FROM ${read(left)} l ${joinType} JOIN ${read(right)} r ON l.id = r.id
  ) TO '${out}' (${format === 'parquet' ? "FORMAT parquet, COMPRESSION zstd" : "FORMAT csv, DELIMITER '\t', HEADER true"},
         PER_THREAD_OUTPUT true)`);
