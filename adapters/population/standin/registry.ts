/**
 * The registry's business behaviour behind the SOAP operations `query` and `modify`: conditions,
 * required items, the 50-ID limit, error flags inside success replies and idempotent modifications.
 */
import { residentIdCheckDigit } from '../../../core/resident-id.ts';
import { householdRegisterId, ownHouseholdNumber, type HouseholdMemberRow, type HouseholdRow, type RegistryRow } from './data.ts';
import { SoapFault, escapeXml, parseXmlPara } from './soap.ts';

/** The most IDs one `query` call may carry; more is a SOAP Fault, as in the real service. */
export const MAX_IDS_PER_CALL = 50;

/** Items returned when the request names none. */
const ALL_ITEMS = ['XM', 'XB', 'MZ', 'CSRQ', 'HJDZ', 'SSXQ', 'LXDH', 'DJSJ'] as const;

/** What an operation answers: the inner document and how many result rows it carries. */
export interface OperationReply {
  document: string;
  records: number;
}

/** GB/T 4761-2008 家庭关系代码 the stand-in prints as 与户主关系 (YHZGX). */
export const RELATIONSHIPS: Readonly<Record<string, string>> = {
  '02': '户主', '10': '配偶', '11': '夫', '12': '妻', '20': '子', '21': '独生子', '22': '长子', '30': '女', '31': '独生女',
  '32': '长女', '40': '孙子、孙女或外孙子、外孙女', '51': '父亲', '52': '母亲', '70': '兄弟姐妹', '99': '其他',
};

/** An in-memory registry seeded with rows; `modify` changes it for the life of the server. */
export class Registry {
  private readonly rows = new Map<string, RegistryRow>();
  // Replies to modifications already applied, by requestId: a repeated request gets the same answer.
  private readonly applied = new Map<string, string>();
  // Households with more than one member, by 户号; everyone else heads a household of their own.
  private readonly households = new Map<string, HouseholdMemberRow[]>();
  private readonly householdOfId = new Map<string, string>();

  constructor(rows: readonly RegistryRow[], households: readonly HouseholdRow[] = []) {
    for (const row of rows) this.rows.set(row.GMSFHM, { ...row });
    for (const h of households) {
      const members = h.members.filter((m) => this.rows.has(m.GMSFHM)).map((m) => ({ ...m }));
      if (members.length === 0) continue;
      this.households.set(h.HH, members);
      for (const m of members) this.householdOfId.set(m.GMSFHM, h.HH);
    }
  }

  /** The household of a registered citizen (户号 and members, the head first), or undefined. */
  householdOf(id: string): { HH: string; members: HouseholdMemberRow[] } | undefined {
    if (!this.rows.has(id)) return undefined;
    const HH = this.householdOfId.get(id);
    if (HH !== undefined) return { HH, members: this.households.get(HH)! };
    return { HH: ownHouseholdNumber(id), members: [{ GMSFHM: id, YHZGX: '02' }] };
  }

  /** Registers `id` in the household of `memberId` with relationship `YHZGX` (a birth). */
  joinHousehold(id: string, memberId: string, YHZGX: string): void {
    const household = this.householdOf(memberId);
    if (!household) return;
    if (!this.households.has(household.HH)) {
      this.households.set(household.HH, [...household.members]);
      for (const m of household.members) this.householdOfId.set(m.GMSFHM, household.HH);
    }
    this.households.get(household.HH)!.push({ GMSFHM: id, YHZGX });
    this.householdOfId.set(id, household.HH);
  }

  /** Removes `id` from its household (a revoked registration). */
  leaveHousehold(id: string): void {
    const HH = this.householdOfId.get(id);
    if (HH === undefined) return;
    this.householdOfId.delete(id);
    const members = this.households.get(HH)!.filter((m) => m.GMSFHM !== id);
    this.households.set(HH, members);
  }

  /** The IDs a batch operation asks for, or the registry's refusal of them (too many, none, malformed). */
  private askedIds(xmlPara: string): { para: ReturnType<typeof parseXmlPara>; ids: string[]; head: string } | { refusal: OperationReply } {
    const para = parseXmlPara(xmlPara);
    const ids = conditionIds(para);
    if (ids.length > MAX_IDS_PER_CALL) {
      throw new SoapFault('Client', `批量查询条件超过上限：每次最多${MAX_IDS_PER_CALL}条，本次${ids.length}条`);
    }
    const head = headOf(para);
    if (ids.length === 0) return { refusal: { document: errorDocument(head, '01', '查询条件不能为空'), records: 0 } };
    const bad = ids.find((id) => !wellFormed(id));
    if (bad !== undefined) return { refusal: { document: errorDocument(head, '01', `公民身份号码格式错误：${bad}`), records: 0 } };
    return { para, ids, head };
  }

  /**
   * `householdQuery` (户成员查询, invented in the shape of `query`): for each ID in `<condition>`, one
   * `<result>` per member of that person's household: the asked ID (CXGMSFHM), 户号 (HH), the member's
   * ID, name and 与户主关系 (YHZGX), and the 电子证照标识 of the member's page of the household
   * register (DZZZBS). Unknown IDs are absent, as in `query`.
   */
  householdQuery(xmlPara: string): OperationReply {
    const asked = this.askedIds(xmlPara);
    if ('refusal' in asked) return asked.refusal;
    const { ids, head } = asked;
    let records = 0;
    const results = ids
      .map((raw) => {
        const asked = raw.toUpperCase();
        const household = this.householdOf(asked);
        if (!household) return '';
        records++;
        return household.members
          .map((m, i) => {
            const row = this.rows.get(m.GMSFHM);
            return `<result><CXGMSFHM>${asked}</CXGMSFHM><HH>${household.HH}</HH><GMSFHM>${m.GMSFHM}</GMSFHM><XM>${escapeXml(row?.XM ?? '')}</XM><YHZGX>${m.YHZGX}</YHZGX><DZZZBS>${householdRegisterId(household.HH, i)}</DZZZBS></result>`;
          })
          .join('');
      })
      .join('');
    const document = `${declaration()}<response errflag="0" errtext="">${head}<body><message>请求成功</message><resultCode>00</resultCode><resultList>${results}</resultList></body></response>`;
    return { document, records };
  }

  /** The row of one citizen, or undefined (used by the birth operations, births.ts). */
  row(id: string): RegistryRow | undefined {
    return this.rows.get(id);
  }

  /** Adds a row (a birth registration); removes it again with `removeRow` (a revocation). */
  addRow(row: RegistryRow): void {
    this.rows.set(row.GMSFHM, row);
  }

  /** Removes a row; false when there was none. */
  removeRow(id: string): boolean {
    return this.rows.delete(id);
  }

  /** Number of citizens held. */
  get size(): number {
    return this.rows.size;
  }

  /** `query`: looks up the IDs in `<condition>`; unknown IDs are simply absent from the result list. */
  query(xmlPara: string): OperationReply {
    const asked = this.askedIds(xmlPara);
    if ('refusal' in asked) return asked.refusal;
    const { para, ids, head } = asked;
    const items = requiredItems(para);
    const found = ids.map((id) => this.rows.get(id.toUpperCase())).filter((r): r is RegistryRow => r !== undefined);
    const results = found
      .map((row) => `<result><GMSFHM>${row.GMSFHM}</GMSFHM>${items.map((k) => `<${k}>${escapeXml(row[k])}</${k}>`).join('')}</result>`)
      .join('');
    const document = `${declaration()}<response errflag="0" errtext="">${head}<body><message>请求成功</message><resultCode>00</resultCode><resultList>${results}</resultList></body></response>`;
    return { document, records: found.length };
  }

  /** `modify`: sets the contact phone LXDH of one citizen, once per requestId. */
  modify(xmlPara: string): OperationReply {
    const para = parseXmlPara(xmlPara);
    const head = headOf(para);
    const requestId = text((para.clientInfo as Record<string, unknown> | undefined)?.requestId);
    if (!requestId) throw new SoapFault('Client', '缺少参数 clientInfo/requestId');
    const previous = this.applied.get(requestId);
    if (previous !== undefined) return { document: previous, records: 0 };
    const ids = conditionIds(para);
    const phone = text((para.data as Record<string, unknown> | undefined)?.LXDH);
    let document: string;
    if (ids.length !== 1 || !wellFormed(ids[0]!)) document = errorDocument(head, '01', '修改条件必须且只能包含一个合法的公民身份号码');
    else if (!/^[0-9-]{7,20}$/.test(phone)) document = errorDocument(head, '01', '联系电话格式错误');
    else {
      const row = this.rows.get(ids[0]!.toUpperCase());
      if (!row) document = errorDocument(head, '02', '查无此人');
      else {
        row.LXDH = phone;
        document = `${declaration()}<response errflag="0" errtext="">${head}<body><message>修改成功</message><resultCode>00</resultCode></body></response>`;
      }
    }
    this.applied.set(requestId, document);
    return { document, records: 0 };
  }
}

/** A business error: a success transport reply with the error flag set, as LEGACY.md describes. */
export function errorDocument(head: string, resultCode: string, errtext: string): string {
  return `${declaration()}<response errflag="1" errtext="${escapeXml(errtext)}">${head}<body><message>请求失败</message><resultCode>${resultCode}</resultCode><resultList></resultList></body></response>`;
}

/** The head of a reply, echoing the caller's login and request id. */
export function headOf(para: Record<string, unknown>): string {
  const client = (para.clientInfo ?? {}) as Record<string, unknown>;
  return `<head><loginName>${escapeXml(text(client.loginName))}</loginName><requestId>${escapeXml(text(client.requestId))}</requestId><responseTime>${timestamp()}</responseTime></head>`;
}

function declaration(): string {
  return '<?xml version="1.0" encoding="GBK"?>';
}

function conditionIds(para: Record<string, unknown>): string[] {
  const items = (para.condition as Record<string, unknown> | undefined)?.item;
  return list(items).map((item) => text((item as Record<string, unknown> | undefined)?.GMSFHM).trim());
}

function requiredItems(para: Record<string, unknown>): Array<(typeof ALL_ITEMS)[number]> {
  const asked = list((para.requiredItems as Record<string, unknown> | undefined)?.item).flatMap((i) =>
    i && typeof i === 'object' ? Object.keys(i) : [],
  );
  const known = ALL_ITEMS.filter((k) => asked.includes(k));
  return known.length > 0 ? known : [...ALL_ITEMS];
}

function wellFormed(id: string): boolean {
  return /^\d{17}[\dXx]$/.test(id) && residentIdCheckDigit(id.slice(0, 17)) === id[17]!.toUpperCase();
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function timestamp(): string {
  return new Date().toISOString().replace(/\D/g, '').slice(0, 14);
}
