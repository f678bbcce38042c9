/**
 * Word lists the stand-in draws its citizens from. They imitate the registry's own display text
 * (names, 民族 names, addresses); nothing here is shared with the adapter, which must learn the same
 * words from the wire.
 */

/** Shenyang districts and counties in force: code → name and a few streets each. */
export const SHENYANG_DIVISIONS: ReadonlyArray<{ code: string; name: string; streets: readonly string[] }> = [
  { code: '210102', name: '和平区', streets: ['南京北街', '中华路', '太原街', '北二马路', '三好街', '南五马路'] },
  { code: '210103', name: '沈河区', streets: ['青年大街', '北顺城路', '中街路', '小西路', '惠工街', '市府大路'] },
  { code: '210104', name: '大东区', streets: ['东北大马路', '小东路', '滂江街', '大什字街', '东望街'] },
  { code: '210105', name: '皇姑区', streets: ['黄河南大街', '北陵大街', '崇山中路', '长江街', '岐山中路'] },
  { code: '210106', name: '铁西区', streets: ['北二中路', '兴华南街', '建设大路', '保工北街', '云峰北街'] },
  { code: '210111', name: '苏家屯区', streets: ['中央大街', '枫杨路', '雪松路', '迎春街'] },
  { code: '210112', name: '浑南区', streets: ['浑南中路', '创新路', '世纪路', '全运路', '南屏中路'] },
  { code: '210113', name: '沈北新区', streets: ['道义南大街', '蒲河路', '虎石台大街', '正良一路'] },
  { code: '210114', name: '于洪区', streets: ['沈新路', '黑山路', '怒江北街', '洪湖北路'] },
  { code: '210115', name: '辽中区', streets: ['辽中大街', '茨榆坨街', '蒲东街', '新民路'] },
  { code: '210123', name: '康平县', streets: ['康平大街', '胜利街', '兴康路'] },
  { code: '210124', name: '法库县', streets: ['法库大街', '商业街', '团结路'] },
  { code: '210181', name: '新民市', streets: ['新民大街', '辽河路', '东城街', '兴隆路'] },
];

/** 辽中县 before it became 辽中区 (210115): IDs issued there keep the old code. */
export const RETIRED_LIAOZHONG = '210122';

/** Division codes of other places whose IDs Shenyang residents hold (issued where they were born). */
export const OTHER_ID_DIVISIONS: readonly string[] = [
  '110105', '120101', '130102', '140105', '150102', '210202', '210302', '210402', '220102', '230102',
  '310104', '320102', '330106', '340102', '350102', '370102', '410102', '420102', '440304', '500103',
  '510104', '610102', '650102', '152502',
];

/** Registered addresses outside Shenyang (moved out, registry not yet updated): code and prefix. */
export const NON_SHENYANG_ADDRESSES: ReadonlyArray<{ code: string; prefix: string; streets: readonly string[] }> = [
  { code: '210202', prefix: '大连市中山区', streets: ['人民路', '中山路', '天津街'] },
  { code: '210302', prefix: '鞍山市铁东区', streets: ['胜利南路', '五一路'] },
];

/** Ethnic groups as the registry prints them, with a weight of how common they are in Shenyang. */
export const ETHNICITY_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['汉族', 8300], ['满族', 800], ['回族', 300], ['朝鲜族', 250], ['蒙古族', 200], ['锡伯族', 100],
  ['壮族', 15], ['土家族', 10], ['苗族', 10], ['达斡尔族', 8], ['藏族', 4], ['维吾尔族', 3],
];

/** Common surnames (single and compound). */
export const SURNAMES: readonly string[] = [
  '王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何',
  '郭', '马', '罗', '梁', '宋', '郑', '谢', '韩', '唐', '冯', '于', '董', '萧', '程', '曹', '袁', '邓',
  '许', '傅', '沈', '曾', '彭', '吕', '苏', '卢', '蒋', '蔡', '贾', '丁', '魏', '薛', '叶', '阎', '余',
  '潘', '杜', '戴', '夏', '钟', '汪', '田', '任', '姜', '范', '方', '石', '姚', '谭', '廖', '邹', '熊',
  '金', '陆', '郝', '孔', '白', '崔', '康', '毛', '邱', '秦', '江', '史', '顾', '侯', '邵', '孟', '龙',
  '万', '段', '关', '佟', '那', '欧阳', '司马', '诸葛', '上官',
];

/** Characters of given names for men. */
export const MALE_GIVEN: readonly string[] = [
  '伟', '刚', '勇', '毅', '俊', '峰', '强', '军', '平', '保', '东', '文', '辉', '力', '明', '永', '健',
  '世', '广', '志', '义', '兴', '良', '海', '山', '仁', '波', '宁', '贵', '福', '生', '龙', '元', '全',
  '国', '胜', '学', '祥', '才', '发', '武', '新', '利', '清', '飞', '彬', '富', '顺', '信', '子', '杰',
  '涛', '昌', '成', '康', '星', '光', '天', '达', '安', '岩', '中', '茂', '进', '林', '有', '坚', '和',
  '彪', '博', '诚', '先', '敬', '震', '振', '壮', '会', '思', '群', '豪', '心', '邦', '承', '乐', '绍',
  '功', '松', '善', '厚', '庆', '磊', '民', '友', '裕', '河', '哲', '江', '超', '浩', '亮', '政', '谦',
];

/** Characters of given names for women. */
export const FEMALE_GIVEN: readonly string[] = [
  '秀', '娟', '英', '华', '慧', '巧', '美', '娜', '静', '淑', '惠', '珠', '翠', '雅', '芝', '玉', '萍',
  '红', '娥', '玲', '芬', '芳', '燕', '彩', '春', '菊', '兰', '凤', '洁', '梅', '琳', '素', '云', '莲',
  '真', '环', '雪', '荣', '爱', '妹', '霞', '香', '月', '莺', '媛', '艳', '瑞', '凡', '佳', '嘉', '琼',
  '勤', '珍', '贞', '莉', '桂', '娣', '叶', '璧', '璐', '娅', '琦', '晶', '妍', '茜', '秋', '珊', '莎',
  '锦', '黛', '青', '倩', '婷', '姣', '婉', '娴', '瑾', '颖', '露', '瑶', '怡', '婵', '雁', '蓓', '纨',
];
