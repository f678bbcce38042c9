import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RECORD_COLUMNS, recordFromArray, recordValues } from '../columns.ts';
import { digestHex, GENESIS_HASH } from '../hashing.ts';
import { MerkleFrontier } from '../merkle.ts';
import { joinPoint, RangeCheck } from '../range-check.ts';
import { sealRecord, storedRecordHash, type RecordDraft } from '../record.ts';
import { COL, rowHashInput, rowHashInputByParts } from '../row-hash.ts';
import { joinRanges, rangePlan } from '../verify-store.ts';

const draft: RecordDraft = {
  department: 'population', kind: 'intent', intentSeq: null,
  actor: { role: 'citizen', department: null, client: 'app', sub: { hmac: 'h'.repeat(64), masked: '2101**' }, onBehalfOf: null },
  operation: 'Op', field: 'Mutation.updateContactPhone', powerItem: 'P-1', subject: { kind: 'citizen', hmac: 's'.repeat(64), masked: '2101**' },
  caseNumber: null, argsDigest: 'd'.repeat(64), args: { id: '2101**', phone: '138****0000' }, outcome: 'PENDING', errorCode: null, requestId: 'r1',
};
const row = (): unknown[] => recordValues(sealRecord(draft, { seq: 7, deptSeq: 3, time: '2024-01-01T00:00:00.000Z', prevHash: 'a'.repeat(64) }, 'sm3'));
const withColumn = (column: (typeof RECORD_COLUMNS)[number], value: unknown) => {
  const r = row();
  r[RECORD_COLUMNS.indexOf(column)] = value;
  return r;
};

/** The plain verifier's hash of a row, or the error it throws. */
const plain = (r: unknown[]) => {
  try {
    return storedRecordHash(recordFromArray(r), 'sm3');
  } catch (e) {
    return (e as Error).constructor;
  }
};
const fast = (write: (r: unknown[]) => string, r: unknown[]) => {
  try {
    return digestHex('sm3', write(r));
  } catch (e) {
    return (e as Error).constructor;
  }
};

describe("the parallel verifier's hash input straight from a row", () => {
  const rows: [string, unknown[]][] = [
    ['a sealed record', row()],
    ['args whose keys are out of order', withColumn('args', '{"phone":"1","id":"2"}')],
    ['args with integer-like keys', withColumn('args', '{"10":1,"9":2,"a":[{"z":1,"y":2}]}')],
    ['args with escapes, unicode and a lone surrogate', withColumn('args', '{"a":"\\u0041\\n\\"é\\ud800","b":"中"}')],
    ['args with numbers in other spellings', withColumn('args', '{"a":1.0,"b":-0,"c":1e2}')],
    ['args with a number too large for a double', withColumn('args', '{"a":1e400}')],
    ['args that are not JSON', withColumn('args', '{"a":')],
    ['args nested very deep', withColumn('args', `${'['.repeat(70)}${']'.repeat(70)}`)],
    ['args null as text', withColumn('args', 'null')],
    ['no args', withColumn('args', null)],
    ['a deptSeq stored as text (PostgreSQL BIGINT)', withColumn('dept_seq', '3')],
    ['a deptSeq that is not a number', withColumn('dept_seq', 'x')],
    ['a time stored as a number', withColumn('time', 17)],
    ['no subject kind but a subject hmac', withColumn('subject_kind', null)],
    ['an actor role missing', withColumn('actor_role', null)],
    ['an onBehalfOf with only a masked form', withColumn('actor_obo_masked', '2101**')],
    ['a field with a quote', withColumn('field', 'Mutation."x"')],
    ['a masked name with a newline and a tab', withColumn('subject_masked', '王*\n\t')],
    ['an operation with an emoji (a surrogate pair)', withColumn('operation', 'Op😀')],
    ['a request id with a backslash', withColumn('request_id', 'r\\1')],
    ['a time with a lone surrogate', withColumn('time', '2024\ud800')],
    ['a client with DEL and U+2028, which need no escaping', withColumn('actor_client', 'a\u007f\u2028b')],
    ['a power item with a control character', withColumn('power_item', 'P\u0001')],
    ['a seq stored as a float', withColumn('seq', 7.5)],
    ['an intent seq of minus zero', withColumn('intent_seq', -0)],
  ];
  it.each(rows)('hashes %s exactly as storedRecordHash(recordFromArray(row)) does, or throws where it throws', (_, r) => {
    expect(fast(rowHashInput, r)).toEqual(plain(r));
    expect(fast(rowHashInputByParts, r)).toEqual(plain(r));
  });

  it('has a different input for every column changed', () => {
    const base = rowHashInput(row());
    for (const [i, column] of RECORD_COLUMNS.entries()) {
      if (column === 'hash') continue;
      const r = row();
      r[i] = typeof r[i] === 'number' ? (r[i] as number) + 1 : column === 'intent_seq' ? 5 : `${String(r[i])}x`;
      expect(rowHashInput(r), column).not.toBe(base);
    }
  });
});

describe('a range check', () => {
  // One department's chain of 40 records, seq = deptSeq, each an access record.
  const chain = (n: number) => {
    const rows: unknown[][] = [];
    let prev = GENESIS_HASH;
    for (let i = 1; i <= n; i++) {
      const r = sealRecord({ ...draft, kind: 'access', outcome: 'SUCCESS' }, { seq: i, deptSeq: i, time: '2024-01-01T00:00:00.000Z', prevHash: prev }, 'sm3');
      rows.push(recordValues(r));
      prev = r.hash;
    }
    return rows;
  };
  const rows = chain(40);

  it('gives every signed root from the ranges\' parts, wherever the ranges start and end', async () => {
    const long = chain(300);
    // Each tree size's root, leaf by leaf: what the joined ranges must give.
    const expected: string[] = [];
    const byLeaf = new MerkleFrontier('sm3');
    for (const r of long) {
      byLeaf.pushRecord(r[COL.hash] as string);
      expected[byLeaf.size] = byLeaf.root();
    }
    const every = Array.from({ length: 300 }, (_, i) => i + 1);
    const signedSets = [every, every.filter((n) => (n * 7919) % 5 === 0), [1, 2, 3, 4, 63, 64, 65, 127, 128, 129, 255, 256, 257, 300], [300]];
    // Where each range starts (its afterSeq); the last runs to the end.
    const splits = [[0], [0, 1], [0, 150], [0, 3, 64, 65, 127, 200, 299], [0, 37, 128, 129, 255, 256, 257], [0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]];
    for (const signed of signedSets) {
      for (const starts of splits) {
        const plan = { ...rangePlan('sm3', ['population'], [], 300), roots: [signed] };
        const summaries = starts.map((afterSeq, k) => {
          const check = new RangeCheck({ ...plan, afterSeq, upToSeq: starts[k + 1] ?? null });
          for (const r of long.slice(afterSeq)) {
            if (check.past(r)) break;
            expect(check.add(r)).toBe(true);
          }
          return check.finish();
        });
        const facts = await joinRanges(plan, summaries, 'sm3');
        expect(facts, `ranges from ${starts.join(', ')}`).not.toBeNull();
        expect([...facts!.rootAt.of('population')!.keys()].sort((a, b) => a - b)).toEqual(signed);
        for (const n of signed) expect(facts!.rootAt.get('population', n), `root at ${n}, ranges from ${starts.join(', ')}`).toBe(expected[n]);
      }
    }
  });

  it('finds where a root splits between the leaves before a range and those in it', () => {
    // 13 = 8 + 4 + 1: its subtrees' edges are 0, 8, 12 and 13.
    expect([0, 1, 8, 9, 12, 13].map((before) => joinPoint(13, before))).toEqual([0, 8, 8, 12, 12, 13]);
    expect(joinPoint(100_000, 83_333)).toBe(98_304);
    expect(joinPoint(1 << 20, 5)).toBe(1 << 20);
  });

  it('gives up at a broken link, a changed hash, a gap in seq and an unknown department', () => {
    const plan = () => ({ ...rangePlan('sm3', ['population'], [], 40), afterSeq: 0, upToSeq: null });
    const run = (rs: unknown[][]) => {
      const check = new RangeCheck(plan());
      for (const r of rs) if (!check.add(r)) break;
      return check.finish();
    };
    expect(run(rows)).toMatchObject({ perfect: true, count: 40, lastSeq: 40 });
    const relinked = rows.map((r) => [...r]);
    relinked[9]![COL.prevHash] = createHash('sha256').digest('hex');
    expect(run(relinked)).toMatchObject({ perfect: false, reason: 'seq 10: hash' });
    expect(run([...rows.slice(0, 4), ...rows.slice(5)])).toMatchObject({ perfect: false, reason: 'seq 6 where 5 was due' });
    const foreign = rows.map((r) => [...r]);
    foreign[0]![COL.department] = 'tax';
    expect(run(foreign).perfect).toBe(false);
  });
});
