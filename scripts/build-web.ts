/**
 * Builds the console: GraphQL Code Generator's client preset types the operations from the supergraph
 * and writes their persisted documents, then Vite bundles web/ into web/dist with the manifest beside it
 * (`persisted-operations.json`, read by the gateway for the client `citygraph-console`).
 * Run by `npm ci` (postinstall), by `npm start` when web/dist is missing, and as `npm run -s build:web`.
 * Both tools run as their own CLIs, on this Node.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

function step(what: string, args: string[]): void {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`build:web: ${what} failed (exit ${r.status ?? r.signal}).\n`);
    process.exit(1);
  }
}

const started = Date.now();
step('GraphQL Code Generator', [at('node_modules/@graphql-codegen/cli/esm/bin.js'), '--config', at('web/codegen.ts')]);
step('Vite', [at('node_modules/vite/bin/vite.js'), 'build', '--config', at('web/vite.config.ts'), '--logLevel', 'warn']);
copyFileSync(at('web/src/gql/persisted-documents.json'), at('web/dist/persisted-operations.json'));
process.stdout.write(`CityGraph console built into web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
