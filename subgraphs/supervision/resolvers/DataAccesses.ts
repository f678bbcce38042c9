/** A person's list of who read their data, from the access records of the supervision store. */
import type { GraphQLResolveInfo } from 'graphql';
import { badInput } from '../../../core/errors.ts';
import { validateResidentId } from '../../../core/resident-id.ts';
import { encodeCursor, type SupervisionRecord, type SupervisionStore } from '../../../supervision/index.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import { selects } from './selection.ts';

type Ctx = SubgraphContext<{ store: SupervisionStore }>;

/** Most accesses one page may hold. */
const MAX_PAGE = 100;

/** An access record as its subject sees it: who, when, which department, which fields, which purpose. */
export function toDataAccess(r: SupervisionRecord) {
  const args = (r.args ?? {}) as { fields?: unknown; purpose?: unknown };
  return {
    seq: r.seq,
    time: r.time,
    department: r.department,
    reader: { role: r.actor.role, department: r.actor.department, client: r.actor.client },
    onYourBehalf: r.actor.onBehalfOf !== null && r.actor.onBehalfOf.hmac === r.subject?.hmac,
    fields: Array.isArray(args.fields) ? args.fields.map(String) : [r.field],
    purpose: typeof args.purpose === 'string' ? args.purpose : null,
    outcome: r.outcome,
    requestId: r.requestId,
  };
}

/** One page of the access records about `subjectId`. */
export async function dataAccesses(subjectId: string, args: { first: number; after?: string | null }, ctx: Ctx, info: GraphQLResolveInfo) {
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE}.`, 'pageSize', { max: MAX_PAGE });
  }
  const page = await ctx.loaders.store.query({ kind: 'access', subjectId }, { first: args.first, after: args.after ?? null, count: selects(info, 'totalCount') });
  return {
    edges: page.records.map((r) => ({ cursor: encodeCursor(r.seq), node: toDataAccess(r) })),
    pageInfo: page.pageInfo,
    totalCount: page.totalCount,
  };
}

export const Citizen = {
  __resolveReference: (ref: { id: string }) => ({ id: validateResidentId(ref.id) }),
  dataAccesses: (parent: { id: string }, args: { first: number; after?: string | null }, ctx: Ctx, info: GraphQLResolveInfo) => dataAccesses(parent.id, args, ctx, info),
};

export const Enterprise = {
  __resolveReference: (ref: { uscc: string }) => ({ uscc: ref.uscc }),
  dataAccesses: (parent: { uscc: string }, args: { first: number; after?: string | null }, ctx: Ctx, info: GraphQLResolveInfo) => dataAccesses(parent.uscc, args, ctx, info),
};
