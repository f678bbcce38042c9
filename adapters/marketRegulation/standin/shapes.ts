/**
 * The two shapes the registry's records reach consumers in: SAMR's own field names (the provincial
 * market regulation interface) and the pinyin initials of the city's local sharing platform, which
 * re-publishes the same records with its own formats (dates yyyyMMdd, capital as "500万元人民币", the
 * status as display text). Replies are written as JSON text by hand so REGCAP stays a JSON number
 * with SAMR's six decimals, as the real feed sends it.
 */
import type { SamrRecord } from './data.ts';

/** A record in the sharing platform's names. */
export function toSharing(r: SamrRecord): Record<string, string> {
  return {
    SHTYXYDM: r.UNISCID,
    QYMC: r.ENTNAME,
    FDDBR: r.NAME,
    FDDBRZJHM: r.CERNO,
    ZCZB: `${trimZeros(r.REGCAP)}万元${r.REGCAPCUR_CN}`,
    CLRQ: r.ESTDATE.replaceAll('-', ''),
    HZRQ: r.APPRDATE.replaceAll('-', ''),
    DJJG: r.REGORG_CN,
    QYLX: r.ENTTYPE_CN,
    ZS: r.DOM,
    JYQXZ: r.OPFROM.replaceAll('-', ''),
    JYQXZZ: r.OPTO === null ? '长期' : r.OPTO.replaceAll('-', ''),
    JYFW: r.OPSCOPE,
    QYZT: r.REGSTATE_CN,
  };
}

/** SAMR's reply text: `{"code":"200","message":"查询成功","data":[…]}` with REGCAP as a JSON number. */
export function samrReply(records: readonly SamrRecord[]): string {
  const list = records.map((r) => JSON.stringify(r).replace(/"REGCAP":"([0-9.]+)"/, '"REGCAP":$1'));
  return `{"code":"200","message":"查询成功","data":[${list.join(',')}]}`;
}

/** SAMR's business failure (HTTP 200 all the same). */
export function samrFailure(code: string, message: string): string {
  return JSON.stringify({ code, message, data: null });
}

/** The sharing platform's reply. */
export function sharingReply(records: readonly SamrRecord[]): string {
  return JSON.stringify({ success: true, errorMsg: '', result: records.map(toSharing) });
}

/** The sharing platform's failure. */
export function sharingFailure(message: string): string {
  return JSON.stringify({ success: false, errorMsg: message, result: null });
}

function trimZeros(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/0+$/, '').replace(/\.$/, '') : decimal;
}
