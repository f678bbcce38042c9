/** Process entry of the city code subgraph: configuration is read here and only here. */
import { z } from 'zod';
import { createMedicalInsuranceAdapter } from '../../adapters/medicalInsurance/index.ts';
import { createParkingAdapter } from '../../adapters/parking/index.ts';
import { createPopulationAdapter } from '../../adapters/population/index.ts';
import { readConfig, url } from '../../core/config.ts';
import { ensureDevSecret } from '../../core/dev-keys.ts';
import { runSubgraph, subgraphEnv } from '../kit/run.ts';
import { createHandleCodec } from './handle.ts';
import { citycode } from './index.ts';
import { openKeyRing } from './keys.ts';
import { keysRoute } from './well-known.ts';

const env = readConfig(
  subgraphEnv.extend({
    /** Hours a credential lasts; the app fetches a new one when it ends. Default 24. */
    CITYCODE_CREDENTIAL_HOURS: z.coerce.number().positive().max(24 * 45).default(24),
    /** Days a city key signs before the next one takes over. Default 30. */
    CITYCODE_ROTATION_DAYS: z.coerce.number().positive().default(30),
    /** Key of the citizens' pseudonymous handles (≥ 32 chars); default a generated development key. */
    CITYCODE_HANDLE_KEY: z.string().min(32).optional(),
    /** The departments redemptions disclose from (the stand-ins' URLs in development). */
    POPULATION_LEGACY_URL: url(),
    MEDICAL_INSURANCE_LEGACY_URL: url(),
    PARKING_LEGACY_URL: url(),
    /** The registry's shared secret; default the stand-in's development value. */
    POPULATION_LEGACY_SECRET: z.string().min(1).optional(),
    /** Our app id and secret at the parking platform; default the stand-in's development values. */
    PARKING_APP_ID: z.string().min(1).default('citygraph'),
    PARKING_APP_SECRET: z.string().min(1).optional(),
  }),
);

await runSubgraph(
  citycode,
  env,
  (_log, store) => ({
    keys: openKeyRing({ dataDir: env.CITYGRAPH_DATA_DIR, rotationDays: env.CITYCODE_ROTATION_DAYS, credentialHours: env.CITYCODE_CREDENTIAL_HOURS }),
    handles: createHandleCodec(env.CITYCODE_HANDLE_KEY ?? ensureDevSecret(env.CITYGRAPH_DATA_DIR, 'citycode-handle')),
    store: store!,
    credentialHours: env.CITYCODE_CREDENTIAL_HOURS,
    population: createPopulationAdapter({ url: env.POPULATION_LEGACY_URL, ...(env.POPULATION_LEGACY_SECRET ? { secret: env.POPULATION_LEGACY_SECRET } : {}) }),
    medicalInsurance: createMedicalInsuranceAdapter({ url: env.MEDICAL_INSURANCE_LEGACY_URL }),
    parking: createParkingAdapter({ url: env.PARKING_LEGACY_URL, appId: env.PARKING_APP_ID, ...(env.PARKING_APP_SECRET ? { secret: env.PARKING_APP_SECRET } : {}) }),
  }),
  { supervision: true, routes: (deps) => ({ '/.well-known/citycode-keys': keysRoute(deps) }) },
);
