/**
 * The gateway calls no one but the subgraphs: @apollo/gateway 2.14 otherwise builds an OpenTelemetry
 * meter that probes the cloud metadata services (AWS, GCP, Azure, Alibaba) for the host's identity and
 * exports uptime, CPU and memory figures to Apollo's servers, hourly and on shutdown.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ClientRequest, RequestOptions } from 'node:http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.ts';
import type { Principal } from '../../core/principal.ts';
import { startGateway } from '../server.ts';

type Request = (...args: unknown[]) => ClientRequest;
const modules = [process.getBuiltinModule('node:http'), process.getBuiltinModule('node:https')] as unknown as { request: Request; get: Request }[];
const originals = modules.map((m) => ({ request: m.request, get: m.get }));
afterEach(() => modules.forEach((m, i) => Object.assign(m, originals[i])));

/** Where `http(s).request` was asked to go. */
function hostOf(args: unknown[]): string {
  const [a, b] = args;
  if (typeof a === 'string' || a instanceof URL) return new URL(a).host;
  const o = (a ?? b) as RequestOptions | undefined;
  return `${o?.hostname ?? o?.host ?? '?'}${o?.port ? `:${o.port}` : ''}`;
}

describe('the gateway', () => {
  it('asks no cloud metadata service and sends Apollo nothing, from start to stop', async () => {
    const hosts: string[] = [];
    // Every outgoing request is noted, then sent to a closed port of this machine instead.
    modules.forEach((m, i) => {
      for (const fn of ['request', 'get'] as const) {
        m[fn] = (...args: unknown[]) => {
          hosts.push(hostOf(args));
          return originals[i]![fn].call(m, `${i === 0 ? 'http' : 'https'}://127.0.0.1:9/`);
        };
      }
    });
    const gateway = await startGateway({
      port: 0,
      supergraphSdl: readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8'),
      authenticator: { authenticate: async () => ({ sub: 'admin-test', role: 'admin', department: null, scopes: [], onBehalfOf: null, client: null }) as Principal },
      principalPrivateKeyPem: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      logger: createLogger({ service: 'gateway', level: 'fatal', destination: new Writable({ write: (_c, _e, done) => done() }) }),
    });
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(res.status).toBe(200);
    // The resource detectors probe at once, the exporter flushes on shutdown: give both their moment.
    await new Promise((r) => setTimeout(r, 300));
    await gateway.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(hosts.filter((h) => !h.startsWith('127.0.0.1'))).toEqual([]);
  });
});
