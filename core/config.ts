/**
 * Typed configuration read once at start-up. Only process entry points (`main.ts`, scripts) call
 * this; resolvers and adapters receive plain options objects and never read `process.env`.
 */
import { z } from 'zod';

/**
 * Parses `env` with a zod object schema and throws one readable error naming every invalid
 * variable, so a misconfigured process stops at start-up instead of failing on the first request.
 */
export function readConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
}

/** A TCP port from an environment variable; `0` asks for an ephemeral port. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** An http(s) URL from an environment variable. */
export const url = () => z.string().url();

/** An optional whole number from an environment variable (unset or empty: absent). */
export const wholeNumber = () => z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).optional());

/** The options that were set: leaves out what the environment did not give, so defaults further down apply. */
export function setOnly<T extends Record<string, unknown>>(options: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as never;
}
