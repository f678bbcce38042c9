/** Process entry of the services subgraph: configuration is read here and only here. */
import { z } from 'zod';
import { createResidentEnrolment } from '../../adapters/medicalInsurance/enrolment.ts';
import { createHousingFundFamilyRecords } from '../../adapters/housingFund/family.ts';
import { createLicenceLibraryAdapter } from '../../adapters/licenceLibrary/index.ts';
import { issuerKeysSetting } from '../../adapters/licenceLibrary/settings.ts';
import { createBirthRegistration } from '../../adapters/population/births.ts';
import { createHouseholdRegister } from '../../adapters/population/households.ts';
import { createBusinessLicences } from '../../adapters/marketRegulation/licences.ts';
import { createServiceHallAdapter } from '../../adapters/serviceHall/index.ts';
import { cityClock, clockEnv } from '../../core/clock.ts';
import { readConfig, url } from '../../core/config.ts';
import { runSubgraph, subgraphEnv } from '../kit/run.ts';
import { services } from './index.ts';

const env = readConfig(
  subgraphEnv.extend({
    /** The service hall's base URL (the stand-in's in development). */
    SERVICE_HALL_URL: url(),
    /** Our application id and secret at the hall; default the stand-in's development values. */
    SERVICE_HALL_APP_ID: z.string().min(1).optional(),
    SERVICE_HALL_APP_SECRET: z.string().min(1).optional(),
    SERVICE_HALL_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
    /** The population registry's SOAP endpoint, for the newborn bundle's birth registration. */
    POPULATION_LEGACY_URL: url(),
    POPULATION_LEGACY_SECRET: z.string().optional(),
    /** The medical insurance platform, for the newborn bundle's enrolment. */
    MEDICAL_INSURANCE_LEGACY_URL: url(),
    /** The housing fund's front-end database, for the newborn bundle's family record; unset: that part is skipped. */
    HOUSING_FUND_DATABASE: z.string().min(1).optional(),
    /** The enterprise registry, as issuer of business licences for zero-material filing; unset: enterprises hand them in. */
    MARKET_REGULATION_LEGACY_URL: url().optional(),
    /** The electronic licence library: certificates referred to by applications, checked on filing and before approval. */
    LICENCE_LIBRARY_URL: url(),
    LICENCE_LIBRARY_APP_KEY: z.string().min(1).optional(),
    LICENCE_LIBRARY_APP_SECRET: z.string().min(1).optional(),
    LICENCE_LIBRARY_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
    LICENCE_LIBRARY_ISSUER_KEYS: z.string().optional(),
  }).extend(clockEnv.shape),
);
const clock = cityClock(env);
const housingFund = env.HOUSING_FUND_DATABASE ? await createHousingFundFamilyRecords({ database: env.HOUSING_FUND_DATABASE, now: clock }) : undefined;

await runSubgraph(
  services,
  env,
  (_logger, supervision) => ({
    hall: createServiceHallAdapter({ url: env.SERVICE_HALL_URL, appId: env.SERVICE_HALL_APP_ID, appSecret: env.SERVICE_HALL_APP_SECRET, timeoutMs: env.SERVICE_HALL_TIMEOUT_MS }),
    births: createBirthRegistration({ url: env.POPULATION_LEGACY_URL, secret: env.POPULATION_LEGACY_SECRET }),
    enrolment: createResidentEnrolment({ url: env.MEDICAL_INSURANCE_LEGACY_URL, now: clock }),
    housingFund,
    clock,
    supervision,
    library: createLicenceLibraryAdapter({
      url: env.LICENCE_LIBRARY_URL,
      appKey: env.LICENCE_LIBRARY_APP_KEY,
      appSecret: env.LICENCE_LIBRARY_APP_SECRET,
      timeoutMs: env.LICENCE_LIBRARY_TIMEOUT_MS,
      issuerKeys: issuerKeysSetting(env.LICENCE_LIBRARY_ISSUER_KEYS),
    }),
    // The registry as the household register's issuer (zero-material filing).
    households: createHouseholdRegister({ url: env.POPULATION_LEGACY_URL, secret: env.POPULATION_LEGACY_SECRET }),
    // The enterprise registry as the business licence's issuer (zero-material filing by an enterprise).
    businessLicences: env.MARKET_REGULATION_LEGACY_URL ? createBusinessLicences({ url: env.MARKET_REGULATION_LEGACY_URL }) : undefined,
  }),
  { supervision: true },
);
