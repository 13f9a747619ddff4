/**
 * `npm run bench [-- --json] [-- --only <name-part>]`: runs every bench/*.bench.ts in turn,
 * prints a table (or one JSON object per line with --json) and writes bench/results/latest.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchResult, BenchRun } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { json: { type: 'boolean' }, only: { type: 'string' } },
  allowPositionals: false,
});

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !values.only || f.includes(values.only))
  .sort();

const all: (BenchResult & { file: string })[] = [];
for (const file of files) {
  const module = (await import(pathToFileURL(join(here, file)).href)) as { default: BenchRun };
  if (!values.json) process.stdout.write(`running ${file}…\n`);
  try {
    for (const result of await module.default()) {
      all.push({ ...result, file });
      if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  } catch (error) {
    process.stderr.write(
      `${file} failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}

if (!values.json) {
  const rows = all.map((r) => [
    r.name,
    `${round(r.value)} ${r.unit}`,
    r.baseline === undefined ? '' : `${round(r.baseline)} ${r.unit}`,
    r.ratio === undefined ? '' : round(r.ratio).toString(),
    r.target ?? '',
  ]);
  const header = ['name', 'value', 'baseline', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

const out = join(here, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'latest.json'),
  `${JSON.stringify({ at: new Date().toISOString(), results: all }, null, 2)}\n`,
);

function round(n: number): number {
  return Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 100) / 100;
}
