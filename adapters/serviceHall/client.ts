/**
 * The hall's wire: form POSTs of `accessToken` + `xmlStr` to `/ywtb/api/<method>`, replies
 * `<RESULT><STATUS>…</STATUS><DESC>…</DESC><DATA>…</DATA></RESULT>`. The access token is fetched from
 * `/ywtb/oauth/token`, kept until shortly before it expires, and fetched again (once) when the hall
 * answers STATUS 401. DTDs are refused and only XML's predefined entities are decoded.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { httpFetch } from '../../core/http-fetch.ts';
import { serviceHallError } from './faults.ts';

/** Where and as whom to call the hall. */
export interface HallEndpoint {
  /** Base URL, e.g. `http://127.0.0.1:4106`. */
  url: string;
  appId: string;
  appSecret: string;
}

/** A reply the hall gave in protocol: its STATUS, its DESC (for logs only) and its DATA. */
export interface HallReply {
  status: number;
  desc: string;
  data: Record<string, unknown>;
}

/** Elements that repeat in replies. */
const LISTS = new Set(['SXXX', 'BJXX', 'GC', 'CL']);
const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, processEntities: false, ignoreDeclaration: true, isArray: (n) => LISTS.has(n), tagValueProcessor: (_n, v) => unescapeXml(v) });

/** Escapes text for an element of an `xmlStr`. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_, n: string) =>
    n === 'lt' ? '<' : n === 'gt' ? '>' : n === 'amp' ? '&' : n === 'quot' ? '"' : n === 'apos' ? "'" : String.fromCodePoint(n.startsWith('#x') ? parseInt(n.slice(2), 16) : parseInt(n.slice(1), 10)),
  );
}

/** Parses a reply document; anything that is not a `<RESULT>` with a numeric STATUS throws ADAPTER_BAD_REPLY. */
export function readResult(text: string): HallReply {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw serviceHallError({ kind: 'notResult' });
  if (XMLValidator.validate(text) !== true) throw serviceHallError({ kind: 'badXml' });
  let doc: Record<string, any>;
  try {
    doc = parser.parse(text) as Record<string, any>;
  } catch (e) {
    throw serviceHallError({ kind: 'badXml' }, e);
  }
  const r = doc.RESULT;
  const status = Number(typeof r?.STATUS === 'string' ? r.STATUS.trim() : NaN);
  if (!r || typeof r !== 'object' || !Number.isInteger(status)) throw serviceHallError({ kind: 'notResult' });
  return { status, desc: typeof r.DESC === 'string' ? r.DESC : '', data: r.DATA && typeof r.DATA === 'object' ? r.DATA : {} };
}

/** The hall's client: one form POST per call, the token handled here and nowhere else. */
export class HallClient {
  private token: { value: string; expiresAt: number } | null = null;
  private fetching: Promise<string> | null = null;

  private readonly endpoint: HallEndpoint;
  private readonly now: () => number;

  constructor(endpoint: HallEndpoint, now: () => number = Date.now) {
    this.endpoint = endpoint;
    this.now = now;
  }

  /** Calls `method` with `xmlStr`; refreshes the token once on STATUS 401. Transport errors propagate for LegacyCaller. */
  async call(method: string, xmlStr: string, ctx: { signal: AbortSignal; requestId: string }): Promise<HallReply> {
    let reply = await this.post(method, await this.accessToken(ctx), xmlStr, ctx);
    if (reply.status === 401) {
      // Expired or revoked early: one fresh token, then the call again (the hall applied nothing).
      this.token = null;
      reply = await this.post(method, await this.accessToken(ctx), xmlStr, ctx);
      if (reply.status === 401) throw serviceHallError({ kind: 'token', reason: 'refused' });
    }
    return reply;
  }

  private async post(method: string, accessToken: string, xmlStr: string, ctx: { signal: AbortSignal; requestId: string }): Promise<HallReply> {
    return this.form(`/ywtb/api/${method}`, { accessToken, xmlStr }, ctx);
  }

  private async accessToken(ctx: { signal: AbortSignal; requestId: string }): Promise<string> {
    // Refreshed a minute early so a token never expires between our check and the hall's.
    if (this.token && this.token.expiresAt - 60_000 > this.now()) return this.token.value;
    this.fetching ??= this.form('/ywtb/oauth/token', { appId: this.endpoint.appId, appSecret: this.endpoint.appSecret }, ctx)
      .then((reply) => {
        if (reply.status !== 200) throw serviceHallError({ kind: 'token', reason: 'credentials' });
        const value = typeof reply.data.ACCESS_TOKEN === 'string' ? reply.data.ACCESS_TOKEN.trim() : '';
        const seconds = Number(reply.data.EXPIRES_IN);
        if (!/^[\x21-\x7e]{8,256}$/.test(value) || !Number.isFinite(seconds) || seconds <= 0) throw serviceHallError({ kind: 'notResult' });
        this.token = { value, expiresAt: this.now() + seconds * 1000 };
        return value;
      })
      .finally(() => {
        this.fetching = null;
      });
    return this.fetching;
  }

  private async form(path: string, fields: Record<string, string>, ctx: { signal: AbortSignal; requestId: string }): Promise<HallReply> {
    const res = await httpFetch(new URL(path, this.endpoint.url).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', 'x-request-id': ctx.requestId },
      body: new URLSearchParams(fields).toString(),
      signal: ctx.signal,
    });
    const text = await res.text();
    if (res.status !== 200) throw serviceHallError({ kind: 'httpStatus', status: res.status });
    return readResult(text);
  }
}
