/**
 * Seeded history of the hall: deterministic cases in every state, accepted on working days of
 * 2025–2026 (placed with the real calendar), some of them past their promised deadline.
 */
import { addWorkingDays, isWorkingDay, nextDay } from '../../../core/calendar/index.ts';
import { residentIdCheckDigit } from '../../../core/resident-id.ts';
import { CATALOGUE, type HallMatter } from './catalogue.ts';
import { CaseBook, type HallCase, type Handler, STATES, step } from './cases.ts';

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** The demo citizen of every stand-in (population, medical insurance): has cases in several states. */
export const DEMO_APPLICANT = '210102198503152318';
/** A demo enterprise (USCC) with cases of its own. */
export const DEMO_ENTERPRISE = uscc('91210102MA0XK3F2');


/** Appends the GB 32100 check character to a 17-character prefix (padded with zeros). */
export function uscc(prefix: string): string {
  const p = prefix.padEnd(17, '0').slice(0, 17);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(p[i]!) * (3 ** i % 31);
  return p + USCC_CHARS[(31 - (sum % 31)) % 31];
}

function residentId(n: number): string {
  const first = `2101${String(2 + (n % 13)).padStart(2, '0')}19${String(60 + (n % 40)).padStart(2, '0')}${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}${String(100 + n).slice(-3)}`;
  return first + residentIdCheckDigit(first);
}

const NAMES = ['王立军', '李秀英', '张伟', '刘洋', '陈静', '杨帆', '赵敏', '黄磊', '周婷', '吴昊', '徐丽', '孙强'];
const KINDS = ['SUBMITTED', 'PRE_REVIEWED', 'ACCEPTED_OVERDUE', 'PAUSED', 'APPROVED', 'COMPLETED', 'COMPLETED_LATE', 'NOT_ACCEPTED', 'REJECTED', 'ACCEPTED_RECENT'] as const;

const firstWorkingDay = (day: string): string => (isWorkingDay(day) ? day : firstWorkingDay(nextDay(day)));
const at = (day: string, hhmm: string): Date => new Date(`${day}T${hhmm}:00+08:00`);

/** Fills `book` with `count` cases (default 60); same count, same cases. */
export function seedCases(book: CaseBook, count = 60): void {
  for (let i = 0; i < count; i++) {
    const matter = CATALOGUE[(i * 7) % CATALOGUE.length]!;
    const kind = KINDS[i % KINDS.length]!;
    const enterprise = /^(SC|JT)/.test(matter.SXBM);
    const demo = i % 3 === 0;
    const applicant = demo ? (enterprise ? DEMO_ENTERPRISE : DEMO_APPLICANT) : enterprise ? uscc(`91210100MA${String(i).padStart(4, '0')}X`) : residentId(i);
    const name = demo && !enterprise ? '王立军' : enterprise ? `沈阳市示例${['机床', '商贸', '餐饮', '科技', '物流'][i % 5]}有限公司` : NAMES[i % NAMES.length]!;
    // Accepted between January 2025 and August 2026; the two recent kinds at the end of September 2026.
    const recent = kind === 'SUBMITTED' || kind === 'PRE_REVIEWED' || kind === 'ACCEPTED_RECENT';
    const day = firstWorkingDay(recent ? `2026-09-${String(21 + (i % 7)).padStart(2, '0')}` : nextDay('2025-01-06', (i * 53) % 590));
    book.put(history(matter, kind, applicant, enterprise, name, day, i));
  }
}

function history(matter: HallMatter, kind: (typeof KINDS)[number], applicant: string, enterprise: boolean, name: string, day: string, i: number): HallCase {
  const window: Handler = { BLRJS: '窗口受理人员', BLBM: matter.SSBM, BLR: `staff-${matter.SSBM}-01`, BLRXM: '张敏' };
  const reviewer: Handler = { BLRJS: '审批人员', BLBM: matter.SSBM, BLR: `staff-${matter.SSBM}-02`, BLRXM: '李建国' };
  const self: Handler = { BLRJS: '申请人', BLBM: '', BLR: applicant };
  const number = `210100${day.slice(2).replace(/-/g, '')}${String(i).padStart(4, '0')}`;
  const c: HallCase = {
    SBLSH: number, SXBM: matter.SXBM, SQRLX: enterprise ? '2' : '1', SQRZJHM: applicant, SQRMC: name, BJZT: STATES.SUBMITTED,
    SQSJ: '', SLSJ: '', BJSJ: '', YWLSH: `seed-${i}`,
    CLLIST: matter.CLLIST.filter((x) => x.SFBY === '1').map((x) => ({ CLBM: x.CLBM, CLSYZ: applicant, WJBH: `DZZZ-${number}-${x.CLBM}` })),
    GCLIST: [step('SPSHENQIN', self, at(day, '09:12'), '')],
  };
  c.SQSJ = c.GCLIST[0]!.CLSJ;
  if (kind === 'SUBMITTED') return c;
  c.GCLIST.push(step('SPCAILIAOSHENHE', window, at(day, '09:40'), '材料齐全'));
  c.BJZT = STATES.PRE_REVIEWED;
  if (kind === 'PRE_REVIEWED') return c;
  if (kind === 'NOT_ACCEPTED') return finish(c, STATES.NOT_ACCEPTED, step('SPBYSL', window, at(day, '10:05'), '申请事项不属于本机关职权范围', '0'));
  const accepted = step('SPSHOULI', window, at(day, '10:05'), '');
  c.GCLIST.push(accepted);
  c.SLSJ = accepted.CLSJ;
  c.BJZT = STATES.ACCEPTED;
  if (kind === 'ACCEPTED_OVERDUE' || kind === 'ACCEPTED_RECENT') return c;
  if (kind === 'PAUSED') {
    c.GCLIST.push(step('SPBUZHENG', window, at(addWorkingDays(day, 1), '15:30'), '请补充提交清晰的材料扫描件'));
    c.BJZT = STATES.SUPPLEMENT;
    return c;
  }
  const decisionDay = addWorkingDays(day, kind === 'COMPLETED_LATE' ? matter.CNSX + 3 : Math.max(1, matter.CNSX - 1));
  if (kind === 'REJECTED') return finish(c, STATES.REJECTED, step('SPSHENPI', reviewer, at(decisionDay, '14:20'), '不符合法定条件，不予许可', '0'));
  c.GCLIST.push(step('SPSHENPI', reviewer, at(decisionDay, '14:20'), '同意'));
  c.BJZT = STATES.APPROVED;
  if (kind === 'APPROVED') return c;
  return finish(c, STATES.COMPLETED, step('SPBANJIE', window, at(addWorkingDays(decisionDay, 1), '11:00'), '已送达'));
}

function finish(c: HallCase, state: HallCase['BJZT'], s: ReturnType<typeof step>): HallCase {
  c.BJZT = state;
  c.BJSJ = s.CLSJ;
  c.GCLIST.push(s);
  return c;
}
