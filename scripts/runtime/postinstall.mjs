/**
 * Last step of `npm ci`: checks that the runtime the project will run on is there and works, and applies
 * engine-strict against it (npm's own check compares with the Node that runs npm, see .npmrc).
 * Exits non-zero, failing the install, with a message that says what is wrong and how to fix it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { enginesRefusing, probeBinary, requiredRange, ROOT, runtimePackage, satisfies, wrongRuntimeMessage } from './runtime.mjs';

const fail = (message) => {
  process.stderr.write(`\nCityGraph install: ${message}\n`);
  process.exit(1);
};

const range = requiredRange();
const bin = join(ROOT, 'node_modules', '.bin', 'node');
let version = process.version;
let where = process.execPath;
if (existsSync(bin)) {
  try {
    version = probeBinary(bin);
  } catch (e) {
    fail(e.message);
  }
  where = `node_modules/.bin/node, from ${runtimePackage()?.name ?? 'a runtime package'}`;
}
if (!satisfies(version, range)) fail(wrongRuntimeMessage(version, where, range));

const semver = (await import('semver')).default;
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
const refused = enginesRefusing(lock, version, (path) => existsSync(join(ROOT, path, 'package.json')), (v, r) => semver.satisfies(v, r, { includePrerelease: true }));
if (refused.length > 0) {
  fail(
    `engine-strict: ${refused.length} installed package(s) do not support the runtime, Node ${version}:\n` +
      refused.map((r) => `  ${r.name}@${r.version} needs node ${r.engines}`).join('\n') +
      '\nPin versions whose engines accept it (package.json), then `npm install` to update the lockfile.',
  );
}
const count = Object.keys(lock.packages ?? {}).filter((p) => p.startsWith('node_modules/') && existsSync(join(ROOT, p, 'package.json'))).length;
process.stdout.write(`CityGraph runtime: Node ${version} (${where}); the engines of all ${count} installed packages accept it.\n`);
const npmNode = process.env.npm_node_execpath;
if (npmNode && npmNode !== process.execPath) {
  let npmVersion = 'another version';
  try {
    npmVersion = probeBinary(npmNode);
  } catch {
    // only for the note below
  }
  if (!satisfies(npmVersion, range)) {
    process.stdout.write(`(npm itself ran on Node ${npmVersion}; its EBADENGINE warnings compare packages with that Node, which runs nothing of CityGraph.)\n`);
  }
}

// The console's static files (web/dist) and typed operations, built once here so that `npm start` serves
// them at once. Without the dev dependencies (a production install) there is nothing to build with.
if (existsSync(join(ROOT, 'node_modules', 'vite')) && existsSync(join(ROOT, 'web', 'codegen.ts'))) {
  const built = spawnSync(existsSync(bin) ? bin : process.execPath, [join(ROOT, 'scripts', 'build-web.ts')], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) fail('the console (web/) did not build: run `npm run -s build:web` to see why.');
}

// The bundles of the city's processes (scripts/lib/bundle.ts), so that the first `npm start` starts at once.
// Not fatal: a launcher without bundles runs the sources, and rebuilds them itself when it can.
if (existsSync(join(ROOT, 'node_modules', 'rolldown')) && existsSync(bin)) {
  const bundled = spawnSync(bin, [join(ROOT, 'scripts', 'bundle.ts')], { cwd: ROOT, stdio: 'inherit' });
  if (bundled.status !== 0) process.stdout.write('(The processes were not bundled: `npm start` runs them from their sources; `npm run -s bundle` says why.)\n');
}
