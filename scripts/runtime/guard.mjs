/**
 * First step of `npm start` and `npm test`: refuses a Node the project does not run on, with what to do
 * about it, before anything fails in a less clear way (e.g. `node:sqlite` missing on Node 20).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { requiredRange, ROOT, satisfies, wrongRuntimeMessage } from './runtime.mjs';

const range = requiredRange();
if (!existsSync(join(ROOT, 'node_modules'))) {
  process.stderr.write('CityGraph is not installed yet: run `npm ci` first (it also brings the Node 24 runtime).\n');
  process.exit(1);
}
if (!satisfies(process.version, range)) {
  process.stderr.write(wrongRuntimeMessage(process.version, process.execPath, range));
  process.exit(1);
}
