/** A car park: static data from the directory, real-time spaces loaded (batched) only when asked for. */
import type { LotRecord } from '../../../adapters/parking/index.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { ParkingLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<ParkingLoaders>;
type Lot = LotRecord & { distanceMeters?: number };

/** The record with real-time figures: the parent itself when it has them, else one batched lookup. */
async function live(lot: Lot, ctx: Ctx): Promise<LotRecord | null> {
  return lot.freeSpaces !== null ? lot : ctx.loaders.lot.load(lot.id);
}

export const ParkingLot = {
  distanceMeters: (lot: Lot) => lot.distanceMeters ?? null,
  freeSpaces: async (lot: Lot, _: unknown, ctx: Ctx) => (await live(lot, ctx))?.freeSpaces ?? null,
  freeReservableSpaces: async (lot: Lot, _: unknown, ctx: Ctx) => (await live(lot, ctx))?.freeReservableSpaces ?? null,
  spacesUpdatedAt: async (lot: Lot, _: unknown, ctx: Ctx) => (await live(lot, ctx))?.spacesUpdatedAt ?? null,
  // The rule has already checked that the caller operates this car park (permissions.ts).
  reservations: (lot: Lot, _: unknown, ctx: Ctx) => ctx.loaders.platform.lotReservations(lot.operatorId, lot.id, { requestId: ctx.requestId }),
};
