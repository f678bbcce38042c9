/**
 * The only place where the library's field names meet the graph's words. Each raw certificate is
 * checked with zod, then mapped by whitelist; the holder's name is read only into the canonical content
 * the hash check needs, and never handed on.
 */
import { z } from 'zod';
import type { CityGraphError } from '../../core/errors.ts';
import { licenceLibraryError } from './faults.ts';
import { CERTIFICATE_TYPES, type CertificateRecord } from './types.ts';

/** Issuing authorities whose certificates a department of the graph issues, by the library's issuer code. */
const ISSUER_DEPARTMENTS: Readonly<Record<string, string>> = { SYGAJ: 'population', SYYBJ: 'medicalInsurance', SYSCJ: 'marketRegulation' };

/** The fields the content hash covers, in this order (the library's canonical content, LEGACY.md). */
export const SEALED_FIELDS = ['zzbs', 'zzlxdm', 'zzbh', 'czzt', 'czztdm', 'bzdwdm', 'yxqqsrq', 'yxqjzrq'] as const;

const GRAPH_FIELD: Readonly<Record<string, string>> = {
  zzbs: 'id', zzlxdm: 'type', zzbh: 'number', czzt: 'holder', czztdm: 'holder', czztdmlx: 'holder', bzdw: 'issuer', bzdwdm: 'issuer',
  yxqqsrq: 'validFrom', yxqjzrq: 'validUntil', zzzt: 'status', zzsm3: 'contentHash', zzqm: 'signature',
};

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v));
const RawCertificate = z.object({
  zzbs: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
  zzlxdm: z.string().refine((v) => CERTIFICATE_TYPES.some((t) => t.code === v)),
  zzbh: z.string().min(1).max(64),
  czzt: z.string().min(1).max(128),
  czztdm: z.string().regex(/^(\d{17}[\dX]|[0-9A-HJ-NPQRTUWXY]{18})$/),
  czztdmlx: z.enum(['111', '001']),
  bzdw: z.string().min(1).max(64),
  bzdwdm: z.string().regex(/^[A-Z0-9]{2,20}$/),
  yxqqsrq: date,
  yxqjzrq: z.union([date, z.literal('长期')]),
  zzzt: z.enum(['1', '2', '3']),
  zzsm3: z.string().regex(/^[0-9a-fA-F]{64}$/),
  zzqm: z.string().regex(/^[0-9a-fA-F]{1,256}$/),
});

/** The identifier a raw certificate claims, or undefined. */
export function rawCertificateId(raw: unknown): string | undefined {
  const id = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).zzbs : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** The holder a raw certificate claims, or undefined. */
export function rawHolderId(raw: unknown): string | undefined {
  const id = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).czztdm : undefined;
  return typeof id === 'string' ? id.toUpperCase() : undefined;
}

/** Checks and maps one raw certificate; one that fails becomes an ADAPTER_BAD_REPLY error. */
export function mapCertificate(raw: unknown): CertificateRecord | CityGraphError {
  const parsed = RawCertificate.safeParse(raw);
  if (!parsed.success) {
    const wire = String(parsed.error.issues[0]?.path[0] ?? '');
    return licenceLibraryError({ kind: 'badRecord', field: GRAPH_FIELD[wire] ?? 'record' });
  }
  const r = parsed.data;
  const type = CERTIFICATE_TYPES.find((t) => t.code === r.zzlxdm)!;
  const isCitizen = r.czztdmlx === '111';
  if (isCitizen !== /^\d{17}[\dX]$/.test(r.czztdm)) return licenceLibraryError({ kind: 'badRecord', field: 'holder' });
  return {
    id: r.zzbs,
    type: type.type,
    typeName: type.name,
    number: r.zzbh,
    holder: { kind: isCitizen ? 'citizen' : 'enterprise', id: r.czztdm },
    issuer: { code: r.bzdwdm, name: r.bzdw, department: ISSUER_DEPARTMENTS[r.bzdwdm] ?? null },
    validFrom: r.yxqqsrq,
    validUntil: r.yxqjzrq === '长期' ? null : r.yxqjzrq,
    status: r.zzzt === '1' ? 'ISSUED' : 'REVOKED',
    contentHash: r.zzsm3.toLowerCase(),
    signature: r.zzqm.toLowerCase(),
    canonicalContent: SEALED_FIELDS.map((k) => `${k}=${r[k]}`).join('&'),
  };
}

/** Checks and maps the library's published issuer keys: issuer code → uncompressed SM2 public point. */
export function mapIssuerKeys(data: unknown): Map<string, string> | CityGraphError {
  const parsed = z.object({ list: z.array(z.object({ bzdwdm: z.string().regex(/^[A-Z0-9]{2,20}$/), sm2gy: z.string().regex(/^04[0-9a-fA-F]{128}$/) })) }).safeParse(data);
  if (!parsed.success) return licenceLibraryError({ kind: 'badEnvelope' });
  return new Map(parsed.data.list.map((k) => [k.bzdwdm, k.sm2gy.toLowerCase()]));
}
