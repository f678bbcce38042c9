/** Query fields of the parking subgraph; arguments arrive validated (index.ts `validate`). */
import { badInput, isCityGraphError } from '../../../core/errors.ts';
import type { LotRecord } from '../../../adapters/parking/index.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { ParkingLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<ParkingLoaders>;
type Found = LotRecord & { distanceMeters: number };

/** A cursor names the last car park of a page by its distance and id, so pages stay stable while spaces change. */
function cursorOf(lot: Found): string {
  return Buffer.from(`${lot.distanceMeters}:${lot.id}`, 'utf8').toString('base64url');
}

function afterCursor(cursor: string): { distance: number; id: string } {
  const m = /^(\d{1,6}):([A-Za-z0-9_-]{1,40})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badInput('after must be an endCursor or edge cursor from an earlier page of parkingLots.', 'cursor');
  return { distance: Number(m[1]), id: m[2]! };
}

export const Query = {
  async parkingLots(_: unknown, a: { near: { lat: number; lng: number }; radiusMeters: number; first: number; after?: string | null; onlyWithFreeSpaces: boolean }, ctx: Ctx) {
    const near = await ctx.loaders.platform.lotsNear(a.near, a.radiusMeters, { requestId: ctx.requestId });
    let found: Found[] = near.map(({ lot, distanceMeters }) => ({ ...lot, distanceMeters }));
    if (a.onlyWithFreeSpaces) {
      // Real-time figures for every candidate (batched, 50 a call): a filter cannot guess the ones that failed.
      const live = await ctx.loaders.lot.loadMany(found.map((l) => l.id));
      const failed = live.find((l): l is Error => l instanceof Error);
      if (failed) throw isCityGraphError(failed) ? failed : new Error('real-time spaces failed');
      found = found.map((l, i) => ({ ...l, ...(live[i] as LotRecord), distanceMeters: l.distanceMeters })).filter((l) => (l.freeSpaces ?? 0) > 0);
    }
    let start = 0;
    if (a.after) {
      const c = afterCursor(a.after);
      start = found.findIndex((l) => l.distanceMeters > c.distance || (l.distanceMeters === c.distance && l.id > c.id));
      if (start < 0) start = found.length;
    }
    const page = found.slice(start, start + a.first);
    return {
      totalCount: found.length,
      edges: page.map((node) => ({ cursor: cursorOf(node), node })),
      pageInfo: { hasNextPage: start + a.first < found.length, endCursor: page.length > 0 ? cursorOf(page.at(-1)!) : null },
    };
  },
  parkingLot: (_: unknown, a: { id: string }, ctx: Ctx) => ctx.loaders.lot.load(a.id),
};
