/**
 * The service hall adapter: the hall's catalogue and case book in the graph's words, over its form
 * POST + XML protocol. `loadCases` keeps DataLoader's contract (same length and order as the keys,
 * `null` for an unknown case, an Error in a failed slot); every push is a single call, never retried.
 */
import { CityGraphError, ErrorCode, isCityGraphError } from '../../core/errors.ts';
import { LegacyCaller } from '../kit/resilience.ts';
import { HallClient, escapeXml, type HallReply } from './client.ts';
import { DEPARTMENT, serviceHallError } from './faults.ts';
import { HALL_OF_DEPARTMENT, PART_RESULT, mapCase, mapMatter, type CaseRecord, type MatterRecord, type PartOutcome } from './mapper.ts';

export type { CaseRecord, CaseState, MatterRecord, PartOutcome, StepRecord, StepStage } from './mapper.ts';
export { DEPARTMENT_OF_HALL } from './mapper.ts';

/** Most case numbers the hall takes in one query; larger batches are split. */
export const MAX_CASES_PER_CALL = 50;
// Must equal the stand-in's development credentials; a test checks that they agree.
const DEV_APP_ID = 'citygraph';
const DEV_APP_SECRET = 'DEV-ONLY-not-a-secret-service-hall';

/** Options of createServiceHallAdapter. */
export interface ServiceHallAdapterOptions {
  /** Base URL of the hall, http(s). Required. */
  url: string;
  /** Our application id at the hall. Default the stand-in's `citygraph`. */
  appId?: string;
  /** Our application secret. Default the stand-in's development secret (never in production). */
  appSecret?: string;
  /** Milliseconds before one call is abandoned with ADAPTER_TIMEOUT. Default 3000. */
  timeoutMs?: number;
  /** Extra attempts for queries (never for pushes). Default 2. */
  retries?: number;
  /** Calls in flight at once. Default 8. */
  concurrency?: number;
}

/** Per-request context. */
export interface HallCallContext {
  requestId: string;
}

/** Who performs a staff step: the graph's department, the post, the account (kept by the hall, never shown). */
export interface StaffHandler {
  department: string;
  post: string;
  account: string;
}

/** A document of an application: the catalogue material it is, whose it is, and its file. */
export interface DocumentInput {
  material: string;
  holderId: string;
  fileId: string;
}

/** What the adapter offers the services subgraph. */
export interface ServiceHallAdapter {
  /** The catalogue, optionally of one department. */
  listMatters(department: string | null, ctx: HallCallContext): Promise<MatterRecord[]>;
  /** Cases by number: one slot per key. */
  loadCases(numbers: readonly string[], ctx: HallCallContext): Promise<Array<CaseRecord | null | Error>>;
  /** Every case of one applicant (resident ID or USCC), newest first. */
  casesOf(applicantId: string, ctx: HallCallContext): Promise<CaseRecord[]>;
  /** 申请: a repeated idempotency key gives back the same case. */
  submit(input: { matterCode: string; applicant: { kind: 'citizen' | 'enterprise'; id: string }; idempotencyKey: string; documents: DocumentInput[] }, ctx: HallCallContext): Promise<CaseRecord>;
  accept(caseNumber: string, by: StaffHandler, ctx: HallCallContext): Promise<CaseRecord>;
  notAccept(caseNumber: string, by: StaffHandler, reason: string, ctx: HallCallContext): Promise<CaseRecord>;
  requestSupplement(caseNumber: string, by: StaffHandler, reason: string, ctx: HallCallContext): Promise<CaseRecord>;
  supplement(caseNumber: string, applicantId: string, documents: DocumentInput[], ctx: HallCallContext): Promise<CaseRecord>;
  decide(caseNumber: string, by: StaffHandler, approve: boolean, note: string, ctx: HallCallContext): Promise<CaseRecord>;
  complete(caseNumber: string, by: StaffHandler, ctx: HallCallContext): Promise<CaseRecord>;
  /** Records one part of a bundled service in the case's history (联合办理). */
  recordPart(caseNumber: string, by: StaffHandler, part: { name: string; outcome: PartOutcome; note: string }, ctx: HallCallContext): Promise<CaseRecord>;
}

const x = (name: string, value: string | number) => `<${name}>${escapeXml(String(value))}</${name}>`;
const materials = (docs: DocumentInput[]) => `<CLLIST>${docs.map((d) => `<CL>${x('CLBM', d.material)}${x('CLSYZ', d.holderId)}${x('WJBH', d.fileId)}</CL>`).join('')}</CLLIST>`;

/** Creates the adapter; invalid options throw a TypeError here. */
export function createServiceHallAdapter(options: ServiceHallAdapterOptions): ServiceHallAdapter {
  if (!options || typeof options.url !== 'string' || !/^https?:\/\//.test(options.url) || !URL.canParse(options.url)) {
    throw new TypeError('createServiceHallAdapter needs options.url, the http(s) base URL of the service hall.');
  }
  const client = new HallClient({ url: options.url, appId: options.appId ?? DEV_APP_ID, appSecret: options.appSecret ?? DEV_APP_SECRET });
  const caller = new LegacyCaller({
    department: DEPARTMENT,
    timeoutMs: options.timeoutMs ?? 3000,
    ...(options.retries !== undefined && { retries: options.retries }),
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
  });

  // A non-200 STATUS is the hall answering: it is mapped outside the caller, so a refusal neither
  // counts against the breaker nor is retried.
  async function call(method: string, xmlStr: string, ctx: HallCallContext, idempotent: boolean): Promise<HallReply> {
    const reply = await caller.call(({ signal }) => client.call(method, xmlStr, { signal, requestId: ctx.requestId }), { idempotent });
    if (reply.status !== 200) throw serviceHallError({ kind: 'status', status: reply.status, method });
    return reply;
  }
  const cases = (reply: HallReply): Array<CaseRecord | CityGraphError> => ((reply.data.BJXX ?? []) as unknown[]).map(mapCase);
  const oneCase = (reply: HallReply): CaseRecord => {
    const [c] = cases(reply);
    if (c === undefined) throw serviceHallError({ kind: 'badRecord', field: 'case' });
    if (c instanceof Error) throw c;
    return c;
  };
  const hallDept = (department: string): string => {
    const code = HALL_OF_DEPARTMENT[department];
    if (!code) throw new CityGraphError(ErrorCode.FORBIDDEN, `The service hall knows no department "${department}".`, { department: DEPARTMENT });
    return code;
  };
  const handler = (by: StaffHandler) => `${x('BLRJS', by.post)}${x('BLBM', hallDept(by.department))}${x('BLR', by.account)}`;
  const push = async (method: string, block: string, caseNumber: string, by: StaffHandler, extra: string, ctx: HallCallContext) =>
    oneCase(await call(method, `<ROOT><${block}><SBLSH>${escapeXml(caseNumber)}</SBLSH>${handler(by)}${extra}</${block}></ROOT>`, ctx, false));

  return {
    async listMatters(department, ctx) {
      const filter = department === null ? '' : x('SSBM', hallDept(department));
      const reply = await call('querySxList', `<ROOT>${filter}</ROOT>`, ctx, true);
      return ((reply.data.SXXX ?? []) as unknown[]).map((raw) => {
        const m = mapMatter(raw);
        if (m instanceof Error) throw m;
        return m;
      });
    },
    async loadCases(numbers, ctx) {
      const out = new Map<string, CaseRecord | null | Error>();
      const unique = [...new Set(numbers)];
      for (let i = 0; i < unique.length; i += MAX_CASES_PER_CALL) {
        const chunk = unique.slice(i, i + MAX_CASES_PER_CALL);
        try {
          const reply = await call('queryBjxx', `<ROOT>${chunk.map((n) => x('SBLSH', n)).join('')}</ROOT>`, ctx, true);
          for (const c of cases(reply)) if (!(c instanceof Error) && chunk.includes(c.caseNumber)) out.set(c.caseNumber, c);
          // A record that failed its check cannot be attributed safely: its chunk's missing keys fail too.
          const bad = cases(reply).find((c) => c instanceof Error);
          for (const n of chunk) if (!out.has(n)) out.set(n, bad ?? null);
        } catch (e) {
          for (const n of chunk) out.set(n, asError(e));
        }
      }
      return numbers.map((n) => out.get(n) ?? null);
    },
    async casesOf(applicantId, ctx) {
      const reply = await call('queryBjList', `<ROOT>${x('SQRZJHM', applicantId)}</ROOT>`, ctx, true);
      return cases(reply).map((c) => {
        if (c instanceof Error) throw c;
        return c;
      });
    },
    async submit(input, ctx) {
      const body = `${x('SXBM', input.matterCode)}${x('SQRLX', input.applicant.kind === 'citizen' ? '1' : '2')}${x('SQRZJHM', input.applicant.id)}<SQRMC></SQRMC>${x('YWLSH', input.idempotencyKey)}${materials(input.documents)}`;
      return oneCase(await call('pushShenQing', `<ROOT><SPSHENQIN>${body}</SPSHENQIN></ROOT>`, ctx, false));
    },
    accept: (n, by, ctx) => push('pushShouLi', 'SPSHOULI', n, by, '', ctx),
    notAccept: (n, by, reason, ctx) => push('pushBuYuShouLi', 'SPBYSL', n, by, x('YJ', reason), ctx),
    requestSupplement: (n, by, reason, ctx) => push('pushBuZheng', 'SPBUZHENG', n, by, x('YJ', reason), ctx),
    async supplement(n, applicantId, documents, ctx) {
      return oneCase(await call('pushBzsl', `<ROOT><SPBZSL>${x('SBLSH', n)}${x('SQRZJHM', applicantId)}${materials(documents)}</SPBZSL></ROOT>`, ctx, false));
    },
    decide: (n, by, approve, note, ctx) => push('pushShenPi', 'SPSHENPI', n, by, `${x('SPJG', approve ? '1' : '0')}${x('YJ', note)}`, ctx),
    complete: (n, by, ctx) => push('pushBanJie', 'SPBANJIE', n, by, '', ctx),
    recordPart: (n, by, part, ctx) => push('pushGuoCheng', 'SPLHBL', n, by, `${x('HJMC', part.name)}${x('YJ', part.note)}${x('BLJG', PART_RESULT[part.outcome])}`, ctx),
  };
}

function asError(e: unknown): Error {
  return isCityGraphError(e) ? e : new CityGraphError(ErrorCode.INTERNAL, 'Internal error in the service hall adapter.', { department: DEPARTMENT, cause: e });
}
