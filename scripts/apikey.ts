/**
 * Manages integrator API keys in `<$CITYGRAPH_DATA_DIR or .data>/api-keys.json` (or `--file`):
 *   npm run -s apikey -- issue --client <name> --scopes identity:verify[,…] --purpose <text>   (prints the key, once)
 *   npm run -s apikey -- revoke <id>
 *   npm run -s apikey -- list                                                 (no secrets)
 * A running gateway sees issued and revoked keys within about a second, without a restart.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { issueApiKey, listApiKeys, revokeApiKey } from '../gateway/auth/index.ts';

const USAGE = [
  'usage: npm run -s apikey -- issue --client <name> --scopes <scope>[,<scope>…] --purpose <text> [--file <path>]',
  '       npm run -s apikey -- revoke <id> [--file <path>]',
  '       npm run -s apikey -- list [--file <path>]',
].join('\n');

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { client: { type: 'string' }, scopes: { type: 'string' }, purpose: { type: 'string' }, file: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  const file = values.file ?? join(process.env.CITYGRAPH_DATA_DIR ?? '.data', 'api-keys.json');
  const [command, ...rest] = positionals;
  switch (command) {
    case 'issue': {
      if (!values.client) throw new Error('issue needs --client <name>.');
      if (!values.scopes) throw new Error('issue needs --scopes, e.g. --scopes identity:verify.');
      if (!values.purpose?.trim()) throw new Error("issue needs --purpose: why this integrator reads personal data, e.g. --purpose 'hotel check-in'; it is recorded on each read.");
      const scopes = values.scopes.split(',').map((s) => s.trim()).filter((s) => s !== '');
      // An integrator's reads of personal data need a purpose: registered here, or sent as x-purpose on each request.
      const { id, key } = issueApiKey(file, { client: values.client, scopes, purpose: values.purpose });
      // Only the key on stdout, so KEY=$(npm run -s apikey -- issue …) works; the rest is for the person.
      process.stderr.write(`Issued API key ${id} for ${values.client} (${scopes.join(', ')}). It is shown only this once.\n`);
      process.stdout.write(`${key}\n`);
      return;
    }
    case 'revoke': {
      if (rest.length !== 1) throw new Error('revoke needs exactly one key id (see `apikey -- list`).');
      const info = revokeApiKey(file, rest[0]!);
      process.stdout.write(`Revoked API key ${info.id} of ${info.client}.\n`);
      return;
    }
    case 'list': {
      const rows = listApiKeys(file).map((k) => [k.id, k.client, k.enabled ? 'enabled' : 'revoked', k.scopes.join(','), k.createdAt, k.purpose ?? '-']);
      const table = [['id', 'client', 'state', 'scopes', 'created', 'purpose'], ...rows];
      const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
      for (const row of table) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
      return;
    }
    default:
      throw new Error(command ? `unknown command "${command}".` : 'a command is required.');
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`apikey: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
  process.exitCode = 2;
}
