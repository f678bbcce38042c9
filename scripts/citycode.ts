/**
 * The city code from the command line, as the citizen app and a gate would use it:
 *   npm run -s citycode -- show --sub 210102198503152318     prints a fresh 60-s code on stdout
 *   npm run -s citycode -- verify <code> [--purpose PARKING]  verifies it offline; exit 0 valid, 1 not
 * `show` keeps the device key (and the day's credential) in `$CITYGRAPH_DATA_DIR/citycode/`, and fetches
 * the credential through the running gateway with a development token. `verify` downloads the published
 * keys once (or reads them from `--keys <file>`) and then checks with no network; it never prints a
 * resident ID, only the pseudonymous handle.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDeviceKey, makeCode, parseCredential, PURPOSES, verifyCode, type DeviceKey, type Purpose, type PublishedKeys } from '../citycode-client/index.ts';
import { ensureDevKeys } from '../core/dev-keys.ts';
import { signDevToken } from '../gateway/auth/index.ts';

const USAGE = 'usage: npm run -s citycode -- show --sub <resident id> [--purposes A,B] | verify <code> [--purpose P] [--keys file] [--save-keys file]   (--gateway URL, default $CITYGRAPH_GATEWAY_URL or http://127.0.0.1:4000/)';

class UsageError extends Error {}

interface DeviceFile extends DeviceKey {
  credential?: string;
}

async function show(values: Record<string, string | undefined>): Promise<number> {
  const sub = values.sub?.trim().toUpperCase();
  if (!sub || !/^\d{17}[\dX]$/.test(sub)) throw new UsageError('--sub must be a resident ID number (18 characters).');
  const purposes = values.purposes?.split(',').map((p) => p.trim().toUpperCase()) as Purpose[] | undefined;
  for (const p of purposes ?? []) if (!(PURPOSES as readonly string[]).includes(p)) throw new UsageError(`--purposes: "${p}" is not one of ${PURPOSES.join(', ')}.`);
  const dataDir = process.env.CITYGRAPH_DATA_DIR ?? '.data';
  const dir = join(dataDir, 'citycode');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // One device per citizen in this folder, named by a hash so the file name carries no ID.
  const file = join(dir, `device-${createHash('sha256').update(sub).digest('hex').slice(0, 16)}.json`);
  const device: DeviceFile = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : createDeviceKey();
  const fields = device.credential ? parseCredential(device.credential)?.fields : undefined;
  if (!fields || fields.notAfter - 300 < Date.now() / 1000) {
    const token = await signDevToken({ secret: ensureDevKeys(dataDir).jwtSecret, role: 'citizen', sub, ttlSeconds: 300 });
    const res = await fetch(gatewayUrl(values), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'mutation($k: String!) { issueCityCodeCredential(devicePublicKey: $k) { credential validUntil } }', variables: { k: device.publicKey } }),
    });
    const body = (await res.json()) as { data?: { issueCityCodeCredential?: { credential: string } | null }; errors?: { message: string; extensions?: { code?: string } }[] };
    const credential = body.data?.issueCityCodeCredential?.credential;
    if (!credential) throw new Error(`the gateway refused the credential: ${body.errors?.map((e) => `${e.extensions?.code}: ${e.message}`).join('; ') ?? res.status}`);
    device.credential = credential;
  }
  writeFileSync(file, `${JSON.stringify(device, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write(`${makeCode(device.credential!, device, purposes ? { purposes } : {})}\n`);
  return 0;
}

async function verify(code: string | undefined, values: Record<string, string | undefined>): Promise<number> {
  if (!code) throw new UsageError('verify needs the code.');
  const purpose = values.purpose?.toUpperCase() as Purpose | undefined;
  if (purpose && !(PURPOSES as readonly string[]).includes(purpose)) throw new UsageError(`--purpose must be one of ${PURPOSES.join(', ')}.`);
  let keys: PublishedKeys;
  if (values.keys) keys = JSON.parse(readFileSync(values.keys, 'utf8')) as PublishedKeys;
  else {
    const res = await fetch(new URL('/.well-known/citycode-keys', gatewayUrl(values)));
    if (!res.ok) throw new Error(`the published keys could not be fetched (HTTP ${res.status}); pass --keys <file> to verify with a saved copy.`);
    keys = (await res.json()) as PublishedKeys;
  }
  if (values['save-keys']) writeFileSync(values['save-keys'], JSON.stringify(keys, null, 2));
  const v = verifyCode(code, keys, purpose ? { purpose } : {});
  const c = v.code;
  const lines = [
    v.ok ? 'valid' : `invalid: ${v.reason}: ${v.message}`,
    ...(c
      ? [
          `device    ${c.deviceId}`,
          `handle    ${c.credential.handle}  (pseudonymous; only the city can map it to a person)`,
          `purposes  ${c.purposes.join(', ')}`,
          `made      ${new Date(c.issuedAt * 1000).toISOString()}  (valid 60 s)`,
          `credential key ${c.credential.keyId}, ${new Date(c.credential.notBefore * 1000).toISOString()} … ${new Date(c.credential.notAfter * 1000).toISOString()}, allows ${c.credential.functions.join(', ')}`,
        ]
      : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return v.ok ? 0 : 1;
}

function gatewayUrl(values: Record<string, string | undefined>): string {
  return values.gateway ?? process.env.CITYGRAPH_GATEWAY_URL ?? 'http://127.0.0.1:4000/';
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { sub: { type: 'string' }, purposes: { type: 'string' }, purpose: { type: 'string' }, keys: { type: 'string' }, 'save-keys': { type: 'string' }, gateway: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  const [command, arg] = positionals;
  if (command === 'show') return show(values);
  if (command === 'verify') return verify(arg, values);
  throw new UsageError(command ? `unknown command "${command}".` : 'a command is needed.');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`citycode: ${e instanceof Error ? e.message : String(e)}\n${e instanceof UsageError ? `${USAGE}\n` : ''}`);
    process.exitCode = 2;
  },
);
