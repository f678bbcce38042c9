/**
 * Bundles of the city's process entry points, so that a process starts by loading one file (and the
 * chunks it shares with the others) instead of resolving, reading and type-stripping hundreds of
 * modules. Built with rolldown into node_modules/.cache/citygraph-bundle/<build>/, with a manifest of
 * every file that went in; a launcher asks `currentBundles` before starting processes and gets bundles
 * that match the sources, rebuilding first when any input changed. So a bundle never runs stale code.
 *
 * Files found relative to a module (`new URL('…', import.meta.url)`: schema files, worker entry files,
 * web/dist) are still found where they are: each module's `import.meta.url`, `__dirname` and
 * `__filename` are its source file's, written into the bundle.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'rolldown';
import { ROOT } from './processes.ts';

/** Where bundles are built: under node_modules, which `npm ci` replaces. */
export const BUNDLE_DIR = join(ROOT, 'node_modules', '.cache', 'citygraph-bundle');

/** What a build holds: its folder, its entries' bundles, and every input with the stat and hash it had. */
interface Manifest {
  builder: string;
  dir: string;
  /** Entry (relative to ROOT, e.g. `gateway/main.ts`) → bundle file relative to `dir`. */
  entries: Record<string, string>;
  /** [file relative to ROOT, mtimeMs, size, sha1 or '' when the file changed during the build]. */
  inputs: [string, number, number, string][];
}

/** Options of currentBundles. */
export interface BundleOptions {
  /** Called with a line to show a person (a build starting, a build failing); default none. */
  log?: (line: string) => void;
  /** The project whose entries are bundled; default this repository (tests bundle a small one). */
  root?: string;
  /** Where builds and their manifest go; default BUNDLE_DIR. */
  dir?: string;
}

/** Paths of one bundle folder. */
interface Where {
  root: string;
  dir: string;
  manifest: string;
  lock: string;
}

/**
 * The bundle of every entry (absolute path by entry), built now if the last build is missing, lacks an
 * entry or any of its inputs changed; null when bundles cannot be built (no rolldown: a production
 * install without dev dependencies) or the build failed (the sources then run, and show the error).
 */
export async function currentBundles(entries: readonly string[], options: BundleOptions = {}): Promise<Record<string, string> | null> {
  const dir = options.dir ?? BUNDLE_DIR;
  const w: Where = { root: options.root ?? ROOT, dir, manifest: join(dir, 'current.json'), lock: join(dir, 'build.lock') };
  let builder: string;
  try {
    builder = builderId(w.root);
  } catch {
    return null; // rolldown is not installed
  }
  const fresh = readFresh(w, builder, entries);
  if (fresh) return fresh;
  mkdirSync(w.dir, { recursive: true });
  // One build at a time (test files start cities side by side): the others wait for it and use it.
  const release = await lock(w.lock);
  try {
    const built = readFresh(w, builder, entries);
    if (built) return built;
    options.log?.('Bundling the city\'s processes (no bundle yet, or an input changed since the last one)…');
    try {
      const manifest = await build(w, builder, entries);
      writeFileSync(`${w.manifest}.${process.pid}`, JSON.stringify(manifest));
      renameSync(`${w.manifest}.${process.pid}`, w.manifest);
      prune(w.dir, manifest.dir);
      return pathsOf(w, manifest);
    } catch (e) {
      options.log?.(`Bundling failed, so the processes run from their sources: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      return null;
    }
  } finally {
    release();
  }
}

/** The current manifest's bundles when it was built by this builder, holds every entry, and every input is as it was. */
function readFresh(w: Where, builder: string, entries: readonly string[]): Record<string, string> | null {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(w.manifest, 'utf8')) as Manifest;
  } catch {
    return null;
  }
  if (manifest.builder !== builder || !entries.every((e) => manifest.entries[e])) return null;
  for (const [file, mtimeMs, size, hash] of manifest.inputs) {
    let st;
    try {
      st = statSync(join(w.root, file));
    } catch {
      return null;
    }
    if (st.mtimeMs === mtimeMs && st.size === size) continue;
    // Touched (a checkout, an editor's save without change): stale only when the content differs.
    if (!hash || st.size !== size || sha1(readFileSync(join(w.root, file))) !== hash) return null;
  }
  return pathsOf(w, manifest);
}

function pathsOf(w: Where, manifest: Manifest): Record<string, string> {
  return Object.fromEntries(Object.entries(manifest.entries).map(([e, f]) => [e, join(w.dir, manifest.dir, f)]));
}

/**
 * Who built a bundle: this file, rolldown's version and where the repository is (bundles hold absolute
 * paths). A change of any of them makes every bundle stale. Throws when rolldown is not installed.
 */
function builderId(root: string): string {
  const rolldown = readFileSync(join(ROOT, 'node_modules', 'rolldown', 'package.json'), 'utf8');
  return sha1(Buffer.concat([readFileSync(new URL(import.meta.url)), Buffer.from(rolldown), Buffer.from(`${root}\0${process.version}`)]));
}

/** Files that change what a bundle holds without being one of its modules. */
const ALWAYS_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json'];

async function build(w: Where, builder: string, entries: readonly string[]): Promise<Manifest> {
  const { build: rolldown } = await import('rolldown');
  const startedMs = Date.now();
  const dir = `${startedMs.toString(36)}-${process.pid}`;
  const out = join(w.dir, dir);
  const result = await rolldown({
    input: Object.fromEntries(entries.map((e) => [e.replace(/\.ts$/, ''), join(w.root, e)])),
    cwd: w.root,
    platform: 'node',
    logLevel: 'silent',
    plugins: [originalLocations(), httpWithoutUndici(), oneCommonJsViewPerModule()],
    output: { dir: out, format: 'esm', charset: 'ascii', comments: { legal: true, annotation: true, jsdoc: false }, entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
  });
  const modules = new Set<string>(ALWAYS_INPUTS.map((f) => join(w.root, f)).filter((f) => existsSync(f)));
  for (const chunk of result.output) if (chunk.type === 'chunk') for (const id of chunk.moduleIds) if (isAbsolute(id) && existsSync(id)) modules.add(id);
  const inputs: Manifest['inputs'] = [...modules].map((file) => {
    const st = statSync(file);
    // A file written while the build ran may differ from what was bundled: no hash, so the next check rebuilds.
    const hash = st.mtimeMs >= startedMs - 1000 ? '' : sha1(readFileSync(file));
    return [relative(w.root, file), st.mtimeMs, st.size, hash];
  });
  return { builder, dir, entries: Object.fromEntries(entries.map((e) => [e, `${e.replace(/\.ts$/, '')}.mjs`])), inputs };
}

/**
 * Each module keeps its source file's location: `import.meta.url` (and `dirname`, `filename`) in ES
 * modules, `__dirname` and `__filename` in CommonJS ones. A project module's own `createRequire(import.meta.url)`
 * is left to the bundler, so what it requires is bundled too (subgraphs/kit/shield.ts: graphql-shield).
 */
function originalLocations(): Plugin {
  return {
    name: 'citygraph-original-locations',
    transform: {
      filter: { code: /import\.meta|__dirname|__filename/ },
      handler(code, id) {
        if (!isAbsolute(id)) return null;
        let out = code;
        if (!id.includes('/node_modules/')) out = out.replace(/^const require = createRequire\(import\.meta\.url\);$/m, '');
        out = out
          .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(id).href))
          .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(id)))
          .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(id));
        if (/\b__(dirname|filename)\b/.test(out) && isCommonJs(id)) out = `var __filename = ${JSON.stringify(id)}, __dirname = ${JSON.stringify(dirname(id))};${out}`;
        return out === code ? null : { code: out };
      },
    },
  };
}

/** node:http's exports that load undici (~0.1 s of CPU) when read. */
const UNDICI_EXPORTS = new Set(['WebSocket', 'CloseEvent', 'MessageEvent']);

/**
 * `node:http` from process.getBuiltinModule rather than an ES import: Node's ES facade of a built-in reads
 * every export, and three of node:http's load undici, about a tenth of a second of CPU in every process.
 * Importing one of those three fails the build (MISSING_EXPORT), rather than loading it unseen.
 */
function httpWithoutUndici(): Plugin {
  const id = '\0citygraph:node-http';
  return {
    name: 'citygraph-http-without-undici',
    resolveId: { filter: { id: /^(node:)?http$/ }, handler: () => id },
    load: {
      filter: { id: /^\0citygraph:node-http$/ },
      handler: () => {
        const names = Object.keys(process.getBuiltinModule('node:http')).filter((n) => !UNDICI_EXPORTS.has(n));
        return `const http = process.getBuiltinModule('node:http');\nexport { http as default, http as "module.exports" };\nexport const { ${names.join(', ')} } = http;\n`;
      },
    },
  };
}

/** rolldown's runtime helper that hands an ES module to CommonJS code as an exports object. */
const TO_COMMONJS = 'var __toCommonJS = (mod) => __hasOwnProp.call(mod, "module.exports") ? mod["module.exports"] : __copyProps(__defProp({}, "__esModule", { value: true }), mod);';

/**
 * One CommonJS view of each ES module. rolldown's `__toCommonJS` builds a new object, with a bound
 * getter for every export, each time CommonJS code requires an ES module: OpenTelemetry's CommonJS
 * packages require `@opentelemetry/api` (ES) 225 times in the gateway, which kept 37,000 such getters
 * (a gateway just started: 53.3 MB of live heap with them, 47.2 MB without). Made once per module, as
 * Node's own `require` of an ES module does; the getters still read the module's live bindings. A
 * rolldown whose helper reads otherwise fails the build.
 */
function oneCommonJsViewPerModule(): Plugin {
  return {
    name: 'citygraph-one-commonjs-view',
    renderChunk(code) {
      // Packages built with other bundlers carry a `__toCommonJS` of their own, without the "module.exports" test.
      if (!code.includes(TO_COMMONJS)) {
        if (code.includes('var __toCommonJS = (mod) => __hasOwnProp.call(mod, "module.exports")')) throw new Error('rolldown\'s runtime __toCommonJS is not the one scripts/lib/bundle.ts memoises; update oneCommonJsViewPerModule.');
        return null;
      }
      const once = 'var __commonJsViews = new WeakMap();\nvar __toCommonJS = (mod) => { let view = __commonJsViews.get(mod); if (view === undefined) __commonJsViews.set(mod, view = ' + TO_COMMONJS.slice('var __toCommonJS = (mod) => '.length, -1) + '); return view; };';
      return code.replace(TO_COMMONJS, once);
    },
  };
}

const packageTypes = new Map<string, string | undefined>();

/** Node's rule: `.cjs`, or `.js` whose nearest package.json does not say `"type": "module"`. */
function isCommonJs(file: string): boolean {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let d = dirname(file); ; d = dirname(d)) {
    if (!packageTypes.has(d)) {
      const pkg = join(d, 'package.json');
      packageTypes.set(d, existsSync(pkg) ? ((JSON.parse(readFileSync(pkg, 'utf8')) as { type?: string }).type ?? 'commonjs') : undefined);
    }
    const type = packageTypes.get(d);
    if (type) return type !== 'module';
    if (dirname(d) === d) return true;
  }
}

/** Takes the build lock, waiting while another live process holds it; returns its release. */
async function lock(file: string): Promise<() => void> {
  for (const until = Date.now() + 300_000; Date.now() < until; ) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!holderAlive(file)) {
      rmSync(file, { force: true }); // left by a process that died while building
      continue;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${file} stayed taken for 5 minutes; remove it if no build is running.`);
}

function holderAlive(file: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return true; // being written: give it a moment
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes earlier builds that no running process was started from (its command line names its bundle)
 * and that are older than a minute: a process may still load a chunk of its build later, so a build in
 * use stays. Without /proc, keeps all.
 */
function prune(dir: string, current: string): void {
  let inUse: string;
  try {
    inUse = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      })
      .join('\n');
  } catch {
    return;
  }
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name === current || inUse.includes(join(dir, d.name))) continue;
    // A launcher may have chosen it a moment ago and not started its processes yet.
    if (Date.now() - statSync(join(dir, d.name)).mtimeMs < 60_000) continue;
    rmSync(join(dir, d.name), { recursive: true, force: true });
  }
}

function sha1(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}
