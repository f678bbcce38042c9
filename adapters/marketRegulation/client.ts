/**
 * Talks the registry's REST interfaces: SAMR's (`/samr/api/v1/ent/…`) or the city sharing platform's
 * (`/share/api/v2/qyjbxx`), GET with comma-separated keys, replies parsed with lossless-json so REGCAP
 * keeps its exact text. Either envelope is accepted from either endpoint: the city platform proxies both.
 */
import { parse } from 'lossless-json';
import { httpFetch } from '../../core/http-fetch.ts';
import { marketRegulationFault } from './faults.ts';

/** Which interface to call. */
export type RegistrySource = 'samr' | 'sharing';
/** What to look up by. */
export type LookupKey = 'uscc' | 'legalRepresentative';

const PATHS: Record<RegistrySource, Record<LookupKey, { path: string; param: string }>> = {
  samr: { uscc: { path: '/samr/api/v1/ent/baseinfo', param: 'uniscids' }, legalRepresentative: { path: '/samr/api/v1/ent/lerep', param: 'cernos' } },
  sharing: { uscc: { path: '/share/api/v2/qyjbxx', param: 'shtyxydm' }, legalRepresentative: { path: '/share/api/v2/qyjbxx', param: 'fddbrzjhm' } },
};

/** One call's transport context. */
export interface CallContext {
  signal: AbortSignal;
  requestId: string;
}

/** Looks records up by up to 20 keys; returns the raw records (either shape) or throws a coded error. */
export async function lookup(base: string, source: RegistrySource, by: LookupKey, keys: readonly string[], ctx: CallContext): Promise<unknown[]> {
  const { path, param } = PATHS[source][by];
  const url = new URL(path, base);
  url.searchParams.set(param, keys.join(','));
  return getRecords(url, ctx);
}

/** GETs `url` from the registry and returns the records of its envelope, or throws a coded error (one mapping for every interface). */
export async function getRecords(url: URL, ctx: CallContext): Promise<unknown[]> {
  let status: number;
  let text: string;
  try {
    const res = await httpFetch(url.toString(), { method: 'GET', headers: { accept: 'application/json', 'x-request-id': ctx.requestId }, signal: ctx.signal });
    status = res.status;
    text = await res.text();
  } catch (cause) {
    throw marketRegulationFault({ kind: 'network', cause });
  }
  if (status !== 200) throw marketRegulationFault({ kind: 'http', status });
  let body: unknown;
  try {
    body = parse(text);
  } catch (cause) {
    throw marketRegulationFault({ kind: 'notJson', cause });
  }
  return records(body);
}

/** The record list of either envelope: SAMR `{code, message, data}` or the platform's `{success, errorMsg, result}`. */
export function records(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null) throw marketRegulationFault({ kind: 'badShape', reason: 'reply is not an object' });
  const b = body as Record<string, unknown>;
  if ('code' in b) {
    const code = String((b.code as { value?: string })?.value ?? b.code);
    if (code !== '200') throw marketRegulationFault({ kind: 'business', message: `${code} ${String(b.message ?? '')}` });
    if (!Array.isArray(b.data)) throw marketRegulationFault({ kind: 'badShape', reason: 'data is not a list' });
    return b.data;
  }
  if ('success' in b) {
    if (b.success !== true) throw marketRegulationFault({ kind: 'business', message: String(b.errorMsg ?? '') });
    if (!Array.isArray(b.result)) throw marketRegulationFault({ kind: 'badShape', reason: 'result is not a list' });
    return b.result;
  }
  throw marketRegulationFault({ kind: 'badShape', reason: 'reply has neither code nor success' });
}
