import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECORD_COLUMNS, recordFromRow, recordValues } from '../columns.ts';
import { signCheckpoint } from '../checkpoint.ts';
import { recordHash, type SupervisionRecord } from '../record.ts';
import { signerFromPrivateKey } from '../signing.ts';
import { generateSm2KeyPair, sm2PrivatePem } from '../sm2-keys.ts';
import { checkRangesInWorkers, joinRanges, rangePlan, verifyStore } from '../verify-store.ts';
import { BACKENDS, seed, type TestContext } from './harness.ts';

// Layout after seed(6): population #1–#8 at seq 1,2,3,4,7,8,9,10; medicalInsurance #1–#4 at seq 5,6,11,12.
describe.each(BACKENDS)('verify detects tampering on $name', ({ create }) => {
  let ctx: TestContext;
  let witness: string;

  beforeEach(async () => {
    ctx = await create();
    const store = await ctx.open();
    await seed(store, 6);
    await store.checkpoint();
    witness = join(ctx.dataDir, 'witness.json');
    await store.exportCheckpoints(witness);
    await store.close();
  });
  afterEach(async () => {
    await ctx.cleanup();
  });

  const read = async (seq: number) => recordFromRow((await ctx.sql('SELECT * FROM supervision_records WHERE seq = ?', [seq]))[0]!);
  const put = async (r: SupervisionRecord) => {
    await ctx.sql('DELETE FROM supervision_records WHERE seq = ?', [r.seq]);
    await ctx.sql(`INSERT INTO supervision_records (${RECORD_COLUMNS.join(', ')}) VALUES (${RECORD_COLUMNS.map(() => '?').join(', ')})`, recordValues(r));
  };
  // Every case also runs the parallel verifier (worker threads checking seq ranges), which must report exactly the same.
  let fallbacks: string[] = [];
  const verify = async (withWitness = true) => {
    const options = { db: ctx.db, ...(withWitness ? { checkpointFile: witness } : {}) };
    const plain = await verifyStore({ ...options, parallelAbove: Infinity });
    fallbacks = [];
    expect(await verifyStore({ ...options, parallelAbove: 0, workers: 2, onFallback: (reason) => fallbacks.push(reason) })).toEqual(plain);
    return plain;
  };

  it('passes an untouched store with its witness checkpoint, in parallel without falling back', async () => {
    const result = await verify();
    expect(result).toMatchObject({ ok: true, records: 12, problems: [] });
    expect(fallbacks).toEqual([]);
    for (const workers of [1, 5]) {
      const reasons: string[] = [];
      expect(await verifyStore({ db: ctx.db, checkpointFile: witness, parallelAbove: 0, workers, onFallback: (r) => reasons.push(r) })).toEqual(result);
      expect(reasons).toEqual([]);
    }
  }, 120_000); // worker threads start slowly on a loaded machine

  it('joins the roots of many checkpoints across ranges wherever they fall, as the plain walk computes them', async () => {
    const store = await ctx.open();
    // Chains of different lengths, a checkpoint (a root per chain) after each round: range edges fall
    // before, on and after the signed sizes and their join points.
    for (let round = 0; round < 7; round++) {
      await seed(store, 3 + round);
      await store.checkpoint();
    }
    await store.close();
    const plain = await verifyStore({ db: ctx.db, parallelAbove: Infinity });
    expect(plain).toMatchObject({ ok: true, checkpoints: 8, problems: [] });
    for (const workers of [1, 2, 3, 4, 7]) {
      const reasons: string[] = [];
      expect(await verifyStore({ db: ctx.db, parallelAbove: 0, workers, onFallback: (r) => reasons.push(r) }), `${workers} workers`).toEqual(plain);
      expect(reasons, `${workers} workers`).toEqual([]);
    }
  }, 120_000);

  it('checks every record in worker threads, each over its own seq range, and gives up on the range that fails', async () => {
    const plan = () => rangePlan('sm3', ['medicalInsurance', 'population'], [], 12);
    const ranges = await checkRangesInWorkers(ctx.db, plan(), 12, 3);
    expect(ranges.map((r) => [r.perfect, r.count, r.lastSeq])).toEqual([[true, 4, 4], [true, 4, 8], [true, 4, 12]]);
    expect(await joinRanges(plan(), ranges, 'sm3')).toMatchObject({ count: 12, maxSeq: 12, length: new Map([['population', 8], ['medicalInsurance', 4]]) });
    // A slice at a time when a clock says so: other work of the serving process runs between slices.
    const order: string[] = [];
    setImmediate(() => order.push('other work'));
    const sliced = await joinRanges(plan(), ranges, 'sm3', { due: () => (order.push('slice'), true) });
    expect(sliced).toEqual(await joinRanges(plan(), ranges, 'sm3'));
    expect(order.indexOf('other work')).toBe(1);
    expect(order.filter((o) => o === 'slice').length).toBeGreaterThan(1);
    await ctx.sql("UPDATE supervision_records SET field = 'Mutation.other' WHERE seq = 10");
    const tampered = await checkRangesInWorkers(ctx.db, plan(), 12, 3);
    expect(tampered.map((r) => [r.perfect, r.reason])).toEqual([[true, undefined], [true, undefined], [false, 'seq 10: hash']]);
    expect(await joinRanges(plan(), tampered, 'sm3')).toBeNull();
    // Stopping at the first doubt answers with that range alone.
    expect(await checkRangesInWorkers(ctx.db, plan(), 12, 3, true)).toEqual([expect.objectContaining({ perfect: false, reason: 'seq 10: hash' })]);
    // A record past the highest seq the caller knew of is still checked (the last range runs to the end).
    expect((await checkRangesInWorkers(ctx.db, plan(), 6, 2)).map((r) => [r.perfect, r.count])).toEqual([[true, 3], [false, 6]]);
  }, 120_000);

  it('shares the checkpoints\' signatures out among the workers and answers each, in order', async () => {
    const signer = signerFromPrivateKey('sm2', sm2PrivatePem(generateSm2KeyPair()));
    const key = { keyId: signer.keyId, algorithm: signer.algorithm, publicKeyPem: signer.publicKeyPem };
    const cps = [1, 2, 3, 4, 5].map((id) => signCheckpoint({ id, time: '2026-12-03T00:00:00Z', hashAlgorithm: 'sm3', heads: [], totalSeq: id }, signer));
    cps[1] = { ...cps[1]!, totalSeq: 9 }; // no longer what was signed
    cps[3] = { ...cps[3]!, signature: cps[2]!.signature }; // another checkpoint's signature
    for (const workers of [1, 2, 3]) {
      const plan = rangePlan('sm3', ['medicalInsurance', 'population'], [], 12); // its shared arrays serve one run
      const ranges = await checkRangesInWorkers(ctx.db, plan, 12, workers, true, { keys: [key], checkpoints: cps.map((cp) => [0, cp]) });
      expect(ranges.map((r) => r.signatures?.length ?? 0).every((n) => n >= 1)).toBe(true);
      expect(ranges.flatMap((r) => r.signatures ?? [])).toEqual([true, false, true, false, true]);
    }
  }, 120_000);

  it('names a modified record', async () => {
    await ctx.sql("UPDATE supervision_records SET outcome = 'SUCCESS', error_code = NULL WHERE seq = 10");
    expect((await verify()).firstProblem).toMatchObject({ kind: 'modified', seq: 10, department: 'population' });
    expect(fallbacks).toEqual(['seq 10: hash']);
  });

  it('names a record whose hash was recomputed after modification through its successor link', async () => {
    const r = await read(3);
    const forged = { ...r, args: { id: 'x', phone: '139****0000' } };
    await put({ ...forged, hash: recordHash(forged, 'sm3') });
    expect((await verify(false)).firstProblem).toMatchObject({ kind: 'modified', seq: 3 });
  });

  it('names a deleted record', async () => {
    await ctx.sql('DELETE FROM supervision_records WHERE seq = 3');
    const result = await verify();
    expect(result.firstProblem).toMatchObject({ kind: 'deleted', seq: 3 });
    expect(result.problems.some((p) => p.kind === 'deleted' && p.department === 'population')).toBe(true);
  });

  it('names an inserted (backdated) forged record even when its own hash is right', async () => {
    await ctx.sql('DROP INDEX supervision_records_chain');
    const before = await read(2);
    const forgedBody = { ...(await read(1)), seq: 13, deptSeq: 3, prevHash: before.hash, field: 'Mutation.forged' };
    await put({ ...forgedBody, hash: recordHash(forgedBody, 'sm3') });
    expect((await verify()).firstProblem).toMatchObject({ kind: 'inserted', seq: 13, department: 'population' });
  });

  it('names reordered records', async () => {
    await ctx.sql('UPDATE supervision_records SET seq = -1 WHERE seq = 7');
    await ctx.sql('UPDATE supervision_records SET seq = 7 WHERE seq = 9');
    await ctx.sql('UPDATE supervision_records SET seq = 9 WHERE seq = -1');
    const result = await verify();
    expect(result.firstProblem).toMatchObject({ kind: 'reordered', seq: 7, department: 'population' });
  });

  it('detects a truncated tail only against a held checkpoint', async () => {
    await ctx.sql('DELETE FROM supervision_records WHERE seq > 9');
    await ctx.sql('DELETE FROM supervision_checkpoints');
    expect((await verify(false)).ok).toBe(true);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.firstProblem).toMatchObject({ kind: 'truncated', seq: 10, department: 'medicalInsurance', checkpointId: 1 });
  });

  it('detects a fork (a tail rewritten with recomputed hashes) against a held checkpoint', async () => {
    let prev = (await read(7)).hash;
    for (const seq of [8, 9, 10]) {
      const r = await read(seq);
      const body = { ...r, prevHash: prev, ...(seq === 8 ? { outcome: 'ERROR' as const, errorCode: 'LEGACY_ERROR' } : {}) };
      const rewritten = { ...body, hash: recordHash(body, 'sm3') };
      await put(rewritten);
      prev = rewritten.hash;
    }
    await ctx.sql('DELETE FROM supervision_checkpoints');
    expect((await verify(false)).ok).toBe(true);
    expect((await verify()).firstProblem).toMatchObject({ kind: 'forked', seq: 10, department: 'population', checkpointId: 1 });
  });

  it('names a stored checkpoint whose signature no longer verifies', async () => {
    const [row] = await ctx.sql('SELECT body FROM supervision_checkpoints');
    await ctx.sql('UPDATE supervision_checkpoints SET body = ?', [String(row?.body).replace('"totalSeq":12', '"totalSeq":11')]);
    expect((await verify(false)).firstProblem).toMatchObject({ kind: 'badSignature', checkpointId: 1 });
    // Found by the parallel verifier's workers, which check the signatures beside the records.
    expect(fallbacks).toEqual(['a checkpoint problem: The signature of the stored checkpoint 1 does not verify.']);
  });

  it('reports a corrupt or foreign witness file as corruptCheckpoint with a one-line reason', async () => {
    writeFileSync(witness, '{"format": "citygraph-supervision-checkpoints/1", "keys": [');
    const broken = await verify();
    expect(broken.firstProblem).toMatchObject({ kind: 'corruptCheckpoint', message: expect.stringMatching(/not valid JSON/) });
    writeFileSync(witness, JSON.stringify({ format: 'something-else' }));
    expect((await verify()).firstProblem?.message).toMatch(/is not a checkpoint export: format/);
  });
});
