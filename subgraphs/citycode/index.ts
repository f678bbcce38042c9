/**
 * The city code (一码通城): the city certifies a device key once a day, the device signs each 60-second
 * code, gates verify offline with the published keys, scanners redeem through the graph by purpose,
 * and every use is a record of the supervision store that the citizen lists in `Citizen.codeUses`.
 */
import { badInput } from '../../core/errors.ts';
import { validateResidentId } from '../../core/resident-id.ts';
import { parseCode } from '../../citycode-client/index.ts';
import { defineSubgraph, type SubgraphContext } from '../kit/index.ts';
import { citizenOfCode } from './codes.ts';
import { createLoaders, type CityCodeDeps, type CityCodeLoaders } from './loaders.ts';
import { disclosures, permissions } from './permissions.ts';
import { Citizen } from './resolvers/Citizen.ts';
import { caseNumbers, holderOf, Mutation } from './resolvers/Mutation.ts';
import { useCase } from './store-reads.ts';

type Ctx = SubgraphContext<CityCodeLoaders>;
const holderSubject = (_a: Record<string, any>, ctx: SubgraphContext) => ({ kind: 'citizen' as const, id: holderOf(ctx as Ctx) });
const textArg = (max: number, rule: string) => (v: unknown) => {
  if (v === null || v === undefined) return v;
  const s = String(v).trim();
  if (s.length < 1 || s.length > max) throw badInput(`${rule} must be 1–${max} characters.`, rule, { max });
  return s;
};

export const citycode = defineSubgraph<CityCodeDeps, CityCodeLoaders>({
  name: 'citycode',
  resolvers: { Mutation, Citizen } as never,
  permissions,
  disclosures,
  createLoaders,
  validate: {
    Mutation: {
      revokeCityCodeDevice: (a) => ({ ...a, deviceId: String(a.deviceId).trim().toUpperCase() }),
      redeemCityCode: (a) => ({ ...a, code: String(a.code).trim(), place: textArg(100, 'place')(a.place), name: textArg(64, 'name')(a.name) }),
    },
  },
  powers: {
    issueCityCodeCredential: { code: 'CC-ZS-0101', subject: holderSubject, caseNumber: caseNumbers.issue },
    revokeCityCodeDevice: { code: 'CC-ZS-0102', subject: holderSubject, caseNumber: caseNumbers.revoke },
    redeemCityCode: {
      code: 'CC-HX-0201',
      subject: (a, ctx) => {
        const id = citizenOfCode((ctx as Ctx).loaders.deps, a.code);
        return id ? { kind: 'citizen', id: validateResidentId(id) } : null;
      },
      caseNumber: (a) => {
        const code = typeof a.code === 'string' ? parseCode(a.code) : null;
        return code ? useCase(code.id, String(a.purpose)) : null;
      },
      sensitiveArgs: ['code', 'name'],
    },
    uploadCityCodeScans: { code: 'CC-SM-0400', sensitiveArgs: ['code'] },
  },
});
export type { CityCodeDeps } from './loaders.ts';
