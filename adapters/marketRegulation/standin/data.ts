/**
 * The registry's seeded enterprises: the same seed gives the same enterprises, with valid GB 32100 codes,
 * Shenyang addresses, and legal representatives who are mostly citizens of the population stand-in.
 * Kept in SAMR's own field names (the registry's native shape); the sharing platform renames them.
 */
import { createHash } from 'node:crypto';
import { residentIdCheckDigit } from '../../../core/resident-id.ts';
import { withUsccCheck, USCC_CHARSET } from '../../../core/uscc.ts';
import { DEMO_CITIZEN_ID, generateCitizens } from '../../population/standin/data.ts';

/** One enterprise in SAMR's field names. */
export interface SamrRecord {
  UNISCID: string;
  ENTNAME: string;
  /** 法定代表人 name */
  NAME: string;
  /** 法定代表人证件号码 */
  CERNO: string;
  /** Registered capital in 万元, as SAMR's feed writes it: a number with six decimals (kept as text here). */
  REGCAP: string;
  REGCAPCUR_CN: string;
  ESTDATE: string;
  APPRDATE: string;
  REGORG_CN: string;
  ENTTYPE_CN: string;
  DOM: string;
  OPFROM: string;
  /** null: 长期 (no end) */
  OPTO: string | null;
  OPSCOPE: string;
  /** 登记状态 code 1–9 */
  REGSTATE: string;
  REGSTATE_CN: string;
}

/** The demo enterprise, whose legal representative is the demo citizen 王立军. */
export const DEMO_ENTERPRISE_USCC = '91210102MA0Y8D2Q44';
/** A second enterprise of the demo citizen, deregistered (注销). */
export const DEMO_CLOSED_USCC = withUsccCheck('92210102MA0Q3K7L1');

/** Enterprises seeded when no count is given. */
export const DEFAULT_ENTERPRISES = 2_400;

/** 登记状态 codes and their display text. */
export const REGSTATE_TEXT: Record<string, string> = {
  '1': '存续（在营、开业、在册）', '2': '吊销，未注销', '3': '吊销，已注销', '4': '注销', '5': '撤销', '6': '迁出', '9': '其他',
};

const DISTRICTS = [
  { code: '210102', name: '和平区', streets: ['南京北街', '中华路', '太原街', '三好街', '南五马路'] },
  { code: '210103', name: '沈河区', streets: ['青年大街', '北站路', '惠工街', '市府大路', '小西路'] },
  { code: '210104', name: '大东区', streets: ['东北大马路', '津桥路', '小北关街', '大北街'] },
  { code: '210105', name: '皇姑区', streets: ['黄河南大街', '北陵大街', '崇山中路', '昆山西路'] },
  { code: '210106', name: '铁西区', streets: ['北二中路', '兴华北街', '建设大路', '云峰北街'] },
  { code: '210112', name: '浑南区', streets: ['创新路', '浑南四路', '世纪路', '全运路'] },
  { code: '210113', name: '沈北新区', streets: ['道义南大街', '蒲河路', '虎石台大街'] },
  { code: '210114', name: '于洪区', streets: ['沈大路', '洪湖北街', '黄海路'] },
];
const TRADE_NAMES = ['盛京', '辽沈', '华晨', '北方', '浑河', '东软', '新松', '金杯', '远大', '三洋', '和泰', '鼎盛', '恒达', '瑞祥', '宏图', '博远', '奥联', '天成', '润丰', '启航'];
const INDUSTRIES = [
  { word: '机床', scope: '数控机床及配件的研发、生产、销售；机械设备维修。' },
  { word: '软件', scope: '软件开发；信息系统集成服务；信息技术咨询服务。' },
  { word: '商贸', scope: '日用百货、五金交电、建筑材料销售；货物进出口。' },
  { word: '餐饮', scope: '餐饮服务；食品销售；外卖递送服务。' },
  { word: '汽车配件', scope: '汽车零部件及配件制造、销售。' },
  { word: '物流', scope: '普通货物道路运输；仓储服务（不含危险化学品）；国内货物运输代理。' },
  { word: '建筑工程', scope: '房屋建筑工程施工；市政公用工程施工；建筑装饰工程。' },
  { word: '医疗器械', scope: '第二类医疗器械销售；医疗器械技术咨询。' },
];
const TYPES = [
  { prefix: '91', text: '有限责任公司（自然人投资或控股）', suffix: '有限公司' },
  { prefix: '91', text: '有限责任公司（自然人独资）', suffix: '有限公司' },
  { prefix: '91', text: '股份有限公司（非上市、自然人投资或控股）', suffix: '股份有限公司' },
  { prefix: '92', text: '个体工商户', suffix: '经营部' },
];

/** Generates the registry: the demo enterprises first, then `count` others. */
export function generateEnterprises(count: number = DEFAULT_ENTERPRISES, seed?: number): SamrRecord[] {
  const citizens = generateCitizens(10_000, seed).filter((c) => c.GMSFHM !== DEMO_CITIZEN_ID && Number(c.CSRQ.slice(0, 4)) <= 2002);
  const out: SamrRecord[] = [demoEnterprise(), demoClosed()];
  const seen = new Set(out.map((e) => e.UNISCID));
  for (let i = 0; out.length < count + 2; i++) {
    const h = createHash('sha256').update(`ent:${seed ?? 0}:${i}`).digest();
    const district = DISTRICTS[h[0]! % DISTRICTS.length]!;
    const type = TYPES[h[1]! % TYPES.length]!;
    const industry = INDUSTRIES[h[2]! % INDUSTRIES.length]!;
    const trade = TRADE_NAMES[h[3]! % TRADE_NAMES.length]! + TRADE_NAMES[h[4]! % TRADE_NAMES.length]!;
    const org = Array.from({ length: 9 }, (_, k) => USCC_CHARSET[h[5 + k]! % USCC_CHARSET.length]!).join('');
    const uscc = withUsccCheck(`${type.prefix}${district.code}${org}`);
    if (seen.has(uscc)) continue;
    seen.add(uscc);
    // About three in four representatives are residents in the population registry; the rest are from elsewhere.
    const rep = h[14]! < 192 ? citizens[h.readUInt16BE(15) % citizens.length]! : null;
    const repId = rep ? rep.GMSFHM : outsider(h);
    const repName = rep ? rep.XM : ['张', '李', '赵', '孙'][h[17]! % 4]! + ['建国', '海涛', '丽华', '志强'][h[18]! % 4]!;
    const year = 2000 + (h[19]! % 25);
    const est = `${year}-${pad(1 + (h[20]! % 12))}-${pad(1 + (h[21]! % 28))}`;
    const state = h[22]! < 215 ? '1' : ['2', '3', '4', '5', '6', '9'][h[23]! % 6]!;
    const capital = type.prefix === '92' ? BigInt(1 + (h[24]! % 50)) * 1_000_000n : BigInt(10 + h.readUInt16BE(25) % 5_000) * 1_000_000n + BigInt(h[27]! % 4) * 250_000n;
    out.push({
      UNISCID: uscc,
      ENTNAME: `沈阳${trade}${industry.word}${type.suffix}`,
      NAME: repName,
      CERNO: repId,
      REGCAP: sixDecimals(capital),
      REGCAPCUR_CN: '人民币',
      ESTDATE: est,
      APPRDATE: `${Math.min(2025, year + (h[28]! % 6))}-${pad(1 + (h[29]! % 12))}-${pad(1 + (h[30]! % 28))}`,
      REGORG_CN: `沈阳市${district.name}市场监督管理局`,
      ENTTYPE_CN: type.text,
      DOM: `辽宁省沈阳市${district.name}${district.streets[h[31]! % district.streets.length]!}${1 + (h[5]! % 300)}号`,
      OPFROM: est,
      OPTO: h[6]! < 128 ? null : `${year + 20 + (h[7]! % 11)}${est.slice(4)}`,
      OPSCOPE: industry.scope,
      REGSTATE: state,
      REGSTATE_CN: REGSTATE_TEXT[state]!,
    });
  }
  return out;
}

function demoEnterprise(): SamrRecord {
  return {
    UNISCID: DEMO_ENTERPRISE_USCC, ENTNAME: '沈阳立军精密机床有限公司', NAME: '王立军', CERNO: DEMO_CITIZEN_ID,
    REGCAP: '500.000000', REGCAPCUR_CN: '人民币', ESTDATE: '2016-08-18', APPRDATE: '2023-03-09', REGORG_CN: '沈阳市和平区市场监督管理局',
    ENTTYPE_CN: '有限责任公司（自然人投资或控股）', DOM: '辽宁省沈阳市和平区南京北街123号', OPFROM: '2016-08-18', OPTO: null,
    OPSCOPE: '数控机床及配件的研发、生产、销售；机械设备维修；货物进出口。', REGSTATE: '1', REGSTATE_CN: REGSTATE_TEXT['1']!,
  };
}

function demoClosed(): SamrRecord {
  return {
    UNISCID: DEMO_CLOSED_USCC, ENTNAME: '沈阳市和平区立军五金经营部', NAME: '王立军', CERNO: DEMO_CITIZEN_ID,
    REGCAP: '3.500000', REGCAPCUR_CN: '人民币', ESTDATE: '2011-04-02', APPRDATE: '2015-12-30', REGORG_CN: '沈阳市和平区市场监督管理局',
    ENTTYPE_CN: '个体工商户', DOM: '辽宁省沈阳市和平区太原街18号', OPFROM: '2011-04-02', OPTO: '2021-04-01',
    OPSCOPE: '五金交电销售。', REGSTATE: '4', REGSTATE_CN: REGSTATE_TEXT['4']!,
  };
}

/** A valid resident ID issued outside Liaoning (a representative who is not a Shenyang resident). */
function outsider(h: Buffer): string {
  const first17 = `${['110101', '310104', '440305', '370202'][h[8]! % 4]!}19${60 + (h[9]! % 40)}${pad(1 + (h[10]! % 12))}${pad(1 + (h[11]! % 28))}${String(h.readUInt16BE(12) % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckDigit(first17);
}

/** Micro-units of 万元 → six decimals. */
function sixDecimals(micro: bigint): string {
  return `${micro / 1_000_000n}.${String(micro % 1_000_000n).padStart(6, '0')}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
