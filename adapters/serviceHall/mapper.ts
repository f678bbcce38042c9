/**
 * The only place where the hall's field names and codes meet the graph's words. Raw records are
 * checked with zod and mapped by whitelist: staff names (BLRXM) and accounts (BLR) never leave, and an
 * unknown state code (say, a province's 挂起 for an overdue case) is an error, never passed on quietly.
 */
import { z } from 'zod';
import type { CityGraphError } from '../../core/errors.ts';
import { serviceHallError } from './faults.ts';

/** The graph's department of each hall department code. */
export const DEPARTMENT_OF_HALL: Readonly<Record<string, string>> = {
  SYGAJ: 'population',
  SYYBJ: 'medicalInsurance',
  SYGJJ: 'housingFund',
  SYSCJ: 'marketRegulation',
  SYJTJ: 'parking',
  SYZWFW: 'services',
};
/** The hall's code of each graph department. */
export const HALL_OF_DEPARTMENT: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(DEPARTMENT_OF_HALL).map(([k, v]) => [v, k]));

/** States of a case in the graph's words. */
export type CaseState = 'SUBMITTED' | 'PRE_REVIEWED' | 'ACCEPTED' | 'SUPPLEMENT_REQUESTED' | 'APPROVED' | 'COMPLETED' | 'NOT_ACCEPTED' | 'REJECTED';
const STATE_OF: Readonly<Record<string, CaseState>> = {
  '01': 'SUBMITTED', '02': 'PRE_REVIEWED', '03': 'ACCEPTED', '04': 'SUPPLEMENT_REQUESTED', '05': 'APPROVED', '06': 'COMPLETED', '07': 'NOT_ACCEPTED', '08': 'REJECTED',
};

/** Stages of a case's history. */
export type StepStage = 'SUBMITTED' | 'PRE_REVIEWED' | 'ACCEPTED' | 'NOT_ACCEPTED' | 'SUPPLEMENT_REQUESTED' | 'SUPPLEMENT_RECEIVED' | 'APPROVED' | 'REJECTED' | 'COMPLETED' | 'BUNDLE_PART';
/** Outcome of a bundled part, as recorded in the case's history. */
export type PartOutcome = 'DONE' | 'FAILED' | 'COMPENSATED' | 'FLAGGED' | 'SKIPPED';
const PART_OUTCOME: Readonly<Record<string, PartOutcome>> = { '1': 'DONE', '0': 'FAILED', '2': 'COMPENSATED', '3': 'FLAGGED', '4': 'SKIPPED' };
/** The hall's result code of each part outcome. */
export const PART_RESULT: Readonly<Record<PartOutcome, string>> = { DONE: '1', FAILED: '0', COMPENSATED: '2', FLAGGED: '3', SKIPPED: '4' };

/** A service matter (事项) in the graph's words. */
export interface MatterRecord {
  code: string;
  name: string;
  /** Owning department, as the graph names departments (`population`, `medicalInsurance`…). */
  department: string;
  departmentName: string;
  kind: string;
  legalWorkingDays: number;
  promisedWorkingDays: number;
  minimumReviewWorkingDays: number;
  zeroMaterial: boolean;
  documents: Array<{ code: string; name: string; required: boolean }>;
}

/** One step of a case's history. */
export interface StepRecord {
  stage: StepStage;
  /** Instant, ISO 8601 UTC. */
  at: string;
  /** China calendar day of the step, `YYYY-MM-DD` (what working days count). */
  day: string;
  actor: { role: 'applicant' | 'staff'; post: string | null; department: string | null };
  note: string | null;
  /** On a BUNDLE_PART step: the part's name and outcome. */
  part: { name: string; outcome: PartOutcome } | null;
}

/** A case (办件) in the graph's words. */
export interface CaseRecord {
  caseNumber: string;
  matterCode: string;
  department: string;
  applicant: { kind: 'citizen' | 'enterprise'; id: string };
  state: CaseState;
  submittedAt: string;
  acceptedAt: string | null;
  endedAt: string | null;
  promisedWorkingDays: number;
  documents: Array<{ material: string; holderId: string; fileId: string }>;
  history: StepRecord[];
}

const HALL_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;
const hallTime = z.string().trim().regex(HALL_TIME);
const optionalTime = z.union([hallTime, z.literal('')]).optional().default('');
const code = z.string().trim().regex(/^[A-Z0-9]{2,32}$/);
const days = z.coerce.number().int().min(0).max(365);
const list = <T extends z.ZodType>(item: T) => z.union([z.object({ CL: z.array(item).optional() }), z.literal('')]).optional();

const RawMatter = z.object({
  SXBM: code,
  SXMC: z.string().trim().min(1).max(200),
  SSBM: z.string().refine((v) => v in DEPARTMENT_OF_HALL),
  SSBMMC: z.string().trim().min(1).max(100),
  SXLX: z.string().trim().min(1).max(20),
  FDSX: days,
  CNSX: days.refine((n) => n >= 1),
  ZSSCSJ: days,
  LCLBL: z.enum(['0', '1']),
  CLLIST: list(z.object({ CLBM: code, CLMC: z.string().trim().min(1).max(200), SFBY: z.enum(['0', '1']) })),
});

const RawStep = z.object({
  HJDM: z.enum(['SPSHENQIN', 'SPCAILIAOSHENHE', 'SPSHOULI', 'SPBUZHENG', 'SPBZSL', 'SPSHENPI', 'SPBYSL', 'SPBANJIE', 'SPLHBL']),
  HJMC: z.string().trim().min(1).max(100),
  BLRJS: z.string().trim().min(1).max(50),
  BLBM: z.union([z.string().refine((v) => v in DEPARTMENT_OF_HALL), z.literal('')]).optional().default(''),
  CLSJ: hallTime,
  YJ: z.string().max(1000).optional().default(''),
  BLJG: z.enum(['0', '1', '2', '3', '4']).optional().default('1'),
});

const RawCase = z.object({
  SBLSH: z.string().trim().regex(/^\d{16}$/),
  SXBM: code,
  SSBM: z.string().refine((v) => v in DEPARTMENT_OF_HALL),
  SQRLX: z.enum(['1', '2']),
  SQRZJHM: z.string().trim().toUpperCase().regex(/^(\d{17}[\dX]|[0-9A-HJ-NPQRTUWXY]{18})$/),
  BJZT: z.string().refine((v) => v in STATE_OF),
  SQSJ: hallTime,
  SLSJ: optionalTime,
  BJSJ: optionalTime,
  PROMISE_DAYS: days.refine((n) => n >= 1),
  CLLIST: list(z.object({ CLBM: code, CLSYZ: z.string().trim().toUpperCase(), WJBH: z.string().trim().min(1).max(100) })),
  GCLIST: z.union([z.object({ GC: z.array(RawStep) }), z.literal('')]).optional(),
});

/** The graph's name of each checked field, so an error never names a hall field. */
const GRAPH_FIELD: Readonly<Record<string, string>> = {
  SXBM: 'matterCode', SXMC: 'name', SSBM: 'department', SQRZJHM: 'applicant', BJZT: 'state', SQSJ: 'submittedAt', SLSJ: 'acceptedAt', BJSJ: 'endedAt',
  PROMISE_DAYS: 'promisedWorkingDays', CNSX: 'promisedWorkingDays', FDSX: 'legalWorkingDays', GCLIST: 'history', CLLIST: 'documents', SBLSH: 'caseNumber',
};

const instant = (t: string): string => new Date(`${t.replace(' ', 'T')}+08:00`).toISOString();
const badRecord = (issues: z.core.$ZodIssue[]): CityGraphError => serviceHallError({ kind: 'badRecord', field: GRAPH_FIELD[String(issues[0]?.path[0] ?? '')] ?? 'record' });

/** Checks and maps one `<SXXX>` matter. */
export function mapMatter(raw: unknown): MatterRecord | CityGraphError {
  const p = RawMatter.safeParse(raw);
  if (!p.success) return badRecord(p.error.issues);
  const r = p.data;
  return {
    code: r.SXBM, name: r.SXMC, department: DEPARTMENT_OF_HALL[r.SSBM]!, departmentName: r.SSBMMC, kind: r.SXLX,
    legalWorkingDays: r.FDSX, promisedWorkingDays: r.CNSX, minimumReviewWorkingDays: r.ZSSCSJ, zeroMaterial: r.LCLBL === '1',
    documents: (r.CLLIST === '' ? [] : (r.CLLIST?.CL ?? [])).map((c) => ({ code: c.CLBM, name: c.CLMC, required: c.SFBY === '1' })),
  };
}

const STAGE_OF: Readonly<Record<string, StepStage>> = {
  SPSHENQIN: 'SUBMITTED', SPCAILIAOSHENHE: 'PRE_REVIEWED', SPSHOULI: 'ACCEPTED', SPBYSL: 'NOT_ACCEPTED', SPBUZHENG: 'SUPPLEMENT_REQUESTED',
  SPBZSL: 'SUPPLEMENT_RECEIVED', SPBANJIE: 'COMPLETED', SPLHBL: 'BUNDLE_PART',
};

/** Checks and maps one `<BJXX>` case. */
export function mapCase(raw: unknown): CaseRecord | CityGraphError {
  const p = RawCase.safeParse(raw);
  if (!p.success) return badRecord(p.error.issues);
  const r = p.data;
  const steps = r.GCLIST === '' || r.GCLIST === undefined ? [] : r.GCLIST.GC;
  return {
    caseNumber: r.SBLSH,
    matterCode: r.SXBM,
    department: DEPARTMENT_OF_HALL[r.SSBM]!,
    applicant: { kind: r.SQRLX === '1' ? 'citizen' : 'enterprise', id: r.SQRZJHM },
    state: STATE_OF[r.BJZT]!,
    submittedAt: instant(r.SQSJ),
    acceptedAt: r.SLSJ ? instant(r.SLSJ) : null,
    endedAt: r.BJSJ ? instant(r.BJSJ) : null,
    promisedWorkingDays: r.PROMISE_DAYS,
    documents: (r.CLLIST === '' ? [] : (r.CLLIST?.CL ?? [])).map((c) => ({ material: c.CLBM, holderId: c.CLSYZ, fileId: c.WJBH })),
    history: steps.map((s) => {
      const applicant = s.BLRJS === '申请人';
      const stage = s.HJDM === 'SPSHENPI' ? (s.BLJG === '0' ? 'REJECTED' : 'APPROVED') : STAGE_OF[s.HJDM]!;
      return {
        stage,
        at: instant(s.CLSJ),
        day: s.CLSJ.slice(0, 10),
        actor: applicant ? { role: 'applicant', post: null, department: null } : { role: 'staff', post: s.BLRJS, department: s.BLBM ? DEPARTMENT_OF_HALL[s.BLBM]! : null },
        note: s.YJ === '' ? null : s.YJ,
        part: stage === 'BUNDLE_PART' ? { name: s.HJMC, outcome: PART_OUTCOME[s.BLJG]! } : null,
      };
    }),
  };
}
