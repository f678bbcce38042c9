/**
 * Records each part of a bundle: an intent in the supervision store before the department is called,
 * its outcome after (the kit's rule for mutations, applied to the parts the one mutation fans out
 * to), and the part's outcome in the case's history at the hall (联合办理).
 */
import type { ServiceHallAdapter, StaffHandler } from '../../../adapters/serviceHall/index.ts';
import { CityGraphError, ErrorCode, isCityGraphError } from '../../../core/errors.ts';
import type { SupervisionStore } from '../../../supervision/index.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { PartRecorder } from './saga.ts';

/** The handler the hall sees for the platform's own steps of a bundle. */
export const BUNDLE_PLATFORM: StaffHandler = { department: 'services', post: '一件事联办平台', account: 'citygraph' };

/** A recorder of one bundle's parts, under one case number. */
export function partRecorder(ctx: SubgraphContext, store: SupervisionStore | undefined, hall: ServiceHallAdapter, caseNumber: string, subjectId: string, bundle: string): PartRecorder {
  const p = ctx.principal;
  return {
    async recorded(part, phase, powerItem, action) {
      if (!store) throw new CityGraphError(ErrorCode.SUPERVISION_UNAVAILABLE, 'No supervision store: the bundle\'s parts cannot be recorded, so none is sent.');
      let ref;
      try {
        ref = await store.appendIntent({
          department: 'services',
          actor: { role: p.role, department: p.department, client: p.client, sub: p.sub, onBehalfOf: p.onBehalfOf },
          operation: null,
          field: `Bundle.${bundle}.${part}${phase === 'compensate' ? '.compensate' : ''}`,
          powerItem,
          subject: { kind: 'citizen', id: subjectId },
          caseNumber,
          args: { part, phase },
          requestId: ctx.requestId,
        });
      } catch (e) {
        throw isCityGraphError(e) ? e : new CityGraphError(ErrorCode.SUPERVISION_UNAVAILABLE, 'The supervision store cannot record this part, so it was not sent.', { cause: e });
      }
      try {
        const result = await action();
        await store.appendOutcome(ref, { outcome: 'SUCCESS' });
        return result;
      } catch (e) {
        const code = isCityGraphError(e) ? e.code : ErrorCode.INTERNAL;
        await store.appendOutcome(ref, { outcome: 'ERROR', errorCode: code }).catch((w: unknown) => ctx.log.error({ err: w, part }, 'bundle part outcome not recorded'));
        throw e;
      }
    },
    async outcome(part, outcome, note) {
      await hall.recordPart(caseNumber, BUNDLE_PLATFORM, { name: part, outcome, note }, { requestId: ctx.requestId });
    },
  };
}
