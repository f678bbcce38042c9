import { graphql, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS, type Principal } from '../../../core/principal.ts';
import { createLogger } from '../../../core/logger.ts';
import { buildDepartmentSchema, checkRuleCoverage, grant, parentId, viaGateway, type PermissionMap } from '../index.ts';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

const SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Thing @key(fields: "id") { id: ID! secret: String open: String }
  type Query { thing(id: ID!): Thing }
`;
const own = grant('ownThing', { role: 'citizen', own: parentId }, { role: 'admin' });
const rules: PermissionMap = {
  Query: { thing: viaGateway, _service: viaGateway, _entities: viaGateway },
  _Service: { sdl: viaGateway },
  Thing: { id: viaGateway, secret: own, open: viaGateway },
};
const def = {
  name: 'things',
  resolvers: { Query: { thing: (_: unknown, a: { id: string }) => ({ id: a.id, secret: 's', open: 'o' }) } },
  permissions: rules,
  createLoaders: () => ({}),
};
const log = createLogger({ service: 'test', level: 'silent' });
const run = (schema: GraphQLSchema, principal: Principal, id: string) =>
  graphql({ schema, source: `{ thing(id: "${id}") { id secret open } }`, contextValue: { principal, requestId: 'r', log, loaders: {} } });

describe('the subgraph kit', () => {
  it('refuses to build a subgraph with a field that has no explicit rule, naming the field', () => {
    const { Thing, ...rest } = rules;
    const { open: _open, ...thing } = Thing!;
    expect(() => buildDepartmentSchema({ ...def, permissions: { ...rest, Thing: thing } }, { sdl: SDL })).toThrow(/Thing\.open/);
  });

  it('refuses rules for fields that do not exist', () => {
    expect(() => buildDepartmentSchema({ ...def, permissions: { ...rules, Thing: { ...rules.Thing, ghost: own } } }, { sdl: SDL })).toThrow(/Thing\.ghost/);
  });

  it('lists the federation fields among those needing rules', () => {
    const schema = buildSubgraphSchema([{ typeDefs: parse(SDL) }]);
    expect(checkRuleCoverage(schema, {}).missing).toEqual(expect.arrayContaining(['Query._entities', 'Query._service', '_Service.sdl']));
  });

  it('answers a denied field with null and FORBIDDEN while the rest of the answer stays intact', async () => {
    const schema = buildDepartmentSchema(def, { sdl: SDL });
    const citizen: Principal = { ...ANONYMOUS, role: 'citizen', sub: '210102198503152318' };
    const other = await run(schema, citizen, '110101199003070015');
    expect(other.data).toEqual({ thing: { id: '110101199003070015', secret: null, open: 'o' } });
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(other.errors?.[0]?.path).toEqual(['thing', 'secret']);
    const self = await run(schema, citizen, '210102198503152318');
    expect(self.errors).toBeUndefined();
    expect(self.data).toEqual({ thing: { id: '210102198503152318', secret: 's', open: 'o' } });
  });

  it('passes a resolver\'s own coded error through instead of reporting it as a denial', async () => {
    const failing = { ...def, resolvers: { Query: { thing: () => { throw Object.assign(new Error('legacy slow'), { name: 'CityGraphError', code: 'ADAPTER_TIMEOUT' }); } } } };
    const schema = buildDepartmentSchema(failing, { sdl: SDL });
    const r = await run(schema, { ...ANONYMOUS, role: 'admin', sub: 'a' }, '110101199003070015');
    expect(r.errors?.[0]?.message).toBe('legacy slow');
  });

  it('shows a field through the mask of the grant that allowed it, and plainly to a caller a plain grant allows', async () => {
    const masked = grant('maskedSecret', { role: 'integrator', scope: 'basic', mask: (v) => `${String(v).slice(0, 1)}***` }, { role: 'integrator', scope: 'plain' });
    const schema = buildDepartmentSchema({ ...def, permissions: { ...rules, Thing: { ...rules.Thing, secret: masked } } }, { sdl: SDL });
    const integrator = (scopes: string[]): Principal => ({ ...ANONYMOUS, role: 'integrator', sub: 'k', scopes, client: 'hotel' });
    expect((await run(schema, integrator(['basic']), '110101199003070015')).data?.thing).toMatchObject({ secret: 's***' });
    expect((await run(schema, integrator(['basic', 'plain']), '110101199003070015')).data?.thing).toMatchObject({ secret: 's' });
    const denied = await run(schema, integrator([]), '110101199003070015');
    expect(denied.data?.thing).toMatchObject({ secret: null });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
