/**
 * Resident insurance enrolment (城乡居民参保登记) on the platform's `callService` envelope. The
 * transaction numbers are invented in the platform's style (the published 2xxx range is settlement):
 * 2901 enrols a person in resident insurance (insutype 390), 2902 cancels an enrolment made in error.
 * Same envelope, same `infcode` 0/-1 replies with Chinese `err_msg`, same fault plan as 1101.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { appliesTo, type FaultPlan } from './controls.ts';
import { BAD_GATEWAY_PAGE, HTML_ERROR_PAGE, chinaTime, failureReply, writeJson, type ReplyStamp } from './reply.ts';
import { isValidResidentId } from './residentId.ts';

/** The enrolment transactions. */
export const ENROLMENT_INFNOS = new Set(['2901', '2902']);

/** What the server sends for one enrolment call; `null` means never answer (a `timeout` fault). */
export type EnrolmentAnswer = { status: number; type: string; text: string; fault: boolean } | null;

interface Enrolment {
  psn_no: string;
  certno: string;
  psn_name: string;
  psn_insu_date: string;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const data = (body: Record<string, any>): Record<string, any> => (body.input && typeof body.input.data === 'object' && body.input.data) || {};
const head = (stamp: ReplyStamp) => ({
  infcode: 0, inf_refmsgid: stamp.refmsgid, refmsg_time: chinaTime(stamp.received, true), respond_time: chinaTime(stamp.now, true), err_msg: null,
});

/** True when a parsed body asks for an enrolment transaction. */
export function isEnrolmentCall(body: unknown): body is Record<string, any> {
  return typeof body === 'object' && body !== null && ENROLMENT_INFNOS.has(String((body as Record<string, unknown>).infno));
}

/** The platform's enrolment book, for the life of the server. */
export class Enrolments {
  private readonly byCertno = new Map<string, Enrolment>();
  private serial = 0;

  /** Answers an enrolment call under the fault plan (faults and their latency apply per certno, as for 1101). */
  async answer(body: Record<string, any>, plan: FaultPlan, stamp: () => ReplyStamp, latencyMs: number): Promise<EnrolmentAnswer> {
    const d = data(body);
    const certno = String(d.certno ?? '');
    const faulty = appliesTo(plan, certno);
    const delay = latencyMs + (faulty ? plan.latencyMs : 0);
    if (delay > 0) await sleep(delay);
    const mode = faulty ? plan.mode : null;
    if (mode === 'timeout') return null;
    if (mode === 'httpError') return { status: 502, type: 'text/html', text: BAD_GATEWAY_PAGE, fault: true };
    if (mode === 'notJson') return { status: 200, type: 'text/html; charset=utf-8', text: HTML_ERROR_PAGE, fault: true };
    if (mode !== null) return { status: 200, type: JSON_TYPE, text: failureReply('系统繁忙，请稍后再试', stamp()), fault: true };
    const reply = body.infno === '2901' ? this.enrol(d, stamp()) : this.cancel(d, stamp());
    return { status: 200, type: JSON_TYPE, text: reply, fault: false };
  }

  private enrol(d: Record<string, any>, stamp: ReplyStamp): string {
    if (d.psn_cert_type !== '01' || !isValidResidentId(String(d.certno ?? ''))) return failureReply('证件号码certno不正确', stamp);
    if (typeof d.psn_name !== 'string' || d.psn_name === '') return failureReply('人员姓名psn_name不能为空', stamp);
    if (d.insutype !== '390') return failureReply(`险种类型insutype[${String(d.insutype)}]不正确，居民参保登记应为390`, stamp);
    if (this.byCertno.has(d.certno)) return failureReply('该人员已参加城乡居民基本医疗保险，不能重复登记', stamp);
    this.serial++;
    const e: Enrolment = { psn_no: `2100000000000000${String(900_000_000 + this.serial).padStart(10, '0')}`, certno: d.certno, psn_name: d.psn_name, psn_insu_date: chinaTime(stamp.now).slice(0, 8).replace(/(\d{4})(\d{2})(\d{2})/, '$1-$2-$3') };
    this.byCertno.set(e.certno, e);
    return writeJson({ ...head(stamp), output: { psn_no: e.psn_no, insutype: '390', psn_insu_stas: '1', psn_insu_date: e.psn_insu_date, insuplc_admdvs: '210199' } });
  }

  private cancel(d: Record<string, any>, stamp: ReplyStamp): string {
    const e = this.byCertno.get(String(d.certno ?? ''));
    if (!e || e.psn_no !== d.psn_no) return failureReply('未查询到该人员的参保登记信息', stamp);
    if (typeof d.cncl_rea !== 'string' || d.cncl_rea === '') return failureReply('撤销原因cncl_rea不能为空', stamp);
    this.byCertno.delete(e.certno);
    return writeJson({ ...head(stamp), output: { psn_no: e.psn_no, psn_insu_stas: '4' } });
  }
}
