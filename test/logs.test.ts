/**
 * Personal data out of logs: a whole-system session at debug level (citizens, apps, admins, integrators,
 * a change of phone, failures, bad credentials), then every line every process wrote is searched for
 * the resident IDs, names, phone numbers, tokens and API keys of the session.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID, generateCitizens } from '../adapters/population/standin/index.ts';
import { API_KEY_HEADER, issueApiKey } from '../gateway/auth/index.ts';
import { startTestCity, type TestCity } from './support/city.ts';

let t: TestCity;
/** Everything that must never appear in plain text in a log line. */
const secrets = new Set<string>();

const PERSON = `query($id: ID!) { citizen(id: $id) { id name gender birthDate phone address { text district } ethnicity { name } insurance { status balance } } }`;
const CHANGE = `mutation($id: ID!, $phone: String!) { updateContactPhone(citizenId: $id, phone: $phone) { citizen { phone } requestId } }`;

beforeAll(async () => {
  t = await startTestCity({ env: { LOG_LEVEL: 'debug' } });
  const [, second, third] = generateCitizens(3);
  const ids = [DEMO_CITIZEN_ID, second!.GMSFHM, third!.GMSFHM];
  const citizen = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
  const admin = await t.token({ role: 'admin', sub: 'admin-logs' });
  const app = await t.token({ role: 'app', sub: 'app-logs', onBehalfOf: DEMO_CITIZEN_ID, scopes: ['citizen:read', 'contact:write'] });
  const hotel = issueApiKey(join(t.dataDir, 'api-keys.json'), { client: 'hotel', scopes: ['identity:verify', 'citizen:basic'], purpose: 'check-in' }).key;
  const mobile = '13912345678';
  const landline = '024-23456789';
  [...ids, citizen, admin, app, hotel, mobile, landline, '王立军', second!.XM, third!.XM].forEach((s) => secrets.add(s));

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const names: string[] = [];
  const run = async (query: string, headers: Record<string, string>, variables?: Record<string, unknown>) => {
    const r = await t.query(query, { headers, variables });
    // Names returned (a person's, an ethnic group's) are searched for too.
    for (const m of JSON.stringify(r.body).matchAll(/"name":"([^"]+)"/g)) names.push(m[1]!);
    return r;
  };
  for (const id of ids) await run(PERSON, bearer(admin), { id });
  await run(PERSON, bearer(citizen), { id: DEMO_CITIZEN_ID });
  // A client that uses a resident ID as its request id.
  await run(PERSON, { ...bearer(citizen), 'x-request-id': DEMO_CITIZEN_ID }, { id: ids[1] });
  await run(PERSON, bearer(app), { id: DEMO_CITIZEN_ID });
  // The personal data really went through every process: the changes were made.
  expect((await run(CHANGE, bearer(citizen), { id: DEMO_CITIZEN_ID, phone: mobile })).body.data.updateContactPhone.citizen.phone).toBe(mobile);
  expect((await run(CHANGE, bearer(admin), { id: ids[1], phone: landline })).body.data.updateContactPhone.citizen.phone).toBe(landline);
  await run(CHANGE, bearer(app), { id: ids[2], phone: mobile });
  const verified = await run('query($id: ID!, $name: String!) { verifyIdentity(id: $id, name: $name) { match } }', { [API_KEY_HEADER]: hotel }, { id: ids[2], name: third!.XM });
  expect(verified.body.data.verifyIdentity.match).toBe(true);
  await run('query($id: ID!, $name: String!) { verifyIdentity(id: $id, name: $name) { match } }', { [API_KEY_HEADER]: hotel }, { id: ids[1], name: '王立军' });
  await run('query($id: ID!) { citizen(id: $id) { id name } }', { [API_KEY_HEADER]: hotel }, { id: ids[1] });
  // Bad input that names an ID, and a department failing with IDs in flight.
  const badId = `${DEMO_CITIZEN_ID.slice(0, 17)}0`;
  secrets.add(badId);
  await run(PERSON, bearer(admin), { id: badId });
  await t.fault('population-standin', { mode: 'soapFault' });
  await run(PERSON, bearer(admin), { id: ids[2] });
  await t.fault('population-standin', { mode: null });
  await t.fault('medicalInsurance-standin', { mode: 'infcodeError' });
  await run(PERSON, bearer(citizen), { id: DEMO_CITIZEN_ID });
  await t.fault('medicalInsurance-standin', { mode: null });
  // Bad credentials: a tampered token, a made-up API key, a token where an API key goes.
  const tampered = `${citizen.slice(0, -4)}AAAA`;
  const madeUp = `cgk_0123456789ab_${'Z'.repeat(43)}`;
  [tampered, madeUp].forEach((s) => secrets.add(s));
  await run(PERSON, bearer(tampered), { id: DEMO_CITIZEN_ID });
  await run(PERSON, { [API_KEY_HEADER]: madeUp }, { id: DEMO_CITIZEN_ID });
  await run(PERSON, { [API_KEY_HEADER]: citizen }, { id: DEMO_CITIZEN_ID });
  await run(PERSON, { authorization: hotel }, { id: DEMO_CITIZEN_ID });
  names.forEach((n) => secrets.add(n));
  // Let the last lines reach us.
  await new Promise((r) => setTimeout(r, 300));
}, 120_000);
afterAll(() => t?.stop());

describe('the logs of a whole-system session', () => {
  it('were written by every process, at debug level, so the search below has something to search', () => {
    for (const [name, service] of Object.entries(t.city.services)) expect(service.output.length, name).toBeGreaterThan(0);
    const all = Object.values(t.city.services).flatMap((s) => s.output).join('\n');
    expect(all).toContain('"level":20');
    expect(all).toContain('access denied');
  });

  it('contain no resident ID, name, phone number, token or API key of the session in plain text', () => {
    expect(secrets.size).toBeGreaterThan(15);
    const leaks: string[] = [];
    for (const [name, service] of Object.entries(t.city.services)) {
      service.output.forEach((line, i) => {
        for (const secret of secrets) if (line.includes(secret)) leaks.push(`${name} line ${i + 1} contains "${secret.slice(0, 12)}…": ${line.slice(0, 300)}`);
      });
    }
    expect(leaks).toEqual([]);
  });

  it('still say which masked citizen a line is about, so operators can follow a case', () => {
    const all = Object.values(t.city.services).flatMap((s) => s.output).join('\n');
    expect(all).toMatch(/2101\*{10}2318/);
  });
});
