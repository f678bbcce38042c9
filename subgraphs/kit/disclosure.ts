/**
 * 阳光示权: every read of a person's data by someone other than that person leaves an access record.
 * A department declares, in its permissions.ts, one line per field that discloses a citizen's or an
 * enterprise's data (`citizenData(parentId)`); the kit collects what each request disclosed and writes
 * one access record per request × subject × department (group-committed) before the answer leaves.
 * Fail closed: when the records cannot be written, the subgraph answers no data at all.
 */
import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import { getNamedType, isListType, isNonNullType, isObjectType, type GraphQLOutputType } from 'graphql';
import { CityGraphError, ErrorCode } from '../../core/errors.ts';
import type { Principal } from '../../core/principal.ts';
import type { AccessInput, SubjectInput, SupervisionStore } from '../../supervision/index.ts';
import type { SubgraphContext } from './context.ts';
export { DisclosureLog, RecordedReads } from './disclosure-log.ts';
import type { RecordedReads } from './disclosure-log.ts';
import type { SubjectOf } from './rules.ts';

/** How a field discloses: whose data it shows (or why it shows none). */
export type Disclosure =
  | { kind: 'personal'; subjectKind: 'citizen' | 'enterprise'; subject: SubjectOf }
  | { kind: 'personal'; subjectKind: 'either'; subject: (parent: unknown, args: Record<string, unknown>) => SubjectInput | null | undefined }
  | { kind: 'notPersonal'; reason: string };

/** Declarations by type, then field, beside the rules in permissions.ts. */
export type DisclosureMap = Record<string, Record<string, Disclosure>>;

/** The field shows data of the citizen whose resident ID `subject` returns. */
export function citizenData(subject: SubjectOf): Disclosure {
  return { kind: 'personal', subjectKind: 'citizen', subject };
}

/** The field shows data of the enterprise whose USCC `subject` returns. */
export function enterpriseData(subject: SubjectOf): Disclosure {
  return { kind: 'personal', subjectKind: 'enterprise', subject };
}

/** The field shows data of a citizen or an enterprise, whichever `subject` names (e.g. a case's applicant). */
export function personData(subject: (parent: unknown, args: Record<string, unknown>) => SubjectInput | null | undefined): Disclosure {
  return { kind: 'personal', subjectKind: 'either', subject };
}

/** The field looks personal to the walker (an identifier argument) but shows no one's data; say why. */
export function notPersonal(reason: string): Disclosure {
  if (!reason) throw new TypeError('notPersonal() needs the reason, shown in reviews and in the coverage test.');
  return { kind: 'notPersonal', reason };
}

/** Types whose fields are a person's data, and the key field(s) a caller already holds. */
export const PERSON_TYPES: Record<string, { subjectKind: 'citizen' | 'enterprise'; keys: readonly string[] }> = {
  Citizen: { subjectKind: 'citizen', keys: ['id'] },
  Enterprise: { subjectKind: 'enterprise', keys: ['uscc'] },
};

/** Argument names that carry a person's identifier on a root field. */
const IDENTIFIER_ARGS = /^(id|ids|citizenId|citizenIds|residentId|uscc|usccs|enterpriseId)$/;

function returnsPerson(type: GraphQLOutputType): boolean {
  let t: GraphQLOutputType = type;
  while (isNonNullType(t) || isListType(t)) t = (t as { ofType: GraphQLOutputType }).ofType;
  return getNamedType(t).name in PERSON_TYPES;
}

/**
 * The fields that disclose personal data but have no declaration, and declarations naming missing
 * fields. Personal: every non-key field of a person type, and every Query field that takes a person's
 * identifier and answers something other than the person (whose own fields are then recorded).
 */
export function checkDisclosureCoverage(schema: GraphQLSchema, map: DisclosureMap): { missing: string[]; unknown: string[] } {
  const needed: string[] = [];
  const all = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type.name.startsWith('_')) continue;
    const person = PERSON_TYPES[type.name];
    for (const field of Object.values(type.getFields())) {
      const name = `${type.name}.${field.name}`;
      all.add(name);
      if (person && !person.keys.includes(field.name)) needed.push(name);
      if (type.name === 'Query' && !field.name.startsWith('_') && field.args.some((a) => IDENTIFIER_ARGS.test(a.name)) && !returnsPerson(field.type)) needed.push(name);
    }
  }
  const declared = new Set(Object.entries(map).flatMap(([t, fields]) => Object.keys(fields).map((f) => `${t}.${f}`)));
  return { missing: needed.filter((f) => !declared.has(f)), unknown: [...declared].filter((f) => !all.has(f)) };
}

/** True when the principal is the person themself: their own reads are not third-party reads. */
export function isSelf(p: Principal, s: SubjectInput): boolean {
  if (!p.sub) return false;
  if (p.role === 'citizen') return s.kind === 'citizen' && p.sub.toUpperCase() === s.id.toUpperCase();
  if (p.role === 'enterprise') return s.kind === 'enterprise' && p.sub.toUpperCase() === s.id.toUpperCase();
  return false;
}

type Resolve = (parent: unknown, args: Record<string, any>, ctx: SubgraphContext, info: GraphQLResolveInfo) => unknown;

/** Error of an integrator's read of personal data without a declared purpose. */
export function purposeRequired(): CityGraphError {
  return new CityGraphError(
    ErrorCode.FORBIDDEN,
    'An integrator must declare why it reads personal data: send an x-purpose header, or have a purpose registered with the API key.',
    { details: { reason: 'purposeRequired' } },
  );
}

/**
 * The middleware that notes every declared disclosure in the request's DisclosureLog. It runs inside
 * argument validation (so subjects are normalised) and outside the access rules (so only a value the
 * rules let through counts as shown). An integrator without a purpose is refused, and that is noted too.
 */
export function disclosureRecordMiddleware(map: DisclosureMap) {
  const out: Record<string, Record<string, (resolve: Resolve, parent: unknown, args: Record<string, any>, ctx: SubgraphContext, info: GraphQLResolveInfo) => Promise<unknown>>> = {};
  for (const [type, fields] of Object.entries(map)) {
    for (const [field, d] of Object.entries(fields)) {
      if (d.kind !== 'personal') continue;
      const name = `${type}.${field}`;
      (out[type] ??= {})[field] = async (resolve, parent, args, ctx, info) => {
        const subject = subjectOf(d, parent, args ?? {});
        if (!subject || !ctx.disclosures || isSelf(ctx.principal, subject)) return resolve(parent, args, ctx, info);
        ctx.disclosures.operation ??= info.operation.name?.value ?? null;
        if (ctx.principal.role === 'integrator' && !ctx.principal.purpose) {
          ctx.disclosures.add(subject, name, 'PURPOSE_REQUIRED');
          throw purposeRequired();
        }
        const value = await resolve(parent, args, ctx, info);
        // A denial (returned or thrown by the rules) disclosed nothing; an allowed null did ("not insured", "no phone").
        if (!(value instanceof Error)) ctx.disclosures.add(subject, name);
        return value;
      };
    }
  }
  return out;
}

function subjectOf(d: Extract<Disclosure, { kind: 'personal' }>, parent: unknown, args: Record<string, unknown>): SubjectInput | null {
  try {
    if (d.subjectKind === 'either') {
      const s = d.subject(parent, args);
      return s && (s.kind === 'citizen' || s.kind === 'enterprise') && typeof s.id === 'string' && s.id !== '' ? { kind: s.kind, id: s.id } : null;
    }
    const id = d.subject(parent, args);
    return typeof id === 'string' && id !== '' ? { kind: d.subjectKind, id } : null;
  } catch {
    return null;
  }
}

/**
 * Writes the request's access records, one per subject, all in one call of the store (one transaction
 * of its group commit), before the answer is sent. Throws SUPERVISION_UNAVAILABLE when they cannot be
 * written; the caller then withholds the data. With `recorded` (one per subgraph process), a second call
 * of the same gateway execution by the same reader writes nothing for fields already recorded of that
 * subject (it waits for that write instead), and a record of only the new fields otherwise. Returns the
 * number of records written.
 */
export async function writeDisclosures(department: string, store: SupervisionStore, ctx: SubgraphContext, recorded?: RecordedReads): Promise<number> {
  const log = ctx.disclosures;
  const entries = log?.drain() ?? [];
  if (entries.length === 0) return 0;
  const p = ctx.principal;
  const purpose = p.purpose ?? null;
  const actor = { role: p.role, department: p.department, client: p.client, sub: p.sub, onBehalfOf: p.onBehalfOf };
  const operation = log?.operation ?? null;
  // Everything a record says apart from its subject and fields: two calls merge only when all of it is the same.
  const reader = recorded && log?.execution ? JSON.stringify([log.execution, ctx.requestId, actor, purpose, operation]) : null;
  const waits: Promise<unknown>[] = [];
  const inputs: AccessInput[] = [];
  const notes: { subject: string; fields: string[] }[] = [];
  for (const e of entries) {
    const subject = `${e.subject.kind}:${e.subject.id}|${e.refused ?? ''}`;
    const { fresh, wait } = reader ? recorded!.unrecorded(reader, subject, e.fields) : { fresh: e.fields, wait: null };
    if (wait) waits.push(wait);
    if (fresh.length === 0) continue;
    inputs.push({
      department,
      actor,
      operation,
      field: fresh[0]!,
      subject: e.subject,
      args: { fields: fresh, purpose },
      outcome: e.refused ? 'DENIED' : 'SUCCESS',
      errorCode: e.refused,
      requestId: ctx.requestId,
    });
    if (reader) notes.push({ subject, fields: fresh });
  }
  if (inputs.length > 0) {
    const write = store.appendAccesses(inputs);
    if (reader) recorded!.note(reader, notes, write);
    waits.push(write);
  }
  await Promise.all(waits);
  return inputs.length;
}
