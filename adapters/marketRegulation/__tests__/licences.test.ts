/**
 * The enterprise registry as issuer of business licences: SAMR's `dzyyzz` interface on the stand-in
 * names each enterprise's electronic licence in the licence library, cancelled with the enterprise;
 * DataLoader's contract, and a failing registry in the slots of its keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusinessLicences } from '../licences.ts';
import { DEMO_CLOSED_USCC, DEMO_ENTERPRISE_USCC, startMarketRegulationStandIn, type MarketRegulationStandIn } from '../standin/index.ts';

let standIn: MarketRegulationStandIn;
const ctx = { requestId: 'licences-test' };

beforeAll(async () => {
  standIn = await startMarketRegulationStandIn({ enterprises: 10 });
});
afterAll(() => standIn.close());

describe('business licences at the enterprise registry', () => {
  it('names the demo enterprise\'s electronic licence, the deregistered one\'s as cancelled, null for an unknown code, in key order', async () => {
    const raw = await (await fetch(`${standIn.url}/samr/api/v1/ent/dzyyzz?uniscids=${DEMO_ENTERPRISE_USCC}`)).text();
    expect(raw).toBe(`{"code":"200","message":"查询成功","data":[{"UNISCID":"${DEMO_ENTERPRISE_USCC}","DZYYZZBS":"DZZZ-YYZZ-${DEMO_ENTERPRISE_USCC}","ZZZT":"1"}]}`);
    const result = await createBusinessLicences({ url: standIn.url }).businessLicencesOf([DEMO_CLOSED_USCC, '91110000100000000X', DEMO_ENTERPRISE_USCC], ctx);
    expect(result).toEqual([
      { uscc: DEMO_CLOSED_USCC, licenceId: `DZZZ-YYZZ-${DEMO_CLOSED_USCC}`, valid: false },
      null,
      { uscc: DEMO_ENTERPRISE_USCC, licenceId: `DZZZ-YYZZ-${DEMO_ENTERPRISE_USCC}`, valid: true },
    ]);
  });

  it('puts the registry\'s failure in every slot of the call', async () => {
    for (const [mode, code] of [['notJson', 'ADAPTER_BAD_REPLY'], ['badShape', 'ADAPTER_BAD_REPLY'], ['busy', 'LEGACY_ERROR']] as const) {
      await fetch(`${standIn.url}/__faults`, { method: 'POST', body: JSON.stringify({ mode }) });
      try {
        const result = await createBusinessLicences({ url: standIn.url }).businessLicencesOf([DEMO_ENTERPRISE_USCC, DEMO_CLOSED_USCC], ctx);
        expect(result.map((r) => (r as { code?: string }).code), mode).toEqual([code, code]);
      } finally {
        await fetch(`${standIn.url}/__faults`, { method: 'POST', body: JSON.stringify({ mode: null }) });
      }
    }
  });
});
