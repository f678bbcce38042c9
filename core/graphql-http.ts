/**
 * The HTTP layer of every GraphQL process (gateway and subgraphs), on node:http. Written by hand, not
 * Apollo's standalone server, because that one answers a malformed body with an HTML page carrying a
 * stack trace and internal paths: here every answer is JSON with a code, and the body size is limited.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { ErrorCode } from './errors.ts';
import type { Logger } from './logger.ts';

/** Options of a GraphQL HTTP server. */
export interface GraphQLHttpOptions<TContext extends BaseContext> {
  /** Port; 0 for an ephemeral one. Required. */
  port: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Builds the request's context; a GraphQLError thrown here (e.g. UNAUTHENTICATED, 401) is answered as it is. */
  context: (req: IncomingMessage, res: ServerResponse) => Promise<TContext>;
  /** Largest request body in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Logs transport failures. Required. */
  logger: Logger;
  /** Extra GET routes by exact path (e.g. `/.well-known/citycode-keys`), answered before GraphQL. Default none. */
  routes?: Record<string, HttpRoute>;
}

/** A plain GET route beside GraphQL: it writes the whole answer itself. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A running server. */
export interface RunningHttp {
  url: string;
  close(): Promise<void>;
}

/** Answers JSON errors in GraphQL's response shape, with a code and no detail of ours. */
function fail(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so the client can read our 413; a flood is cut off.
      if (size > max * 8) req.destroy();
      else if (size <= max) chunks.push(chunk);
    });
    req.on('end', () => (size > max ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/** Starts `server` (already constructed, not started) behind a node:http listener. */
export async function serveGraphQL<TContext extends BaseContext>(server: ApolloServer<TContext>, options: GraphQLHttpOptions<TContext>): Promise<RunningHttp> {
  const max = options.maxBodyBytes ?? 1024 * 1024;
  const log = options.logger;
  await server.start();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    const route = req.method === 'GET' ? options.routes?.[url.pathname] : undefined;
    if (route) return route(req, res);
    if (req.method !== 'POST') {
      return fail(res, 405, 'METHOD_NOT_ALLOWED', 'Send GraphQL requests as POST with a JSON body.', { allow: 'POST' });
    }
    // Requiring JSON also blocks the "simple" cross-site requests a browser sends without preflight.
    if (!/^application\/(graphql-response\+)?json\b/i.test(req.headers['content-type'] ?? '')) {
      return fail(res, 415, 'BAD_REQUEST', 'The content-type must be application/json.');
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req, max));
    } catch (e) {
      if (e instanceof BodyTooLarge) return fail(res, 413, ErrorCode.LIMIT_EXCEEDED, `The request body exceeds ${max} bytes.`, { connection: 'close' });
      return fail(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON.');
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: url.search, body },
      context: () => options.context(req, res),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log.error({ err: e }, 'request failed in the HTTP layer');
      if (!res.headersSent) fail(res, 500, ErrorCode.INTERNAL, 'Internal error; the x-request-id response header identifies it in the logs.');
      else res.destroy();
    });
  });
  // Keep-alive longer than the fetchers' idle timeout, so a pooled connection is never closed under a request.
  http.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    async close() {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await server.stop();
    },
  };
}
