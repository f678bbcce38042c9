/** Mutation fields of the parking subgraph. Each is recorded by the kit (index.ts `powers`) and made once per idempotency key. */
import type { SubgraphContext } from '../../kit/index.ts';
import type { ParkingLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<ParkingLoaders>;

export const Mutation = {
  // Arguments arrive validated (index.ts `validate`), before the rules saw them.
  async reserveParking(_: unknown, a: { citizenId: string; lotId: string; plate: string; from: string; to: string; idempotencyKey: string }, ctx: Ctx) {
    const reservation = await ctx.loaders.platform.reserve(
      { citizenId: a.citizenId, lotId: a.lotId, plate: a.plate, from: a.from, to: a.to },
      { requestId: ctx.requestId, idempotencyKey: a.idempotencyKey },
    );
    ctx.loaders.reservations.clear(a.citizenId);
    return { reservation, requestId: ctx.requestId };
  },
  async cancelParkingReservation(_: unknown, a: { citizenId: string; id: string; idempotencyKey: string }, ctx: Ctx) {
    const reservation = await ctx.loaders.platform.cancelReservation({ citizenId: a.citizenId, reservationId: a.id }, { requestId: ctx.requestId, idempotencyKey: a.idempotencyKey });
    ctx.loaders.reservations.clear(a.citizenId);
    return { reservation, requestId: ctx.requestId };
  },
  async payParkingSession(_: unknown, a: { citizenId: string; sessionId: string; amount: string; idempotencyKey: string }, ctx: Ctx) {
    const payment = await ctx.loaders.platform.paySession({ citizenId: a.citizenId, sessionId: a.sessionId, amount: a.amount }, { requestId: ctx.requestId, idempotencyKey: a.idempotencyKey });
    ctx.loaders.unpaidSessions.clear(a.citizenId);
    return { ...payment, requestId: ctx.requestId };
  },
};
