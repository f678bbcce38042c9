/** `npm run compose`: writes schema/supergraph.graphql from the subgraph SDL files. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeSupergraph, SUPERGRAPH_FILE } from './lib/compose.ts';

try {
  writeFileSync(SUPERGRAPH_FILE, composeSupergraph());
  process.stdout.write(`wrote ${fileURLToPath(SUPERGRAPH_FILE)}\n`);
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
