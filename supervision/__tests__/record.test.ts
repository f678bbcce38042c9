import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../canonical.ts';
import { pseudonymOf, maskIdentifier } from '../pseudonym.ts';
import { recordFromRow, recordValues, RECORD_COLUMNS } from '../columns.ts';
import { recordHash, sealRecord, storedRecordHash, type RecordDraft, type SupervisionRecord } from '../record.ts';
import { redactArgs } from '../redact.ts';

const draft: RecordDraft = {
  department: 'population', kind: 'intent', intentSeq: null,
  actor: { role: 'citizen', department: null, client: 'app', sub: null, onBehalfOf: null },
  operation: 'Op', field: 'Mutation.updateContactPhone', powerItem: 'P-1', subject: null, caseNumber: null,
  argsDigest: 'd'.repeat(64), args: { b: 1, a: [1, { z: null, y: 'x' }] }, outcome: 'PENDING', errorCode: null, requestId: 'r1',
};

describe('canonical JSON and record hashes', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"e":2,"f":1}]},"b":1}');
  });

  it('refuses values that JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
  });

  it('hashes a record independently of key order and differently per algorithm', () => {
    const r = sealRecord(draft, { seq: 1, deptSeq: 1, time: '2024-01-01T00:00:00.000Z', prevHash: '0'.repeat(64) }, 'sm3');
    const reordered = JSON.parse(JSON.stringify({ ...r, args: { a: [1, { y: 'x', z: null }], b: 1 } }));
    expect(recordHash(reordered, 'sm3')).toBe(r.hash);
    expect(recordHash(r, 'sha256')).not.toBe(r.hash);
    expect(recordHash({ ...r, seq: 2 }, 'sm3')).not.toBe(r.hash);
  });
});

describe('the verifier\'s hash of a stored record', () => {
  const position = { seq: 7, deptSeq: 3, time: '2024-01-01T00:00:00.000Z', prevHash: 'a'.repeat(64) };
  const variants: RecordDraft[] = [
    draft,
    { ...draft, kind: 'outcome', intentSeq: 5, args: null, outcome: 'ERROR', errorCode: 'LEGACY_ERROR', requestId: null, operation: null, powerItem: null },
    {
      ...draft,
      actor: { role: 'app', department: 'population', client: 'c\u0000"\\', sub: { hmac: 'h', masked: '2101**' }, onBehalfOf: { hmac: 'o', masked: '11**' } },
      subject: { kind: 'enterprise', hmac: 'e'.repeat(64), masked: '9121**********XXXX' },
      caseNumber: '办件-2024-001', args: { 姓名: '张*', list: [3, -0.5, 1e21, { b: null, a: true }], nested: { z: { y: [] } } },
    },
    { ...draft, args: { unparsableArgs: '{"x":' } },
  ];

  it('is the same bytes and hash as the general canonical form, for records read back from rows', () => {
    for (const d of variants) {
      for (const algorithm of ['sm3', 'sha256'] as const) {
        const sealed = sealRecord(d, position, algorithm);
        const row = Object.fromEntries(RECORD_COLUMNS.map((c, i) => [c, recordValues(sealed)[i]]));
        const back = recordFromRow(row);
        expect(storedRecordHash(back, algorithm)).toBe(sealed.hash);
        expect(storedRecordHash(back, algorithm)).toBe(recordHash(back, algorithm));
      }
    }
  });

  it('still tells a modified record, and falls back to the general form for any other shape', () => {
    const sealed = sealRecord(draft, position, 'sm3');
    expect(storedRecordHash({ ...sealed, field: 'Mutation.other' }, 'sm3')).not.toBe(sealed.hash);
    expect(storedRecordHash({ ...sealed, args: { a: [1, { y: 'x', z: null }], b: 1 } }, 'sm3')).toBe(sealed.hash);
    const extra = { ...sealed, extra: 1 } as SupervisionRecord;
    expect(storedRecordHash(extra, 'sm3')).toBe(recordHash(extra, 'sm3'));
    const odd = { ...sealed, seq: '7' } as unknown as SupervisionRecord;
    expect(storedRecordHash(odd, 'sm3')).toBe(recordHash(odd, 'sm3'));
  });
});

describe('redaction and pseudonyms', () => {
  it('masks sensitive keys at any depth and stray IDs and phone numbers in other strings', () => {
    const out = redactArgs({ input: { id: '210102199003074514', phone: '13812345678', note: 'call 13912345678 about 11010519491231002X', count: 2 }, name: 3 }, ['id', 'phone', 'name']);
    expect(out).toEqual({ input: { id: '2101**********4514', phone: '138****5678', note: 'call 139****5678 about 1101**********002X', count: 2 }, name: '[REDACTED]' });
  });

  it('keys the subject HMAC so the same ID matches regardless of case and another key gives another HMAC', () => {
    const a = pseudonymOf('11010519491231002x', 'k'.repeat(32), 'sm3');
    expect(a).toEqual(pseudonymOf(' 11010519491231002X ', 'k'.repeat(32), 'sm3'));
    expect(a.hmac).not.toBe(pseudonymOf('11010519491231002X', 'j'.repeat(32), 'sm3').hmac);
    expect(a.masked).toBe('1101**********002X');
    expect([maskIdentifier('abc'), maskIdentifier('abcd'), maskIdentifier('91210100MA0XXXXXXX')]).toEqual(['***', 'a**d', '9121**********XXXX']);
  });
});
