/**
 * Process entry of the medical insurance stand-in: `node adapters/medicalInsurance/standin/main.ts`.
 * The only place that reads the environment (PORT, HOST, LATENCY_MS); prints one JSON line with the URL.
 */
import { z } from 'zod';
import { readConfig, setOnly, wholeNumber } from '../../../core/config.ts';
import { announceReady, stopOnSignals } from '../../../core/process.ts';
import { startMedicalInsuranceStandIn } from './index.ts';

const env = readConfig(z.object({ PORT: wholeNumber(), HOST: z.string().optional(), LATENCY_MS: wholeNumber() }));
const standIn = await startMedicalInsuranceStandIn(setOnly({ port: env.PORT, host: env.HOST || undefined, latencyMs: env.LATENCY_MS }));
announceReady('medicalInsurance-standin', standIn.url);
stopOnSignals(() => standIn.close());
