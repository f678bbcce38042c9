/** The parking department's part of Citizen. */
import { validateResidentId } from '../../../core/resident-id.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { ParkingLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<ParkingLoaders>;

export const Citizen = {
  // No platform call here: the reference only names the person; each field loads, batched.
  __resolveReference: async (ref: { id: string }) => ({ id: validateResidentId(ref.id) }),
  vehicles: (c: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.vehicles.load(c.id),
  parkingReservations: (c: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.reservations.load(c.id),
  unpaidParkingSessions: (c: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.unpaidSessions.load(c.id),
};
