/**
 * The HTTP layer of every GraphQL process (gateway and subgraphs), on node:http. Written by hand, not
 * Apollo's standalone server, because that one answers a malformed body with an HTML page carrying a
 * stack trace and internal paths: here every answer is JSON with a code, the body size is limited and
 * answered 413 before the connection closes, and each request runs in its scope (deadline, trace).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { ErrorCode } from './errors.ts';
import type { Logger } from './logger.ts';
import { metricsText } from './metrics.ts';
import { endRequestScope, runInRequestScope, type RequestScope } from './request-scope.ts';
import { InflightDedup } from './inflight.ts';
import { endSpan } from './tracing.ts';

/** A refusal decided before execution: answered as it is, a JSON body with a code. */
export class HttpRefusal extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  readonly details: Record<string, string | number | boolean> | undefined;

  // Fields assigned by hand, not parameter properties: main runs TypeScript on Node's type stripping.
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}, details?: Record<string, string | number | boolean>) {
    super(message);
    this.name = 'HttpRefusal';
    this.status = status;
    this.code = code;
    this.headers = headers;
    this.details = details;
  }
}

/** What a readiness probe reports. */
export interface Readiness {
  ready: boolean;
  /** Why not, one short reason per failed check (no URLs, no secrets). */
  reasons?: string[];
  /** Each check's result, for operators. */
  checks?: Record<string, 'ok' | string>;
}

/** Options of a GraphQL HTTP server. */
export interface GraphQLHttpOptions<TContext extends BaseContext, TAdmitted = undefined> {
  /** Port; 0 for an ephemeral one. Required. */
  port: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /**
   * Runs on the parsed JSON body before Apollo sees it: may refuse (throw HttpRefusal) or rewrite the body
   * (a persisted operation's text put in). Its `admitted` value reaches `context`. Default: none.
   */
  admit?: (req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse) => Promise<{ body: Record<string, unknown>; admitted: TAdmitted }>;
  /** Builds the request's context; a GraphQLError thrown here (e.g. UNAUTHENTICATED, 401) is answered as it is. */
  context: (req: IncomingMessage, res: ServerResponse, admitted: TAdmitted | undefined) => Promise<TContext>;
  /** The scope (deadline, trace) the request runs in; read once per request. Default: a deadline of `defaultDeadlineMs`. */
  scope?: (req: IncomingMessage) => RequestScope;
  /** Deadline of a request when `scope` is not given. Default 3000 ms. */
  defaultDeadlineMs?: number;
  /** Answers `GET /readyz`: 200 when ready, 503 with the reasons otherwise. Default: ready once started. */
  readiness?: () => Promise<Readiness>;
  /** Largest request body in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Milliseconds a client has to send its whole request (headers and body); slow-loris guard. Default 10000. */
  requestTimeoutMs?: number;
  /** Called with every answer's status and JSON error code when a refusal is answered here (for metrics). */
  onRefusal?: (status: number, code: string) => void;
  /** Logs transport failures. Required. */
  logger: Logger;
  /**
   * The key under which an admitted request may share the execution of an identical one in flight, or
   * null (run it). It must name the principal first, so one caller's answer never reaches another.
   * Default: never shared.
   */
  shareKey?: (admitted: TAdmitted, body: Record<string, unknown>) => string | null;
  /** Extra GET routes by exact path (e.g. `/.well-known/citycode-keys`), answered before GraphQL. Default none. */
  routes?: Record<string, HttpRoute>;
  /** Pages (static files, sign-in) tried before GraphQL: resolves true when it answered. Default none. */
  pages?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

/** A plain GET route beside GraphQL: it writes the whole answer itself. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A buffered GraphQL answer, shareable among identical requests in flight. */
export interface GraphQLAnswer {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}
type Answer = GraphQLAnswer;

/**
 * Executes one GraphQL request from its JSON body, in place of Apollo Server (the subgraphs':
 * subgraphs/kit/execute.ts). `context` builds the request's context; a GraphQLError it throws is answered.
 */
export interface GraphQLEngine<TContext> {
  execute(body: Record<string, unknown>, context: () => Promise<TContext>): Promise<GraphQLAnswer>;
}

/** A running server. */
export interface RunningHttp {
  url: string;
  close(): Promise<void>;
  /**
   * Graceful stop (SIGTERM, a rolling update): `/readyz` answers 503 at once and every answer asks for
   * its connection to be closed; after `delayMs` (time for load balancers and gateways to notice) no new
   * connection is accepted; requests in flight finish, up to `timeoutMs`; then `close()`.
   */
  drain(options?: { delayMs?: number; timeoutMs?: number }): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Answers JSON errors in GraphQL's response shape, with a code and no detail of ours. */
function fail(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}, details?: Record<string, unknown>): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code, ...(details ? { details } : {}) } }] });
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

class BodyTooLarge extends Error {}

/** While draining, how long nothing must be in flight before the connections are closed, ms. */
const DRAIN_QUIET_MS = 200;

/** A body this much larger than the limit is not even drained: the connection is cut after the 413. */
const DRAIN_FACTOR = 128;

function readBody(req: IncomingMessage, max: number, onTooLarge: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      // Known too large from the headers: answer now, read nothing into memory.
      onTooLarge();
      drain(req, max);
      return reject(new BodyTooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) return;
      if (size > max) {
        over = true;
        chunks.length = 0;
        onTooLarge();
        drain(req, max);
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/**
 * Reads and drops the rest of a refused body, so the client (still sending) reads our 413 instead of a
 * connection reset; a flood far past the limit is cut off.
 */
function drain(req: IncomingMessage, max: number): void {
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > max * DRAIN_FACTOR) req.destroy();
  });
  req.resume();
}

/** Starts `server` (an Apollo Server constructed, not started; or an engine) behind a node:http listener. */
export async function serveGraphQL<TContext extends BaseContext, TAdmitted = undefined>(
  server: ApolloServer<TContext> | GraphQLEngine<TContext>,
  options: GraphQLHttpOptions<TContext, TAdmitted>,
): Promise<RunningHttp> {
  const apollo = 'executeHTTPGraphQLRequest' in server ? server : null;
  const engine = apollo ? null : (server as GraphQLEngine<TContext>);
  const max = options.maxBodyBytes ?? 1024 * 1024;
  const deadlineMs = options.defaultDeadlineMs ?? 3000;
  const log = options.logger;
  const refuse = (res: ServerResponse, r: HttpRefusal) => {
    options.onRefusal?.(r.status, r.code);
    fail(res, r.status, r.code, r.message, r.headers, r.details);
  };
  await apollo?.start();

  const shared = new InflightDedup<Answer>();
  let draining = false;
  let inflight = 0;
  let drained: (() => void) | null = null;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Draining: each answer closes its connection, so callers reconnect (and are refused once we stop listening).
    if (draining) res.setHeader('connection', 'close');
    if (draining && req.method === 'GET' && url.pathname === '/readyz') {
      res.writeHead(503, { 'content-type': JSON_TYPE });
      res.end('{"status":"draining","reasons":["draining: stopping after the requests in flight"]}');
      return;
    }
    if (req.method === 'GET' && (url.pathname === '/health' || url.pathname === '/healthz')) {
      res.writeHead(200, { 'content-type': JSON_TYPE });
      res.end('{"status":"ok"}');
      return;
    }
    if (req.method === 'GET' && url.pathname === '/readyz') {
      const r = options.readiness ? await options.readiness().catch((): Readiness => ({ ready: false, reasons: ['readiness check failed'] })) : { ready: true };
      const body = JSON.stringify({ status: r.ready ? 'ready' : 'not ready', ...(r.reasons?.length ? { reasons: r.reasons } : {}), ...(r.checks ? { checks: r.checks } : {}) });
      res.writeHead(r.ready ? 200 : 503, { 'content-type': JSON_TYPE });
      res.end(body);
      return;
    }
    const route = req.method === 'GET' ? options.routes?.[url.pathname] : undefined;
    if (route) {
      await route(req, res);
      return;
    }
    if (options.pages && (await options.pages(req, res))) return;
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const m = await metricsText();
      res.writeHead(200, { 'content-type': m.contentType });
      res.end(m.body);
      return;
    }
    if (req.method !== 'POST') {
      // Never GET: a GET can be sent cross-site by any page (CSRF) and would let a mutation ride on a link.
      return refuse(res, new HttpRefusal(405, ErrorCode.METHOD_NOT_ALLOWED, 'Send GraphQL requests as POST with a JSON body.', { allow: 'POST' }));
    }
    // Requiring JSON also blocks the "simple" cross-site requests a browser sends without preflight (CSRF).
    if (!/^application\/(graphql-response\+)?json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return refuse(res, new HttpRefusal(415, ErrorCode.BAD_REQUEST, 'The content-type must be application/json.'));
    }
    let body: unknown;
    try {
      const text = await readBody(req, max, () =>
        // No `connection: close`: Node would then close the socket under a client still sending, which reads
        // a reset instead of this answer. The rest of the body is drained (see drain), up to a cap.
        refuse(res, new HttpRefusal(413, ErrorCode.LIMIT_EXCEEDED, `The request body exceeds ${max} bytes.`, {}, { limit: 'bodyBytes', max })),
      );
      body = JSON.parse(text);
    } catch (e) {
      if (e instanceof BodyTooLarge) return;
      return refuse(res, new HttpRefusal(400, ErrorCode.BAD_REQUEST, 'The request body is not valid JSON.'));
    }
    if (Array.isArray(body)) {
      return refuse(res, new HttpRefusal(400, ErrorCode.BATCHING_DISABLED, 'Batched requests (a JSON array) are not accepted: send one operation per request.'));
    }
    if (body === null || typeof body !== 'object') {
      return refuse(res, new HttpRefusal(400, ErrorCode.BAD_REQUEST, 'The request body must be a JSON object with a "query" (or a persisted operation\'s hash).'));
    }
    const scope = options.scope ? options.scope(req) : { deadline: Date.now() + deadlineMs };
    // The request's span (tracing on) ends with the answer, whatever path it took.
    if (scope.span) res.once('close', () => endSpan(scope.span, res.statusCode >= 500 ? `HTTP_${res.statusCode}` : undefined));
    try {
      await runInRequestScope(scope, async () => {
        let admitted: TAdmitted | undefined;
        let graphqlBody = body as Record<string, unknown>;
        if (options.admit) {
          try {
            ({ body: graphqlBody, admitted } = await options.admit(req, graphqlBody, res));
          } catch (e) {
            if (e instanceof HttpRefusal) return refuse(res, e);
            throw e;
          }
        }
        const context = () => options.context(req, res, admitted);
        const execute = async (): Promise<Answer> => {
          if (engine) return engine.execute(graphqlBody, context);
          const headers = new HeaderMap();
          for (const [key, value] of Object.entries(req.headers)) {
            if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
          }
          const response = await apollo!.executeHTTPGraphQLRequest({
            httpGraphQLRequest: { method: 'POST', headers, search: url.search, body: graphqlBody },
            context,
          });
          if (response.body.kind === 'complete') return { status: response.status ?? 200, headers: [...response.headers], body: response.body.string };
          let text = '';
          for await (const chunk of response.body.asyncIterator) text += chunk;
          return { status: response.status ?? 200, headers: [...response.headers], body: text };
        };
        // Identical requests the caller says may share one execution (same principal, same operation, and
        // nothing recorded per request) wait for the one in flight instead of running again.
        const key = options.shareKey && admitted !== undefined ? options.shareKey(admitted, graphqlBody) : null;
        const answer = key === null ? await execute() : await shared.run(key, execute);
        for (const [name, value] of answer.headers) res.setHeader(name, value);
        res.statusCode = answer.status;
        res.end(answer.body);
      });
    } finally {
      // Whatever path the request took: e.g. the gateway's deadline timer is cleared, not left to fire.
      endRequestScope(scope);
    }
  };

  // Timeouts are checked every second, not Node's default 30 s, so the slow-loris guard bites on time.
  const http = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    inflight++;
    res.once('close', () => {
      if (--inflight === 0) drained?.();
    });
    handle(req, res).catch((e: unknown) => {
      log.error({ err: e }, 'request failed in the HTTP layer');
      if (!res.headersSent) fail(res, 500, ErrorCode.INTERNAL, 'Internal error; the x-request-id response header identifies it in the logs.');
      else res.destroy();
    });
  });
  // Keep-alive longer than the fetchers' idle timeout, so a pooled connection is never closed under a request.
  http.keepAliveTimeout = 65_000;
  // A client that trickles its headers or body (slow loris) gets 408 and loses its connection.
  http.requestTimeout = options.requestTimeoutMs ?? 10_000;
  http.headersTimeout = Math.min(http.requestTimeout, 10_000);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const close = async () => {
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
    await apollo?.stop();
  };
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    close,
    async drain({ delayMs = 0, timeoutMs = 10_000 } = {}) {
      draining = true;
      log.info({ delayMs, timeoutMs, inflight }, 'draining: not ready, finishing the requests in flight');
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      // No new connections. Open ones stay: http.Server#close would also drop idle keep-alive connections,
      // under a request a client has just written; they are closed after their next answer instead.
      NetServer.prototype.close.call(http);
      const until = Date.now() + timeoutMs;
      // Done when nothing has been in flight for a short quiet spell (a request still on the wire lands in it).
      for (let quietSince = inflight === 0 ? Date.now() : 0; Date.now() < until; ) {
        if (inflight > 0) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, until - Date.now());
            drained = () => {
              clearTimeout(t);
              resolve();
            };
          });
          quietSince = Date.now();
        } else if (Date.now() - quietSince >= DRAIN_QUIET_MS) break;
        else await new Promise((r) => setTimeout(r, 25));
      }
      if (inflight > 0) log.warn({ inflight }, 'drain timed out; closing the remaining connections');
      await close();
    },
  };
}
