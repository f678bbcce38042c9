import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { HttpRefusal } from '../../../core/graphql-http.ts';
import { checkOperation, hideSchema } from '../check.ts';
import { checkLimitsConfig, createLimitResolver, DEFAULT_OPERATION_LIMITS } from '../options.ts';
import { estimateCost } from '../rules.ts';

const schema = buildSchema(`
  type Query { person(id: ID!): Person people(ids: [ID!]!): [Person] log(first: Int = 20): Connection }
  type Person { id: ID! name: String friends: [Person] }
  type Connection { edges: [Edge!]! }
  type Edge { node: Person }
`);
const limits = { ...DEFAULT_OPERATION_LIMITS };

function refusal(query: string, overrides: Partial<typeof limits> = {}, variables: Record<string, unknown> = {}): HttpRefusal {
  try {
    checkOperation(schema, { query, variables }, { ...limits, ...overrides });
  } catch (e) {
    if (e instanceof HttpRefusal) return e;
    throw e;
  }
  throw new Error('not refused');
}

function cost(query: string, variables: Record<string, unknown> = {}): number {
  const doc = parse(query);
  return estimateCost(schema, doc.definitions[0] as OperationDefinitionNode, {}, variables, 10);
}

describe('checkOperation', () => {
  it('passes an ordinary operation and tells whether it introspects', () => {
    expect(checkOperation(schema, { query: '{ person(id: "1") { name } }' }, limits).introspection).toBe(false);
    expect(checkOperation(schema, { query: '{ x: __type(name: "Person") { name } }' }, limits).introspection).toBe(true);
  });

  it('counts __typename aliases, names the limit broken and what was found', () => {
    const r = refusal(`{ ${Array.from({ length: 21 }, (_, i) => `t${i}: __typename`).join(' ')} }`);
    expect(r.status).toBe(400);
    expect(r.details).toEqual({ limit: 'maxAliases', max: 20, found: 21 });
  });

  it('refuses by tokens while parsing, before anything else is built', () => {
    expect(refusal(`{ ${'a '.repeat(100)}}`, { maxTokens: 50 }).details?.limit).toBe('maxTokens');
  });

  it('counts repeats of one response key, not aliased copies of one field', () => {
    expect(refusal('{ person(id: "1") { name name name } }', { maxFieldRepeats: 2 }).details).toMatchObject({ limit: 'maxFieldRepeats', found: 3 });
    expect(() => checkOperation(schema, { query: '{ a: person(id: "1") { name } b: person(id: "2") { name } c: person(id: "3") { name } }' }, { ...limits, maxFieldRepeats: 2 })).not.toThrow();
  });

  it('refuses an unknown operationName and a document of several unnamed choices with OPERATION_NAME_UNKNOWN', () => {
    expect(checkOperationCode('query A { __typename }', 'B')).toBe('OPERATION_NAME_UNKNOWN');
    expect(checkOperationCode('query A { __typename } query B { __typename }')).toBe('OPERATION_NAME_UNKNOWN');
  });

  it('hides suggestions and schema names the client did not write, unless asked for details', () => {
    const hidden = refusal('{ person(id: "1") { nam } }');
    expect(hidden.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(hidden.message).not.toMatch(/Did you mean|Person/);
    try {
      checkOperation(schema, { query: '{ person(id: "1") { nam } }' }, limits, { schemaDetails: true });
    } catch (e) {
      expect((e as HttpRefusal).message).toMatch(/Did you mean "name"/);
    }
    expect(hideSchema('Cannot query field "nam" on type "Person". Did you mean "name"?', '{ nam }')).toBe('Cannot query field "nam" on type (hidden).');
  });

  it('stops measuring a fragment bomb at its walk budget and refuses it', () => {
    const levels = Array.from({ length: 12 }, (_, i) => `fragment F${i} on Person { friends { ...F${i + 1} ...F${i + 1} } }`).join(' ');
    const query = `{ person(id: "1") { ...F0 } } ${levels} fragment F12 on Person { name }`;
    expect(refusal(query, { maxDepth: 100 }).details?.limit).toMatch(/maxCost|maxFieldRepeats/);
  });
});

function checkOperationCode(query: string, operationName?: string): string {
  try {
    checkOperation(schema, { query, operationName }, limits);
    return 'accepted';
  } catch (e) {
    return (e as HttpRefusal).code;
  }
}

describe('estimateCost', () => {
  it('multiplies by the ids given, by first, and by 10 for a list of unknown size', () => {
    expect(cost('{ person(id: "1") { name } }')).toBe(2);
    expect(cost('query($ids: [ID!]!) { people(ids: $ids) { name } }', { ids: ['1', '2', '3'] })).toBe(6);
    expect(cost('{ person(id: "1") { friends { name } } }')).toBe(1 + (1 + 1) * 10);
    // A connection: `first` sizes the edges list below it.
    expect(cost('{ log(first: 50) { edges { node { name } } } }')).toBe((1 + (1 + (1 + 1))) * 50);
  });

  it('leaves introspection out: the gateway answers it without any department', () => {
    expect(cost('{ __schema { types { fields { name } } } }')).toBe(0);
  });
});

describe('limits per role and client', () => {
  it('applies the default, then the role, then the client', () => {
    const resolve = createLimitResolver({ default: { operation: { maxDepth: 8 } }, roles: { integrator: { operation: { maxCost: 100 } } }, clients: { hotel: { operation: { maxCost: 50 }, principalRate: { points: 5, durationSec: 1 } } } });
    const p = (role: 'citizen' | 'integrator', client: string | null) => ({ sub: 's', role, department: null, scopes: [], onBehalfOf: null, client });
    expect(resolve(p('citizen', null)).operation).toMatchObject({ maxDepth: 8, maxCost: 5000 });
    expect(resolve(p('integrator', 'other')).operation).toMatchObject({ maxDepth: 8, maxCost: 100 });
    expect(resolve(p('integrator', 'hotel'))).toMatchObject({ operation: { maxCost: 50 }, principalRate: { points: 5, durationSec: 1 }, clientRate: { points: 1200 } });
  });

  it('refuses a configuration with an unknown limit, role or a bad number at start-up, naming it', () => {
    expect(() => checkLimitsConfig({ roles: { citizen: { operation: { maxDepht: 3 } } } })).toThrow(/roles\.citizen\.operation/);
    expect(() => checkLimitsConfig({ roles: { king: {} } })).toThrow(/roles/);
    expect(() => checkLimitsConfig({ default: { principalRate: { points: 0, durationSec: 60 } } })).toThrow(/default\.principalRate\.points/);
  });
});

