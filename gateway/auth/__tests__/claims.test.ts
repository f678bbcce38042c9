import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '../claims.ts';
import { CITIZEN_ID, refusal } from './helpers.ts';

const USCC = '91210102MA0Y8D2Q44';

describe('principalFromClaims', () => {
  it('maps dept, scope, scopes, obo and client/azp onto the principal', () => {
    expect(principalFromClaims({ sub: 'svc-1', role: 'app', obo: CITIZEN_ID, scope: 'a b', scopes: ['b', 'c'], azp: 'wallet' })).toEqual({
      sub: 'svc-1',
      role: 'app',
      department: null,
      scopes: ['a', 'b', 'c'],
      onBehalfOf: CITIZEN_ID,
      client: 'wallet',
    });
  });

  it('prefers client over azp', () => {
    expect(principalFromClaims({ sub: 'x', role: 'admin', client: 'console', azp: 'other' }).client).toBe('console');
  });

  it('returns a frozen principal', () => {
    const p = principalFromClaims({ sub: 'x', role: 'admin', scope: 'a' });
    expect(Object.isFrozen(p) && Object.isFrozen(p.scopes)).toBe(true);
  });

  it('refuses the anonymous role, unknown roles and a missing role', async () => {
    for (const role of ['anonymous', 'superuser', undefined, 7]) {
      expect(await refusal(() => principalFromClaims({ sub: 'x', role }))).toBe('claims');
    }
  });

  it('refuses a token without sub', async () => {
    expect(await refusal(() => principalFromClaims({ role: 'admin' }))).toBe('claims');
  });

  it('requires a citizen sub to be a valid resident ID and normalises a lowercase x', () => {
    expect(() => principalFromClaims({ sub: '210102198503152319', role: 'citizen' })).toThrow(/resident ID/);
    expect(() => principalFromClaims({ sub: 'alice', role: 'citizen' })).toThrow(/resident ID/);
    expect(principalFromClaims({ sub: '11010519491231002x', role: 'citizen' }).sub).toBe('11010519491231002X');
  });

  it('requires an enterprise sub to be a unified social credit code', () => {
    expect(principalFromClaims({ sub: USCC, role: 'enterprise' }).sub).toBe(USCC);
    expect(() => principalFromClaims({ sub: 'acme', role: 'enterprise' })).toThrow(/credit code/);
    // Right shape, wrong check character.
    expect(() => principalFromClaims({ sub: '91210102MA0Y8D2Q4K', role: 'enterprise' })).toThrow(/check character/);
  });

  it('requires a department for staff and refuses one for other roles', () => {
    expect(principalFromClaims({ sub: 's1', role: 'staff', dept: 'population' }).department).toBe('population');
    expect(() => principalFromClaims({ sub: 's1', role: 'staff' })).toThrow(/dept/);
    expect(() => principalFromClaims({ sub: CITIZEN_ID, role: 'citizen', dept: 'population' })).toThrow(/dept/);
  });

  it('requires an app to act on behalf of a valid resident ID, and only an app', () => {
    expect(() => principalFromClaims({ sub: 'svc', role: 'app' })).toThrow(/obo/);
    expect(() => principalFromClaims({ sub: 'svc', role: 'app', obo: 'bob' })).toThrow(/obo/);
    expect(() => principalFromClaims({ sub: 'a1', role: 'admin', obo: CITIZEN_ID })).toThrow(/obo/);
  });

  it('requires an integrator token to name its client', () => {
    expect(() => principalFromClaims({ sub: 'i1', role: 'integrator' })).toThrow(/client/);
    expect(principalFromClaims({ sub: 'i1', role: 'integrator', azp: 'hotel' }).client).toBe('hotel');
  });

  it('refuses scopes of the wrong type or shape', () => {
    expect(() => principalFromClaims({ sub: 'x', role: 'admin', scope: ['a'] })).toThrow(/scope/);
    expect(() => principalFromClaims({ sub: 'x', role: 'admin', scopes: 'a b' })).toThrow(/scopes/);
    expect(() => principalFromClaims({ sub: 'x', role: 'admin', scopes: ['a"b'] })).toThrow(/scope/);
  });

  it('never quotes a claim value in its message', () => {
    try {
      principalFromClaims({ sub: '210102198503152319', role: 'citizen' });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain('2101021985031523');
    }
  });
});
