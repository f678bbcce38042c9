/**
 * Whole-system tests of the proofs an outsider checks: inclusion and consistency proofs from the graph
 * verified offline by `audit verify-proof`, witnesses with their own SM2 keys cosigning checkpoints,
 * refusing a forked history and a corrupted state, and `verify` demanding k cosignatures.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCitizenIds } from '../adapters/population/standin/index.ts';
import { defaultKeyPaths } from '../supervision/config.ts';
import { addSignedCheckpoint } from '../supervision/maintenance.ts';
import { openBackend } from '../supervision/open-backend.ts';
import { loadOrCreateSigner } from '../supervision/signing.ts';
import { startTestCity, type TestCity } from './support/city.ts';

const ROOT = join(import.meta.dirname, '..');
let t: TestCity;
let staff: string;
let auditor: string;
let witnessToken: string;
let db: string;

const PROOF = `query Proof($seq: Int!) { supervisionRecord(seq: $seq) {
  record { seq deptSeq time department kind intentSeq actor { role department client sub { hmac masked } onBehalfOf { hmac masked } }
    operation field powerItem subject { kind hmac masked } caseNumber argsDigest args outcome errorCode requestId prevHash hash }
  inclusion { department leafIndex treeSize leafHash auditPath root checkpointId }
  pending
  checkpoint { id time hashAlgorithm signatureAlgorithm heads { department deptSeq hash root } totalSeq keyId signature } } }`;

function audit(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['scripts/audit.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', CITYGRAPH_DATA_DIR: t.dataDir, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

/** Staff reads `n` citizens: n access records in the population chain. */
async function reads(n: number, from = 0) {
  const ids = listCitizenIds(from + n).slice(from);
  const r = await t.query(`query($ids: [ID!]!) { citizens(ids: $ids) { name } }`, { token: staff, variables: { ids } });
  expect(r.body.errors).toBeUndefined();
}

/** Signs a checkpoint now with the operator's key, as `audit checkpoint` does. */
async function checkpoint() {
  const backend = openBackend(db);
  try {
    const signer = loadOrCreateSigner({ algorithm: 'sm2', ...defaultKeyPaths(t.dataDir, 'sm2') });
    return await addSignedCheckpoint(backend, signer, 'sm3');
  } finally {
    await backend.close();
  }
}

const operatorKey = () => defaultKeyPaths(t.dataDir, 'sm2').publicKeyPath;
const witness = (dir: string, extra: string[] = []) =>
  audit(['witness', '--url', t.city.gatewayUrl, '--state', join(t.dataDir, dir), ...extra], { CITYGRAPH_TOKEN: witnessToken });

beforeAll(async () => {
  t = await startTestCity();
  db = join(t.dataDir, 'supervision.db');
  staff = await t.token({ role: 'staff', sub: 'clerk-1', department: 'population' });
  auditor = await t.token({ role: 'auditor', sub: 'auditor-1' });
  witnessToken = await t.token({ role: 'auditor', sub: 'witness-1', scopes: ['witness:cosign'] });
  await reads(3);
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('proofs and witnesses', () => {
  it('answers a clear "not yet covered" for a record no checkpoint covers, then an inclusion proof that verify-proof checks offline', async () => {
    const before = await t.query(PROOF, { token: auditor, variables: { seq: 1 } });
    expect(before.body.data.supervisionRecord.inclusion).toBeNull();
    expect(before.body.data.supervisionRecord.pending).toMatch(/not yet covered by a checkpoint/);
    await checkpoint();
    const r = await t.query(PROOF, { token: auditor, variables: { seq: 2 } });
    expect(r.body.errors).toBeUndefined();
    const file = join(t.dataDir, 'proof.json');
    writeFileSync(file, JSON.stringify(r.body));
    const keys = join(t.dataDir, 'export.json');
    expect(audit(['export-checkpoints', keys, '--db', db]).code).toBe(0);
    expect(audit(['verify-proof', file, '--keys', keys])).toMatchObject({ code: 0, out: expect.stringMatching(/^OK: Record seq 2 \(population #2\) is in the population tree of 3 records signed by checkpoint 1/) });
    expect(audit(['verify-proof', file, '--public-key', operatorKey()]).code).toBe(0);
    const path = r.body.data.supervisionRecord.inclusion.auditPath as string[];
    const altered = structuredClone(r.body);
    altered.data.supervisionRecord.inclusion.auditPath = [(path[0]![0] === '0' ? '1' : '0') + path[0]!.slice(1), ...path.slice(1)];
    writeFileSync(file, JSON.stringify(altered));
    expect(audit(['verify-proof', file, '--keys', keys])).toMatchObject({ code: 1, out: expect.stringContaining('is not in that tree') });
    const edited = structuredClone(r.body);
    edited.data.supervisionRecord.record.actor.role = 'citizen';
    writeFileSync(file, JSON.stringify(edited));
    expect(audit(['verify-proof', file, '--keys', keys])).toMatchObject({ code: 1, out: expect.stringContaining('was altered') });
  }, 60_000);

  it('gives consistency proofs that verify offline, and refuses one asked backwards or past the chain', async () => {
    await reads(2, 3);
    const q = `query($f: Int!, $t: Int!) { consistencyProof(chain: "population", fromSize: $f, toSize: $t) { department fromSize toSize fromRoot toRoot proof } }`;
    const ok = await t.query(q, { token: auditor, variables: { f: 3, t: 5 } });
    expect(ok.body.errors).toBeUndefined();
    const file = join(t.dataDir, 'consistency.json');
    writeFileSync(file, JSON.stringify(ok.body));
    const keys = join(t.dataDir, 'export.json');
    expect(audit(['verify-proof', file, '--keys', keys])).toMatchObject({ code: 0, out: expect.stringContaining('The root at 3 records is the one checkpoint 1 signed.') });
    for (const [f, to] of [[5, 3], [1, 999]]) {
      const bad = await t.query(q, { token: auditor, variables: { f, t: to } });
      expect(bad.body.data.consistencyProof).toBeNull();
      expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('lets two witnesses cosign with their own keys, and verify demand k cosignatures by trusted witnesses', async () => {
    expect(witness('witness-a', ['--operator-key', operatorKey()])).toMatchObject({ code: 0, out: expect.stringMatching(/^Cosigned checkpoint 1 /) });
    await reads(2, 5);
    const cp2 = await checkpoint();
    expect(witness('witness-a')).toMatchObject({ code: 0, out: expect.stringContaining(`Cosigned checkpoint ${cp2.id}`) });
    expect(witness('witness-a').out).toContain('population: unchanged');
    expect(witness('witness-b', ['--operator-key', operatorKey()])).toMatchObject({ code: 0 });
    const keyA = join(t.dataDir, 'witness-a', 'witness-sm2.pub.pem');
    const keyB = join(t.dataDir, 'witness-b', 'witness-sm2.pub.pem');
    expect(readFileSync(keyA, 'utf8')).not.toBe(readFileSync(keyB, 'utf8'));
    const cps = await t.query(`{ checkpoints { id cosignatures { keyId } } }`, { token: auditor });
    expect(cps.body.data.checkpoints.at(-1).cosignatures).toHaveLength(2);
    expect(audit(['verify', '--db', db, '--witnesses', '2', '--witness-key', keyA, '--witness-key', keyB])).toMatchObject({ code: 0, out: expect.stringMatching(/^OK/) });
    expect(audit(['verify', '--db', db, '--witnesses', '2', '--witness-key', keyA]).code).toBe(2);
    await reads(1, 7);
    await checkpoint();
    expect(audit(['verify', '--db', db, '--witnesses', '1', '--witness-key', keyA])).toMatchObject({ code: 1, out: expect.stringMatching(/^FAILED uncosigned/) });
  }, 120_000);

  it('refuses a forked history and a corrupted state, signing nothing', async () => {
    const stateFile = join(t.dataDir, 'witness-a', 'state.json');
    const held = JSON.parse(readFileSync(stateFile, 'utf8'));
    // The operator rewrites population #2 (a record both witnesses' trees contain), then signs on.
    // Waits its turn: the subgraphs write too (instance lease heartbeats).
    const conn = new DatabaseSync(db, { timeout: 5000 });
    conn.prepare("UPDATE supervision_records SET hash = ? WHERE department = 'population' AND dept_seq = 2").run('ab'.repeat(32));
    conn.close();
    await reads(1, 8);
    const forked = await checkpoint();
    const r = witness('witness-a');
    expect(r).toMatchObject({ code: 1, out: expect.stringMatching(/^REFUSED: Checkpoint \d+ does not extend checkpoint \d+: the population tree/) });
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual(held);
    const cps = await t.query(`{ checkpoints { id cosignatures { keyId } } }`, { token: auditor });
    expect(cps.body.data.checkpoints.find((c: { id: number }) => c.id === forked.id).cosignatures).toEqual([]);

    writeFileSync(join(t.dataDir, 'witness-b', 'state.json'), '{"format":"citygraph-witness/1","last":');
    expect(witness('witness-b')).toMatchObject({ code: 2, err: expect.stringContaining('is corrupted') });
    expect(witness('witness-c')).toMatchObject({ code: 2, err: expect.stringContaining('--operator-key') });
  }, 120_000);
});
