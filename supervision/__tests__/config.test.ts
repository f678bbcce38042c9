import { describe, expect, it } from 'vitest';
import { openSupervisionStore, resolveSupervisionConfig } from '../index.ts';

describe('supervision store configuration', () => {
  it('throws at construction, naming every invalid option', () => {
    expect(() => openSupervisionStore({ subjectKey: 'short', hash: 'md5' as never, checkpointEvery: -1 })).toThrow(
      /Invalid supervision store configuration: .*hash.*subjectKey must be at least 32 characters.*checkpointEvery/,
    );
    expect(() => resolveSupervisionConfig({ subjectKey: 'k'.repeat(32), colour: 'red' } as never)).toThrow(/colour/);
  });

  it('applies the documented defaults', () => {
    const c = resolveSupervisionConfig({ subjectKey: 'k'.repeat(32) });
    expect(c).toMatchObject({
      backend: { kind: 'sqlite', path: '.data/supervision.db' },
      signing: { algorithm: 'sm2', privateKeyPath: '.data/keys/checkpoint-sm2.key.pem', publicKeyPath: '.data/keys/checkpoint-sm2.pub.pem' },
      checkpointEvery: 100, checkpointIntervalMs: 60_000, maxArgsBytes: 16_384,
    });
    expect(resolveSupervisionConfig({ subjectKey: 'k'.repeat(32), url: 'postgres://db/x' }).backend).toEqual({ kind: 'postgres', url: 'postgres://db/x' });
  });

  it('rejects with SUPERVISION_UNAVAILABLE when the database cannot be reached', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const dataDir = mkdtempSync('/tmp/citygraph-sv-cfg-');
    writeFileSync(`${dataDir}/not-a-folder`, '');
    await expect(openSupervisionStore({ subjectKey: 'k'.repeat(32), dataDir, url: 'postgres://postgres@127.0.0.1:1/test' })).rejects.toMatchObject({ code: 'SUPERVISION_UNAVAILABLE' });
    await expect(openSupervisionStore({ subjectKey: 'k'.repeat(32), dataDir, url: `${dataDir}/not-a-folder/supervision.db` })).rejects.toMatchObject({ code: 'SUPERVISION_UNAVAILABLE' });
    (await import('node:fs')).rmSync(dataDir, { recursive: true, force: true });
  });
});
