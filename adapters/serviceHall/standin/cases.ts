/**
 * The hall's case book (办件库): cases with their SBLSH, state (BJZT) and process records (GC), moved
 * by the push methods the way the hall's workflow engine allows, refusing everything else.
 * State codes and the step codes beyond LEGACY.md's stage blocks are invented.
 */
import { DEPARTMENTS, matterByCode, type HallMatter } from './catalogue.ts';
import { HallRefusal, el, hallTime } from './xml.ts';

/** 办件状态 BJZT. */
export const STATES = {
  SUBMITTED: '01', // 已申报
  PRE_REVIEWED: '02', // 预审通过
  ACCEPTED: '03', // 已受理
  SUPPLEMENT: '04', // 补正中
  APPROVED: '05', // 审批通过
  COMPLETED: '06', // 已办结
  NOT_ACCEPTED: '07', // 不予受理
  REJECTED: '08', // 不予许可
} as const;
type State = (typeof STATES)[keyof typeof STATES];

/** One process record (过程信息). */
export interface Step {
  /** 环节代码, e.g. SPSHOULI. */
  HJDM: string;
  /** 环节名称. */
  HJMC: string;
  /** 办理人角色: 申请人 or a staff post. */
  BLRJS: string;
  /** 办理部门编码 (empty for the applicant). */
  BLBM: string;
  /** 办理人 account. */
  BLR: string;
  /** 办理人姓名 (the hall keeps it; the graph never shows it). */
  BLRXM: string;
  /** 处理时间. */
  CLSJ: string;
  /** 意见 / 原因. */
  YJ: string;
  /** 办理结果 (invented codes): 1 通过/成功, 0 不通过/失败, 2 已撤销 (compensated), 3 转人工 (flagged for staff), 4 不适用 (skipped). */
  BLJG: string;
}

/** A submitted material. */
export interface CaseMaterial {
  CLBM: string;
  /** 材料所有人证件号码. */
  CLSYZ: string;
  /** 文件编号 in the licence or file library. */
  WJBH: string;
}

/** A case as the hall holds it. */
export interface HallCase {
  SBLSH: string;
  SXBM: string;
  /** 申请人类型: 1 自然人, 2 法人. */
  SQRLX: '1' | '2';
  SQRZJHM: string;
  SQRMC: string;
  BJZT: State;
  SQSJ: string;
  SLSJ: string;
  BJSJ: string;
  CLLIST: CaseMaterial[];
  GCLIST: Step[];
  /** 业务流水号: the submitter's idempotency key. */
  YWLSH: string;
}

/** Who performs a step, as the caller reports it. */
export interface Handler {
  BLRJS: string;
  BLBM: string;
  BLR: string;
  BLRXM?: string;
}

const STEP_NAMES: Readonly<Record<string, string>> = {
  SPSHENQIN: '申请', SPCAILIAOSHENHE: '预审', SPSHOULI: '受理', SPBUZHENG: '补正告知', SPBZSL: '补正材料接收',
  SPSHENPI: '审批', SPBYSL: '不予受理', SPBANJIE: '办结', SPLHBL: '联合办理',
};

/** The hall's case book. */
export class CaseBook {
  private readonly cases = new Map<string, HallCase>();
  private readonly byKey = new Map<string, string>();
  private serial: number;

  // New numbers start at a point taken from the clock, so a restarted hall (its book is in memory)
  // does not hand out the numbers of an earlier run again on the same day.
  private readonly now: () => Date;

  constructor(now: () => Date) {
    this.now = now;
    this.serial = Math.floor(now().getTime() / 1000) % 5000;
  }

  /** Number of cases held. */
  get size(): number {
    return this.cases.size;
  }

  /** Adds a case as it is (seeding). */
  put(c: HallCase): void {
    this.cases.set(c.SBLSH, c);
    if (c.YWLSH) this.byKey.set(`${c.SQRZJHM}|${c.YWLSH}`, c.SBLSH);
  }

  /** A case by number, or undefined. */
  get(sblsh: string): HallCase | undefined {
    return this.cases.get(sblsh);
  }

  /** Every case of one applicant, newest first. */
  ofApplicant(id: string): HallCase[] {
    return [...this.cases.values()].filter((c) => c.SQRZJHM === id).sort((a, b) => (a.SQSJ < b.SQSJ ? 1 : -1));
  }

  /** 申请: files a new case; the same applicant and 业务流水号 give back the same case. */
  submit(input: { SXBM: string; SQRLX: '1' | '2'; SQRZJHM: string; SQRMC: string; YWLSH: string; CLLIST: CaseMaterial[] }): HallCase {
    if (!input.YWLSH) throw new HallRefusal(400, '业务流水号YWLSH不能为空');
    const again = this.byKey.get(`${input.SQRZJHM}|${input.YWLSH}`);
    if (again) return this.cases.get(again)!;
    const matter = matterByCode(input.SXBM);
    if (!matter) throw new HallRefusal(400, `事项编码${input.SXBM}不存在`);
    if (!/^(\d{17}[\dX]|[0-9A-HJ-NPQRTUWXY]{18})$/.test(input.SQRZJHM)) throw new HallRefusal(400, '申请人证件号码格式错误');
    const missing = matter.CLLIST.filter((x) => x.SFBY === '1' && !input.CLLIST.some((c) => c.CLBM === x.CLBM));
    if (missing.length > 0 && matter.LCLBL !== '1') throw new HallRefusal(400, `缺少必要材料：${missing.map((x) => x.CLMC).join('、')}`);
    if (input.CLLIST.some((c) => c.CLSYZ !== input.SQRZJHM)) throw new HallRefusal(400, '材料所有人与申请人不一致');
    const at = this.now();
    const c: HallCase = {
      SBLSH: this.nextNumber(at), SXBM: matter.SXBM, SQRLX: input.SQRLX, SQRZJHM: input.SQRZJHM, SQRMC: input.SQRMC,
      BJZT: STATES.SUBMITTED, SQSJ: hallTime(at), SLSJ: '', BJSJ: '', CLLIST: input.CLLIST, GCLIST: [], YWLSH: input.YWLSH,
    };
    c.GCLIST.push(step('SPSHENQIN', { BLRJS: '申请人', BLBM: '', BLR: input.SQRZJHM }, at, ''));
    this.put(c);
    return c;
  }

  /** 受理. */
  accept(sblsh: string, h: Handler): HallCase {
    const c = this.forStaff(sblsh, h, [STATES.SUBMITTED, STATES.PRE_REVIEWED], '受理');
    const at = this.now();
    c.BJZT = STATES.ACCEPTED;
    c.SLSJ = hallTime(at);
    c.GCLIST.push(step('SPSHOULI', h, at, ''));
    return c;
  }

  /** 不予受理. */
  notAccept(sblsh: string, h: Handler, reason: string): HallCase {
    const c = this.forStaff(sblsh, h, [STATES.SUBMITTED, STATES.PRE_REVIEWED], '不予受理');
    return this.end(c, STATES.NOT_ACCEPTED, step('SPBYSL', h, this.now(), reason, '0'));
  }

  /** 补正告知: stops the count. */
  requestSupplement(sblsh: string, h: Handler, reason: string): HallCase {
    const c = this.forStaff(sblsh, h, [STATES.ACCEPTED], '补正告知');
    c.BJZT = STATES.SUPPLEMENT;
    c.GCLIST.push(step('SPBUZHENG', h, this.now(), reason));
    return c;
  }

  /** 补正材料接收: the applicant's documents arrive; the count goes on. */
  supplement(sblsh: string, applicant: string, materials: CaseMaterial[]): HallCase {
    const c = this.mustGet(sblsh);
    if (c.SQRZJHM !== applicant) throw new HallRefusal(403, '只有申请人本人可以提交补正材料');
    if (c.BJZT !== STATES.SUPPLEMENT) throw new HallRefusal(409, `办件当前状态（${c.BJZT}）不允许提交补正材料`);
    if (materials.length === 0) throw new HallRefusal(400, '补正材料不能为空');
    if (materials.some((x) => x.CLSYZ !== applicant)) throw new HallRefusal(400, '材料所有人与申请人不一致');
    c.CLLIST.push(...materials);
    c.BJZT = STATES.ACCEPTED;
    c.GCLIST.push(step('SPBZSL', { BLRJS: '申请人', BLBM: '', BLR: applicant }, this.now(), ''));
    return c;
  }

  /** 审批: approve (SPJG 1) or refuse the licence (SPJG 0, 不予许可). */
  decide(sblsh: string, h: Handler, approve: boolean, opinion: string): HallCase {
    const c = this.forStaff(sblsh, h, [STATES.ACCEPTED], '审批');
    const s = step('SPSHENPI', h, this.now(), opinion, approve ? '1' : '0');
    if (!approve) return this.end(c, STATES.REJECTED, s);
    c.BJZT = STATES.APPROVED;
    c.GCLIST.push(s);
    return c;
  }

  /** 办结. */
  complete(sblsh: string, h: Handler): HallCase {
    const c = this.forStaff(sblsh, h, [STATES.APPROVED], '办结');
    return this.end(c, STATES.COMPLETED, step('SPBANJIE', h, this.now(), ''));
  }

  /** 联合办理: a record of one part of a bundled service, e.g. `出生登记：成功`. */
  recordPart(sblsh: string, h: Handler, title: string, opinion: string, result: string): HallCase {
    if (!['0', '1', '2', '3', '4'].includes(result)) throw new HallRefusal(400, '办理结果BLJG应为0、1、2、3或4');
    const c = this.mustGet(sblsh);
    if ([STATES.COMPLETED, STATES.NOT_ACCEPTED, STATES.REJECTED].includes(c.BJZT as never)) throw new HallRefusal(409, '办件已办结，不能追加过程信息');
    c.GCLIST.push({ ...step('SPLHBL', h, this.now(), opinion, result), HJMC: title });
    return c;
  }

  private end(c: HallCase, state: State, s: Step): HallCase {
    c.BJZT = state;
    c.BJSJ = s.CLSJ;
    c.GCLIST.push(s);
    return c;
  }

  private mustGet(sblsh: string): HallCase {
    const c = this.cases.get(sblsh);
    if (!c) throw new HallRefusal(404, `办件${sblsh}不存在`);
    return c;
  }

  private forStaff(sblsh: string, h: Handler, allowed: readonly State[], what: string): HallCase {
    const c = this.mustGet(sblsh);
    const matter = matterByCode(c.SXBM) as HallMatter;
    if (!(h.BLBM in DEPARTMENTS)) throw new HallRefusal(400, `办理部门编码${h.BLBM}不存在`);
    if (h.BLBM !== matter.SSBM) throw new HallRefusal(403, '办理部门与事项实施部门不一致');
    if (!allowed.includes(c.BJZT)) throw new HallRefusal(409, `办件当前状态（${c.BJZT}）不允许${what}`);
    return c;
  }

  private nextNumber(at: Date): string {
    this.serial++;
    const day = hallTime(at).slice(2, 10).replace(/-/g, '');
    return `210100${day}${5000 + (this.serial % 5000)}`;
  }
}

/** A process record of `code` by `h` at `at`. */
export function step(code: string, h: Handler, at: Date, opinion: string, result = '1'): Step {
  return { HJDM: code, HJMC: STEP_NAMES[code] ?? code, BLRJS: h.BLRJS, BLBM: h.BLBM, BLR: h.BLR, BLRXM: h.BLRXM ?? '', CLSJ: hallTime(at), YJ: opinion, BLJG: result };
}

/** A case as `<BJXX>` of a reply. */
export function caseXml(c: HallCase): string {
  const matter = matterByCode(c.SXBM)!;
  const materials = c.CLLIST.map((x) => `<CL>${el('CLBM', x.CLBM)}${el('CLSYZ', x.CLSYZ)}${el('WJBH', x.WJBH)}</CL>`).join('');
  const steps = c.GCLIST.map((s) => `<GC>${(Object.keys(s) as (keyof Step)[]).map((k) => el(k, s[k])).join('')}</GC>`).join('');
  return (
    `<BJXX>${el('SBLSH', c.SBLSH)}${el('SXBM', c.SXBM)}${el('SXMC', matter.SXMC)}${el('SSBM', matter.SSBM)}${el('SLBMMC', DEPARTMENTS[matter.SSBM])}` +
    `${el('XZQHDM', '210100000000')}${el('SQRLX', c.SQRLX)}${el('SQRZJHM', c.SQRZJHM)}${el('SQRMC', c.SQRMC)}${el('BJZT', c.BJZT)}` +
    `${el('SQSJ', c.SQSJ)}${el('SLSJ', c.SLSJ)}${el('BJSJ', c.BJSJ)}${el('PROMISE_DAYS', matter.CNSX)}` +
    `<CLLIST>${materials}</CLLIST><GCLIST>${steps}</GCLIST></BJXX>`
  );
}
