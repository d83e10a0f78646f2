// DuckDB peer: the same as `mergeflow aggregate MATRIX --meta META --by
// cluster --stats mean -o OUT`, as SQL: a join, GROUP BY and AVG of every
// feature column (the column list read from the header).
// usage: node duckdb_aggregate.mjs MATRIX META OUT THREADS [MEMORY_LIMIT]
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, openSync, readSync, closeSync } from 'node:fs';

const [matrix, meta, out, threads, memoryLimit] = process.argv.slice(2);
// The header line names the features.
const fd = openSync(matrix, 'r');
const buffer = Buffer.alloc(1 << 22);
const n = readSync(fd, buffer, 0, buffer.length, 0);
closeSync(fd);
const header = buffer.subarray(0, n).toString().split('\n')[0].split('\t');
const features = header.slice(1);
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
await db.run(`SET threads = ${Number(threads)}`);
if (memoryLimit && memoryLimit !== '-') await db.run(`SET memory_limit = '${memoryLimit}'`);
mkdirSync(`${out}/mean`, { recursive: true });
const columns = features.map((f) => `AVG(m."${f}") AS "${f}"`).join(', ');
await db.run(`
  COPY (
    SELECT g.cluster, ${columns}
    FROM read_csv('${matrix}', delim = '\t', header = true, types = {'cell': 'VARCHAR'}) m
    JOIN read_csv('${meta}', delim = '\t', header = true, all_varchar = true) g ON m.cell = g.cell
    GROUP BY g.cluster ORDER BY g.cluster
  ) TO '${out}/mean/part-00000.tsv' (FORMAT csv, DELIMITER '\t', HEADER true)`);
