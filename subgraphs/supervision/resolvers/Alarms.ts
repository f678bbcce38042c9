/** Auditors' alarms: the list (the engine looks at what is new first) and the acknowledgement. */
import type { SubgraphContext } from '../../kit/index.ts';

type Ctx = SubgraphContext<Record<string, unknown>>;

export const AlarmQuery = {
  alarms: (_: unknown, _a: unknown, _ctx: Ctx) => ({ edges: [], pageInfo: { endCursor: null, hasNextPage: false }, totalCount: 0 }),
};

export const AlarmMutation = {
  acknowledgeAlarm: (_: unknown, _a: unknown, _ctx: Ctx) => null,
};
