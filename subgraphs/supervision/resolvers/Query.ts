/** Auditors' reads of the supervision store; each is recorded by the kit (index.ts `recordedReads`). */
import type { GraphQLResolveInfo } from 'graphql';
import { badInput } from '../../../core/errors.ts';
import { encodeCursor, type RecordFilter, type SupervisionRecord, type SupervisionStore } from '../../../supervision/index.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import { selects } from './selection.ts';

type Ctx = SubgraphContext<{ store: SupervisionStore }>;

/** Most records one page may hold. */
const MAX_PAGE = 100;

/** GraphQL filter (enums in upper case) to the store's filter. */
function toFilter(f: Record<string, unknown> | null | undefined): RecordFilter {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f ?? {})) {
    if (v === null || v === undefined) continue;
    out[k] = k === 'kind' ? String(v).toLowerCase() : v;
  }
  return out as RecordFilter;
}

/** A store record in the graph's shape. */
export function toGraph(r: SupervisionRecord) {
  return { ...r, kind: r.kind.toUpperCase(), args: r.args === null || r.args === undefined ? null : JSON.stringify(r.args) };
}

export const Query = {
  async mutationLog(_: unknown, args: { filter?: Record<string, unknown> | null; first: number; after?: string | null }, ctx: Ctx, info: GraphQLResolveInfo) {
    if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE) {
      throw badInput(`first must be between 1 and ${MAX_PAGE}.`, 'pageSize', { max: MAX_PAGE });
    }
    const page = await ctx.loaders.store.query(toFilter(args.filter), { first: args.first, after: args.after ?? null, count: selects(info, 'totalCount') });
    return {
      edges: page.records.map((r) => ({ cursor: encodeCursor(r.seq), node: toGraph(r) })),
      pageInfo: page.pageInfo,
      totalCount: page.totalCount,
    };
  },
  async supervisionRecord(_: unknown, args: { seq: number }, ctx: Ctx) {
    const proof = await ctx.loaders.store.proof(args.seq);
    return (
      proof && {
        record: toGraph(proof.record), previousHash: proof.previous, nextHash: proof.next, checkpoint: proof.checkpoint,
        inclusion: proof.inclusion, pending: proof.pending,
      }
    );
  },
  consistencyProof: (_: unknown, args: { chain: string; fromSize: number; toSize: number }, ctx: Ctx) =>
    ctx.loaders.store.consistencyProof(args.chain, args.fromSize, args.toSize),
  checkpoints: (_: unknown, args: { last?: number | null }, ctx: Ctx) => ctx.loaders.store.checkpoints(args.last == null ? {} : { last: args.last }),
  integrity: (_: unknown, _a: unknown, ctx: Ctx) => ctx.loaders.store.integrity(),
};

export const Checkpoint = {
  cosignatures: (parent: { id: number }, _a: unknown, ctx: Ctx) => ctx.loaders.store.cosignatures(parent.id),
};

export const Mutation = {
  async addCheckpointCosignature(_: unknown, args: { input: Record<string, unknown> }, ctx: Ctx) {
    await ctx.loaders.store.addCosignature(args.input as never);
    return args.input;
  },
};
