/**
 * Alarms through the whole city: the scenario (scripts/lib/scenario.ts, the same module as
 * `npm run -s scenario`) lists exactly the expected alarms, each with evidence an auditor opens with
 * `supervisionRecord(seq:)`; the engine looking again, or from the start of the log, raises nothing twice;
 * an auditor acknowledges (recorded), anyone else is refused, nothing changes, and the attempt is recorded.
 * The interrupted change is a real crash: the services subgraph is killed between intent and outcome.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPopulationAdapter } from '../adapters/population/index.ts';
import { createServiceHallAdapter } from '../adapters/serviceHall/index.ts';
import { ensureDevSecret } from '../core/dev-keys.ts';
import { alarmTable, runScenario, type ScenarioResult, type ScenarioSession } from '../scripts/lib/scenario.ts';
import { openAlarmStore, type AlarmStore } from '../supervision/alarms-store.ts';
import { openSupervisionStore, pseudonymOf } from '../supervision/index.ts';
import { AlarmEngine } from '../subgraphs/supervision/alarms/engine.ts';
import { alarmSources } from '../subgraphs/supervision/alarms/sources.ts';
import { startTestCity, type TestCity } from './support/city.ts';

let t: TestCity;
let auditor: string;
let result: ScenarioResult;

const RECORD = 'query($seq: Int!) { supervisionRecord(seq: $seq) { record { seq kind field caseNumber outcome } } }';
const ALARMS = 'query($f: AlarmFilter) { alarms(filter: $f, first: 100) { totalCount edges { node { id kind rule severity caseNumber status evidenceSeqs evidence { seq } acknowledgement { note actor { role } } } } } }';
const ACK = 'mutation($id: ID!, $note: String!) { acknowledgeAlarm(id: $id, note: $note) { id status acknowledgement { note actor { role } } } }';
const LOG = 'query($f: MutationLogFilter) { mutationLog(filter: $f, first: 100) { totalCount edges { node { seq kind field powerItem outcome errorCode actor { role } args } } } }';
const ACCEPT = 'mutation($n: ID!) { acceptApplication(caseNumber: $n) { state } }';

/** The real crash: the hall made slow, the services subgraph killed once the accept's intent is durable, then restarted (recovery marks it). */
async function crashServices(caseNumber: string, s: ScenarioSession): Promise<void> {
  const staff = await s.token({ role: 'staff', sub: 'staff-yb-0153', department: 'medicalInsurance' });
  await t.fault('serviceHall-standin', { mode: null, latencyMs: 2500 });
  try {
    const inFlight = s.gql(staff, ACCEPT, { n: caseNumber }).catch(() => null);
    for (let i = 0; i < 100; i++) {
      const r = await t.query(LOG, { token: auditor, variables: { f: { caseNumber, field: 'Mutation.acceptApplication', kind: 'INTENT' } } });
      if (r.body.data?.mutationLog?.totalCount > 0) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    await t.city.crashAndRestart('subgraph-services');
    await inFlight;
  } finally {
    await t.fault('serviceHall-standin', { mode: null, latencyMs: 0 });
  }
}

beforeAll(async () => {
  // A generous start-up budget: this file's city is one of several on a shared machine.
  t = await startTestCity({ env: { LOG_LEVEL: 'warn' }, readyTimeoutMs: 120_000 });
  auditor = await t.token({ role: 'auditor', sub: 'auditor-alarms' });
  result = await runScenario({ gatewayUrl: t.city.gatewayUrl, dataDir: t.dataDir, interrupt: crashServices });
}, 240_000);
afterAll(() => t?.stop());

describe('the alarms scenario', () => {
  it('lists exactly the expected alarms, each kind at least once', () => {
    const rows = result.alarms.map((a) => [a.role, a.kind, a.rule, a.severity, a.status]);
    expect(rows, alarmTable(result.alarms)).toEqual([
      ['late', 'TIMEOUT', 'TIMEOUT_OVERDUE', 'CRITICAL', 'OPEN'],
      ['late', 'TIMEOUT', 'TIMEOUT_WARNING', 'WARNING', 'OPEN'],
      ['nearDeadline', 'TIMEOUT', 'TIMEOUT_WARNING', 'WARNING', 'OPEN'],
      ['selfApproved', 'RULE', 'RULE_SELF_APPROVAL', 'CRITICAL', 'OPEN'],
      ['relativeApproved', 'RULE', 'RULE_RELATIVE_APPROVAL', 'CRITICAL', 'OPEN'],
      ['noDocuments', 'RULE', 'RULE_MISSING_DOCUMENT', 'CRITICAL', 'OPEN'],
      ['noDocuments', 'RULE', 'RULE_OTHER_DEPARTMENT', 'WARNING', 'OPEN'],
      ['tampered', 'MATERIAL_RISK', 'MATERIAL_TAMPERED', 'CRITICAL', 'OPEN'],
      ['expired', 'MATERIAL_RISK', 'MATERIAL_EXPIRED', 'CRITICAL', 'OPEN'],
      ['interrupted', 'OUTCOME_UNKNOWN', 'OUTCOME_UNKNOWN', 'CRITICAL', 'OPEN'],
    ]);
    expect(new Set(result.alarms.map((a) => a.kind))).toEqual(new Set(['TIMEOUT', 'MATERIAL_RISK', 'RULE', 'OUTCOME_UNKNOWN']));
    expect(result.alarms.find((a) => a.rule === 'TIMEOUT_OVERDUE')!.reason).toContain('2 working day(s) past its promised 3');
  });

  it('gives every alarm evidence records an auditor opens with supervisionRecord(seq:), all of its case', async () => {
    for (const a of result.alarms) {
      expect(a.evidenceSeqs.length, a.rule).toBeGreaterThan(0);
      for (const seq of a.evidenceSeqs) {
        const r = await t.query(RECORD, { token: auditor, variables: { seq } });
        expect(r.body.errors).toBeUndefined();
        expect(r.body.data.supervisionRecord.record).toMatchObject({ seq, caseNumber: a.caseNumber });
      }
    }
    const unknown = result.alarms.find((a) => a.kind === 'OUTCOME_UNKNOWN')!;
    const records = await Promise.all(unknown.evidenceSeqs.map(async (seq) => (await t.query(RECORD, { token: auditor, variables: { seq } })).body.data.supervisionRecord.record));
    expect(records.map((r: any) => [r.kind, r.field, r.outcome])).toEqual([['INTENT', 'Mutation.acceptApplication', 'PENDING'], ['OUTCOME', 'Mutation.acceptApplication', 'OUTCOME_UNKNOWN']]);
  });

  it('records each raise in the supervision chain, by the engine', async () => {
    const raised = await t.query(LOG, { token: auditor, variables: { f: { field: 'Alarm.raise', actorRole: 'system' } } });
    const ids = raised.body.data.mutationLog.edges.map((e: any) => JSON.parse(e.node.args).alarmId);
    for (const a of result.alarms) expect(ids).toContain(a.id);
  });
});

describe('raised once', () => {
  it('raises nothing twice when the engine looks again, or reads the whole log again from the start', async () => {
    const before = (await t.query(ALARMS, { token: auditor })).body.data.alarms;
    const again = (await t.query(ALARMS, { token: auditor })).body.data.alarms;
    expect(again.edges.map((e: any) => e.node.id)).toEqual(before.edges.map((e: any) => e.node.id));

    // A second engine, in this process, over the city's own store, with its cursor held at the start.
    const subjectKey = ensureDevSecret(t.dataDir, 'subject-hmac');
    const log = await openSupervisionStore({ dataDir: t.dataDir, subjectKey, checkpointEvery: 0, checkpointIntervalMs: 0 });
    const tables = await openAlarmStore(join(t.dataDir, 'supervision.db'));
    try {
      const fromStart: AlarmStore = Object.assign(Object.create(tables) as AlarmStore, { cursor: async () => 0, advanceCursor: async () => undefined });
      const hall = createServiceHallAdapter({ url: t.city.services['serviceHall-standin']!.url });
      const population = createPopulationAdapter({ url: t.city.services['population-standin']!.url });
      const engine = new AlarmEngine({
        log, alarms: fromStart, sources: alarmSources(hall, (ids, ctx) => population.householdsOf(ids, ctx)),
        limits: { warnWorkingDays: 2, burstCount: 10, burstWindowMs: 600_000, maxRecordsPerPass: 100_000 },
        pseudonym: (id) => pseudonymOf(id, subjectKey, 'sm3').hmac, clock: () => new Date('2026-10-12T02:00:00Z'),
      });
      expect(await engine.run()).toBe(0);
      expect(await engine.run()).toBe(0);
    } finally {
      await tables.close();
      await log.close();
    }
    expect((await t.query(ALARMS, { token: auditor })).body.data.alarms.totalCount).toBe(before.totalCount);
  });
});

describe('acknowledgement', () => {
  it('lets an auditor acknowledge an alarm, recorded in the supervision chain; a second time is a CONFLICT', async () => {
    const target = result.alarms.find((a) => a.rule === 'RULE_SELF_APPROVAL')!;
    const r = await t.query(ACK, { token: auditor, variables: { id: target.id, note: '已约谈审批人，案件重新审查' } });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.acknowledgeAlarm).toEqual({ id: target.id, status: 'ACKNOWLEDGED', acknowledgement: { note: '已约谈审批人，案件重新审查', actor: { role: 'auditor' } } });
    const listed = (await t.query(ALARMS, { token: auditor, variables: { f: { caseNumber: target.caseNumber, status: 'ACKNOWLEDGED' } } })).body.data.alarms;
    expect(listed.edges.map((e: any) => e.node.id)).toEqual([target.id]);
    const log = (await t.query(LOG, { token: auditor, variables: { f: { field: 'Mutation.acknowledgeAlarm', actorRole: 'auditor' } } })).body.data.mutationLog;
    expect(log.edges.map((e: any) => [e.node.kind, e.node.powerItem, e.node.outcome])).toEqual([['INTENT', 'JD-GJ-0002', 'PENDING'], ['OUTCOME', 'JD-GJ-0002', 'SUCCESS']]);
    const twice = await t.query(ACK, { token: auditor, variables: { id: target.id, note: '再次' } });
    expect(twice.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('refuses anyone but an auditor with FORBIDDEN, changes nothing, and records the attempt', async () => {
    const target = result.alarms.find((a) => a.rule === 'RULE_MISSING_DOCUMENT')!;
    const staff = await t.token({ role: 'staff', sub: 'staff-yb-0153', department: 'medicalInsurance' });
    const admin = await t.token({ role: 'admin', sub: 'admin-dev' });
    for (const token of [staff, admin]) {
      const r = await t.query(ACK, { token, variables: { id: target.id, note: '自己关掉' } });
      expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(r.body.data.acknowledgeAlarm).toBeNull();
    }
    const listed = (await t.query(ALARMS, { token: auditor, variables: { f: { caseNumber: target.caseNumber, kind: 'RULE' } } })).body.data.alarms;
    expect(listed.edges.find((e: any) => e.node.id === target.id).node).toMatchObject({ status: 'OPEN', acknowledgement: null });
    const denied = (await t.query(LOG, { token: auditor, variables: { f: { field: 'Mutation.acknowledgeAlarm', outcome: 'DENIED' } } })).body.data.mutationLog;
    expect(denied.edges.filter((e: any) => e.node.kind === 'OUTCOME' || e.node.kind === 'INTENT').map((e: any) => e.node.actor.role).sort()).toEqual(expect.arrayContaining(['admin', 'staff']));
    // Nor may they read the alarms.
    const read = await t.query(ALARMS, { token: staff });
    expect(read.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a malformed id, an unknown one and an empty note with coded errors', async () => {
    expect((await t.query(ACK, { token: auditor, variables: { id: 'alarm 1', note: 'x' } })).body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { rule: 'alarmId' } });
    expect((await t.query(ACK, { token: auditor, variables: { id: 'ALM-999999', note: 'x' } })).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const target = result.alarms.find((a) => a.rule === 'OUTCOME_UNKNOWN')!;
    expect((await t.query(ACK, { token: auditor, variables: { id: target.id, note: '   ' } })).body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { rule: 'alarmNote' } });
  });
});
