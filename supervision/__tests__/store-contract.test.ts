import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leafHash, verifyConsistency, verifyInclusion } from '../merkle.ts';
import { ErrorCode } from '../../core/errors.ts';
import { verifyStore } from '../verify-store.ts';
import { BACKENDS, CITIZEN_ID, seed, type TestContext } from './harness.ts';

describe.each(BACKENDS)('supervision store contract on $name', ({ create }) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await create();
  });
  afterEach(async () => {
    await ctx.cleanup();
  });

  it('writes an intent and its outcome into one department chain with global and department sequences', async () => {
    const store = await ctx.open();
    const intent = await store.appendIntent({ department: 'population', actor: { role: 'citizen', sub: CITIZEN_ID }, field: 'Mutation.updateContactPhone', args: { phone: '13812345678' } });
    const other = await store.appendIntent({ department: 'parking', actor: { role: 'app', client: 'city-app', onBehalfOf: CITIZEN_ID }, field: 'Mutation.reserve' });
    const outcome = await store.appendOutcome(intent, { outcome: 'SUCCESS', caseNumber: 'SBLSH-2024-1' });
    const [a, b, c] = await Promise.all([store.get(intent.seq), store.get(other.seq), store.get(outcome.seq)]);
    expect([a?.seq, b?.seq, c?.seq]).toEqual([1, 2, 3]);
    expect([a?.deptSeq, b?.deptSeq, c?.deptSeq]).toEqual([1, 1, 2]);
    expect(a).toMatchObject({ kind: 'intent', outcome: 'PENDING', prevHash: '0'.repeat(64) });
    expect(c).toMatchObject({ kind: 'outcome', intentSeq: 1, outcome: 'SUCCESS', caseNumber: 'SBLSH-2024-1', prevHash: a?.hash, args: null });
    expect(c?.argsDigest).toBe(a?.argsDigest);
    expect(b?.actor.onBehalfOf?.masked).toBe('2101**********4514');
    expect(a?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await store.close();
  });

  it('never stores a plain resident ID or phone number, only HMACs and masks', async () => {
    const store = await ctx.open();
    await seed(store, 3);
    await store.close();
    const rows = await ctx.sql('SELECT * FROM supervision_records');
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(CITIZEN_ID);
    expect(dump).not.toContain('13812345670');
    expect(dump).toContain('2101**********4514');
    expect(dump).toContain('138****5670');
  });

  it('records a denied mutation attempt as one closed intent and an auditor read as an access record', async () => {
    const store = await ctx.open();
    const denied = await store.appendDenied({ department: 'population', actor: { role: 'enterprise' }, field: 'Mutation.updateContactPhone' });
    const access = await store.appendAccess({ actor: { role: 'auditor', sub: 'auditor-7' }, field: 'Query.mutationLog', args: { filter: { subjectId: CITIZEN_ID } } });
    expect(await store.get(denied.seq)).toMatchObject({ kind: 'intent', outcome: 'DENIED', errorCode: 'FORBIDDEN' });
    const read = await store.get(access.seq);
    expect(read).toMatchObject({ kind: 'access', department: 'supervision', outcome: 'SUCCESS', args: { filter: { subjectId: '2101**********4514' } } });
    await expect(store.appendOutcome(denied, { outcome: 'SUCCESS' })).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    expect(await store.recoverUnfinished()).toBe(0);
    await store.close();
  });

  it('refuses a second outcome for the same intent', async () => {
    const store = await ctx.open();
    const intent = await store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.x' });
    await store.appendOutcome(intent, { outcome: 'SUCCESS' });
    await expect(store.appendOutcome(intent, { outcome: 'ERROR' })).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    await store.close();
  });

  it('filters by subject ID through the HMAC, department, role, outcome, power item, case number and time, with cursor pages', async () => {
    const store = await ctx.open();
    await seed(store, 6);
    await store.appendIntent({ department: 'population', actor: { role: 'staff' }, field: 'Mutation.x', subject: { kind: 'citizen', id: '11010519491231002X' }, caseNumber: 'C-9' });
    const bySubject = await store.query({ subjectId: CITIZEN_ID.toLowerCase() }, { first: 100 });
    expect(bySubject.totalCount).toBe(12);
    expect((await store.query({ department: 'medicalInsurance' }, { first: 100 })).totalCount).toBe(4);
    expect((await store.query({ actorRole: 'staff' }, { first: 100 })).records.map((r) => r.caseNumber)).toEqual(['C-9']);
    expect((await store.query({ caseNumber: 'C-9', outcome: 'PENDING' }, { first: 5 })).totalCount).toBe(1);
    expect((await store.query({ outcome: 'ERROR' }, { first: 5 })).records[0]?.errorCode).toBe('LEGACY_ERROR');
    expect((await store.query({ powerItem: 'GA-2101-0042', kind: 'intent' }, { first: 100 })).totalCount).toBe(6);
    expect((await store.query({ from: '2000-01-01T00:00:00Z', to: '2999-01-01T00:00:00Z' }, { first: 1 })).totalCount).toBe(13);
    expect((await store.query({ to: '2000-01-01T00:00:00Z' }, { first: 1 })).totalCount).toBe(0);

    const seen: number[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const page = await store.query({ department: 'population' }, { first: 4, after });
      seen.push(...page.records.map((r) => r.seq));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([1, 2, 3, 4, 7, 8, 9, 10, 13]);
    await store.close();
  });

  it('rejects a page larger than 100, a bad cursor and a bad date as BAD_USER_INPUT', async () => {
    const store = await ctx.open();
    await expect(store.query({}, { first: 101 })).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    await expect(store.query({}, { first: 10, after: 'not-a-cursor' })).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    await expect(store.query({ from: 'yesterday' }, { first: 10 })).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    await store.close();
  });

  it('gives a record with its chain links and an inclusion proof against the newest checkpoint covering it', async () => {
    const store = await ctx.open();
    await seed(store, 3);
    expect((await store.proof(2))?.inclusion).toBeNull();
    expect((await store.proof(2))?.pending).toMatch(/not yet covered by a checkpoint/);
    await store.checkpoint();
    await seed(store, 1);
    const second = await store.checkpoint();
    const proof = await store.proof(2);
    expect(proof?.previous).toBe((await store.get(1))?.hash);
    expect(proof?.next).toBe((await store.get(3))?.hash);
    expect(proof?.checkpoint?.id).toBe(second.id);
    const inc = proof!.inclusion!;
    const head = second.heads.find((h) => h.department === inc.department)!;
    expect(inc).toMatchObject({ treeSize: head.deptSeq, root: head.root, checkpointId: second.id, leafIndex: proof!.record.deptSeq - 1 });
    expect(verifyInclusion('sm3', inc.leafIndex, inc.treeSize, leafHash('sm3', proof!.record.hash), inc.auditPath, inc.root)).toBe(true);
    const c = await store.consistencyProof(inc.department, 1, head.deptSeq);
    expect(verifyConsistency('sm3', 1, head.deptSeq, c.fromRoot, head.root!, c.proof)).toBe(true);
    await expect(store.consistencyProof(inc.department, 3, 2)).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    await expect(store.consistencyProof(inc.department, 1, 999)).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    expect((await store.proof(8))?.checkpoint?.id).toBe(2);
    expect(await store.proof(99)).toBeNull();
    await store.close();
  });

  it('answers the newest checkpoints alone when asked for the last few, and refuses a count out of range', async () => {
    const store = await ctx.open();
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) {
      await seed(store, 1);
      ids.push((await store.checkpoint()).id);
    }
    expect((await store.checkpoints()).map((c) => c.id)).toEqual(ids);
    expect((await store.checkpoints({ last: 2 })).map((c) => c.id)).toEqual(ids.slice(2));
    expect((await store.checkpoints({ last: 1000 })).map((c) => c.id)).toEqual(ids);
    for (const last of [0, -1, 1.5, 1001]) await expect(store.checkpoints({ last })).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    // A record covered only by the newest checkpoint, and one covered by all: both proved against the newest.
    expect((await store.proof(1))?.checkpoint?.id).toBe(ids[3]);
    expect((await store.proof((await store.checkpoints({ last: 1 }))[0]!.totalSeq))?.inclusion?.checkpointId).toBe(ids[3]);
    await store.close();
  });

  it('proves records of a chain longer than its remembered subtrees (600 records), the same answer when asked again', async () => {
    const store = await ctx.open();
    const reads = Array.from({ length: 600 }, (_, i) => ({ department: 'population', actor: { role: 'staff' as const, department: 'population' }, field: 'Citizen.name', requestId: `r${i}` }));
    await store.appendAccesses(reads.slice(0, 300));
    await store.appendAccesses(reads.slice(300));
    const cp = await store.checkpoint();
    const head = cp.heads.find((h) => h.department === 'population')!;
    expect(head.deptSeq).toBe(600);
    // The checkpoint's frontier handed its subtrees to the proofs: the first proof reads only the bottom
    // block of 256 and the last 88 records, not the whole chain of 600.
    const db = (store as unknown as { db: { chainHashes: (d: string, after: number, limit: number) => Promise<string[]> } }).db;
    const chainHashes = db.chainHashes.bind(db);
    let rows = 0;
    db.chainHashes = async (d, after, limit) => {
      const out = await chainHashes(d, after, limit);
      rows += out.length;
      return out;
    };
    await store.proof(1);
    expect(rows).toBe(256 + 88);
    for (const seq of [1, 256, 257, 511, 600]) {
      const inc = (await store.proof(seq))!.inclusion!;
      const record = (await store.get(seq))!;
      expect(verifyInclusion('sm3', inc.leafIndex, inc.treeSize, leafHash('sm3', record.hash), inc.auditPath, head.root!)).toBe(true);
      expect((await store.proof(seq))!.inclusion).toEqual(inc);
    }
    for (const from of [1, 255, 256, 300, 513, 599]) {
      const c = await store.consistencyProof('population', from, 600);
      expect(c.toRoot).toBe(head.root);
      expect(verifyConsistency('sm3', from, 600, c.fromRoot, head.root!, c.proof)).toBe(true);
    }
    await store.close();
  });

  it('marks intents left without outcome as OUTCOME_UNKNOWN and counts them', async () => {
    const store = await ctx.open();
    const open1 = await store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.a' });
    const done = await store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.b' });
    await store.appendOutcome(done, { outcome: 'SUCCESS' });
    await store.appendIntent({ department: 'parking', actor: { role: 'app' }, field: 'Mutation.c' });
    await store.close();
    const restarted = await ctx.open();
    expect(await restarted.recoverUnfinished({ olderThanMs: 60_000 })).toBe(0);
    expect(await restarted.recoverUnfinished()).toBe(2);
    expect(await restarted.recoverUnfinished()).toBe(0);
    const marked = await restarted.query({ outcome: 'OUTCOME_UNKNOWN' }, { first: 10 });
    expect(marked.records.map((r) => r.intentSeq)).toEqual([open1.seq, 4]);
    expect((await restarted.integrity()).ok).toBe(true);
    await restarted.close();
  });

  it('signs checkpoints automatically every N records and reports integrity per department', async () => {
    const store = await ctx.open({ checkpointEvery: 5 });
    await seed(store, 5);
    for (let i = 0; i < 50 && (await store.checkpoints()).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const cps = await store.checkpoints();
    expect(cps.length).toBe(2);
    expect(cps[0]).toMatchObject({ id: 1, hashAlgorithm: 'sm3', signatureAlgorithm: 'sm2' });
    const summary = await store.integrity();
    expect(summary).toMatchObject({ ok: true, records: 10, problems: [] });
    expect(summary.departments.map((d) => [d.department, d.length])).toEqual([['medicalInsurance', 2], ['population', 8]]);
    expect(summary.lastCheckpoint?.id).toBe(2);
    // Asked twice at once, one verification answers both; asked again later, a new one runs and sees a change.
    const [x, y] = await Promise.all([store.integrity(), store.integrity()]);
    expect(x).toBe(y);
    await ctx.sql("UPDATE supervision_records SET field = 'Mutation.tampered' WHERE seq = 3");
    const later = await store.integrity();
    expect(later).not.toBe(x);
    expect(later.ok).toBe(false);
    expect(later.problems[0]).toMatch(/^modified: Record seq 3/);
    await store.close();
  });

  it('signs a checkpoint on a timer when records were added', async () => {
    const store = await ctx.open({ checkpointIntervalMs: 50 });
    await seed(store, 1);
    // Under load the timer may fire between the intent and its outcome; a later tick then covers both.
    for (let i = 0; i < 100 && (await store.checkpoints()).at(-1)?.totalSeq !== 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await store.checkpoints()).at(-1)?.totalSeq).toBe(2);
    await store.close();
  });

  it('refuses a too-large record with BAD_USER_INPUT and writes nothing', async () => {
    const store = await ctx.open();
    await seed(store, 1);
    const big = { note: 'x'.repeat(17_000) };
    const refused = store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.x', args: big });
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT, details: { rule: 'supervision.recordSize', limit: 16384 } });
    expect((await store.query({}, { first: 10 })).totalCount).toBe(2);
    await store.close();
  });

  it('keeps records durable across a reopen, with SHA-256 and Ed25519 by option, and refuses another hash algorithm later', async () => {
    const store = await ctx.open({ hash: 'sha256', signing: { algorithm: 'ed25519' } });
    await seed(store, 2);
    await store.close();
    await expect(ctx.open({ hash: 'sm3' })).rejects.toThrow(/created with sha256/);
    const again = await ctx.open({ signing: { algorithm: 'ed25519' } });
    expect((await again.query({}, { first: 10 })).totalCount).toBe(4);
    expect(await again.checkpoint()).toMatchObject({ hashAlgorithm: 'sha256', signatureAlgorithm: 'ed25519' });
    await again.close();
    expect((await verifyStore({ db: ctx.db })).ok).toBe(true);
  });

  it('fails closed with SUPERVISION_UNAVAILABLE once closed', async () => {
    const store = await ctx.open();
    await seed(store, 1);
    await store.close();
    await store.close();
    const attempt = store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.x' });
    await expect(attempt).rejects.toMatchObject({ code: ErrorCode.SUPERVISION_UNAVAILABLE, message: expect.stringMatching(/^The supervision store cannot/) });
    await expect(store.query({}, { first: 1 })).rejects.toMatchObject({ code: ErrorCode.SUPERVISION_UNAVAILABLE });
  });

  it('fails closed on a read-only store and writes no partial record', async () => {
    const writer = await ctx.open();
    await seed(writer, 1);
    await writer.close();
    const readOnly =
      ctx.name === 'sqlite'
        ? await ctx.open({ sqlitePragmas: ['query_only = ON'] })
        : await ctx.open({ url: `${ctx.db}&options=${encodeURIComponent('-c default_transaction_read_only=on')}` });
    const attempt = readOnly.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.x' });
    await expect(attempt).rejects.toMatchObject({ code: ErrorCode.SUPERVISION_UNAVAILABLE });
    await expect(readOnly.checkpoint()).rejects.toMatchObject({ code: ErrorCode.SUPERVISION_UNAVAILABLE });
    expect((await readOnly.query({}, { first: 10 })).totalCount).toBe(2);
    await readOnly.close();
    expect((await verifyStore({ db: ctx.db })).ok).toBe(true);
  });

  it('fails closed when another writer holds the lock past the timeout, and appends again after', async () => {
    const store = await ctx.open({ busyTimeoutMs: 100, lockTimeoutMs: 200 });
    await seed(store, 1);
    if (ctx.name === 'sqlite') {
      const { DatabaseSync } = await import('node:sqlite');
      const other = new DatabaseSync(ctx.db);
      other.exec('BEGIN EXCLUSIVE');
      await expect(store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.x' })).rejects.toMatchObject({ code: ErrorCode.SUPERVISION_UNAVAILABLE });
      other.exec('ROLLBACK');
      other.close();
    } else {
      await ctx.sql('BEGIN');
      await ctx.sql('LOCK TABLE supervision_records IN ACCESS EXCLUSIVE MODE');
      await expect(store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.x' })).rejects.toMatchObject({ code: ErrorCode.SUPERVISION_UNAVAILABLE });
      await ctx.sql('ROLLBACK');
    }
    const next = await store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.y' });
    expect(next.seq).toBe(3);
    expect((await store.integrity()).ok).toBe(true);
    await store.close();
  });

  it('group-commits concurrent access records: all durable, one chain, gap-free, each resolved after its commit', async () => {
    const store = await ctx.open();
    const refs = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.appendAccess({ department: i % 2 ? 'population' : 'medicalInsurance', actor: { role: 'staff', department: 'population' }, field: 'Citizen.name', subject: { kind: 'citizen', id: CITIZEN_ID }, args: { fields: ['Citizen.name'], purpose: `p${i}` } }),
      ),
    );
    expect(refs.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    for (const r of refs) expect((await store.get(r.seq))?.hash).toBe(r.hash);
    expect((await store.query({ kind: 'access', subjectId: CITIZEN_ID }, { first: 100 })).totalCount).toBe(40);
    expect((await store.integrity()).ok).toBe(true);
    await store.close();
  });

  it('records one request\'s reads in one call: consecutive records of one transaction, refs in order, nothing written when one input is bad', async () => {
    const store = await ctx.open();
    const other = '110101199003077712';
    const read = (id: string, fields: string[]) => ({ department: 'population', actor: { role: 'staff', department: 'population', sub: 'clerk-1' }, field: fields[0]!, subject: { kind: 'citizen' as const, id }, args: { fields, purpose: null }, requestId: 'req-1' });
    // A single read in flight at the same time joins the same group commit without splitting the call.
    const [refs, single] = await Promise.all([store.appendAccesses([read(CITIZEN_ID, ['Citizen.name']), read(other, ['Citizen.gender', 'Citizen.name'])]), store.appendAccess(read(CITIZEN_ID, ['Citizen.phone']))]);
    expect(refs.map((r) => r.seq)).toEqual([refs[0]!.seq, refs[0]!.seq + 1]);
    const [a, b, c] = await Promise.all([store.get(refs[0]!.seq), store.get(refs[1]!.seq), store.get(single.seq)]);
    expect(a).toMatchObject({ kind: 'access', subject: { masked: '2101**********4514' }, args: { fields: ['Citizen.name'] }, hash: refs[0]!.hash });
    expect(b).toMatchObject({ kind: 'access', subject: { masked: '1101**********7712' }, args: { fields: ['Citizen.gender', 'Citizen.name'] }, hash: refs[1]!.hash });
    expect([a?.time, b?.time]).toEqual([c?.time, c?.time]); // one transaction, one time
    await expect(store.appendAccesses([read(CITIZEN_ID, ['Citizen.name']), { ...read(other, ['Citizen.name']), department: 'Not A Department' }])).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    expect(await store.appendAccesses([])).toEqual([]);
    expect((await store.query({ kind: 'access' }, { first: 100 })).totalCount).toBe(3);
    expect((await store.integrity()).ok).toBe(true);
    await store.close();
  });

  it('detects a checkpoint whose Merkle root was not the tree of the chain, and keeps verifying checkpoints without roots', async () => {
    const store = await ctx.open();
    await seed(store, 3);
    const cp = await store.checkpoint();
    expect(cp.heads.every((h) => /^[0-9a-f]{64}$/.test(h.root ?? ''))).toBe(true);
    // An old checkpoint (signed before roots existed) still verifies.
    const old = { ...cp, heads: cp.heads.map(({ root: _r, ...h }) => h) };
    expect((await verifyStore({ db: ctx.db })).ok).toBe(true);
    await store.close();
    const { signCheckpoint } = await import('../checkpoint.ts');
    const { loadOrCreateSigner } = await import('../signing.ts');
    const { defaultKeyPaths } = await import('../config.ts');
    const signer = loadOrCreateSigner({ algorithm: 'sm2', ...defaultKeyPaths(ctx.dataDir, 'sm2') });
    const legacy = signCheckpoint({ id: 2, time: old.time, hashAlgorithm: 'sm3', heads: old.heads, totalSeq: old.totalSeq }, signer);
    await ctx.sql('INSERT INTO supervision_checkpoints (id, body) VALUES (?, ?)', [2, JSON.stringify(legacy)]);
    expect((await verifyStore({ db: ctx.db })).ok).toBe(true);
    const bad = signCheckpoint({ id: 3, time: old.time, hashAlgorithm: 'sm3', heads: cp.heads.map((h) => ({ ...h, root: 'ab'.repeat(32) })), totalSeq: cp.totalSeq }, signer);
    await ctx.sql('INSERT INTO supervision_checkpoints (id, body) VALUES (?, ?)', [3, JSON.stringify(bad)]);
    const result = await verifyStore({ db: ctx.db });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.kind)).toContain('forked');
  });

  it('keeps valid witness cosignatures and refuses one that does not verify', async () => {
    const store = await ctx.open();
    await seed(store, 2);
    const cp = await store.checkpoint();
    const { signerFromPrivateKey } = await import('../signing.ts');
    const { generateSm2KeyPair, sm2PrivatePem } = await import('../sm2-keys.ts');
    const { cosignatureMessage } = await import('../checkpoint.ts');
    const w = signerFromPrivateKey('sm2', sm2PrivatePem(generateSm2KeyPair()));
    const time = new Date().toISOString();
    const c = { checkpointId: cp.id, keyId: w.keyId, algorithm: 'sm2' as const, publicKeyPem: w.publicKeyPem, time, signature: w.sign(cosignatureMessage(cp, time)) };
    await store.addCosignature(c);
    await expect(store.addCosignature({ ...c, time: 'later' })).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    await expect(store.addCosignature({ ...c, checkpointId: 99 })).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    expect(await store.cosignatures(cp.id)).toEqual([c]);
    await store.close();
  });
});
