/** The pages handler: static files from the built folder only, GraphiQL and the dev sign-in in development only. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPages, type PagesOptions } from '../pages.ts';

const dir = mkdtempSync(join(tmpdir(), 'citygraph-pages-'));
const built = join(dir, 'dist');
mkdirSync(join(built, 'assets'), { recursive: true });
writeFileSync(join(built, 'index.html'), '<!doctype html><div id="app"></div>');
writeFileSync(join(built, 'assets', 'index-abc.js'), 'console.log(1)');
writeFileSync(join(dir, 'secret.txt'), 'not for the web');
const logged: unknown[] = [];
const logger = { info: (...a: unknown[]) => logged.push(a), warn: (...a: unknown[]) => logged.push(a), error: (...a: unknown[]) => logged.push(a), debug: () => {} } as unknown as PagesOptions['logger'];

const servers: Server[] = [];
async function serve(options: Omit<PagesOptions, 'logger'>): Promise<string> {
  const pages = createPages({ ...options, logger });
  const server = createServer((req, res) => {
    void pages(req, res).then((answered) => {
      if (!answered) res.writeHead(418).end('graphql');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let dev: string;
let prod: string;
let unbuilt: string;
const minted: unknown[] = [];
beforeAll(async () => {
  dev = await serve({
    consoleDir: built,
    modulesDir: join(process.cwd(), 'node_modules'),
    development: true,
    mintDevToken: async (r) => {
      minted.push(r);
      if (r.role === 'nobody') throw new Error('role must be one of auditor, citizen.');
      return 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYXVkaXRvciJ9.c2lnbmF0dXJl';
    },
  });
  prod = await serve({ consoleDir: built, modulesDir: join(process.cwd(), 'node_modules') });
  unbuilt = await serve({ consoleDir: join(dir, 'nothing'), modulesDir: join(process.cwd(), 'node_modules') });
});
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the console files', () => {
  it('serves index.html fresh and hashed assets for a year, with a strict CSP', async () => {
    const page = await fetch(`${dev}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    expect(await page.text()).toContain('<div id="app">');
    const asset = await fetch(`${dev}/console/assets/index-abc.js`);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect((await fetch(`${dev}/console`, { redirect: 'manual' })).headers.get('location')).toBe('/console/');
  });

  it('answers 404 for anything outside the built folder, however the path is encoded', async () => {
    for (const path of ['/console/..%2fsecret.txt', '/console/assets/..%2f..%2fsecret.txt', '/console/%E0%A4%A', '/console/nope.js']) {
      const r = await fetch(`${dev}${path}`);
      expect(r.status, path).toBe(404);
      expect(await r.text(), path).not.toContain('not for the web');
    }
  });

  it('says PAGE_NOT_BUILT (503) before the console is built', async () => {
    const r = await fetch(`${unbuilt}/console/`);
    expect(r.status).toBe(503);
    expect((await r.json()).errors[0].extensions.code).toBe('PAGE_NOT_BUILT');
  });

  it('leaves every other request to GraphQL', async () => {
    expect((await fetch(`${dev}/`, { method: 'POST', body: '{}' })).status).toBe(418);
    expect((await fetch(`${dev}/metrics`)).status).toBe(418);
  });
});

describe('development only', () => {
  it('serves GraphiQL from node_modules in development, and nothing of it in production', async () => {
    const html = await (await fetch(`${dev}/graphiql`)).text();
    expect(html).toContain('/graphiql/vendor/graphiql.js');
    expect(html).not.toMatch(/https?:\/\//);
    expect((await fetch(`${dev}/graphiql/vendor/graphiql.js`)).status).toBe(200);
    expect((await fetch(`${dev}/graphiql/vendor/..%2f..%2fpackage.json`)).status).toBe(404);
    for (const path of ['/graphiql', '/graphiql/boot.js', '/graphiql/vendor/react.js']) expect((await fetch(`${prod}${path}`)).status, path).toBe(404);
  });

  it('mints a token only in development, only from JSON, and never logs it', async () => {
    const ok = await fetch(`${dev}/console/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"citizen","sub":" 210102198503152318 "}' });
    expect(ok.status).toBe(200);
    const { token } = (await ok.json()) as { token: string };
    expect(minted.at(-1)).toEqual({ role: 'citizen', sub: '210102198503152318', department: undefined });
    expect(JSON.stringify(logged)).not.toContain(token);
    const form = await fetch(`${dev}/console/dev-token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'role=admin' });
    expect(form.status).toBe(415);
    const bad = await fetch(`${dev}/console/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sub":1}' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const refused = await fetch(`${dev}/console/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"nobody"}' });
    expect((await refused.json()).errors[0].message).toMatch(/role must be one of/);
    expect((await fetch(`${prod}/console/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"admin"}' })).status).toBe(404);
    expect(await (await fetch(`${prod}/console/config.json`)).json()).toEqual({ client: 'citygraph-console', devSignIn: false, graphiql: false });
  });
});
