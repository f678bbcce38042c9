/** The role × field table in docs/access.md is generated from the code, and every field has a rule. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDepartmentSchema, checkRuleCoverage, listFields, type SubgraphDefinition } from '../subgraphs/kit/index.ts';
import { ACCESS_TABLE_FILE, accessTable, generateAccessTable, loadSubgraphDefinitions, parseAccessTable, renderAccessTable } from '../scripts/lib/access-table.ts';
import { SUBGRAPHS } from '../scripts/lib/subgraphs.ts';

const defs = await loadSubgraphDefinitions();
/** The kit wants a store for subgraphs with mutations; building never calls it. */
const store = {} as never;

describe('docs/access.md', () => {
  it('is up to date with every subgraph\'s permissions.ts (run `npm run -s access-table` when this fails)', async () => {
    expect(readFileSync(ACCESS_TABLE_FILE, 'utf8')).toBe(await generateAccessTable());
  });

  it('has a section for every subgraph of the graph and a row for every field of its schema', () => {
    const parsed = parseAccessTable(readFileSync(ACCESS_TABLE_FILE, 'utf8'));
    expect(parsed.map((s) => s.subgraph)).toEqual(SUBGRAPHS.map((s) => s.name));
    for (const def of defs) {
      const fields = listFields(buildDepartmentSchema(def, { supervision: store }));
      expect(parsed.find((s) => s.subgraph === def.name)!.rows.map((r) => r.field)).toEqual(fields);
    }
  });

  it('reads back exactly as it was rendered', () => {
    const table = accessTable(defs);
    expect(parseAccessTable(renderAccessTable(table))).toEqual(table);
  });

  it('refuses to be generated from a rule that was not built with grant(), naming the field', () => {
    const [first] = defs as [SubgraphDefinition<any, any>];
    const permissions = { ...first.permissions, Query: { ...first.permissions.Query, _service: {} as never } };
    expect(() => accessTable([{ ...first, permissions }])).toThrow(/Query\._service/);
  });
});

describe.each(defs.map((d) => [d.name, d] as const))('the %s subgraph', (_name, def) => {
  it('has an explicit rule for every field of its schema, federation fields included', () => {
    const schema = buildDepartmentSchema(def, { supervision: store });
    expect(checkRuleCoverage(schema, def.permissions)).toEqual({ missing: [], unknown: [] });
    expect(listFields(schema)).toEqual(expect.arrayContaining(['Query._service', '_Service.sdl']));
  });

  it('cannot be built when any one of its fields loses its rule', () => {
    for (const [type, fields] of Object.entries(def.permissions)) {
      for (const field of Object.keys(fields)) {
        const { [field]: _dropped, ...rest } = fields;
        const permissions = { ...def.permissions, [type]: rest };
        expect(() => buildDepartmentSchema({ ...def, permissions }, { supervision: store }), `${type}.${field}`).toThrow(`${type}.${field}`);
      }
    }
  });
});
