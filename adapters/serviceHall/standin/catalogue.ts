/**
 * The hall's catalogue of service matters (事项目录), in the hall's own fields. Names, legal and
 * promised days are modelled on Liaoning's published 办事指南; the short matter codes and the
 * department codes are invented (real SXBM follow GB/T 39554.1 and run to 20+ characters).
 */

/** One material (申请材料) of a matter. */
export interface HallMaterial {
  /** 材料编码. */
  CLBM: string;
  /** 材料名称. */
  CLMC: string;
  /** 是否必要: 1 required, 0 optional. */
  SFBY: '1' | '0';
}

/** One matter as the hall stores it. */
export interface HallMatter {
  /** 事项编码. */
  SXBM: string;
  /** 事项名称. */
  SXMC: string;
  /** 实施部门编码 (invented codes, see DEPARTMENTS). */
  SSBM: string;
  /** 事项类型: 行政许可, 行政确认, 公共服务, 行政给付. */
  SXLX: string;
  /** 法定时限 in working days. */
  FDSX: number;
  /** 承诺时限 in working days. */
  CNSX: number;
  /** 最少审查时间 in working days (invented field name). */
  ZSSCSJ: number;
  /** 可零材料办理 (data already held): 1 yes, 0 no. */
  LCLBL: '1' | '0';
  /** 申请材料. */
  CLLIST: HallMaterial[];
}

/** The hall's department codes and names. */
export const DEPARTMENTS: Readonly<Record<string, string>> = {
  SYGAJ: '沈阳市公安局',
  SYYBJ: '沈阳市医疗保障局',
  SYGJJ: '沈阳住房公积金管理中心',
  SYSCJ: '沈阳市市场监督管理局',
  SYJTJ: '沈阳市交通运输局',
  SYZWFW: '沈阳市政务服务中心',
};

const m = (code: string, name: string): HallMaterial => ({ CLBM: code, CLMC: name, SFBY: '1' });
const optional = (code: string, name: string): HallMaterial => ({ CLBM: code, CLMC: name, SFBY: '0' });
const ID_CARD = m('SFZ', '居民身份证');
const HOUSEHOLD = m('HKB', '居民户口簿');
const LICENCE = m('YYZZ', '营业执照');

function matter(SXBM: string, SXMC: string, SSBM: string, SXLX: string, FDSX: number, CNSX: number, ZSSCSJ: number, zero: boolean, CLLIST: HallMaterial[]): HallMatter {
  return { SXBM, SXMC, SSBM, SXLX, FDSX, CNSX, ZSSCSJ, LCLBL: zero ? '1' : '0', CLLIST };
}

/** The catalogue: 34 matters across the departments of the graph. */
export const CATALOGUE: readonly HallMatter[] = [
  matter('GA0101', '出生登记', 'SYGAJ', '行政确认', 20, 5, 0, false, [m('CSYXZM', '出生医学证明'), HOUSEHOLD, ID_CARD]),
  matter('GA0102', '户口迁入（投靠）', 'SYGAJ', '行政确认', 20, 10, 1, false, [ID_CARD, HOUSEHOLD, m('QRZM', '亲属关系证明')]),
  matter('GA0103', '居民身份证换领', 'SYGAJ', '行政确认', 60, 20, 0, true, [ID_CARD]),
  matter('GA0104', '居住证签注', 'SYGAJ', '公共服务', 15, 3, 0, true, [ID_CARD]),
  // Zero-material: the household register it needs is fetched from the registry that issues it (services/zero.ts).
  matter('GA0105', '户籍证明开具', 'SYGAJ', '公共服务', 5, 1, 0, true, [HOUSEHOLD]),
  matter('GA0106', '死亡户口注销', 'SYGAJ', '行政确认', 20, 3, 0, false, [m('SWZM', '居民死亡医学证明'), HOUSEHOLD]),
  matter('GA0107', '户口项目变更更正', 'SYGAJ', '行政确认', 20, 10, 2, false, [ID_CARD, HOUSEHOLD, m('BGYJ', '变更更正依据')]),
  matter('YB0201', '城乡居民基本医疗保险参保登记', 'SYYBJ', '公共服务', 10, 1, 0, true, [ID_CARD]),
  matter('YB0202', '异地就医备案', 'SYYBJ', '公共服务', 5, 1, 0, true, [ID_CARD]),
  matter('YB0203', '基本医疗保险关系转移接续', 'SYYBJ', '公共服务', 45, 15, 0, false, [ID_CARD, m('CBPZ', '参保凭证')]),
  matter('YB0204', '门诊慢特病待遇认定', 'SYYBJ', '行政确认', 20, 15, 5, false, [ID_CARD, m('BL', '病历资料'), m('JCBG', '检查报告')]),
  matter('YB0205', '生育津贴申领', 'SYYBJ', '行政给付', 20, 10, 2, false, [ID_CARD, m('CSYXZM', '出生医学证明')]),
  matter('YB0206', '医疗费用手工报销', 'SYYBJ', '行政给付', 30, 20, 5, false, [ID_CARD, m('FYFP', '医疗费用发票'), m('FYQD', '费用明细清单')]),
  matter('GJ0301', '住房公积金个人账户设立', 'SYGJJ', '公共服务', 5, 1, 0, true, [ID_CARD]),
  matter('GJ0302', '住房公积金提取（购房）', 'SYGJJ', '行政给付', 10, 3, 1, false, [ID_CARD, m('GFHT', '购房合同'), m('FKPZ', '付款凭证'), optional('CQZM', '不动产权证书')]),
  matter('GJ0303', '住房公积金提取（租房）', 'SYGJJ', '行政给付', 10, 3, 0, true, [ID_CARD]),
  matter('GJ0304', '住房公积金提取（离退休）', 'SYGJJ', '行政给付', 10, 3, 0, true, [ID_CARD]),
  matter('GJ0305', '住房公积金个人住房贷款', 'SYGJJ', '公共服务', 30, 15, 5, false, [ID_CARD, m('GFHT', '购房合同'), m('SRZM', '收入证明'), optional('HYZM', '婚姻证明')]),
  matter('GJ0306', '住房公积金家庭成员信息登记', 'SYGJJ', '公共服务', 5, 1, 0, true, [ID_CARD]),
  matter('GJ0307', '住房公积金异地转移接续', 'SYGJJ', '公共服务', 20, 10, 0, true, [ID_CARD]),
  matter('SC0401', '企业设立登记', 'SYSCJ', '行政许可', 15, 1, 0, false, [m('SQS', '公司登记（备案）申请书'), m('ZC', '公司章程'), m('ZSZM', '住所使用证明')]),
  matter('SC0402', '企业变更登记', 'SYSCJ', '行政许可', 15, 1, 0, false, [m('SQS', '公司变更登记申请书'), m('JY', '股东会决议'), LICENCE]),
  matter('SC0403', '企业注销登记', 'SYSCJ', '行政许可', 15, 3, 0, false, [m('ZXSQ', '注销登记申请书'), m('QSBG', '清算报告'), LICENCE]),
  matter('SC0404', '食品经营许可', 'SYSCJ', '行政许可', 20, 10, 3, false, [LICENCE, m('CSPMT', '经营场所平面图'), m('GLZD', '食品安全管理制度')]),
  matter('SC0405', '个体工商户登记', 'SYSCJ', '行政许可', 15, 1, 0, false, [ID_CARD, m('JYCS', '经营场所证明')]),
  matter('SC0406', '企业名称自主申报', 'SYSCJ', '公共服务', 5, 1, 0, true, []),
  matter('SC0407', '特种设备使用登记', 'SYSCJ', '行政许可', 15, 5, 1, false, [LICENCE, m('SBZM', '产品质量证明')]),
  matter('JT0501', '公共停车场备案', 'SYJTJ', '公共服务', 10, 5, 1, false, [LICENCE, m('TCCPMT', '停车场平面图'), m('CQZM', '场地产权证明')]),
  matter('JT0502', '占用挖掘城市道路许可', 'SYJTJ', '行政许可', 20, 10, 3, false, [m('SGFA', '施工方案'), m('JTZZ', '交通组织方案')]),
  matter('JT0503', '道路临时停车泊位设置', 'SYJTJ', '行政许可', 20, 8, 2, false, [m('SQS', '申请书'), m('WZT', '位置图')]),
  matter('JT0504', '残疾人专用停车泊位申请', 'SYJTJ', '公共服务', 10, 5, 0, false, [ID_CARD, m('CJRZ', '残疾人证')]),
  matter('JT0505', '新能源汽车停车优惠登记', 'SYJTJ', '公共服务', 5, 2, 0, true, [ID_CARD]),
  matter('ZW0601', '新生儿出生“一件事”', 'SYZWFW', '公共服务', 20, 5, 0, false, [m('CSYXZM', '出生医学证明'), ID_CARD]),
  matter('ZW0602', '企业开办“一件事”', 'SYZWFW', '公共服务', 15, 1, 0, false, [m('SQS', '公司登记（备案）申请书'), m('ZC', '公司章程')]),
];

/** A matter by code, or undefined. */
export function matterByCode(code: string): HallMatter | undefined {
  return CATALOGUE.find((x) => x.SXBM === code);
}
