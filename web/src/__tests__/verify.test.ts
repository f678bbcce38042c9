/**
 * The browser's verifier against the store's own sealing and Merkle code: a true proof verifies (SM3
 * and SHA-256), and a tampered record, leaf, audit path or signed root is shown red naming that hash.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, type HashAlgorithm } from '../../../supervision/hashing.ts';
import { inclusionProof, leafHash, merkleRoot } from '../../../supervision/merkle.ts';
import { sealRecord, type SupervisionRecord } from '../../../supervision/record.ts';
import { ProofResult } from '../pages/audit/Record.tsx';
import { verifyRecordProof } from '../verify.ts';

/** A chain of five records as the store seals them, and the graph's answer for record `n` (1-based). */
function answerFor(algorithm: HashAlgorithm, n: number): any {
  const chain: SupervisionRecord[] = [];
  for (let i = 1; i <= 5; i++) {
    chain.push(
      sealRecord(
        {
          department: 'population', kind: i % 2 ? 'intent' : 'outcome', intentSeq: i % 2 ? null : i - 1,
          actor: { role: 'staff', department: 'population', client: null, sub: { hmac: 'ab'.repeat(32), masked: '2101**********0011' }, onBehalfOf: null },
          operation: 'Change', field: 'Mutation.updateContactPhone', powerItem: 'GA-HJ-0201',
          subject: { kind: 'citizen', hmac: 'cd'.repeat(32), masked: '2101**********2318' }, caseNumber: null,
          argsDigest: 'ef'.repeat(32), args: i % 2 ? { phone: '139****5678', note: '户籍 “窗口”' } : null,
          outcome: i % 2 ? 'PENDING' : 'SUCCESS', errorCode: null, requestId: `req-${i}`,
        },
        { seq: i, deptSeq: i, time: `2026-12-01T08:00:0${i}.000Z`, prevHash: chain[i - 2]?.hash ?? GENESIS_HASH },
        algorithm,
      ),
    );
  }
  const r = chain[n - 1]!;
  const leaves = chain.map((c) => leafHash(algorithm, c.hash));
  return {
    record: { ...r, kind: r.kind.toUpperCase(), args: r.args === null ? null : JSON.stringify(r.args) },
    previousHash: r.prevHash,
    checkpoint: { id: 7, hashAlgorithm: algorithm, heads: [{ department: 'population', deptSeq: 5, hash: chain[4]!.hash, root: merkleRoot(algorithm, leaves) }] },
    inclusion: { department: 'population', leafIndex: n - 1, treeSize: 5, leafHash: leaves[n - 1], auditPath: inclusionProof(algorithm, leaves, n - 1), root: merkleRoot(algorithm, leaves), checkpointId: 7 },
  };
}

const differing = async (answer: any) => (await verifyRecordProof(answer)).steps.filter((s) => !s.ok).map((s) => s.name);

describe('the browser verifier', () => {
  it('verifies a true proof with SM3 and with SHA-256, for every record of the chain', async () => {
    for (const algorithm of ['sm3', 'sha256'] as const) {
      for (let n = 1; n <= 5; n++) expect(await verifyRecordProof(answerFor(algorithm, n))).toMatchObject({ ok: true });
    }
  });

  it('names the record hash when a field of the record was altered', async () => {
    const a = answerFor('sm3', 3);
    a.record.args = JSON.stringify({ phone: '138****0000', note: '户籍 “窗口”' });
    expect(await differing(a)).toEqual(['record hash']);
  });

  it('names the leaf, the audit path and the signed root when each is altered', async () => {
    const leaf = answerFor('sm3', 2);
    leaf.inclusion.leafHash = leaf.inclusion.auditPath[0];
    expect(await differing(leaf)).toEqual(expect.arrayContaining(['leaf hash H(0x00 ‖ record hash)']));
    const path = answerFor('sm3', 2);
    path.inclusion.auditPath[1] = '00'.repeat(32);
    expect(await differing(path)).toEqual(['Merkle root from the 3-hash audit path']);
    const signed = answerFor('sm3', 2);
    signed.checkpoint.heads[0].root = '11'.repeat(32);
    expect(await differing(signed)).toEqual(['root checkpoint 7 signed for population at 5 records']);
  });

  it('says so, and verifies what it can, when no checkpoint covers the record yet', async () => {
    const a = answerFor('sm3', 5);
    const result = await verifyRecordProof({ ...a, inclusion: null, checkpoint: null, pending: 'The next checkpoint covers it.' });
    expect(result).toMatchObject({ ok: true, pending: 'The next checkpoint covers it.' });
    expect(result.steps.map((s) => s.name)).toEqual(['record hash', 'link to the previous record (prevHash)']);
  });

  it('renders a failed proof red, with the differing hash in a marked row', async () => {
    const a = answerFor('sm3', 1);
    a.record.outcome = 'DENIED';
    const html = renderToStaticMarkup(createElement(ProofResult, { result: await verifyRecordProof(a) }));
    expect(html).toContain('class="proof failed"');
    expect(html).toMatch(/Proof FAILED in this browser: record hash differs/);
    expect(html.match(/<tr class="differs">/g)).toHaveLength(1);
    expect(html).toContain(a.record.hash);
    const ok = renderToStaticMarkup(createElement(ProofResult, { result: await verifyRecordProof(answerFor('sm3', 1)) }));
    expect(ok).toContain('class="proof verified"');
  });
});
