/**
 * Resident insurance enrolment (城乡居民参保登记, insutype 390) for the newborn bundle, over the
 * platform's `callService` envelope: transaction 2901 enrols, 2902 cancels an enrolment (the
 * compensation). Both transaction numbers are invented in the platform's style (see the stand-in's
 * enrolments.ts). Never retried: an enrolment is a change.
 */
import { z } from 'zod';
import { CityGraphError, ErrorCode } from '../../core/errors.ts';
import { httpFetch } from '../../core/http-fetch.ts';
import { LegacyCaller } from '../kit/resilience.ts';
import { CALL_SERVICE_PATH } from './client.ts';
import { DEPARTMENT, medicalInsuranceFault } from './faults.ts';

/** A person to enrol. */
export interface EnrolmentInput {
  certno: string;
  name: string;
  gender: 'MALE' | 'FEMALE';
  /** `YYYY-MM-DD`. */
  birthDate: string;
}

/** Options of createResidentEnrolment. */
export interface ResidentEnrolmentOptions {
  /** Base URL of the platform. Required. */
  url: string;
  /** The 12-character institution code that starts every msgid. Default `H21010200001`. */
  institutionCode?: string;
  /** Milliseconds before a call is abandoned. Default 3000. */
  timeoutMs?: number;
  /** Clock of the envelope's times. Default the real clock. */
  now?: () => Date;
}

/** The two enrolment transactions. */
export interface ResidentEnrolment {
  /** Enrols; resolves to the platform's person number (psn_no), needed to cancel. */
  enrol(input: EnrolmentInput, ctx: { requestId: string }): Promise<{ personNumber: string }>;
  /** Cancels an enrolment made by `enrol`. */
  cancel(personNumber: string, certno: string, reason: string, ctx: { requestId: string }): Promise<void>;
}

const Reply = z.object({
  infcode: z.union([z.literal(0), z.literal(-1)]),
  err_msg: z.string().nullable().optional(),
  output: z.object({ psn_no: z.string().regex(/^\d{26}$/) }).nullable().optional(),
});

/** Creates the enrolment transactions; invalid options throw here. */
export function createResidentEnrolment(options: ResidentEnrolmentOptions): ResidentEnrolment {
  if (!options || typeof options.url !== 'string' || !URL.canParse(options.url)) throw new TypeError('createResidentEnrolment needs options.url, the base URL of the platform.');
  const institution = options.institutionCode ?? 'H21010200001';
  const now = options.now ?? (() => new Date());
  const endpoint = new URL(CALL_SERVICE_PATH, options.url).toString();
  const caller = new LegacyCaller({ department: DEPARTMENT, timeoutMs: options.timeoutMs ?? 3000, retries: 0 });
  let serial = 0;

  async function call(infno: string, data: Record<string, string>, requestId: string): Promise<z.infer<typeof Reply>> {
    serial = (serial % 9999) + 1;
    const t = new Date(now().getTime() + 8 * 3_600_000).toISOString().slice(0, 19);
    const body = {
      infno, msgid: `${institution}${t.replace(/[-:T]/g, '')}${String(serial).padStart(4, '0')}`, mdtrtarea_admvs: '210199', insuplc_admdvs: '210199',
      recer_sys_code: 'YBXT', dev_no: '', dev_safe_info: '', cainfo: '', signtype: '', infver: 'V1.0', opter_type: '1', opter: 'citygraph',
      opter_name: 'CityGraph', inf_time: t.replace('T', ' '), fixmedins_code: institution, fixmedins_name: 'CityGraph', sign_no: '', input: { data },
    };
    return caller.call(async ({ signal }) => {
      let status: number;
      let text: string;
      try {
        const res = await httpFetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json;charset=UTF-8', 'x-request-id': requestId }, body: JSON.stringify(body), signal });
        status = res.status;
        text = await res.text();
      } catch (cause) {
        throw medicalInsuranceFault({ kind: 'network', cause });
      }
      if (status !== 200) throw medicalInsuranceFault({ kind: 'http', status });
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (cause) {
        throw medicalInsuranceFault({ kind: 'notJson', cause });
      }
      const parsed = Reply.safeParse(json);
      if (!parsed.success) throw medicalInsuranceFault({ kind: 'badShape', reason: `${infno}: ${parsed.error.issues[0]?.message ?? 'shape'}` });
      return parsed.data;
    }, { idempotent: false });
  }
  const refused = (infno: string, errMsg: string | null | undefined) =>
    new CityGraphError(ErrorCode.LEGACY_ERROR, `The medical insurance platform refused the ${infno === '2901' ? 'enrolment' : 'cancellation of the enrolment'}.`, { department: DEPARTMENT, details: { infno }, cause: new Error(`infcode -1: ${(errMsg ?? '').slice(0, 200)}`) });

  return {
    async enrol(input, ctx) {
      const reply = await call('2901', { psn_cert_type: '01', certno: input.certno, psn_name: input.name, gend: input.gender === 'MALE' ? '1' : '2', brdy: input.birthDate, insutype: '390', insuplc_admdvs: '210199' }, ctx.requestId);
      if (reply.infcode !== 0) throw refused('2901', reply.err_msg);
      if (!reply.output) throw medicalInsuranceFault({ kind: 'badShape', reason: '2901 without output' });
      return { personNumber: reply.output.psn_no };
    },
    async cancel(personNumber, certno, reason, ctx) {
      const reply = await call('2902', { psn_no: personNumber, certno, cncl_rea: reason }, ctx.requestId);
      if (reply.infcode !== 0) throw refused('2902', reply.err_msg);
    },
  };
}
