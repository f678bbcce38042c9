/**
 * The pages the gateway's process serves beside GraphQL: the console (static files Vite built into
 * web/dist), and in development GraphiQL and the sign-in endpoint that mints development tokens.
 * No page logic lives here: files are sent as they are, and every page reads the graph like any client.
 */
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { ErrorCode } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { GRAPHIQL_BOOT, graphiqlHtml } from './graphiql.ts';

/** The client id the console's tokens carry; its operations are registered under it. */
export const CONSOLE_CLIENT = 'citygraph-console';

/** What the dev sign-in may ask for. */
export interface DevTokenRequest {
  role: string;
  sub?: string;
  department?: string;
}

/** Options of the pages. */
export interface PagesOptions {
  /** Folder of the built console (web/dist). Required. */
  consoleDir: string;
  /** The node_modules folder that holds graphiql, react and react-dom. Required. */
  modulesDir: string;
  /** Development: GraphiQL at /graphiql. Default false (production: /graphiql is absent). */
  development?: boolean;
  /** Mints a development token for the console; given only in development with the development key. Default none. */
  mintDevToken?: (request: DevTokenRequest) => Promise<string>;
  /** The process logger. Required. */
  logger: Logger;
}

/** Answers a request when it is for a page; resolves false when it is not (GraphQL then). */
export type PagesHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Pages only load what the gateway serves: no CDN, no inline script, no framing, no referrer. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** GraphiQL's files, from npm (UMD builds: no bundling needed). */
const GRAPHIQL_VENDOR: Record<string, string> = {
  'react.js': 'react/umd/react.production.min.js',
  'react-dom.js': 'react-dom/umd/react-dom.production.min.js',
  'graphiql.js': 'graphiql/graphiql.min.js',
  'graphiql.css': 'graphiql/graphiql.min.css',
};

/** Builds the handler. */
export function createPages(options: PagesOptions): PagesHandler {
  for (const key of ['consoleDir', 'modulesDir', 'logger'] as const) {
    if (!options?.[key]) throw new TypeError(`createPages needs options.${key}.`);
  }
  const root = normalize(options.consoleDir + sep);
  const config = JSON.stringify({ client: CONSOLE_CLIENT, devSignIn: Boolean(options.mintDevToken), graphiql: Boolean(options.development) });

  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'POST' && path === '/console/dev-token') {
      if (!options.mintDevToken) return notFound(res);
      await devToken(req, res, options.mintDevToken, options.logger);
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === '/console') return redirect(res, '/console/');
    if (path === '/console/config.json') return send(res, 200, TYPES['.json']!, config, 'no-store');
    if (path === '/graphiql' || path.startsWith('/graphiql/')) {
      // Production: absent, as if it never existed (the security probes check the 404).
      if (!options.development) return notFound(res);
      if (path === '/graphiql' || path === '/graphiql/') return send(res, 200, TYPES['.html']!, graphiqlHtml(), 'no-store');
      if (path === '/graphiql/boot.js') return send(res, 200, TYPES['.js']!, GRAPHIQL_BOOT, 'no-store');
      const vendor = GRAPHIQL_VENDOR[path.slice('/graphiql/vendor/'.length)];
      if (!path.startsWith('/graphiql/vendor/') || !vendor) return notFound(res);
      return sendFile(res, join(options.modulesDir, vendor), 'public, max-age=3600');
    }
    if (!path.startsWith('/console/')) return false;
    let relative: string;
    try {
      relative = decodeURIComponent(path.slice('/console/'.length)) || 'index.html';
    } catch {
      return notFound(res);
    }
    const file = normalize(join(root, relative));
    // Nothing outside the built folder, whatever `..` or encoded separators the path carries.
    if (!file.startsWith(root) || relative.includes('\0')) return notFound(res);
    if (relative === 'index.html' && !(await exists(file))) {
      return failJson(res, 503, ErrorCode.PAGE_NOT_BUILT, 'The console is not built: run `npm run -s build:web` (npm ci and npm start build it).');
    }
    // Hashed asset names never change content; index.html must always be fresh.
    return sendFile(res, file, relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-store');
  };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}

async function sendFile(res: ServerResponse, file: string, cache: string): Promise<true> {
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return notFound(res);
  }
  return send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', body, cache);
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, cache: string): true {
  res.writeHead(status, { ...PAGE_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': cache });
  res.end(res.req.method === 'HEAD' ? undefined : body);
  return true;
}

function redirect(res: ServerResponse, location: string): true {
  res.writeHead(302, { location, 'content-length': 0 });
  res.end();
  return true;
}

function failJson(res: ServerResponse, status: number, code: string, message: string): true {
  return send(res, status, TYPES['.json']!, JSON.stringify({ errors: [{ message, extensions: { code } }] }), 'no-store');
}

function notFound(res: ServerResponse): true {
  return failJson(res, 404, ErrorCode.NOT_FOUND, 'There is no page here.');
}

const MAX_SIGN_IN_BYTES = 2048;

/** POST /console/dev-token: `{ role, sub?, department? }` → `{ token }`; the token itself is never logged. */
async function devToken(req: IncomingMessage, res: ServerResponse, mint: (r: DevTokenRequest) => Promise<string>, log: Logger): Promise<void> {
  // JSON only: a cross-site form cannot send it without a preflight, which this endpoint does not answer.
  if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    req.resume();
    failJson(res, 415, ErrorCode.BAD_REQUEST, 'The content-type must be application/json.');
    return;
  }
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > MAX_SIGN_IN_BYTES) {
      failJson(res, 413, ErrorCode.LIMIT_EXCEEDED, `The sign-in request exceeds ${MAX_SIGN_IN_BYTES} bytes.`);
      req.destroy();
      return;
    }
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
    if (!body || typeof body !== 'object' || typeof body.role !== 'string') throw new Error('no role');
  } catch {
    failJson(res, 400, ErrorCode.BAD_USER_INPUT, 'Send { "role": "auditor" | "citizen" | …, "sub": "<resident ID for a citizen>" }.');
    return;
  }
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  try {
    const token = await mint({ role: body.role, sub: str(body.sub), department: str(body.department) });
    log.info({ role: body.role }, 'development token minted for the console');
    send(res, 200, TYPES['.json']!, JSON.stringify({ token }), 'no-store');
  } catch (e) {
    failJson(res, 400, ErrorCode.BAD_USER_INPUT, e instanceof Error ? e.message : 'This token cannot be made.');
  }
}
