/**
 * `npm run -s bundle`: brings the bundles of the city's processes up to date with the sources (see
 * scripts/lib/bundle.ts). `npm ci` runs it, so the first `npm start` need not; every launcher checks the
 * bundles anyway and rebuilds what a source edit made stale, so running it by hand is never needed.
 */
import { currentBundles } from './lib/bundle.ts';
import { CITY_ENTRIES } from './lib/city.ts';

const started = performance.now();
const bundles = await currentBundles(CITY_ENTRIES, { log: (line) => process.stdout.write(`${line}\n`) });
if (!bundles) {
  process.stdout.write('No bundles (rolldown is not installed, or the build failed): the processes run from their sources.\n');
} else {
  process.stdout.write(`Bundles of ${Object.keys(bundles).length} processes are current (${((performance.now() - started) / 1000).toFixed(1)} s).\n`);
}
