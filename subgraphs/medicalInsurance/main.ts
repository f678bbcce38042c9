/** Process entry of the medical insurance subgraph: configuration is read here and only here. */
import { z } from 'zod';
import { createMedicalInsuranceAdapter } from '../../adapters/medicalInsurance/index.ts';
import { port, readConfig, url } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { announceReady, stopOnSignals } from '../../core/process.ts';
import { startSubgraph } from '../kit/index.ts';
import { medicalInsurance } from './index.ts';

const config = readConfig(
  z.object({
    PORT: port(4002),
    HOST: z.string().default('127.0.0.1'),
    LOG_LEVEL: z.string().default('info'),
    /** The national platform's base URL (the stand-in's URL in development). */
    MEDICAL_INSURANCE_LEGACY_URL: url(),
    /** PEM of the gateway's public key for principal tokens. */
    CITYGRAPH_PRINCIPAL_PUBLIC_KEY: z.string().min(1),
    MEDICAL_INSURANCE_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
    /** Calls in flight at once towards the platform, which takes one person per call. */
    MEDICAL_INSURANCE_CONCURRENCY: z.coerce.number().int().positive().default(8),
  }),
);
const logger = createLogger({ service: 'subgraph-medicalInsurance', level: config.LOG_LEVEL });
const platform = createMedicalInsuranceAdapter({
  url: config.MEDICAL_INSURANCE_LEGACY_URL,
  timeoutMs: config.MEDICAL_INSURANCE_TIMEOUT_MS,
  concurrency: config.MEDICAL_INSURANCE_CONCURRENCY,
});
const server = await startSubgraph(medicalInsurance, {
  port: config.PORT,
  host: config.HOST,
  principalPublicKeyPem: config.CITYGRAPH_PRINCIPAL_PUBLIC_KEY,
  deps: { platform },
  logger,
});
logger.info({ url: server.url }, 'medical insurance subgraph ready');
announceReady('subgraph-medicalInsurance', server.url);
stopOnSignals(server.close, logger);
