/**
 * Reading the generated access table (docs/access.md) as a contract: which callers to try, what a cell
 * says about one caller and one subject, and how to reach each field of the table through a query.
 */
import type { Role } from '../../core/principal.ts';
import { DENIED_CELL, type SubgraphAccess } from '../../scripts/lib/access-table.ts';

/** One caller of the whole-system access test: a role with its scopes, department and own subject. */
export interface Caller {
  label: string;
  role: Role;
  scopes: readonly string[];
  department: string | null;
  /** The citizen this caller's `own` is (a citizen's sub, an app's onBehalfOf); null for other roles. */
  own: string | null;
}

/** What a cell says for one caller and one subject. */
export interface Verdict {
  allowed: boolean;
  /** Allowed only through a masking grant. */
  masked: boolean;
}

/**
 * Evaluates a cell of the table: alternatives joined by `or`, conditions by `+` (`own`, `scope x`,
 * `dept x`); words without a condition (`yes`, `gateway`, `any dept`, `via parent`) always hold.
 */
export function evaluateCell(cell: string, caller: Caller, subject: string): Verdict {
  if (cell === DENIED_CELL) return { allowed: false, masked: false };
  const satisfied = cell.split(' or ').flatMap((alternative) => {
    const masked = alternative.endsWith(', masked');
    const words = alternative.replace(/, masked$/, '').replace(/ \([^)]*\)$/, '');
    const holds = words.split(' + ').every((condition) => {
      if (condition === 'own') return caller.own !== null && caller.own === subject;
      const scope = /^scope (\S+)$/.exec(condition);
      if (scope) return caller.scopes.includes(scope[1]!);
      const dept = /^dept (\S+)$/.exec(condition);
      if (dept) return caller.department === dept[1];
      return true;
    });
    return holds ? [masked] : [];
  });
  return { allowed: satisfied.length > 0, masked: satisfied.length > 0 && satisfied.every(Boolean) };
}

/** A way to observe fields of the table through one query. */
export interface Probe {
  /** The table rows (`subgraph:Type.field`) a query must pass, root first; the last is the one probed. */
  chain: string[];
  /** The selection, given the GraphQL variable names `$subject`, `$name`. */
  selection: string;
  /** Path inside the selection's result to the value probed (empty: the root field itself). */
  path: (string | number)[];
}

const pop = (f: string) => `population:${f}`;
const med = (f: string) => `medicalInsurance:${f}`;
const sup = (f: string) => `supervision:${f}`;
/** What a gateway join to the medical insurance subgraph passes: the entry, the key, `_entities`. */
const joinToInsurance = [pop('Query.citizen'), pop('Citizen.id'), med('Query._entities'), med('Citizen.insurance')];

/** Queries through the gateway, with real credentials, for one subject (`$subject: ID!`, `$name: String!`). */
export const GATEWAY_PROBES: Probe[] = [
  { chain: [pop('Query.citizen')], selection: 'citizen(id: $subject) { __typename }', path: [] },
  { chain: [pop('Query.citizens')], selection: 'citizens(ids: [$subject]) { __typename }', path: [] },
  { chain: [pop('Query.verifyIdentity')], selection: 'verifyIdentity(id: $subject, name: $name) { __typename }', path: [] },
  { chain: [pop('Query.verifyIdentity'), pop('IdentityCheck.match')], selection: 'verifyIdentity(id: $subject, name: $name) { match }', path: ['match'] },
  ...['id', 'name', 'gender', 'birthDate', 'phone'].map((f) => ({ chain: [pop('Query.citizen'), pop(`Citizen.${f}`)], selection: `citizen(id: $subject) { ${f} }`, path: [f] })),
  { chain: [pop('Query.citizen'), pop('Citizen.address')], selection: 'citizen(id: $subject) { address { __typename } }', path: ['address'] },
  { chain: [pop('Query.citizen'), pop('Citizen.ethnicity')], selection: 'citizen(id: $subject) { ethnicity { __typename } }', path: ['ethnicity'] },
  ...['divisionCode', 'district', 'text'].map((f) => ({
    chain: [pop('Query.citizen'), pop('Citizen.address'), pop(`Address.${f}`)],
    selection: `citizen(id: $subject) { address { ${f} } }`,
    path: ['address', f],
  })),
  ...['code', 'name'].map((f) => ({
    chain: [pop('Query.citizen'), pop('Citizen.ethnicity'), pop(`Ethnicity.${f}`)],
    selection: `citizen(id: $subject) { ethnicity { ${f} } }`,
    path: ['ethnicity', f],
  })),
  { chain: joinToInsurance, selection: 'citizen(id: $subject) { insurance { __typename } }', path: ['insurance'] },
  ...['status', 'type', 'typeCode', 'balance', 'insuredSince', 'insuredPlace'].map((f) => ({
    chain: [...joinToInsurance, med(`Insurance.${f}`)],
    selection: `citizen(id: $subject) { insurance { ${f} } }`,
    path: ['insurance', f],
  })),
  { chain: [med('Query.insuranceStatus')], selection: 'insuranceStatus(id: $subject)', path: [] },
  { chain: [sup('Query.mutationLog'), sup('SupervisionRecordConnection.totalCount')], selection: 'mutationLog(first: 1) { totalCount }', path: ['totalCount'] },
  { chain: [sup('Query.checkpoints')], selection: 'checkpoints { __typename }', path: [] },
  { chain: [sup('Query.integrity'), sup('IntegritySummary.ok')], selection: 'integrity { ok }', path: ['ok'] },
];

/** The mutation, through the gateway (`$subject: ID!`, `$phone: String!`); it really changes the phone when allowed. */
export const MUTATION_PROBES: Probe[] = [
  { chain: [pop('Mutation.updateContactPhone')], selection: 'updateContactPhone(citizenId: $subject, phone: $phone) { __typename }', path: [] },
  { chain: [pop('Mutation.updateContactPhone'), pop('ContactPhoneChange.requestId')], selection: 'updateContactPhone(citizenId: $subject, phone: $phone) { requestId }', path: ['requestId'] },
  { chain: [pop('Mutation.updateContactPhone'), pop('ContactPhoneChange.citizen')], selection: 'updateContactPhone(citizenId: $subject, phone: $phone) { citizen { __typename } }', path: ['citizen'] },
];

/** Federation plumbing, asked of each subgraph directly with a principal the gateway's key signed. */
export const SUBGRAPH_PROBES: Array<Probe & { subgraph: string }> = [
  ...['population', 'medicalInsurance', 'supervision'].flatMap((subgraph) => [
    { subgraph, chain: [`${subgraph}:Query._service`], selection: '_service { __typename }', path: [] },
    { subgraph, chain: [`${subgraph}:Query._service`, `${subgraph}:_Service.sdl`], selection: '_service { sdl }', path: ['sdl'] },
  ]),
  ...['population', 'medicalInsurance'].map((subgraph) => ({
    subgraph,
    chain: [`${subgraph}:Query._entities`],
    selection: '_entities(representations: [{ __typename: "Citizen", id: $subject }]) { __typename }',
    path: [],
  })),
  {
    subgraph: 'medicalInsurance',
    chain: [med('Query._entities'), med('Citizen.id')],
    selection: '_entities(representations: [{ __typename: "Citizen", id: $subject }]) { ... on Citizen { id } }',
    path: [0, 'id'],
  },
];

/** Looks a row's cell up: `subgraph:Type.field` → the cell for `role`; throws for a row not in the table. */
export function cellOf(table: readonly SubgraphAccess[], row: string, role: Role): string {
  const [subgraph, field] = row.split(':') as [string, string];
  const found = table.find((s) => s.subgraph === subgraph)?.rows.find((r) => r.field === field);
  if (!found) throw new Error(`docs/access.md has no row ${field} in section ${subgraph}.`);
  return found.cells[role];
}

/** What the table expects of a probe for one caller and subject: every row of its chain must allow. */
export function expectation(table: readonly SubgraphAccess[], probe: Probe, caller: Caller, subject: string): Verdict {
  const verdicts = probe.chain.map((row) => evaluateCell(cellOf(table, row, caller.role), caller, subject));
  return { allowed: verdicts.every((v) => v.allowed), masked: verdicts.at(-1)!.masked };
}

/** Follows `path` into `value`; undefined where a step is missing or null. */
export function dig(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const step of path) {
    if (v === null || v === undefined) return v;
    v = (v as Record<string | number, unknown>)[step];
  }
  return v;
}
