/**
 * The population registry adapter: typed batch functions in the graph's words over the registry's
 * GBK SOAP service, following DataLoader's contract (same length and order as the keys, `null` for a
 * person not found, an Error in the slot of a failed key).
 */
import { badInput, isCityGraphError, type CityGraphError } from '../../core/errors.ts';
import { maskResidentId, validateResidentId } from '../../core/resident-id.ts';
import { LegacyCaller } from '../kit/resilience.ts';
import { callRegistry, escapeXml, type RegistryEndpoint, type RegistryReply } from './client.ts';
import { DEPARTMENT, populationError } from './faults.ts';
import { mapCitizen, rawCitizenId, type CitizenRecord } from './mapper.ts';
import { CONTACT_PHONE } from '../../core/phone.ts';
import { householdBatch, type HouseholdRecord } from './households.ts';

export type { CitizenRecord, Gender } from './mapper.ts';
export type { HouseholdMember, HouseholdRecord, HouseholdsOf } from './households.ts';

/** The most IDs the registry accepts in one query; larger batches are split. */
export const MAX_IDS_PER_CALL = 50;

/** A structured logger (pino's shape); only what the adapter uses. */
export interface AdapterLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Options of createPopulationAdapter. */
export interface PopulationAdapterOptions {
  /** SOAP endpoint of the registry, http(s). Required. */
  url: string;
  /** Shared secret sent as `serviceId`. Default: the stand-in's development secret (never use in production). */
  secret?: string;
  /** Our sender code and login name at the registry. Default `citygraph`. */
  senderId?: string;
  /** Milliseconds before one call is abandoned with ADAPTER_TIMEOUT. Default 2000. */
  timeoutMs?: number;
  /** Extra attempts for queries (never for modifications). Default 2. */
  retries?: number;
  /** SOAP calls in flight at once. Default 8. */
  concurrency?: number;
  /** Logger for call summaries and failures (IDs masked). Default: silent. */
  logger?: AdapterLogger;
}

/** Per-request context: the request id travels to the registry for its logs and ours. */
export interface PopulationCallContext {
  /** The GraphQL request id, sent in `clientInfo` and the `x-request-id` header. */
  requestId: string;
}

/** Context of a modification: the registry applies one `requestId` once, so a retry by the client is safe. */
export interface PopulationUpdateContext extends PopulationCallContext {
  /** The client's idempotency key for this mutation; used as the registry's requestId when given. */
  idempotencyKey?: string;
}

/** What the adapter offers the population subgraph. */
export interface PopulationAdapter {
  /** Loads citizens by resident ID: one slot per key, `null` when not found, an Error when that key failed. */
  loadCitizens(ids: readonly string[], ctx: PopulationCallContext): Promise<Array<CitizenRecord | null | Error>>;
  /** Sets a citizen's contact phone; never retried. Throws BAD_USER_INPUT, NOT_FOUND or an adapter error. */
  updateContactPhone(id: string, phone: string, ctx: PopulationUpdateContext): Promise<void>;
  /**
   * The household (户号, members and 与户主关系) of each resident ID: one slot per key, in order, `null`
   * when the registry does not know the person, an Error when that key failed (DataLoader's contract).
   * Two people are of one household when their `householdNumber`s are equal.
   */
  householdsOf(ids: readonly string[], ctx: PopulationCallContext): Promise<Array<HouseholdRecord | null | Error>>;
}

// Must equal the stand-in's DEV_SECRET; a test checks that they agree.
const DEV_SECRET = 'DEV-ONLY-not-a-secret-population';
const SILENT: AdapterLogger = { debug: () => {}, warn: () => {} };
const REQUIRED_ITEMS = '<requiredItems><item><XM>姓名</XM><XB>性别</XB><MZ>民族</MZ><CSRQ>出生日期</CSRQ><HJDZ>户籍地址</HJDZ><SSXQ>所属辖区</SSXQ><LXDH>联系电话</LXDH></item></requiredItems>';

/** Creates the adapter; invalid options throw a TypeError here, not on first use. */
export function createPopulationAdapter(options: PopulationAdapterOptions): PopulationAdapter {
  if (!options || typeof options.url !== 'string' || !/^https?:\/\//.test(options.url) || !URL.canParse(options.url)) {
    throw new TypeError('createPopulationAdapter needs options.url, the http(s) URL of the registry\'s SOAP endpoint.');
  }
  if (options.secret !== undefined && (typeof options.secret !== 'string' || options.secret === '')) {
    throw new TypeError('Option secret of the population adapter must be a non-empty string.');
  }
  const endpoint: RegistryEndpoint = { url: options.url, senderId: options.senderId ?? 'citygraph', secret: options.secret ?? DEV_SECRET };
  const caller = new LegacyCaller({
    department: DEPARTMENT,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(options.retries !== undefined && { retries: options.retries }),
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
  });
  const log = options.logger ?? SILENT;
  const clientInfo = (requestId: string) =>
    `<clientInfo><loginName>${escapeXml(endpoint.senderId)}</loginName><requestId>${escapeXml(requestId)}</requestId></clientInfo>`;

  async function queryChunk(ids: readonly string[], requestId: string): Promise<Map<string, CitizenRecord | null | Error>> {
    const condition = ids.map((id) => `<item><GMSFHM>${id}</GMSFHM></item>`).join('');
    const xmlPara = `<?xml version="1.0" encoding="GBK"?><request><condition>${condition}</condition>${REQUIRED_ITEMS}${clientInfo(requestId)}</request>`;
    const out = new Map<string, CitizenRecord | null | Error>();
    let reply: RegistryReply;
    try {
      reply = await caller.call(({ signal }) => callRegistry(endpoint, 'query', xmlPara, { signal, requestId }), { idempotent: true });
    } catch (e) {
      const error = asCityGraphError(e);
      log.warn({ department: DEPARTMENT, requestId, ids: ids.length, code: error.code }, 'population query failed');
      for (const id of ids) out.set(id, error);
      return out;
    }
    if (reply.errflag) {
      const error = populationError({ kind: 'errflag', resultCode: reply.resultCode });
      log.warn({ department: DEPARTMENT, requestId, ids: ids.length, code: error.code }, 'population query answered with an error flag');
      for (const id of ids) out.set(id, error);
      return out;
    }
    let unattributed = 0;
    for (const raw of reply.results) {
      const id = rawCitizenId(raw);
      if (id === undefined || !ids.includes(id) || out.has(id)) {
        unattributed++;
        continue;
      }
      const mapped = mapCitizen(raw);
      if (mapped instanceof Error) log.warn({ department: DEPARTMENT, requestId, id: maskResidentId(id), code: mapped.code }, 'population record failed its check');
      out.set(id, mapped);
    }
    // A record we cannot attribute might be any missing key's: "not found" would then be a guess.
    const missing = unattributed > 0 ? populationError({ kind: 'badRecord', field: 'id' }) : null;
    for (const id of ids) if (!out.has(id)) out.set(id, missing);
    log.debug({ department: DEPARTMENT, requestId, ids: ids.length, found: reply.results.length }, 'population query');
    return out;
  }

  const households = householdBatch(endpoint, caller, MAX_IDS_PER_CALL);

  return {
    householdsOf: (ids, ctx) => households(ids, { requestId: requireRequestId(ctx) }),

    async loadCitizens(ids, ctx) {
      const requestId = requireRequestId(ctx);
      const slots: Array<CitizenRecord | null | Error> = new Array(ids.length).fill(null);
      const positions = new Map<string, number[]>();
      ids.forEach((raw, i) => {
        try {
          const id = validateResidentId(raw);
          positions.set(id, [...(positions.get(id) ?? []), i]);
        } catch (e) {
          // A bad key fails alone, before the call, instead of making the registry flag the whole batch.
          slots[i] = asCityGraphError(e);
        }
      });
      const unique = [...positions.keys()];
      const chunks: string[][] = [];
      for (let i = 0; i < unique.length; i += MAX_IDS_PER_CALL) chunks.push(unique.slice(i, i + MAX_IDS_PER_CALL));
      const answers = await Promise.all(chunks.map((chunk) => queryChunk(chunk, requestId)));
      for (const answer of answers) {
        for (const [id, value] of answer) for (const i of positions.get(id) ?? []) slots[i] = value;
      }
      return slots;
    },

    async updateContactPhone(id, phone, ctx) {
      const requestId = requireRequestId(ctx);
      const citizen = validateResidentId(id);
      const number = typeof phone === 'string' ? phone.replace(/[\s()]/g, '') : '';
      if (!CONTACT_PHONE.test(number)) {
        throw badInput('A contact phone must be a mobile number (11 digits starting with 1) or a landline with its area code, e.g. 024-23456789.', 'phone');
      }
      const legacyRequestId = ctx.idempotencyKey ?? requestId;
      const xmlPara =
        `<?xml version="1.0" encoding="GBK"?><request><condition><item><GMSFHM>${citizen}</GMSFHM></item></condition>` +
        `<data><LXDH>${number}</LXDH></data>${clientInfo(legacyRequestId)}</request>`;
      // Not idempotent from our side: a retry after a timeout could apply a change the registry already made.
      const reply = await caller.call(({ signal }) => callRegistry(endpoint, 'modify', xmlPara, { signal, requestId }), { idempotent: false });
      if (reply.errflag) {
        const error = populationError({ kind: 'errflag', resultCode: reply.resultCode });
        log.warn({ department: DEPARTMENT, requestId, id: maskResidentId(citizen), code: error.code }, 'population modify refused');
        throw error;
      }
      log.debug({ department: DEPARTMENT, requestId, id: maskResidentId(citizen) }, 'population contact phone updated');
    },
  };
}

function requireRequestId(ctx: PopulationCallContext): string {
  if (!ctx || typeof ctx.requestId !== 'string' || ctx.requestId === '') {
    throw new TypeError('The population adapter needs ctx.requestId, the id of the GraphQL request.');
  }
  return ctx.requestId;
}

function asCityGraphError(e: unknown): CityGraphError {
  return isCityGraphError(e) ? e : populationError({ kind: 'notSoap' }, e);
}
