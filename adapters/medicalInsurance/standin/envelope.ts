/**
 * Checks a request envelope the way the national platform does, and answers in its words: a bad
 * envelope is a business failure (`infcode: -1`, Chinese `err_msg`), not an HTTP error.
 */

/** A checked 1101-style request: the transaction number and the person asked about. */
export interface CheckedRequest {
  ok: true;
  infno: string;
  certno: string;
  psnCertType: string;
}

/** A request the platform refuses, with its message. */
export interface RefusedRequest {
  ok: false;
  errMsg: string;
}

/** Transactions this stand-in serves. */
const KNOWN_INFNOS = new Set(['1101']);
const CERT_TYPES = new Set(['01', '02', '03']);

/** Validates the parsed JSON body of a `callService` request. */
export function checkEnvelope(body: unknown): CheckedRequest | RefusedRequest {
  if (!isObject(body)) return refuse('请求报文格式错误：应为JSON对象');
  const { infno, msgid, inf_time: infTime, fixmedins_code: fixmedinsCode, input } = body;
  if (typeof infno !== 'string' || !/^\d{4}$/.test(infno)) return refuse('交易编号infno不能为空');
  if (typeof msgid !== 'string' || !isMsgid(msgid)) {
    return refuse(`报文ID[${String(msgid)}]格式错误：应为定点机构编号(12位)+时间(yyyyMMddHHmmss)+流水号(4位)共30位`);
  }
  if (typeof fixmedinsCode !== 'string' || msgid.slice(0, 12) !== fixmedinsCode) {
    return refuse(`报文ID[${msgid}]与定点医药机构编号[${String(fixmedinsCode)}]不一致`);
  }
  if (typeof infTime !== 'string' || !isInfTime(infTime)) {
    return refuse(`交易时间inf_time[${String(infTime)}]格式错误：应为yyyy-MM-dd HH:mm:ss`);
  }
  if (!KNOWN_INFNOS.has(infno)) return refuse(`交易编号[${infno}]不存在`);
  const data = isObject(input) ? input.data : undefined;
  if (!isObject(data)) return refuse('输入参数input.data不能为空');
  const { mdtrt_cert_type: certType, mdtrt_cert_no: certNo, certno, psn_cert_type: psnCertType } = data;
  if (typeof certType !== 'string' || !CERT_TYPES.has(certType)) {
    return refuse(`就诊凭证类型mdtrt_cert_type[${String(certType)}]不正确，应为01、02或03`);
  }
  if (typeof certNo !== 'string' || certNo === '') return refuse('就诊凭证编号mdtrt_cert_no不能为空');
  if (typeof certno !== 'string' || certno === '') return refuse('证件号码certno不能为空');
  if (typeof psnCertType !== 'string' || psnCertType === '') return refuse('人员证件类型psn_cert_type不能为空');
  return { ok: true, infno, certno, psnCertType };
}

function refuse(errMsg: string): RefusedRequest {
  return { ok: false, errMsg };
}

/** 12 letters or digits, a real `yyyyMMddHHmmss`, then a 4-digit serial. */
function isMsgid(s: string): boolean {
  const m = /^[A-Za-z0-9]{12}(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\d{4}$/.exec(s);
  return m !== null && isDateTime(m.slice(1, 7).map(Number));
}

function isInfTime(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  return m !== null && isDateTime(m.slice(1, 7).map(Number));
}

function isDateTime([y, mo, d, h, mi, s]: number[]): boolean {
  const date = new Date(Date.UTC(y!, mo! - 1, d!));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo! - 1 && date.getUTCDate() === d
    && h! < 24 && mi! < 60 && s! < 60;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
