import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { enginesRefusing, probeBinary, requiredRange, ROOT, runtimePackage, satisfies, wrongRuntimeMessage } from '../runtime.mjs';

const accepts = (v: string, r: string) => semver.satisfies(v, r, { includePrerelease: true });

describe('the runtime the project runs on', () => {
  it('runs this test on a Node that package.json engines accept, Node 24', () => {
    expect(satisfies(process.version, requiredRange())).toBe(true);
    expect(process.versions.node.split('.')[0]).toBe('24');
  });

  it('has the runtime package of this machine installed as node_modules/.bin/node, and npm scripts run on it', () => {
    const pkg = runtimePackage();
    expect(pkg).not.toBeNull();
    const bin = join(ROOT, 'node_modules', '.bin', 'node');
    expect(probeBinary(bin)).toBe(`v${pkg!.version}`);
    const viaNpm = execFileSync('npm', ['exec', '--', 'node', '-p', 'process.version'], { cwd: ROOT, encoding: 'utf8' }).trim();
    expect(viaNpm).toBe(`v${pkg!.version}`);
  });

  it('lets the guard pass on this runtime', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/runtime/guard.mjs')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
  });
});

describe('refusing a wrong runtime with what to do', () => {
  it('compares versions against the engines range', () => {
    expect(satisfies('v24.11.0', '>=24.11.0 <25')).toBe(true);
    expect(satisfies('v24.22.3', '>=24.11.0 <25')).toBe(true);
    expect(satisfies('v20.20.2', '>=24.11.0 <25')).toBe(false);
    expect(satisfies('v25.0.0', '>=24.11.0 <25')).toBe(false);
    expect(satisfies('v24.10.9', '>=24.11.0 <25')).toBe(false);
    expect(() => satisfies('v24.0.0', '^24')).toThrow(/Unsupported engines.node comparator/);
  });

  it('names the version found, the one needed and how to get it', () => {
    const m = wrongRuntimeMessage('v20.20.2', '/usr/bin/node', '>=24.11.0 <25');
    expect(m).toContain('Node v20.20.2 (/usr/bin/node)');
    expect(m).toContain('>=24.11.0 <25');
    expect(m).toMatch(/npm (ci|start)/);
  });

  it('says how to fix a runtime binary that does not run (corrupt download, other machine)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-rt-'));
    const fake = join(dir, 'node');
    writeFileSync(fake, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0]));
    chmodSync(fake, 0o755);
    try {
      expect(() => probeBinary(fake)).toThrow(/does not run .*Remove node_modules and run `npm ci` again/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies engine-strict against the runtime, not against the Node that runs npm', () => {
    const lock = {
      packages: {
        '': { engines: { node: '>=24.11.0 <25' } },
        'node_modules/new-enough': { version: '1.0.0', engines: { node: '>=22' } },
        'node_modules/too-new': { version: '2.0.0', engines: { node: '>=26' } },
        'node_modules/old-only': { version: '3.0.0', engines: { node: '^18 || ^20' } },
        'node_modules/other-platform': { version: '4.0.0', engines: { node: '>=99' } },
        'node_modules/a/node_modules/nested': { version: '5.0.0', engines: { node: '<24' } },
      },
    };
    const installed = (p: string) => !p.endsWith('other-platform');
    expect(enginesRefusing(lock, 'v24.22.3', installed, accepts).map((r) => r.name)).toEqual(['too-new', 'old-only', 'nested']);
    expect(enginesRefusing(lock, 'v26.0.0', installed, accepts).map((r) => r.name)).toEqual(['old-only', 'nested']);
  });

  it('finds every package of the real lockfile accepting the runtime', async () => {
    const lock = (await import('../../../package-lock.json', { with: { type: 'json' } })).default;
    expect(enginesRefusing(lock, process.version, (p) => existsSync(join(ROOT, p, 'package.json')), accepts)).toEqual([]);
  });
});
