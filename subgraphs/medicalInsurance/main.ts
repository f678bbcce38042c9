/** Process entry of the medical insurance subgraph: configuration is read here and only here. */
import { z } from 'zod';
import { createMedicalInsuranceAdapter } from '../../adapters/medicalInsurance/index.ts';
import { readConfig, url } from '../../core/config.ts';
import { runSubgraph, subgraphEnv } from '../kit/run.ts';
import { medicalInsurance } from './index.ts';

const env = readConfig(
  subgraphEnv.extend({
    /** The national platform's base URL (the stand-in's URL in development). */
    MEDICAL_INSURANCE_LEGACY_URL: url(),
    MEDICAL_INSURANCE_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
    /** Calls in flight at once towards the platform, which takes one person per call. */
    MEDICAL_INSURANCE_CONCURRENCY: z.coerce.number().int().positive().default(8),
  }),
);

await runSubgraph(medicalInsurance, env, () => ({
  platform: createMedicalInsuranceAdapter({
    url: env.MEDICAL_INSURANCE_LEGACY_URL,
    timeoutMs: env.MEDICAL_INSURANCE_TIMEOUT_MS,
    concurrency: env.MEDICAL_INSURANCE_CONCURRENCY,
  }),
}));
