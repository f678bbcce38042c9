/** Sessions and reservations name their car park by id; the lot loads batched. */
import type { SubgraphContext } from '../../kit/index.ts';
import type { ParkingLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<ParkingLoaders>;
const lotOf = (parent: { lotId: string }, _: unknown, ctx: Ctx) => ctx.loaders.lot.load(parent.lotId);

export const ParkingSession = { lot: lotOf };
export const ParkingReservation = { lot: lotOf };
