/**
 * Households (户) at the population registry: who lives in one household with whom, and how each is
 * related to its head (与户主关系, GB/T 4761-2008 家庭关系代码), over the registry's `householdQuery`
 * SOAP operation (invented in the shape of `query`, see standin/registry.ts). The registry is the
 * issuing department of the household register (居民户口簿): each member row names the 电子证照标识 of
 * that member's page as the registry registered it with the electronic licence library.
 *
 * `householdsOf` follows DataLoader's contract: one slot per key, in order; `null` for a person the
 * registry does not know; an Error in the slot of a key that failed.
 */
import { z } from 'zod';
import { isCityGraphError, type CityGraphError } from '../../core/errors.ts';
import { validateResidentId } from '../../core/resident-id.ts';
import { LegacyCaller } from '../kit/resilience.ts';
import { callRegistry, escapeXml, type RegistryEndpoint, type RegistryReply } from './client.ts';
import { DEPARTMENT, populationError } from './faults.ts';

/** GB/T 4761-2008 家庭关系代码 → name, the codes the registry prints as YHZGX. */
export const RELATIONSHIP_NAMES: Readonly<Record<string, string>> = {
  '01': '本人', '02': '户主', '10': '配偶', '11': '夫', '12': '妻', '20': '子', '21': '独生子', '22': '长子', '23': '次子',
  '27': '养子或继子', '28': '女婿', '29': '其他儿子', '30': '女', '31': '独生女', '32': '长女', '33': '次女', '37': '养女或继女',
  '38': '儿媳', '39': '其他女儿', '40': '孙子、孙女或外孙子、外孙女', '50': '父母', '51': '父亲', '52': '母亲', '60': '祖父母或外祖父母',
  '70': '兄弟姐妹', '80': '其他', '99': '其他',
};

/** One member of a household, in the graph's words. */
export interface HouseholdMember {
  /** Resident ID. */
  id: string;
  /** Name as registered. */
  name: string;
  /** 与户主关系: GB/T 4761 code and name, e.g. `{ code: '12', name: '妻' }`; the head is `02 户主`. */
  relationship: { code: string; name: string };
  /** 电子证照标识 of this member's page of the household register in the licence library, or null when none is registered. */
  householdRegisterId: string | null;
}

/** A household: its number (户号) and members, the head first. */
export interface HouseholdRecord {
  /** 户号. */
  householdNumber: string;
  /** Resident ID of the head (户主), or null when the registry names none. */
  headId: string | null;
  /** Every member, the person asked about included. */
  members: HouseholdMember[];
}

/** The batch function of households, shared by the population adapter and the services subgraph. */
export type HouseholdsOf = (ids: readonly string[], ctx: { requestId: string }) => Promise<Array<HouseholdRecord | null | Error>>;

const ID = z.string().trim().toUpperCase().regex(/^\d{17}[\dX]$/);
const RawMemberRow = z.object({
  CXGMSFHM: ID,
  HH: z.string().trim().regex(/^[0-9A-Za-z]{1,20}$/),
  GMSFHM: ID,
  XM: z.string().trim().min(1).max(64),
  YHZGX: z.string().trim().regex(/^\d{2}$/),
  DZZZBS: z.string().trim().max(64).regex(/^[A-Za-z0-9_.:-]*$/).optional(),
});

/**
 * Groups the registry's flat member rows by the ID asked about; a row that fails its check makes that
 * asked ID's slot an ADAPTER_BAD_REPLY (a household with a member missing would be a wrong answer).
 */
export function mapHouseholds(rows: readonly unknown[]): Map<string, HouseholdRecord | CityGraphError> {
  const out = new Map<string, HouseholdRecord | CityGraphError>();
  for (const raw of rows) {
    const parsed = RawMemberRow.safeParse(raw);
    if (!parsed.success) {
      const asked = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).CXGMSFHM : undefined;
      if (typeof asked === 'string') out.set(asked.trim().toUpperCase(), populationError({ kind: 'badRecord', field: 'household' }));
      continue;
    }
    const r = parsed.data;
    const current = out.get(r.CXGMSFHM);
    if (current instanceof Error) continue;
    if (current && current.householdNumber !== r.HH) {
      out.set(r.CXGMSFHM, populationError({ kind: 'badRecord', field: 'household' }));
      continue;
    }
    const household = current ?? { householdNumber: r.HH, headId: null, members: [] };
    const member: HouseholdMember = {
      id: r.GMSFHM,
      name: r.XM,
      relationship: { code: r.YHZGX, name: RELATIONSHIP_NAMES[r.YHZGX] ?? '其他' },
      householdRegisterId: r.DZZZBS ? r.DZZZBS : null,
    };
    household.members.push(member);
    if (r.YHZGX === '02') household.headId = r.GMSFHM;
    out.set(r.CXGMSFHM, household);
  }
  return out;
}

/** Builds `householdsOf` over one registry endpoint and caller (the adapter's own, or a standalone one). */
export function householdBatch(endpoint: RegistryEndpoint, caller: LegacyCaller, maxPerCall: number): HouseholdsOf {
  async function chunk(ids: readonly string[], requestId: string): Promise<Map<string, HouseholdRecord | null | Error>> {
    const condition = ids.map((id) => `<item><GMSFHM>${id}</GMSFHM></item>`).join('');
    const clientInfo = `<clientInfo><loginName>${escapeXml(endpoint.senderId)}</loginName><requestId>${escapeXml(requestId)}</requestId></clientInfo>`;
    const xmlPara = `<?xml version="1.0" encoding="GBK"?><request><condition>${condition}</condition>${clientInfo}</request>`;
    const out = new Map<string, HouseholdRecord | null | Error>();
    let reply: RegistryReply;
    try {
      reply = await caller.call(({ signal }) => callRegistry(endpoint, 'householdQuery', xmlPara, { signal, requestId }), { idempotent: true });
    } catch (e) {
      const error = isCityGraphError(e) ? e : populationError({ kind: 'notSoap' }, e);
      for (const id of ids) out.set(id, error);
      return out;
    }
    if (reply.errflag) {
      const error = populationError({ kind: 'errflag', resultCode: reply.resultCode });
      for (const id of ids) out.set(id, error);
      return out;
    }
    const mapped = mapHouseholds(reply.results);
    for (const id of ids) {
      const value = mapped.get(id);
      // A household must contain the person asked about; one that does not is not their household.
      if (value && !(value instanceof Error) && !value.members.some((m) => m.id === id)) out.set(id, populationError({ kind: 'badRecord', field: 'household' }));
      else out.set(id, value ?? null);
    }
    return out;
  }

  return async (ids, ctx) => {
    if (!ctx || typeof ctx.requestId !== 'string' || ctx.requestId === '') throw new TypeError('householdsOf needs ctx.requestId, the id of the GraphQL request.');
    const slots: Array<HouseholdRecord | null | Error> = new Array(ids.length).fill(null);
    const positions = new Map<string, number[]>();
    ids.forEach((raw, i) => {
      try {
        const id = validateResidentId(raw);
        positions.set(id, [...(positions.get(id) ?? []), i]);
      } catch (e) {
        slots[i] = e as Error;
      }
    });
    const unique = [...positions.keys()];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += maxPerCall) chunks.push(unique.slice(i, i + maxPerCall));
    for (const answer of await Promise.all(chunks.map((c) => chunk(c, ctx.requestId)))) {
      for (const [id, value] of answer) for (const i of positions.get(id) ?? []) slots[i] = value;
    }
    return slots;
  };
}

/** Options of createHouseholdRegister. */
export interface HouseholdRegisterOptions {
  /** SOAP endpoint of the registry. Required. */
  url: string;
  /** Shared secret; default the stand-in's development secret. */
  secret?: string;
  /** Milliseconds before a call is abandoned. Default 2000. */
  timeoutMs?: number;
}

// Must equal the stand-in's DEV_SECRET, like index.ts.
const DEV_SECRET = 'DEV-ONLY-not-a-secret-population';

/**
 * `householdsOf` on its own, for a subgraph that needs the registry only as the household register's
 * issuer (the services subgraph's zero-material filing), as births.ts serves the newborn bundle.
 */
export function createHouseholdRegister(options: HouseholdRegisterOptions): { householdsOf: HouseholdsOf } {
  if (!options || typeof options.url !== 'string' || !URL.canParse(options.url)) throw new TypeError('createHouseholdRegister needs options.url, the registry\'s SOAP endpoint.');
  const endpoint: RegistryEndpoint = { url: options.url, senderId: 'citygraph', secret: options.secret ?? DEV_SECRET };
  const caller = new LegacyCaller({ department: DEPARTMENT, timeoutMs: options.timeoutMs ?? 2000 });
  return { householdsOf: householdBatch(endpoint, caller, 50) };
}
