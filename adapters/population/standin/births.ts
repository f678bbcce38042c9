/**
 * The registry's birth operations (出生登记), invented in the shape of its other SOAP operations:
 * `birthRegister` adds a newborn to the household of the declaring parent and assigns the child's
 * resident ID; `birthRevoke` removes an entry made in error (the registry's own 撤销). Both apply one
 * clientInfo/requestId once, as `modify` does.
 */
import { residentIdCheckDigit } from '../../../core/resident-id.ts';
import type { RegistryRow } from './data.ts';
import { errorDocument, headOf, type OperationReply, type Registry } from './registry.ts';
import { SoapFault, escapeXml, parseXmlPara } from './soap.ts';

/** The SOAP operations this file serves. */
export const BIRTH_OPERATIONS = ['birthRegister', 'birthRevoke'] as const;

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
const ok = (head: string, message: string, results = '') =>
  `<?xml version="1.0" encoding="GBK"?><response errflag="0" errtext="">${head}<body><message>${message}</message><resultCode>00</resultCode><resultList>${results}</resultList></body></response>`;

/** Birth registrations and revocations over the registry's rows. */
export class Births {
  private readonly applied = new Map<string, string>();
  private readonly certificates = new Map<string, string>();
  private serial = 0;

  private readonly registry: Registry;

  constructor(registry: Registry) {
    this.registry = registry;
  }

  /** Answers one birth operation. */
  handle(operation: string, xmlPara: string): OperationReply {
    const para = parseXmlPara(xmlPara);
    const head = headOf(para);
    const requestId = text((para.clientInfo as Record<string, unknown> | undefined)?.requestId);
    if (!requestId) throw new SoapFault('Client', '缺少参数 clientInfo/requestId');
    const key = `${operation}|${requestId}`;
    const previous = this.applied.get(key);
    if (previous !== undefined) return { document: previous, records: 0 };
    const data = (para.data ?? {}) as Record<string, unknown>;
    const document = operation === 'birthRegister' ? this.register(head, data) : this.revoke(head, data);
    this.applied.set(key, document);
    return { document, records: 0 };
  }

  private register(head: string, d: Record<string, unknown>): string {
    const parent = this.registry.row(text(d.SBRGMSFHM).toUpperCase());
    if (!parent) return errorDocument(head, '02', '申报人查无此人');
    const name = text(d.XM);
    const sex = text(d.XB);
    const born = text(d.CSRQ);
    const certificate = text(d.CSZMBH);
    if (!name || name.length > 32) return errorDocument(head, '01', '姓名不能为空且不超过32个字符');
    if (sex !== '男' && sex !== '女') return errorDocument(head, '01', '性别应为男或女');
    if (!/^\d{8}$/.test(born)) return errorDocument(head, '01', '出生日期格式错误');
    if (!/^[A-Z]\d{9}$/.test(certificate)) return errorDocument(head, '01', '出生医学证明编号格式错误');
    if (this.certificates.has(certificate)) return errorDocument(head, '03', '该出生医学证明已办理出生登记');
    // Sequence: odd for a boy, even for a girl (GB 11643), unique within the stand-in's life.
    this.serial++;
    const sequence = String((this.serial * 2 + (sex === '男' ? 1 : 0)) % 1000).padStart(3, '0');
    const first17 = `${parent.SSXQ}${born}${sequence}`;
    const child: RegistryRow = { GMSFHM: first17 + residentIdCheckDigit(first17), XM: name, XB: sex, MZ: parent.MZ, CSRQ: born, HJDZ: parent.HJDZ, SSXQ: parent.SSXQ, LXDH: parent.LXDH, DJSJ: `${born}120000` };
    this.registry.addRow(child);
    // The child joins the declaring parent's household: 子/女 of the head or the head's spouse, else 其他.
    const parentRelation = this.registry.householdOf(parent.GMSFHM)?.members.find((m) => m.GMSFHM === parent.GMSFHM)?.YHZGX ?? '02';
    const relation = ['02', '10', '11', '12'].includes(parentRelation) ? (sex === '男' ? '20' : '30') : '99';
    this.registry.joinHousehold(child.GMSFHM, parent.GMSFHM, relation);
    this.certificates.set(certificate, child.GMSFHM);
    return ok(head, '出生登记成功', `<result><GMSFHM>${child.GMSFHM}</GMSFHM><HH>${escapeXml(this.registry.householdOf(child.GMSFHM)?.HH ?? '')}</HH></result>`);
  }

  private revoke(head: string, d: Record<string, unknown>): string {
    const id = text(d.GMSFHM).toUpperCase();
    if (!text(d.CXYY)) return errorDocument(head, '01', '撤销原因不能为空');
    this.registry.leaveHousehold(id);
    if (!this.registry.removeRow(id)) return errorDocument(head, '02', '查无此人');
    for (const [certificate, child] of this.certificates) if (child === id) this.certificates.delete(certificate);
    return ok(head, '撤销成功');
  }
}
