/** The city code's part of Citizen: every use of their code, read from the supervision store. */
import { validateResidentId } from '../../../core/resident-id.ts';
import type { Purpose } from '../../../citycode-client/index.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import { DISCLOSED } from '../disclosure.ts';
import type { CityCodeLoaders } from '../loaders.ts';
import { FIELD, recordsOf } from '../store-reads.ts';

type Ctx = SubgraphContext<CityCodeLoaders>;

const KIND: Record<string, string> = {
  [FIELD.issue]: 'CREDENTIAL_ISSUED',
  [FIELD.revoke]: 'DEVICE_REVOKED',
  [FIELD.redeem]: 'REDEEMED',
  [FIELD.upload]: 'OFFLINE_SCAN',
};

export const Citizen = {
  __resolveReference: async (ref: { id: string }) => ({ id: validateResidentId(ref.id) }),
  async codeUses(c: { id: string }, a: { first?: number | null }, ctx: Ctx) {
    const first = Math.min(Math.max(a.first ?? 50, 1), 200);
    const pairs = await recordsOf(ctx.loaders.deps.store, c.id, first);
    return pairs.map(({ intent, outcome }) => {
      const args = (intent.args ?? {}) as Record<string, unknown>;
      const purpose = typeof args.purpose === 'string' ? (args.purpose as Purpose) : null;
      const result = outcome?.outcome ?? intent.outcome;
      return {
        time: intent.time,
        kind: KIND[intent.field] ?? 'OTHER',
        purpose,
        scanner: intent.actor.client,
        scannerRole: intent.actor.role,
        place: typeof args.place === 'string' ? args.place : null,
        outcome: result,
        errorCode: outcome?.errorCode ?? intent.errorCode,
        disclosed: result === 'SUCCESS' && purpose && intent.field !== FIELD.issue ? DISCLOSED[purpose] : [],
        recordSeq: intent.seq,
      };
    });
  },
};
