/** `npm run -s deploy:render`: writes deploy/k8s/*.yaml from deploy/manifests.ts and the composed supergraph. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../scripts/lib/processes.ts';
import { renderManifests, toYaml } from './manifests.ts';

const dir = join(ROOT, 'deploy/k8s');
mkdirSync(dir, { recursive: true });
const files = renderManifests(readFileSync(join(ROOT, 'schema/supergraph.graphql'), 'utf8'));
for (const [name, objects] of Object.entries(files)) writeFileSync(join(dir, name), toYaml(objects));
process.stdout.write(`wrote ${Object.keys(files).length} files to ${dir}\n`);
