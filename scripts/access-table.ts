/**
 * `npm run -s access-table`: writes docs/access.md, the role × field table generated from every
 * subgraph's permissions.ts. `--check` writes nothing and exits 1 when the file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ACCESS_TABLE_FILE, generateAccessTable } from './lib/access-table.ts';

try {
  const table = await generateAccessTable();
  const path = fileURLToPath(ACCESS_TABLE_FILE);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(ACCESS_TABLE_FILE, 'utf8');
    } catch {
      // A missing file is stale.
    }
    if (current !== table) {
      process.stderr.write(`${path} is stale; run \`npm run -s access-table\`.\n`);
      process.exit(1);
    }
    process.stdout.write(`${path} is up to date.\n`);
  } else {
    writeFileSync(ACCESS_TABLE_FILE, table);
    process.stdout.write(`wrote ${path}\n`);
  }
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
