import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyStore } from '../verify-store.ts';
import { BACKENDS, type TestContext } from './harness.ts';

describe.each(BACKENDS)('a writer killed with SIGKILL on $name', ({ create }) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await create();
  });
  afterEach(async () => {
    await ctx.cleanup();
  });

  it('loses no acknowledged record, and recovery marks the interrupted intent', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'append-forever.ts'), ctx.db, ctx.dataDir], {
      cwd: join(import.meta.dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked = new Map<number, number | null>();
    let buffer = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          const [kind, a, b] = line.split(' ');
          if (kind === 'intent') acked.set(Number(a), null);
          if (kind === 'outcome') acked.set(Number(a), Number(b));
        }
        if (acked.size >= 60) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.once('exit', r));

    const store = await ctx.open();
    for (const [intentSeq, outcomeSeq] of acked) {
      expect((await store.get(intentSeq))?.kind).toBe('intent');
      if (outcomeSeq !== null) expect((await store.get(outcomeSeq))?.intentSeq).toBe(intentSeq);
    }
    const marked = await store.recoverUnfinished();
    expect(marked).toBeLessThanOrEqual(1);
    const records = [];
    for (let after: string | null = null; ; ) {
      const page = await store.query({}, { first: 100, after });
      records.push(...page.records);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    // Every intent now has exactly one outcome: a real one, or the mark of the interrupted one.
    const intents = records.filter((r) => r.kind === 'intent').map((r) => r.seq);
    const closed = records.filter((r) => r.kind === 'outcome').map((r) => r.intentSeq);
    expect(closed.sort((a, b) => a! - b!)).toEqual(intents);
    expect(records.filter((r) => r.outcome === 'OUTCOME_UNKNOWN').length).toBe(marked);
    await store.close();
    expect((await verifyStore({ db: ctx.db })).ok).toBe(true);
  });
});
