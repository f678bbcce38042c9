/**
 * The library's bytes, without a server: the envelope read by `readReply`, each fault mapped to its
 * code, the mapper's whitelist, and the seal checks on a certificate sealed here with a fresh SM2 key
 * (valid, expired, not yet valid, revoked, content altered, content altered and re-digested, a
 * signature out of range, an unknown issuer), cross-checked against the stand-in's own sealing.
 */
import { sm2 } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import { readReply } from '../client.ts';
import { libraryUnavailable, licenceLibraryError } from '../faults.ts';
import { mapCertificate, mapIssuerKeys } from '../mapper.ts';
import { canonicalContent, contentHash } from '../standin/sign.ts';
import { sealCertificates } from '../standin/index.ts';
import { sm3Hex, verifyCertificate } from '../verify.ts';
import type { CertificateRecord } from '../types.ts';

const key = sm2.generateKeyPairHex();
const other = sm2.generateKeyPairHex();
const ROW = {
  zzbs: 'DZZZ-SFZ-7001', zzlxdm: '0101', zzlxmc: '居民身份证', zzbh: '210102198503152318', czzt: '王立军', czztdm: '210102198503152318',
  czztdmlx: '111' as const, bzdw: '沈阳市公安局', bzdwdm: 'SYGAJ', yxqqsrq: '2015-05-12', yxqjzrq: '2035-05-12', zzzt: '1' as '1' | '2' | '3',
};
const sealed = (change: Partial<typeof ROW> = {}, tamper?: { kind: 'hash' | 'signature'; change: Record<string, string> }) =>
  sealCertificates([{ row: { ...ROW, ...change }, ...(tamper ? { tamper } : {}) }], new Map([['SYGAJ', key]]))[0]!;
const mapped = (row: unknown) => {
  const c = mapCertificate(row);
  if (c instanceof Error) throw c;
  return c as CertificateRecord;
};

describe('the envelope and its faults', () => {
  it('reads data from a status-0 envelope and maps every other answer to its code', () => {
    expect(readReply(200, '{"head":{"status":"0","message":"成功","rid":"r1"},"data":{"list":[]}}')).toEqual({ list: [] });
    const code = (status: number, text: string) => {
      try {
        readReply(status, text);
        return 'read';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(code(200, '{"head":{"status":"2001","message":"证照不存在"},"data":null}')).toBe('NOT_FOUND');
    expect(code(200, '{"head":{"status":"5000","message":"系统繁忙"},"data":null}')).toBe('ADAPTER_UNAVAILABLE');
    expect(code(200, '{"head":{"status":"1001","message":"签名验证失败"},"data":null}')).toBe('LEGACY_ERROR');
    expect(code(503, '<html>维护中</html>')).toBe('ADAPTER_UNAVAILABLE');
    expect(code(404, '{}')).toBe('ADAPTER_BAD_REPLY');
    expect(code(200, '{"head":{"status":"0","message":"成功"},"data":{"list":[{"zzbs":"DZZ')).toBe('ADAPTER_BAD_REPLY');
    expect(code(200, '{"status":0,"data":[]}')).toBe('ADAPTER_BAD_REPLY');
  });

  it('never passes the library\'s text on, and turns every failure into LICENCE_LIBRARY_UNAVAILABLE at the edge', () => {
    const e = licenceLibraryError({ kind: 'status', status: '1001' });
    expect(e.message).not.toContain('签名');
    expect(licenceLibraryError({ kind: 'status', status: '<script>' }).details).toEqual({ status: 'other' });
    expect(libraryUnavailable(e)).toMatchObject({ code: 'LICENCE_LIBRARY_UNAVAILABLE', department: 'licenceLibrary', details: { reason: 'LEGACY_ERROR' } });
    expect(libraryUnavailable(new Error('socket hang up'))).toMatchObject({ code: 'LICENCE_LIBRARY_UNAVAILABLE', details: { reason: 'UNEXPECTED' } });
  });
});

describe('the mapper', () => {
  it('maps by whitelist: the graph\'s words, the holder kind from the code type, 长期 as no end, no name', () => {
    const c = mapped({ ...sealed({ yxqjzrq: '长期' }), extra: 'never passed on' });
    expect(c).toMatchObject({ id: 'DZZZ-SFZ-7001', type: 'ID_CARD', holder: { kind: 'citizen', id: ROW.czztdm }, issuer: { code: 'SYGAJ', department: 'population' }, validUntil: null, status: 'ISSUED' });
    expect(Object.keys(c).sort()).toEqual(['canonicalContent', 'contentHash', 'holder', 'id', 'issuer', 'number', 'signature', 'status', 'type', 'typeName', 'validFrom', 'validUntil']);
    expect(mapped({ ...sealed(), zzzt: '3' }).status).toBe('REVOKED');
  });

  it('refuses a malformed certificate naming the graph\'s field, never the wire\'s', () => {
    for (const [change, field] of [[{ zzlxdm: '9999' }, 'type'], [{ yxqqsrq: '2015-02-30' }, 'validFrom'], [{ czztdm: '123' }, 'holder'], [{ czztdmlx: '001' }, 'holder'], [{ zzsm3: 'xyz' }, 'contentHash']] as const) {
      expect(mapCertificate({ ...sealed(), ...change }), JSON.stringify(change)).toMatchObject({ code: 'ADAPTER_BAD_REPLY', details: { field } });
    }
    expect(mapIssuerKeys({ list: [{ bzdwdm: 'SYGAJ', sm2gy: 'not a key' }] })).toMatchObject({ code: 'ADAPTER_BAD_REPLY' });
    expect(mapIssuerKeys({ list: [{ bzdwdm: 'SYGAJ', sm2gy: key.publicKey }] })).toEqual(new Map([['SYGAJ', key.publicKey]]));
  });
});

describe('the seal checks', () => {
  const verdict = (row: unknown, today = '2026-10-09', publicKey: string | undefined = key.publicKey) => verifyCertificate(mapped(row), publicKey, today);

  it('computes the digest the stand-in stores: SM3 of the canonical content', () => {
    const row = sealed();
    expect(canonicalContent(row)).toBe('zzbs=DZZZ-SFZ-7001&zzlxdm=0101&zzbh=210102198503152318&czzt=王立军&czztdm=210102198503152318&bzdwdm=SYGAJ&yxqqsrq=2015-05-12&yxqjzrq=2035-05-12');
    expect(row.zzsm3).toBe(sm3Hex(canonicalContent(row)));
    expect(contentHash(row)).toBe(row.zzsm3);
    expect(mapped(row).canonicalContent).toBe(canonicalContent(row));
  });

  it('passes a valid certificate, and names the failure of each bad one', () => {
    expect(verdict(sealed())).toEqual({ ok: true });
    expect(verdict(sealed({ yxqjzrq: '长期' }))).toEqual({ ok: true });
    expect(verdict(sealed(), '2035-05-13')).toEqual({ ok: false, code: 'DOCUMENT_EXPIRED', reason: 'expired' });
    expect(verdict(sealed(), '2035-05-12')).toEqual({ ok: true });
    expect(verdict(sealed(), '2015-05-11')).toEqual({ ok: false, code: 'DOCUMENT_EXPIRED', reason: 'not yet valid' });
    expect(verdict(sealed({ zzzt: '2' }))).toEqual({ ok: false, code: 'DOCUMENT_REVOKED', reason: 'revoked' });
    // Altered after sealing: the digest no longer matches the content.
    expect(verdict(sealed({}, { kind: 'hash', change: { yxqjzrq: '2099-12-31' } }))).toEqual({ ok: false, code: 'DOCUMENT_TAMPERED', reason: 'content hash' });
    // Altered and re-digested by someone without the issuer's key: the signature no longer matches.
    expect(verdict(sealed({}, { kind: 'signature', change: { czztdm: '210102198708201523', zzbh: '210102198708201523' } }))).toEqual({ ok: false, code: 'DOCUMENT_TAMPERED', reason: 'signature' });
    // Signed by someone else, or an issuer nobody vouches for.
    expect(verdict(sealed(), '2026-10-09', other.publicKey)).toEqual({ ok: false, code: 'DOCUMENT_TAMPERED', reason: 'signature' });
    expect(verifyCertificate(mapped(sealed()), undefined, '2026-10-09')).toEqual({ ok: false, code: 'DOCUMENT_TAMPERED', reason: 'unknown issuer' });
    // A forgery outranks a revocation, which outranks an expiry.
    expect(verdict(sealed({ zzzt: '2' }, { kind: 'hash', change: { zzbh: 'x' } }), '2040-01-01')).toMatchObject({ code: 'DOCUMENT_TAMPERED' });
    expect(verdict(sealed({ zzzt: '2' }), '2040-01-01')).toMatchObject({ code: 'DOCUMENT_REVOKED' });
  });

  it('refuses a signature whose r or s lies outside [1, n−1] without asking the curve', () => {
    const row = sealed();
    expect(verdict({ ...row, zzqm: '0'.repeat(128) })).toMatchObject({ code: 'DOCUMENT_TAMPERED', reason: 'signature' });
    expect(verdict({ ...row, zzqm: 'f'.repeat(128) })).toMatchObject({ code: 'DOCUMENT_TAMPERED', reason: 'signature' });
    expect(verdict({ ...row, zzqm: row.zzqm.slice(0, 126) })).toMatchObject({ code: 'DOCUMENT_TAMPERED', reason: 'signature' });
  });
});
