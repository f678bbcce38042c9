import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResidentEnrolment } from '../enrolment.ts';
import { startMedicalInsuranceStandIn, type MedicalInsuranceStandIn } from '../standin/index.ts';

let standIn: MedicalInsuranceStandIn;
const child = { certno: '210102202609300023', name: '王小雨', gender: 'FEMALE' as const, birthDate: '2026-09-30' };
const faults = (body: unknown) => fetch(`${standIn.url}/__faults`, { method: 'POST', body: JSON.stringify(body) });

beforeAll(async () => {
  standIn = await startMedicalInsuranceStandIn();
});
afterAll(() => standIn.close());

describe('resident insurance enrolment (2901/2902, invented in the platform\'s envelope)', () => {
  it('enrols once, refuses a second enrolment, cancels, and can enrol again', async () => {
    const e = createResidentEnrolment({ url: standIn.url });
    const { personNumber } = await e.enrol(child, { requestId: 'enrol-1' });
    expect(personNumber).toMatch(/^\d{26}$/);
    await expect(e.enrol(child, { requestId: 'enrol-2' })).rejects.toMatchObject({ code: 'LEGACY_ERROR', department: 'medicalInsurance', details: { infno: '2901' } });
    await e.cancel(personNumber, child.certno, '测试撤销', { requestId: 'enrol-3' });
    await expect(e.cancel(personNumber, child.certno, '测试撤销', { requestId: 'enrol-4' })).rejects.toMatchObject({ code: 'LEGACY_ERROR', details: { infno: '2902' } });
    expect((await e.enrol(child, { requestId: 'enrol-5' })).personNumber).toMatch(/^\d{26}$/);
  });

  it('follows the stand-in\'s fault plan: an infcode error, a proxy page, a timeout', async () => {
    const e = createResidentEnrolment({ url: standIn.url, timeoutMs: 300 });
    const other = { ...child, certno: '210102202609300031' };
    try {
      await faults({ mode: 'infcodeError' });
      await expect(e.enrol(other, { requestId: 'f-1' })).rejects.toMatchObject({ code: 'LEGACY_ERROR' });
      await faults({ mode: 'httpError' });
      await expect(e.enrol(other, { requestId: 'f-2' })).rejects.toMatchObject({ code: 'ADAPTER_BAD_REPLY' });
      await faults({ mode: 'timeout' });
      await expect(e.enrol(other, { requestId: 'f-3' })).rejects.toMatchObject({ code: 'ADAPTER_TIMEOUT' });
    } finally {
      await faults({ mode: null });
    }
  });
});
