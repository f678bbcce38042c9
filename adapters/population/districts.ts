/**
 * Shenyang's districts and counties (GB/T 2260), for the district name of a registered address.
 */

/** Division code → district name. 210122 is the retired 辽中县, the same place as 辽中区 today. */
export const SHENYANG_DISTRICTS: ReadonlyMap<string, string> = new Map([
  ['210102', '和平区'], ['210103', '沈河区'], ['210104', '大东区'], ['210105', '皇姑区'], ['210106', '铁西区'],
  ['210111', '苏家屯区'], ['210112', '浑南区'], ['210113', '沈北新区'], ['210114', '于洪区'], ['210115', '辽中区'],
  ['210122', '辽中区'], ['210123', '康平县'], ['210124', '法库县'], ['210181', '新民市'],
]);

/** The Shenyang district of a six-digit division code, or null when it is not one. */
export function shenyangDistrict(divisionCode: string): string | null {
  return SHENYANG_DISTRICTS.get(divisionCode) ?? null;
}
