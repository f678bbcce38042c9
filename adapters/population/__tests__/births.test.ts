import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidResidentId } from '../../../core/resident-id.ts';
import { createBirthRegistration } from '../births.ts';
import { createPopulationAdapter } from '../index.ts';
import { DEMO_CITIZEN_ID, startPopulationStandIn, type PopulationStandIn } from '../standin/index.ts';

let standIn: PopulationStandIn;
const birth = { parentId: DEMO_CITIZEN_ID, childName: '王小雨', childGender: 'FEMALE' as const, birthDate: '2026-09-30', birthCertificate: 'Q210000009' };

beforeAll(async () => {
  standIn = await startPopulationStandIn({ citizens: 100 });
});
afterAll(() => standIn.close());

describe('birth registration over the registry\'s SOAP service', () => {
  it('registers a newborn in the parent\'s household with a valid new ID, once per key, and revokes it', async () => {
    const births = createBirthRegistration({ url: standIn.url });
    const registry = createPopulationAdapter({ url: standIn.url });
    const ctx = { requestId: 'births-test-1', idempotencyKey: 'births-key-0001' };
    const { childId } = await births.registerBirth(birth, ctx);
    expect(isValidResidentId(childId)).toBe(true);
    expect(childId.slice(0, 14)).toBe('21010220260930');
    expect(Number(childId[16]) % 2).toBe(0); // a girl: even sequence digit (GB 11643)
    // The same idempotency key is the same registration, not a second child.
    expect((await births.registerBirth(birth, ctx)).childId).toBe(childId);
    const [child] = await registry.loadCitizens([childId], ctx);
    expect(child).toMatchObject({ name: '王小雨', gender: 'FEMALE', birthDate: '2026-09-30', address: { divisionCode: '210102' } });
    // A second registration of the same certificate is refused by the registry.
    await expect(births.registerBirth(birth, { ...ctx, idempotencyKey: 'births-key-0002' })).rejects.toMatchObject({ code: 'LEGACY_ERROR', details: { resultCode: '03' } });
    await births.revokeBirth(childId, '测试撤销', ctx);
    expect(await registry.loadCitizens([childId], ctx)).toEqual([null]);
  });

  it('refuses an unknown parent with NOT_FOUND and a malformed certificate before any call', async () => {
    const births = createBirthRegistration({ url: standIn.url });
    await expect(births.registerBirth({ ...birth, parentId: '11010519491231002X', birthCertificate: 'Q210000010' }, { requestId: 'r', idempotencyKey: 'births-key-0003' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(births.registerBirth({ ...birth, birthCertificate: '12' }, { requestId: 'r', idempotencyKey: 'births-key-0004' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { rule: 'birthCertificate' } });
  });
});
