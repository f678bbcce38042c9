import { describe, expect, it } from 'vitest';
import { ANONYMOUS, type Principal } from '../../../core/principal.ts';
import { describeGrant, describeRule, grant, maskFor, parentId, satisfies, viaGateway, type Grant } from '../rules.ts';

const integrator = (scopes: string[]): Principal => ({ ...ANONYMOUS, role: 'integrator', sub: 'apikey:1', scopes, client: 'hotel' });
const star = (v: unknown) => `*${String(v)}*`;

describe('grants', () => {
  it('are described in the words of the generated table, derived from what they check', () => {
    expect(describeGrant({ role: 'admin' })).toBe('yes');
    expect(describeGrant({ role: 'citizen', own: parentId })).toBe('own');
    expect(describeGrant({ role: 'app', own: parentId, scope: 'citizen:read' })).toBe('own + scope citizen:read');
    expect(describeGrant({ role: 'staff', department: 'population', note: 'via parent' })).toBe('dept population (via parent)');
    expect(describeGrant({ role: 'staff', note: 'any dept' })).toBe('any dept');
    expect(describeGrant({ role: 'integrator', scope: 'citizen:basic', mask: star })).toBe('scope citizen:basic, masked');
    expect(describeGrant({ role: 'integrator', scope: 'parking:operator', client: parentId })).toBe('own client + scope parking:operator');
  });

  it('with `client` allow only the integrator whose client is the subject (an operator and its own car park)', () => {
    const operatorOf = (lot: unknown) => (lot as { operatorId: string }).operatorId;
    const g: Grant = { role: 'integrator', scope: 'parking:operator', client: operatorOf };
    const operator: Principal = { ...integrator(['parking:operator']), client: 'sy-jiaotou' };
    expect(satisfies(g, operator, { operatorId: 'sy-jiaotou' }, {})).toBe(true);
    expect(satisfies(g, operator, { operatorId: 'metro-parking' }, {})).toBe(false);
    expect(satisfies(g, { ...operator, client: null }, { operatorId: 'sy-jiaotou' }, {})).toBe(false);
    expect(satisfies(g, operator, {}, {})).toBe(false);
    expect(satisfies(g, { ...operator, scopes: [] }, { operatorId: 'sy-jiaotou' }, {})).toBe(false);
  });

  it('keep the grants a rule was built from, for the table', () => {
    const grants: Grant[] = [{ role: 'citizen', own: parentId }, { role: 'admin' }];
    expect(describeRule(grant('ownOrAdmin', ...grants))).toMatchObject({ name: 'ownOrAdmin', grants });
    expect(describeRule(viaGateway)?.grants).toHaveLength(8);
  });

  it('fail at construction without a name, without grants, or with a role that does not exist', () => {
    expect(() => grant('')).toThrow(/rule name/);
    expect(() => grant('nobody')).toThrow(/at least one grant/);
    expect(() => grant('typo', { role: 'admn' as never })).toThrow(/"admn" is not a role/);
  });
});

describe('masks', () => {
  const grants: Grant[] = [{ role: 'integrator', scope: 'citizen:basic', mask: star }, { role: 'integrator', scope: 'citizen:id' }, { role: 'admin' }];

  it('apply when every grant the caller satisfies masks', () => {
    expect(maskFor(grants, integrator(['citizen:basic']), {}, {})).toBe(star);
  });

  it('do not apply when a grant the caller also satisfies shows the value plainly', () => {
    expect(maskFor(grants, integrator(['citizen:basic', 'citizen:id']), {}, {})).toBeNull();
    expect(maskFor(grants, { ...ANONYMOUS, role: 'admin', sub: 'a' }, {}, {})).toBeNull();
  });

  it('do not apply to a caller no grant allows (the rule denies it before any value is shown)', () => {
    expect(maskFor(grants, integrator([]), {}, {})).toBeNull();
  });
});
