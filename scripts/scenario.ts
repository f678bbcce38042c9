/**
 * The alarms scenario against a running `npm start` (README, section 'Alarms'):
 *   npm run -s scenario                              # gateway http://127.0.0.1:4000/, data folder .data
 *   npm run -s scenario -- --url http://127.0.0.1:4100/
 * Tokens are signed with the development keys of `$CITYGRAPH_DATA_DIR` (default `.data`), whose clock file
 * the scenario writes while it runs (and removes at the end); `$DATABASE_URL` when the city's store is PostgreSQL.
 */
import { parseArgs } from 'node:util';
import { alarmTable, runScenario } from './lib/scenario.ts';

const USAGE = 'usage: npm run -s scenario -- [--url http://127.0.0.1:4000/] [--quiet]';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { url: { type: 'string', default: 'http://127.0.0.1:4000/' }, quiet: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  if (!URL.canParse(values.url) || !/^https?:/.test(values.url)) throw new Error(`--url must be the gateway's http(s) URL, not "${values.url}".`);
  const result = await runScenario({
    gatewayUrl: values.url,
    dataDir: process.env.CITYGRAPH_DATA_DIR ?? '.data',
    databaseUrl: process.env.DATABASE_URL || undefined,
    say: values.quiet ? undefined : (line) => process.stderr.write(`# ${line}\n`),
  });
  process.stdout.write(`${alarmTable(result.alarms)}\n`);
  process.stderr.write(`# ${result.alarms.length} alarms on ${Object.keys(result.cases).length} cases; open the evidence with supervisionRecord(seq:) as an auditor\n`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`scenario: ${/fetch failed|ECONNREFUSED/.test(message) ? 'the city does not answer; start it with npm start (or pass --url)' : message}\n${USAGE}\n`);
  process.exitCode = 2;
});
