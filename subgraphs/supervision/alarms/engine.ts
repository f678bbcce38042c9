/**
 * The alarm engine: reads the supervision log from its persisted cursor, asks the hall for the cases the
 * new records concern, runs the rules and raises what they find (once: the database refuses a second
 * alarm with the same key), then checks the deadlines of the cases it watches. One pass at a time per
 * process; several processes may run at once.
 */
import type { CaseRecord, MatterRecord } from '../../../adapters/serviceHall/index.ts';
import type { Clock } from '../../../core/clock.ts';
import type { Logger } from '../../../core/logger.ts';
import type { Alarm, AlarmDraft, AlarmStore } from '../../../supervision/alarms-store.ts';
import type { SupervisionRecord, SupervisionStore } from '../../../supervision/index.ts';
import { APPROVE, approvalBurst, approvalRules, CASE_ACTS, deadlineState, isDecided, materialRisk, otherDepartment, outcomeUnknown, timeouts, USE_DOCUMENT } from './rules.ts';

/** What the engine reads besides the log: the hall's cases and matters, the registry's households. */
export interface AlarmSources {
  /** Cases by number (null: unknown); throws when the hall cannot answer. */
  cases(numbers: readonly string[]): Promise<Map<string, CaseRecord | null>>;
  /** The hall's catalogue. */
  matters(): Promise<MatterRecord[]>;
  /** Resident IDs of the members of `residentId`'s household (户), itself included; [] when unknown. */
  household(residentId: string): Promise<string[]>;
}

/** Limits of the engine, from configuration. */
export interface AlarmLimits {
  /** TIMEOUT warning this many working days (or fewer) before a deadline. */
  warnWorkingDays: number;
  /** Approvals by one person within `burstWindowMs` that raise RULE_APPROVAL_BURST. */
  burstCount: number;
  burstWindowMs: number;
  /** Records read per pass at most (the rest wait for the next pass). */
  maxRecordsPerPass: number;
}

/** Options of the engine. */
export interface AlarmEngineOptions {
  log: SupervisionStore;
  alarms: AlarmStore;
  sources: AlarmSources;
  limits: AlarmLimits;
  /** HMAC pseudonym of a plain identifier, as the log computes it. */
  pseudonym: (id: string) => string;
  /** "Now" for deadlines (the city's settable clock). */
  clock: Clock;
  /** Called for every alarm newly raised (e.g. to record it); its failure is logged, not thrown. */
  onRaised?: (alarm: Alarm) => Promise<unknown>;
  logger?: Logger;
}

const PAGE = 200;

/** The engine; `run()` is one pass, coalesced with a pass already running in this process. */
export class AlarmEngine {
  private readonly o: AlarmEngineOptions;
  private running: Promise<number> | null = null;
  private queued: Promise<number> | null = null;
  private matterCache: Map<string, MatterRecord> | null = null;
  constructor(options: AlarmEngineOptions) {
    this.o = options;
  }

  /**
   * Runs one pass that starts now or later (never one already under way, which may have read the clock
   * or the log before the caller's change); callers arriving meanwhile share the queued pass.
   */
  run(): Promise<number> {
    if (!this.running) return this.start();
    this.queued ??= this.running
      .catch(() => 0)
      .then(() => {
        this.queued = null;
        return this.start();
      });
    return this.queued;
  }

  private start(): Promise<number> {
    const p = this.pass().finally(() => {
      if (this.running === p) this.running = null;
    });
    this.running = p;
    return p;
  }

  private async pass(): Promise<number> {
    let raised = 0;
    let cursor = await this.o.alarms.cursor();
    let read = 0;
    while (read < this.o.limits.maxRecordsPerPass) {
      const records = await this.o.alarms.recordsAfter(cursor, PAGE);
      if (records.length === 0) break;
      raised += await this.examine(records);
      cursor = records[records.length - 1]!.seq;
      read += records.length;
      // Saved after each page: a pass cut short by a failure resumes where it stopped, and a
      // re-examined page raises nothing twice anyway.
      await this.o.alarms.advanceCursor(cursor);
    }
    raised += await this.checkDeadlines();
    return raised;
  }

  private async raise(drafts: Array<AlarmDraft | null>): Promise<number> {
    let n = 0;
    for (const d of drafts) {
      if (!d) continue;
      const alarm = await this.o.alarms.raise(d, new Date().toISOString());
      if (!alarm) continue;
      n++;
      await this.o.onRaised?.(alarm).catch((e: unknown) => this.o.logger?.error({ err: e, alarm: alarm.id }, 'alarm raised but not recorded'));
    }
    return n;
  }

  private async examine(records: SupervisionRecord[]): Promise<number> {
    const relevant = records.filter((r) => r.kind !== 'access');
    let n = await this.raise(relevant.map(outcomeUnknown));
    for (const r of relevant.filter((x) => x.field === USE_DOCUMENT && x.kind === 'outcome' && x.outcome === 'ERROR')) {
      n += await this.raise([materialRisk(r, r.intentSeq ? await this.o.log.get(r.intentSeq) : null)]);
    }
    const steps = relevant.filter((r) => CASE_ACTS.includes(r.field) && r.caseNumber && (r.kind === 'outcome' || r.outcome === 'DENIED'));
    if (steps.length === 0) return n;
    const cases = await this.o.sources.cases([...new Set(steps.map((r) => r.caseNumber!))]);
    for (const r of steps) {
      const c = cases.get(r.caseNumber!);
      if (!c) continue;
      n += await this.raise([otherDepartment(r, c)]);
      if (r.kind !== 'outcome' || r.outcome !== 'SUCCESS') continue;
      if (r.field === 'Mutation.acceptApplication') await this.o.alarms.watch(c.caseNumber, [r.intentSeq!, r.seq]);
      if (r.field === APPROVE) n += await this.raise(await this.approval(r, c));
    }
    return n;
  }

  private async approval(a: SupervisionRecord, c: CaseRecord): Promise<Array<AlarmDraft | null>> {
    const matter = (await this.matters()).get(c.matterCode);
    const caseRecords = await this.recordsOfCase(c.caseNumber);
    const out: Array<AlarmDraft | null> = [];
    if (matter) {
      const household = c.applicant.kind === 'citizen' ? await this.o.sources.household(c.applicant.id) : [];
      const applicantHmac = this.o.pseudonym(c.applicant.id);
      const relativeHmacs = household.filter((id) => id.toUpperCase() !== c.applicant.id.toUpperCase()).map((id) => this.o.pseudonym(id));
      out.push(...approvalRules({ approval: a, caseRecords, c, matter, applicantHmac, relativeHmacs }));
    }
    const { burstCount, burstWindowMs } = this.o.limits;
    const from = new Date(Date.parse(a.time) - burstWindowMs).toISOString();
    const recent = await this.allRecords({ field: APPROVE, kind: 'outcome', outcome: 'SUCCESS', from, to: new Date(Date.parse(a.time) + 1).toISOString() });
    const same = recent.filter((r) => r.seq <= a.seq && r.actor.sub?.hmac === a.actor.sub?.hmac);
    out.push(approvalBurst(a, same, { count: burstCount, windowMs: burstWindowMs }));
    return out;
  }

  /** TIMEOUT over every watched case; a decided or vanished case is evaluated one last time and dropped. */
  private async checkDeadlines(): Promise<number> {
    const watched = await this.o.alarms.watched();
    if (watched.length === 0) return 0;
    const cases = await this.o.sources.cases(watched.map((w) => w.caseNumber));
    const now = this.o.clock();
    let n = 0;
    for (const w of watched) {
      const c = cases.get(w.caseNumber);
      if (!c) {
        await this.o.alarms.unwatch(w.caseNumber);
        continue;
      }
      try {
        n += await this.raise(timeouts(c, deadlineState(c, now), w.evidence, this.o.limits.warnWorkingDays));
      } catch (e) {
        // Off the holiday calendar: no count is a guess, so no alarm either; the log says why.
        this.o.logger?.warn({ err: e, caseNumber: c.caseNumber }, 'deadline not computed');
      }
      if (isDecided(c)) await this.o.alarms.unwatch(c.caseNumber);
    }
    return n;
  }

  private async matters(): Promise<Map<string, MatterRecord>> {
    this.matterCache ??= new Map((await this.o.sources.matters()).map((m) => [m.code, m]));
    return this.matterCache;
  }

  private recordsOfCase(caseNumber: string): Promise<SupervisionRecord[]> {
    return this.allRecords({ caseNumber });
  }

  private async allRecords(filter: Parameters<SupervisionStore['query']>[0]): Promise<SupervisionRecord[]> {
    const out: SupervisionRecord[] = [];
    let after: string | null = null;
    // Bounded: a case or a window has a few dozen records; 10 pages is far beyond any.
    for (let i = 0; i < 10; i++) {
      const page = await this.o.log.query(filter, { first: 100, after, count: false });
      out.push(...page.records);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    return out;
  }
}
