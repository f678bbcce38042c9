/**
 * Fault injection on a whole city run with NODE_ENV=production: each legacy stand-in in turn answers
 * garbage, hangs past the request deadline (3 s, the default), and is down, while the dashboard still
 * returns the other department's data; every answer arrives within the deadline plus a small margin,
 * measured here. A system that keeps failing opens its breaker: DEPARTMENT_UNAVAILABLE at once.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID } from '../adapters/population/standin/index.ts';
import { startTestCity, type GraphQLResponse, type TestCity } from './support/city.ts';

const DEADLINE_MS = 3000;
/** What the answer may take beyond the deadline: the gateway's merge and the HTTP round trips on a shared 2-core machine. */
const MARGIN_MS = 400;

let t: TestCity;
let admin: string;

/** Spans received by a stand-in OTLP/HTTP receiver (JSON), which every process of this city exports to. */
const spans: Array<{ service: string; traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number }> = [];
let collector: Server;

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      for (const rs of JSON.parse(body).resourceSpans ?? []) {
        const service = rs.resource?.attributes?.find((a: any) => a.key === 'service.name')?.value?.stringValue;
        for (const ss of rs.scopeSpans ?? []) for (const sp of ss.spans ?? []) spans.push({ service, ...sp });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  const otlp = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`, OTEL_BSP_SCHEDULE_DELAY: '200' };
  t = await startTestCity({ env: { LOG_LEVEL: 'info', NODE_ENV: 'production', REQUEST_DEADLINE_MS: String(DEADLINE_MS), ...otlp } });
  admin = await t.token({ role: 'admin', sub: 'admin-faults' });
}, 90_000);
afterAll(async () => {
  await t?.stop();
  collector?.closeAllConnections();
  await new Promise((r) => collector?.close(r));
});

const DASHBOARD = `query Dashboard($id: ID!) {
  citizen(id: $id) { name gender address { divisionCode } insurance { status balance } }
  insuranceStatus(id: $id)
}`;

async function dashboard(): Promise<{ r: GraphQLResponse; ms: number }> {
  const started = performance.now();
  const r = await t.query(DASHBOARD, { token: admin, variables: { id: DEMO_CITIZEN_ID } });
  return { r, ms: performance.now() - started };
}

const codesOf = (r: GraphQLResponse) => (r.body.errors ?? []).map((e) => e.extensions?.code);

/** Every error names the department and carries no URL, stack or legacy payload. */
function expectClean(r: GraphQLResponse, department: string): void {
  expect(r.status).toBe(200);
  for (const e of r.body.errors ?? []) {
    expect(e.extensions?.department).toBe(department);
    expect(e.extensions?.requestId).toBe(r.headers.get('x-request-id'));
  }
  expect(JSON.stringify(r.body)).not.toMatch(/127\.0\.0\.1|http:\/\/|ECONN|soap:|<\?xml|infcode|at [A-Za-z]+ \(/);
}

async function waitUntilHealthy(): Promise<void> {
  const until = Date.now() + 15_000;
  for (;;) {
    const { r } = await dashboard();
    if (!r.body.errors && r.body.data?.citizen?.insurance?.status === 'ACTIVE' && r.body.data.insuranceStatus === 'ACTIVE') return;
    if (Date.now() > until) throw new Error(`the city did not recover: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

describe('the dashboard with every system up', () => {
  it('answers both departments', async () => {
    const { r } = await dashboard();
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data).toEqual({ citizen: { name: '王立军', gender: 'MALE', address: { divisionCode: '210102' }, insurance: { status: 'ACTIVE', balance: '1523.40' } }, insuranceStatus: 'ACTIVE' });
  });
});

describe('the population registry failing', () => {
  afterAll(async () => {
    await t.fault('population-standin', { mode: null });
  });

  it('answering garbage: population fields null with ADAPTER_BAD_REPLY, insurance still there, fast', async () => {
    await t.fault('population-standin', { mode: 'badXml' });
    const { r, ms } = await dashboard();
    expectClean(r, 'population');
    expect(r.body.data.citizen).toBeNull();
    expect(r.body.data.insuranceStatus).toBe('ACTIVE');
    expect(codesOf(r)).toEqual(['ADAPTER_BAD_REPLY']);
    expect(ms).toBeLessThan(1000);
  });

  it('hanging: population fields null with ADAPTER_TIMEOUT within the deadline, insurance still there, retries capped', async () => {
    await t.fault('population-standin', { mode: 'timeout' });
    await t.resetStats();
    const { r, ms } = await dashboard();
    expectClean(r, 'population');
    expect(r.body.data.citizen).toBeNull();
    expect(r.body.data.insuranceStatus).toBe('ACTIVE');
    expect(codesOf(r)).toEqual(['ADAPTER_TIMEOUT']);
    expect(ms).toBeGreaterThan(DEADLINE_MS - 500);
    expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    // Without the deadline the adapter would make 3 attempts of 2 s; within 3 s there is room for 2.
    expect((await t.stats('population-standin')).requests).toBeLessThanOrEqual(2);
  });

  it('down: ADAPTER_UNAVAILABLE at once, then DEPARTMENT_UNAVAILABLE while its breaker is open, then back', async () => {
    await t.fault('population-standin', { mode: null });
    const standIn = t.city.services['population-standin']!;
    const exited = new Promise((res) => standIn.child.once('exit', res));
    standIn.child.kill('SIGKILL');
    await exited;
    const first = await dashboard();
    expectClean(first.r, 'population');
    expect(first.r.body.data.insuranceStatus).toBe('ACTIVE');
    expect(['ADAPTER_UNAVAILABLE', 'DEPARTMENT_UNAVAILABLE']).toContain(codesOf(first.r)[0]);
    expect(first.ms).toBeLessThan(1500);
    let open: { r: GraphQLResponse; ms: number } | undefined;
    for (let i = 0; i < 8 && !open; i++) {
      const d = await dashboard();
      if (codesOf(d.r)[0] === 'DEPARTMENT_UNAVAILABLE') open = d;
    }
    expect(open, 'the breaker opened').toBeDefined();
    expectClean(open!.r, 'population');
    expect(open!.r.body.data.insuranceStatus).toBe('ACTIVE');
    expect(open!.ms).toBeLessThan(300);
    await t.city.crashAndRestart('population-standin');
    await waitUntilHealthy();
  }, 30_000);
});

describe('the medical insurance platform failing', () => {
  afterAll(async () => {
    await t.fault('medicalInsurance-standin', { mode: null });
  });

  it('answering garbage: insurance null with ADAPTER_BAD_REPLY, population still there, fast', async () => {
    await t.fault('medicalInsurance-standin', { mode: 'notJson' });
    const { r, ms } = await dashboard();
    expectClean(r, 'medicalInsurance');
    expect(r.body.data.citizen).toMatchObject({ name: '王立军', address: { divisionCode: '210102' }, insurance: null });
    expect(r.body.data.insuranceStatus).toBeNull();
    expect(new Set(codesOf(r))).toEqual(new Set(['ADAPTER_BAD_REPLY']));
    expect(ms).toBeLessThan(1000);
  });

  it('hanging: insurance null with ADAPTER_TIMEOUT within the deadline (was 6.6 s), population still there', async () => {
    await t.fault('medicalInsurance-standin', { mode: 'timeout' });
    await t.resetStats();
    const { r, ms } = await dashboard();
    expectClean(r, 'medicalInsurance');
    expect(r.body.data.citizen).toMatchObject({ name: '王立军', gender: 'MALE', insurance: null });
    expect(new Set(codesOf(r))).toEqual(new Set(['ADAPTER_TIMEOUT']));
    expect(ms).toBeGreaterThan(DEADLINE_MS - 500);
    expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    // Two fields, one person: the calls of both, each at most 2 attempts inside the deadline.
    expect((await t.stats('medicalInsurance-standin')).requests).toBeLessThanOrEqual(4);
  });

  it('down: ADAPTER_UNAVAILABLE at once, then DEPARTMENT_UNAVAILABLE while its breaker is open, then back', async () => {
    await t.fault('medicalInsurance-standin', { mode: null });
    const standIn = t.city.services['medicalInsurance-standin']!;
    const exited = new Promise((res) => standIn.child.once('exit', res));
    standIn.child.kill('SIGKILL');
    await exited;
    const first = await dashboard();
    expectClean(first.r, 'medicalInsurance');
    expect(first.r.body.data.citizen.name).toBe('王立军');
    expect(codesOf(first.r).every((c) => c === 'ADAPTER_UNAVAILABLE' || c === 'DEPARTMENT_UNAVAILABLE')).toBe(true);
    expect(first.ms).toBeLessThan(1500);
    let open: { r: GraphQLResponse; ms: number } | undefined;
    for (let i = 0; i < 8 && !open; i++) {
      const d = await dashboard();
      if (codesOf(d.r).every((c) => c === 'DEPARTMENT_UNAVAILABLE')) open = d;
    }
    expect(open, 'the breaker opened').toBeDefined();
    expect(open!.r.body.data.citizen.name).toBe('王立军');
    expect(open!.ms).toBeLessThan(300);
    await t.city.crashAndRestart('medicalInsurance-standin');
    await waitUntilHealthy();
  }, 30_000);
});

describe('after every fault', () => {
  it('answers { __typename } and the whole dashboard again', async () => {
    expect((await t.query('{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
    await waitUntilHealthy();
  });
});

describe('operating it', () => {
  const get = async (url: string, path: string) => {
    const res = await fetch(new URL(path, url));
    return { status: res.status, text: await res.text() };
  };
  const subgraphs = ['subgraph-population', 'subgraph-medicalInsurance', 'subgraph-supervision'];

  it('answers /healthz and /readyz on the gateway and on every subgraph', async () => {
    for (const url of [t.city.gatewayUrl, ...subgraphs.map((s) => t.city.services[s]!.url)]) {
      expect((await get(url, '/healthz')).status).toBe(200);
      const ready = await get(url, '/readyz');
      expect(ready.status, ready.text).toBe(200);
      expect(JSON.parse(ready.text).status).toBe('ready');
    }
    expect(JSON.parse((await get(t.city.services['subgraph-population']!.url, '/readyz')).text).checks).toEqual({ supervisionStore: 'ok' });
  });

  it('shows the Prometheus series after this run: requests, errors by code, latencies, breakers, rate limits, supervision writes, event-loop lag', async () => {
    // One recorded change, so the supervision write latency has a sample.
    const citizen = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
    const changed = await t.query(`mutation { updateContactPhone(citizenId: "${DEMO_CITIZEN_ID}", phone: "13912345678") { __typename } }`, { token: citizen });
    expect(changed.body.errors, JSON.stringify(changed.body)).toBeUndefined();
    const gateway = (await get(t.city.gatewayUrl, '/metrics')).text;
    expectSeries(gateway, 'citygraph_gateway_requests_total', { operation: 'Dashboard', role: 'admin' });
    expectSeries(gateway, 'citygraph_gateway_errors_total', { code: 'ADAPTER_TIMEOUT' });
    expectSeries(gateway, 'citygraph_gateway_errors_total', { code: 'DEPARTMENT_UNAVAILABLE' });
    expectSeries(gateway, 'citygraph_gateway_request_duration_seconds_bucket', { operation: 'Dashboard', le: '3' });
    expectSeries(gateway, 'citygraph_gateway_subgraph_duration_seconds_count', { subgraph: 'population', outcome: 'ok' });
    expect(gateway).toMatch(/^# TYPE citygraph_rate_limit_refusals_total counter/m);
    expectSeries(gateway, 'nodejs_eventloop_lag_seconds', { service: 'gateway' }, /^[0-9.e+-]+$/);
    const population = (await get(t.city.services['subgraph-population']!.url, '/metrics')).text;
    expectSeries(population, 'citygraph_legacy_call_duration_seconds_count', { department: 'population', outcome: 'ok' });
    expectSeries(population, 'citygraph_legacy_call_duration_seconds_count', { department: 'population', outcome: 'ADAPTER_TIMEOUT' });
    expectSeries(population, 'citygraph_breaker_state', { department: 'population' }, /^0$/);
    expectSeries(population, 'citygraph_subgraph_request_duration_seconds_count', { subgraph: 'population' });
    expectSeries(population, 'citygraph_supervision_write_duration_seconds_count', { kind: 'appendIntent', outcome: 'ok' });
    expectSeries(population, 'nodejs_eventloop_lag_seconds', { service: 'subgraph-population' }, /^[0-9.e+-]+$/);
    const medical = (await get(t.city.services['subgraph-medicalInsurance']!.url, '/metrics')).text;
    expectSeries(medical, 'citygraph_legacy_call_duration_seconds_count', { department: 'medicalInsurance', outcome: 'DEPARTMENT_UNAVAILABLE' });
  });

  it('continues a client\'s W3C trace: the trace id is on the gateway\'s and the subgraph\'s log lines of the request', async () => {
    const traceId = randomBytes(16).toString('hex');
    await t.fault('population-standin', { mode: 'badXml' });
    try {
      await t.query(DASHBOARD, { token: admin, variables: { id: DEMO_CITIZEN_ID }, headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'trace-test-0001' } });
    } finally {
      await t.fault('population-standin', { mode: null });
    }
    const lines = (service: string) => t.city.services[service]!.output.filter((l) => l.includes(traceId)).map((l) => JSON.parse(l));
    expect(lines('gateway').some((l) => l.msg === 'request' && l.requestId === 'trace-test-0001')).toBe(true);
    const population = lines('subgraph-population');
    expect(population.length).toBeGreaterThan(0);
    for (const l of population) expect(l).toMatchObject({ requestId: 'trace-test-0001', traceId });

    // OpenTelemetry spans, exported over OTLP: client → gateway → subgraph call → subgraph → legacy call.
    const until = Date.now() + 5000;
    const ofTrace = () => spans.filter((sp) => sp.traceId === traceId);
    const arrived = () => ['legacy population', 'legacy medicalInsurance'].every((n) => ofTrace().some((sp) => sp.name === n));
    while (Date.now() < until && !arrived()) await new Promise((r) => setTimeout(r, 100));
    const find = (service: string, name: string) => ofTrace().find((sp) => sp.service === service && sp.name === name);
    const request = find('gateway', 'gateway request');
    const call = find('gateway', 'subgraph population');
    const served = find('subgraph-population', 'subgraph population');
    const legacy = find('subgraph-population', 'legacy population');
    expect(request?.parentSpanId).toBe('00f067aa0ba902b7');
    expect(call?.parentSpanId).toBe(request?.spanId);
    expect(served?.parentSpanId).toBe(call?.spanId);
    expect(legacy?.parentSpanId).toBe(served?.spanId);
    const insurance = find('subgraph-medicalInsurance', 'subgraph medicalInsurance');
    expect(insurance?.parentSpanId).toBe(find('gateway', 'subgraph medicalInsurance')?.spanId);
    expect(find('subgraph-medicalInsurance', 'legacy medicalInsurance')?.parentSpanId).toBe(insurance?.spanId);
  });

  it('answers /readyz 503 naming the subgraph that cannot be reached, and 200 when it is back', async () => {
    await t.city.services['subgraph-medicalInsurance']!.stop();
    const down = await get(t.city.gatewayUrl, '/readyz');
    expect(down.status).toBe(503);
    expect(JSON.parse(down.text).reasons).toEqual(['subgraph:medicalInsurance: unreachable']);
    expect(down.text).not.toMatch(/127\.0\.0\.1|http:/);
    await t.city.crashAndRestart('subgraph-medicalInsurance');
    expect((await get(t.city.gatewayUrl, '/readyz')).status).toBe(200);
  });
});

/** A sample of `name` with (at least) these labels, in any order, whose value is a positive number (or matches `value`). */
function expectSeries(text: string, name: string, labels: Record<string, string>, value?: RegExp): void {
  const lines = text.split('\n').filter((l) => l.startsWith(`${name}{`));
  const match = lines.find((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  expect(match, `${name} ${JSON.stringify(labels)} in:\n${lines.slice(0, 10).join('\n')}`).toBeDefined();
  const sample = match!.slice(match!.lastIndexOf(' ') + 1);
  if (value) expect(sample, match).toMatch(value);
  else expect(Number(sample), match).toBeGreaterThan(0);
}
