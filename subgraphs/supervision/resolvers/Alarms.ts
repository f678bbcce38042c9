/** Auditors' alarms: the list (the engine looks at what is new first) and the acknowledgement. */
import { badInput, CityGraphError, ErrorCode } from '../../../core/errors.ts';
import { decodeAlarmCursor, encodeAlarmCursor, type Alarm as StoredAlarm, type AlarmFilter } from '../../../supervision/alarms-store.ts';
import type { SupervisionStore } from '../../../supervision/index.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { AlarmService } from '../alarms/service.ts';
import { toGraph } from './Query.ts';

type Ctx = SubgraphContext<{ store: SupervisionStore; alarms: AlarmService }>;

/** Most alarms one page may hold. */
const MAX_PAGE = 100;
/** Longest acknowledgement note, in characters. */
const MAX_NOTE = 2000;

/** An alarm id as the graph shows it. */
const idOf = (a: StoredAlarm) => `ALM-${a.id}`;

/** A stored alarm in the graph's shape (evidence resolved on demand). */
function toAlarm(a: StoredAlarm) {
  return { ...a, id: idOf(a), evidenceSeqs: a.evidence };
}

export const AlarmQuery = {
  async alarms(_: unknown, args: { filter?: AlarmFilter | null; first: number; after?: string | null }, ctx: Ctx) {
    if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE) {
      throw badInput(`first must be between 1 and ${MAX_PAGE}.`, 'pageSize', { max: MAX_PAGE });
    }
    const afterId = args.after ? decodeAlarmCursor(args.after) : 0;
    try {
      await ctx.loaders.alarms.run();
    } catch (e) {
      // The list still answers with what was raised before; the engine retries on its interval.
      ctx.log.warn({ err: e }, 'alarm engine pass failed before listing');
    }
    const filter = Object.fromEntries(Object.entries(args.filter ?? {}).filter(([, v]) => v !== null && v !== undefined)) as AlarmFilter;
    const store = await ctx.loaders.alarms.store();
    const page = await store.list(filter, args.first, afterId);
    const last = page.alarms[page.alarms.length - 1];
    return {
      edges: page.alarms.map((a) => ({ cursor: encodeAlarmCursor(a.id), node: toAlarm(a) })),
      pageInfo: { endCursor: last ? encodeAlarmCursor(last.id) : null, hasNextPage: page.hasNextPage },
      totalCount: page.total,
    };
  },
};

export const Alarm = {
  evidence: async (parent: { evidenceSeqs: number[] }, _a: unknown, ctx: Ctx) =>
    (await Promise.all(parent.evidenceSeqs.map((seq) => ctx.loaders.store.get(seq)))).filter((r) => r !== null).map(toGraph),
};

export const AlarmMutation = {
  async acknowledgeAlarm(_: unknown, args: { id: string; note: string }, ctx: Ctx) {
    const m = /^ALM-(\d{1,15})$/.exec(args.id);
    if (!m) throw badInput(`An alarm id looks like ALM-42, not "${args.id.slice(0, 40)}".`, 'alarmId');
    const note = args.note.trim();
    if (note === '' || note.length > MAX_NOTE) throw badInput(`The note must say what was done, in 1 to ${MAX_NOTE} characters.`, 'alarmNote', { max: MAX_NOTE });
    const p = ctx.principal;
    const actor = { role: p.role, department: p.department ?? null, client: p.client ?? null, sub: p.sub ? ctx.loaders.alarms.pseudonym(p.sub) : null, onBehalfOf: null };
    const store = await ctx.loaders.alarms.store();
    const done = await store.acknowledge(Number(m[1]), { time: new Date().toISOString(), actor, note });
    if (done === 'missing') throw new CityGraphError(ErrorCode.NOT_FOUND, `No alarm ${args.id}.`, { details: { rule: 'alarmId' } });
    if (done === 'already') throw new CityGraphError(ErrorCode.CONFLICT, `Alarm ${args.id} was already acknowledged.`, { details: { rule: 'alreadyAcknowledged' } });
    return toAlarm(done);
  },
};
