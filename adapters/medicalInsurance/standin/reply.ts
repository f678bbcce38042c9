/**
 * Writes the platform's reply bodies as JSON text by hand, because `JSON.stringify` cannot write
 * `1523.40`: the platform sends money as a JSON number with two decimals and the adapter must cope.
 */
import type { Person } from './persons.ts';

/** A JSON number written exactly as its text (e.g. `1523.40`). */
class RawNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** Serialises plain values like JSON.stringify, except that a RawNumber is written verbatim. */
export function writeJson(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(writeJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${writeJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Cents as a decimal with exactly two places, by integer arithmetic only. */
export function centsText(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** Reply times and ids of one answer; the platform stamps every reply with its own message id. */
export interface ReplyStamp {
  refmsgid: string;
  received: Date;
  now: Date;
}

/** `infcode: 0` with the person's baseinfo and insuinfo, as LEGACY.md's sample. */
export function successReply(person: Person, stamp: ReplyStamp): string {
  return writeJson({
    ...head(0, stamp),
    err_msg: null,
    output: {
      baseinfo: {
        psn_no: person.psn_no, psn_cert_type: '01', certno: person.certno, psn_name: person.psn_name,
        gend: person.gend, naty: person.naty, brdy: person.brdy, age: new RawNumber(age(person.brdy, stamp.now)),
      },
      insuinfo: person.insuinfo.map((i) => ({
        balc: new RawNumber(centsText(i.balcCents)), insutype: i.insutype, psn_type: i.psn_type,
        psn_insu_stas: i.psn_insu_stas, psn_insu_date: i.psn_insu_date, paus_insu_date: i.paus_insu_date,
        cvlserv_flag: i.cvlserv_flag, insuplc_admdvs: i.insuplc_admdvs, emp_name: i.emp_name,
      })),
      idetinfo: [],
    },
  });
}

/** `infcode: -1` with the platform's message, the way it reports every failure. */
export function failureReply(errMsg: string, stamp: ReplyStamp): string {
  return writeJson({ ...head(-1, stamp), err_msg: errMsg, output: null });
}

/** A success code with a body the platform's schema does not allow (fault `badShape`). */
export function badShapeReply(person: Person | null, variant: number, stamp: ReplyStamp): string {
  if (variant % 2 === 0 || !person) return writeJson({ ...head(0, stamp), err_msg: null });
  const first = person.insuinfo[0]!;
  return writeJson({
    ...head(0, stamp),
    err_msg: null,
    output: {
      baseinfo: { psn_no: person.psn_no, certno: person.certno, psn_name: person.psn_name },
      // A string balance and a numeric status: the kind of drift an upgrade of the platform brings.
      insuinfo: { balc: centsText(first.balcCents), insutype: first.insutype, psn_insu_stas: 1 },
    },
  });
}

/** The HTML page a gateway in front of the platform serves, here with status 200 (fault `notJson`). */
export const HTML_ERROR_PAGE = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>系统维护</title></head>'
  + '<body><h1>系统维护中，请稍后再试</h1><hr><p>nginx</p></body></html>\n';

/** The HTML of a 502 from the platform's reverse proxy (fault `httpError`). */
export const BAD_GATEWAY_PAGE = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n'
  + '<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

function head(infcode: number, stamp: ReplyStamp): Record<string, unknown> {
  return {
    infcode,
    inf_refmsgid: stamp.refmsgid,
    refmsg_time: chinaTime(stamp.received, true),
    respond_time: chinaTime(stamp.now, true),
  };
}

/** Age in years with one decimal, as the platform writes it (e.g. 39.1). */
function age(brdy: string, now: Date): string {
  const birth = Date.parse(`${brdy}T00:00:00+08:00`);
  const tenths = Math.floor(((now.getTime() - birth) / (365.2425 * 86_400_000)) * 10);
  return (tenths / 10).toFixed(1);
}

/** `yyyyMMddHHmmss` (or with `SSS`) in China Standard Time, which has no daylight saving. */
export function chinaTime(d: Date, millis = false): string {
  const t = new Date(d.getTime() + 8 * 3_600_000).toISOString(); // 2024-05-20T10:30:15.123Z
  const base = t.slice(0, 19).replace(/[-:T]/g, '');
  return millis ? base + t.slice(20, 23) : base;
}
