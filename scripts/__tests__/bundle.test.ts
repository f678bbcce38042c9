/** Bundles of process entries run what the sources say, find files beside their sources, and are rebuilt after an edit, never reused stale. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentBundles } from '../lib/bundle.ts';

let root: string;
let dir: string;
// Written "a while ago": a file written while a build runs is never trusted to match it (see bundle.ts).
const write = (file: string, text: string) => {
  mkdirSync(join(root, file, '..'), { recursive: true });
  writeFileSync(join(root, file), text);
  const past = new Date(Date.now() - 10_000 + (writes++) * 10);
  utimesSync(join(root, file), past, past);
};
let writes = 0;
const run = (bundle: string) =>
  JSON.parse(execFileSync(process.execPath, [bundle], { encoding: 'utf8' })) as { version: number; where: string; data: string; cjsDir: string; esmFromCjs: { same: boolean; before: number; after: number } };
const bundleOf = async () => (await currentBundles(['main.ts'], { root, dir }))!['main.ts']!;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'citygraph-bundle-test-'));
  dir = join(root, 'bundles');
  write('package.json', '{ "type": "module" }\n');
  write('main.ts', [
    "import { readFileSync } from 'node:fs';",
    "import { createRequire } from 'node:module';",
    "import { VERSION, where } from './lib/where.ts';",
    'const require = createRequire(import.meta.url);',
    "const cjsDir: string = require('fake-cjs');",
    "const esmFromCjs: { same: boolean; before: number; after: number } = require('fake-cjs-pair');",
    "const data = readFileSync(new URL('./lib/data.txt', import.meta.url), 'utf8');",
    'process.stdout.write(JSON.stringify({ version: VERSION, where: where(), data, cjsDir, esmFromCjs }));',
    '',
  ].join('\n'));
  write('lib/where.ts', 'export const VERSION: number = 1;\nexport const where = (): string => import.meta.url;\n');
  write('lib/data.txt', 'beside the source');
  write('node_modules/fake-cjs/package.json', '{ "main": "index.js" }\n');
  write('node_modules/fake-cjs/index.js', 'module.exports = __dirname;\n');
  // CommonJS modules requiring one ES module: each gets the same exports object, whose bindings stay live.
  write('node_modules/fake-esm/package.json', '{ "type": "module", "main": "index.js" }\n');
  write('node_modules/fake-esm/index.js', 'export let count = 0;\nexport function bump() { count++; }\n');
  write('node_modules/fake-cjs-pair/package.json', '{ "main": "index.js" }\n');
  write('node_modules/fake-cjs-pair/one.js', "module.exports = require('fake-esm');\n");
  write('node_modules/fake-cjs-pair/two.js', "module.exports = require('fake-esm');\n");
  write('node_modules/fake-cjs-pair/index.js', "const one = require('./one.js'); const two = require('./two.js'); const before = two.count; one.bump();\nmodule.exports = { same: one === two, before, after: two.count };\n");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('currentBundles', () => {
  it('bundles an entry into one file that runs as the sources do, with each module at its source location', async () => {
    const bundle = await bundleOf();
    expect(bundle.startsWith(dir)).toBe(true);
    const out = run(bundle);
    expect(out.version).toBe(1);
    expect(out.where).toBe(pathToFileURL(join(root, 'lib/where.ts')).href);
    expect(out.data).toBe('beside the source');
    expect(out.cjsDir).toBe(join(root, 'node_modules/fake-cjs'));
    // As Node's own require of an ES module: one exports object however many modules require it, bindings live.
    expect(out.esmFromCjs).toEqual({ same: true, before: 0, after: 1 });
    // The CommonJS package was bundled, not required at run time.
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/require\(["']fake-cjs["']\)/);
  }, 60_000);

  it('reuses the bundle while no input changed, even when a file was touched', async () => {
    const first = await bundleOf();
    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, 'lib/where.ts'), later, later);
    expect(await bundleOf()).toBe(first);
  }, 60_000);

  it('rebuilds after a source edit, once for callers asking at the same time, and the new bundle runs the edit', async () => {
    const before = await bundleOf();
    write('lib/where.ts', 'export const VERSION: number = 2;\nexport const where = (): string => import.meta.url;\n');
    const [a, b] = await Promise.all([bundleOf(), bundleOf()]);
    expect(a).not.toBe(before);
    expect(b).toBe(a);
    expect(run(a).version).toBe(2);
  }, 60_000);

  it('rebuilds when a dependency in node_modules changes', async () => {
    const before = await bundleOf();
    write('node_modules/fake-cjs/index.js', 'module.exports = __dirname + "!";\n');
    const after = await bundleOf();
    expect(after).not.toBe(before);
    expect(run(after).cjsDir).toBe(`${join(root, 'node_modules/fake-cjs')}!`);
  }, 60_000);

  it('answers null when the build fails, so the sources run and show the error themselves', async () => {
    write('lib/where.ts', 'export const VERSION: number = ;\n');
    const lines: string[] = [];
    expect(await currentBundles(['main.ts'], { root, dir, log: (l) => lines.push(l) })).toBeNull();
    expect(lines.join('\n')).toMatch(/Bundling failed/);
  }, 60_000);
});
