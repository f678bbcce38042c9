import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMedicalInsuranceStandIn, type MedicalInsuranceStandIn } from '../standin/index.ts';
import { captureOne, fixtureFile, fixturePeople } from './fixtures/capture.ts';

let standIn: MedicalInsuranceStandIn;
beforeAll(async () => { standIn = await startMedicalInsuranceStandIn(); });
afterAll(() => standIn.close());

/** Blanks what changes from one capture to the next: reply ids, times and the person's age. */
const stable = (text: string) => text
  .replace(/"inf_refmsgid":"\d+"/, '"inf_refmsgid":"…"')
  .replace(/"(refmsg_time|respond_time)":"\d+"/g, '"$1":"…"')
  .replace(/"age":[\d.]+/, '"age":…');

describe('captured fixtures', () => {
  it('are still what the stand-in answers, so the replay tests replay real replies', async () => {
    const people = fixturePeople();
    expect(JSON.parse(readFileSync(new URL('fixtures/people.json', import.meta.url), 'utf8'))).toEqual(people);
    for (const [name, certno] of Object.entries(people)) {
      const committed = readFileSync(new URL(`fixtures/${fixtureFile(name)}`, import.meta.url), 'utf8');
      expect(stable(await captureOne(standIn.url, name, certno)), name).toBe(stable(committed));
    }
  });
});
