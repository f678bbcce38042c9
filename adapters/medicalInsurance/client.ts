/**
 * Talks the platform's protocol: builds the `callService` envelope for transaction 1101, posts it,
 * and parses the reply with lossless-json so every number keeps its original text (money included).
 */
import { parse } from 'lossless-json';
import { httpFetch } from '../../core/http-fetch.ts';
import { medicalInsuranceFault } from './faults.ts';

/** The platform's one endpoint; the transaction is chosen by `infno` in the body. */
export const CALL_SERVICE_PATH = '/fsi/api/rsfComIfsService/callService';

/** Options of the protocol client. */
export interface PersonInfoClientOptions {
  /** Base URL of the platform (or the full callService URL). Required. */
  url: string;
  /** The 12-character institution code (定点医药机构编号) this system is registered under. Required. */
  institutionCode: string;
  /** Clock, for tests. Default `() => new Date()`. */
  now?: () => Date;
}

/** One call's transport context, from LegacyCaller and the graph's request. */
export interface CallContext {
  signal: AbortSignal;
  requestId: string;
}

/** The client: one 1101 call per person, returning the reply body as lossless-json parsed it. */
export interface PersonInfoClient {
  /** Asks for one person's information; rejects with a CityGraphError for transport-level failures. */
  personInfo(certno: string, ctx: CallContext): Promise<unknown>;
}

/** Creates a client; the envelope's fixed fields are filled in here and nowhere else. */
export function createPersonInfoClient(options: PersonInfoClientOptions): PersonInfoClient {
  const endpoint = endpointOf(options.url);
  const now = options.now ?? (() => new Date());
  let serial = 0;

  return {
    async personInfo(certno, { signal, requestId }) {
      // The serial rolls 0001…9999 so that msgids within one second stay distinct.
      serial = (serial % 9999) + 1;
      const body = JSON.stringify(envelope(options.institutionCode, now(), serial, certno));
      let status: number;
      let text: string;
      try {
        const res = await httpFetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json;charset=UTF-8', accept: 'application/json', 'x-request-id': requestId },
          body,
          signal,
        });
        status = res.status;
        text = await res.text();
      } catch (cause) {
        throw medicalInsuranceFault({ kind: 'network', cause });
      }
      // The platform answers business failures with 200 too, so any other status is a proxy or an outage.
      if (status !== 200) throw medicalInsuranceFault({ kind: 'http', status });
      try {
        return parse(text);
      } catch (cause) {
        throw medicalInsuranceFault({ kind: 'notJson', cause });
      }
    },
  };
}

/** The 1101 request envelope, field for field as the platform's interface specification lists it. */
export function envelope(institutionCode: string, at: Date, serial: number, certno: string): Record<string, unknown> {
  const t = chinaClock(at);
  return {
    infno: '1101',
    msgid: `${institutionCode}${t.compact}${String(serial).padStart(4, '0')}`,
    mdtrtarea_admvs: '210199',
    insuplc_admdvs: '',
    recer_sys_code: 'YBXT',
    dev_no: '',
    dev_safe_info: '',
    cainfo: '',
    signtype: '',
    infver: 'V1.0',
    opter_type: '1',
    opter: 'citygraph',
    opter_name: 'CityGraph',
    inf_time: t.readable,
    fixmedins_code: institutionCode,
    fixmedins_name: 'CityGraph',
    sign_no: '',
    input: {
      data: {
        mdtrt_cert_type: '02', // 02 = resident ID card; the voucher number is then the ID number
        mdtrt_cert_no: certno,
        card_sn: '',
        begntime: '',
        psn_cert_type: '01',
        certno,
        psn_name: '',
      },
    },
  };
}

/** Time in China Standard Time (UTC+8, no daylight saving), which the platform's fields are in. */
function chinaClock(at: Date): { compact: string; readable: string } {
  const iso = new Date(at.getTime() + 8 * 3_600_000).toISOString(); // 2024-05-20T10:30:15.123Z
  return { compact: iso.slice(0, 19).replace(/[-:T]/g, ''), readable: iso.slice(0, 19).replace('T', ' ') };
}

function endpointOf(url: string): string {
  const u = new URL(url);
  if (!u.pathname.endsWith('/callService')) u.pathname = u.pathname.replace(/\/$/, '') + CALL_SERVICE_PATH;
  return u.toString();
}
