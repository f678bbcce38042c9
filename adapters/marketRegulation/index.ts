/**
 * Adapter of the enterprise registry (市场监管): batch lookups by USCC and by legal representative, at
 * most 20 keys a call, deduplicated, each call under LegacyCaller's timeout, retries, breaker and limit.
 */
import { CityGraphError, ErrorCode, isCityGraphError } from '../../core/errors.ts';
import { LegacyCaller } from '../kit/resilience.ts';
import { lookup, type LookupKey, type RegistrySource } from './client.ts';
import { DEPARTMENT } from './faults.ts';
import { mapEnterprise } from './mapper.ts';
import type { EnterpriseRecord, LoadContext, MarketRegulationAdapter } from './types.ts';

export type * from './types.ts';
export type { RegistrySource } from './client.ts';

/** Most keys the registry accepts in one call. */
export const MAX_KEYS_PER_CALL = 20;

/** Options of the adapter. */
export interface MarketRegulationAdapterOptions {
  /** Base URL of the registry, e.g. `http://127.0.0.1:4104`. Required. */
  url: string;
  /** `samr` (the provincial SAMR interface) or `sharing` (the city sharing platform). Default `samr`. */
  source?: RegistrySource;
  /** Milliseconds before one call is abandoned. Default 2000. */
  timeoutMs?: number;
  /** Extra attempts for a timeout or transport failure (lookups are reads). Default 2. */
  retries?: number;
  /** Calls in flight at once. Default 8. */
  concurrency?: number;
}

const KNOWN = ['url', 'source', 'timeoutMs', 'retries', 'concurrency'];

/** Creates the adapter; throws a TypeError naming a wrong option. */
export function createMarketRegulationAdapter(options: MarketRegulationAdapterOptions): MarketRegulationAdapter {
  const name = 'createMarketRegulationAdapter';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${name} needs an options object with at least { url }.`);
  const unknown = Object.keys(options).filter((k) => !KNOWN.includes(k));
  if (unknown.length > 0) throw new TypeError(`${name}: unknown option(s) ${unknown.join(', ')}; known: ${KNOWN.join(', ')}.`);
  if (typeof options.url !== 'string' || !URL.canParse(options.url) || !/^https?:$/.test(new URL(options.url).protocol)) {
    throw new TypeError(`${name}: options.url must be an http(s) URL of the registry.`);
  }
  const source = options.source ?? 'samr';
  if (source !== 'samr' && source !== 'sharing') throw new TypeError(`${name}: options.source must be "samr" or "sharing".`);
  const caller = new LegacyCaller({ department: DEPARTMENT, timeoutMs: options.timeoutMs, retries: options.retries, concurrency: options.concurrency ?? 8 });

  /** Runs one call per 20 distinct keys and returns each key's records (or the error of its call). */
  async function byChunks(by: LookupKey, keys: readonly string[], ctx: LoadContext): Promise<Map<string, EnterpriseRecord[] | Error>> {
    if (!Array.isArray(keys)) throw new TypeError('The registry adapter needs an array of keys.');
    if (!ctx || typeof ctx.requestId !== 'string' || ctx.requestId === '') throw new TypeError('The registry adapter needs ctx.requestId.');
    const distinct = [...new Set(keys)];
    const out = new Map<string, EnterpriseRecord[] | Error>();
    const chunks: string[][] = [];
    for (let i = 0; i < distinct.length; i += MAX_KEYS_PER_CALL) chunks.push(distinct.slice(i, i + MAX_KEYS_PER_CALL));
    await Promise.all(chunks.map(async (chunk) => {
      try {
        const raw = await caller.call(({ signal }) => lookup(options.url, source, by, chunk, { signal, requestId: ctx.requestId }), { idempotent: true });
        const mapped = raw.map((r, i) => mapEnterprise(r, `record[${i}]`));
        for (const k of chunk) out.set(k, []);
        for (const e of mapped) {
          const key = by === 'uscc' ? e.uscc : e.legalRepresentative.citizenId;
          // A record nobody asked for (the registry's fuzzy match) is dropped, never shown as someone's.
          if (key !== null && out.has(key) && chunk.includes(key)) (out.get(key) as EnterpriseRecord[]).push(e);
        }
      } catch (e) {
        for (const k of chunk) out.set(k, slotError(e));
      }
    }));
    return out;
  }

  return {
    async loadEnterprises(usccs, ctx) {
      const found = await byChunks('uscc', usccs, ctx);
      return usccs.map((k) => {
        const v = found.get(k)!;
        return v instanceof Error ? v : (v[0] ?? null);
      });
    },
    async loadRepresented(ids, ctx) {
      const found = await byChunks('legalRepresentative', ids, ctx);
      return ids.map((k) => found.get(k)!);
    },
  };
}

function slotError(e: unknown): Error {
  if (isCityGraphError(e)) return e;
  return new CityGraphError(ErrorCode.INTERNAL, 'Internal error in the enterprise registry adapter.', { department: DEPARTMENT, cause: e });
}
