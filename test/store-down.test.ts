/** The supervision store is gone from the start: the graph answers queries and refuses every change. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID } from '../adapters/population/standin/index.ts';
import { startTestCity, type TestCity } from './support/city.ts';

let t: TestCity;

beforeAll(async () => {
  // Nothing listens on port 1: the store cannot be opened, now or later.
  t = await startTestCity({ env: { LOG_LEVEL: 'info', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' } });
}, 90_000);
afterAll(() => t?.stop());

describe('a supervision store that cannot be reached', () => {
  it('lets the subgraphs start and answer queries, refuses the change with SUPERVISION_UNAVAILABLE and never calls the registry for it', async () => {
    const token = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
    const read = await t.query(`{ citizen(id: "${DEMO_CITIZEN_ID}") { name insurance { status } } }`, { token });
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data.citizen).toEqual({ name: '王立军', insurance: { status: 'ACTIVE' } });

    await t.resetStats();
    const change = await t.query('mutation { updateContactPhone(citizenId: "210102198503152318", phone: "13600000000") { requestId } }', { token });
    expect(change.body.data.updateContactPhone).toBeNull();
    expect(change.body.errors?.[0]?.extensions?.code).toBe('SUPERVISION_UNAVAILABLE');
    expect(change.body.errors?.[0]?.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|postgres/);
    expect((await t.stats('population-standin')).requests).toBe(0);
  });

  it('refuses the auditors\' reads too, since they could not be recorded', async () => {
    const auditor = await t.token({ role: 'auditor', sub: 'auditor-test' });
    const r = await t.query('{ integrity { ok } }', { token: auditor });
    expect(r.body.data.integrity).toBeNull();
    expect(r.body.errors?.[0]?.extensions?.code).toBe('SUPERVISION_UNAVAILABLE');
  });
});
