/**
 * The role × field access table, generated from the code that decides: every subgraph is built with
 * the kit (which refuses a field without a rule), every field of its schema is walked, and each cell
 * is the words of the grants behind that field's rule (`describeRule`). `docs/access.md` is its output.
 */
import { ROLES, type Role } from '../../core/principal.ts';
import { buildDepartmentSchema, describeGrant, describeRule, listFields, type SubgraphDefinition } from '../../subgraphs/kit/index.ts';
import type { SupervisionStore } from '../../supervision/index.ts';
import { SUBGRAPHS } from './subgraphs.ts';

/** Path of the generated table. */
export const ACCESS_TABLE_FILE = new URL('../../docs/access.md', import.meta.url);

/** Cell of a role that no grant allows. */
export const DENIED_CELL = '—';

/** One field of one subgraph and who may use it. */
export interface AccessRow {
  /** `Type.field`. */
  field: string;
  /** The name of the rule deciding it, as in the subgraph's permissions.ts. */
  rule: string;
  /** The table's words for each role, `—` when denied. */
  cells: Record<Role, string>;
}

/** The rows of one subgraph, in schema order (sorted by `Type.field`). */
export interface SubgraphAccess {
  subgraph: string;
  rows: AccessRow[];
}

/** Imports `subgraphs/<name>/index.ts` of every subgraph in the graph and returns its definition. */
export async function loadSubgraphDefinitions(): Promise<SubgraphDefinition<any, any>[]> {
  return Promise.all(
    SUBGRAPHS.map(async ({ name }) => {
      const mod = (await import(`../../subgraphs/${name}/index.ts`)) as Record<string, unknown>;
      const def = Object.values(mod).find((v): v is SubgraphDefinition<any, any> => (v as SubgraphDefinition | null)?.name === name && typeof (v as SubgraphDefinition).permissions === 'object');
      if (!def) throw new Error(`subgraphs/${name}/index.ts exports no subgraph definition named "${name}".`);
      return def;
    }),
  );
}

/** Never called: the table only builds schemas, it runs nothing, but the kit wants a store for recorded fields. */
const NO_STORE = new Proxy({} as SupervisionStore, {
  get: (_t, prop) => (prop === 'then' ? undefined : () => Promise.reject(new Error('The access table never writes supervision records.'))),
});

/** Builds each subgraph with the kit (throwing, as it does, on a field without a rule) and tabulates its rules. */
export function accessTable(defs: readonly SubgraphDefinition<any, any>[]): SubgraphAccess[] {
  return defs.map((def) => {
    const schema = buildDepartmentSchema(def, { supervision: NO_STORE });
    const rows = listFields(schema).map((field): AccessRow => {
      const [type, name] = field.split('.') as [string, string];
      const described = describeRule(def.permissions[type]?.[name]);
      if (!described) {
        throw new Error(`${def.name}: the rule of ${field} was not built with grant(), so the table cannot say who may use it.`);
      }
      const cells = Object.fromEntries(
        ROLES.map((role) => {
          const words = described.grants.filter((g) => g.role === role).map(describeGrant);
          return [role, words.length > 0 ? words.join(' or ') : DENIED_CELL];
        }),
      ) as Record<Role, string>;
      return { field, rule: described.name, cells };
    });
    return { subgraph: def.name, rows };
  });
}

const LEGEND = [
  '| word | means |',
  '| --- | --- |',
  '| `yes` | allowed to every caller of that role |',
  '| `own` | only for the caller\'s own record: a citizen\'s `sub`, an app\'s `onBehalfOf` |',
  '| `scope x` | only when the caller holds scope `x` (token `scope` claim, or the API key\'s scopes) |',
  '| `dept x` | only for staff of department `x` |',
  '| `dept of record` | only for staff of the department that owns the record (e.g. the matter of a case) |',
  '| `any dept` | staff of any department (the entry to a citizen and its key: each department guards its own fields) |',
  '| `masked` | the value is shown masked (`2101**********2318`) |',
  '| `via parent` | reached only through a parent field, whose rule already checked the record |',
  '| `gateway` | federation plumbing, answered to any request that carries the gateway\'s signed principal |',
  `| \`${DENIED_CELL}\` | denied: \`null\` and \`FORBIDDEN\`, the rest of the answer intact |`,
].join('\n');

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** Renders the table as Markdown: a legend, then one section per subgraph. */
export function renderAccessTable(table: readonly SubgraphAccess[]): string {
  const header = `| field | rule | ${ROLES.join(' | ')} |\n| --- | --- | ${ROLES.map(() => '---').join(' | ')} |`;
  const sections = table.map(({ subgraph, rows }) => {
    const lines = rows.map((r) => `| \`${r.field}\` | ${r.rule} | ${ROLES.map((role) => escapeCell(r.cells[role])).join(' | ')} |`);
    return `## ${subgraph}\n\n${header}\n${lines.join('\n')}\n`;
  });
  return [
    '# Who may read and change what',
    '',
    'Generated by `npm run -s access-table` from each subgraph\'s `permissions.ts`; do not edit by hand',
    '(a test fails when this file is stale). Rows are every field of every subgraph schema; columns are the roles.',
    'Several ways to be allowed are joined with `or`; conditions of one way with `+`.',
    '',
    LEGEND,
    '',
    ...sections,
  ].join('\n');
}

/** The Markdown of `docs/access.md` for the subgraphs as they are now. */
export async function generateAccessTable(): Promise<string> {
  return renderAccessTable(accessTable(await loadSubgraphDefinitions()));
}

/** Parses a generated table back into sections (for tests that check the table holds). */
export function parseAccessTable(markdown: string): SubgraphAccess[] {
  const out: SubgraphAccess[] = [];
  let current: SubgraphAccess | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^## (\S+)$/.exec(line);
    if (heading) {
      current = { subgraph: heading[1]!, rows: [] };
      out.push(current);
      continue;
    }
    const row = /^\| `([A-Za-z_]+\.[A-Za-z_]+)` \| (\S+) \| (.*) \|$/.exec(line);
    if (!row || !current) continue;
    const cells = row[3]!.split(/(?<!\\) \| /).map((c) => c.replace(/\\\|/g, '|'));
    if (cells.length !== ROLES.length) throw new Error(`docs/access.md: row ${row[1]} has ${cells.length} role cells, expected ${ROLES.length}.`);
    current.rows.push({ field: row[1]!, rule: row[2]!, cells: Object.fromEntries(ROLES.map((r, i) => [r, cells[i]!])) as Record<Role, string> });
  }
  return out;
}
