/**
 * The enterprise registry as the issuer of business licences (营业执照): for each enterprise, the
 * 电子证照标识 under which it issued the electronic licence into the licence library, over SAMR's
 * `/samr/api/v1/ent/dzyyzz` (invented in the shape of its other interfaces, the same `{code, message,
 * data}` envelope). For the services subgraph's zero-material filing, as births.ts serves the newborn
 * bundle for the population registry. `businessLicencesOf` keeps DataLoader's contract: one slot per
 * code, `null` for an enterprise the registry does not know, an Error for a failed key.
 */
import { z } from 'zod';
import { isCityGraphError } from '../../core/errors.ts';
import { LegacyCaller } from '../kit/resilience.ts';
import { getRecords } from './client.ts';
import { DEPARTMENT, marketRegulationFault } from './faults.ts';

/** An enterprise's electronic business licence as the registry names it. */
export interface BusinessLicenceRecord {
  uscc: string;
  /** 电子证照标识 in the licence library. */
  licenceId: string;
  /** False when the licence was cancelled (the enterprise revoked or deregistered). */
  valid: boolean;
}

const RawLicence = z.object({
  UNISCID: z.string().regex(/^[0-9A-HJ-NPQRTUWXY]{18}$/),
  DZYYZZBS: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
  ZZZT: z.enum(['1', '2']),
});

const PATH = '/samr/api/v1/ent/dzyyzz';
const MAX_PER_CALL = 20;

/** Creates `businessLicencesOf` over the registry at `url`. */
export function createBusinessLicences(options: { url: string; timeoutMs?: number }): {
  businessLicencesOf(usccs: readonly string[], ctx: { requestId: string }): Promise<Array<BusinessLicenceRecord | null | Error>>;
} {
  if (!options || typeof options.url !== 'string' || !URL.canParse(options.url)) throw new TypeError('createBusinessLicences needs options.url, the registry\'s base URL.');
  const caller = new LegacyCaller({ department: DEPARTMENT, timeoutMs: options.timeoutMs ?? 2000 });

  async function call(codes: readonly string[], requestId: string, signal: AbortSignal): Promise<unknown[]> {
    const url = new URL(PATH, options.url);
    url.searchParams.set('uniscids', codes.join(','));
    return getRecords(url, { requestId, signal });
  }

  return {
    async businessLicencesOf(usccs, ctx) {
      const distinct = [...new Set(usccs)];
      const found = new Map<string, BusinessLicenceRecord | null | Error>();
      for (let i = 0; i < distinct.length; i += MAX_PER_CALL) {
        const chunk = distinct.slice(i, i + MAX_PER_CALL);
        try {
          const raw = await caller.call(({ signal }) => call(chunk, ctx.requestId, signal), { idempotent: true });
          for (const k of chunk) found.set(k, null);
          for (const r of raw) {
            const parsed = RawLicence.safeParse(r);
            if (!parsed.success) throw marketRegulationFault({ kind: 'badShape', reason: 'licence record' });
            if (found.has(parsed.data.UNISCID)) found.set(parsed.data.UNISCID, { uscc: parsed.data.UNISCID, licenceId: parsed.data.DZYYZZBS, valid: parsed.data.ZZZT === '1' });
          }
        } catch (e) {
          const error = isCityGraphError(e) ? e : marketRegulationFault({ kind: 'badShape', reason: 'unexpected' });
          for (const k of chunk) found.set(k, error);
        }
      }
      return usccs.map((k) => found.get(k) ?? null);
    },
  };
}
