/** Mutation fields of the population subgraph. Each is recorded by the kit (see index.ts `powers`). */
import { badInput } from '../../../core/errors.ts';
import { CONTACT_PHONE } from '../../../core/phone.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { PopulationLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<PopulationLoaders>;

/** Idempotency keys are sent to the registry; keep them plain and short. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,64}$/;

/** Normalises a contact phone or throws BAD_USER_INPUT (rule `phoneFormat`). */
export function validatePhone(phone: string): string {
  const clean = phone.replace(/\s+/g, '');
  if (!CONTACT_PHONE.test(clean)) {
    throw badInput('A contact phone must be a mainland mobile number (11 digits, e.g. 13812345678) or a landline with area code (e.g. 024-23456789).', 'phoneFormat');
  }
  return clean;
}

/** Checks an optional idempotency key or throws BAD_USER_INPUT (rule `idempotencyKey`). */
export function validateIdempotencyKey(key: string | null | undefined): string | null {
  if (key == null) return null;
  if (!IDEMPOTENCY_KEY.test(key)) throw badInput('An idempotency key must be 8 to 64 letters, digits or . _ : -', 'idempotencyKey');
  return key;
}

export const Mutation = {
  // Arguments arrive validated (index.ts `validate`), before the rules saw them.
  async updateContactPhone(_: unknown, args: { citizenId: string; phone: string; idempotencyKey: string | null }, ctx: Ctx) {
    // The registry applies one idempotency key once, so a client repeating a request changes nothing twice.
    await ctx.loaders.registry.updateContactPhone(args.citizenId, args.phone, { requestId: ctx.requestId, idempotencyKey: args.idempotencyKey ?? undefined });
    ctx.loaders.citizen.clear(args.citizenId);
    return { citizen: await ctx.loaders.citizen.load(args.citizenId), requestId: ctx.requestId };
  },
};
