/**
 * The city's SM2 signing keys for credentials, kept in the data folder (`keys/citycode-keys.json`),
 * rotated by age: the newest key signs, older ones stay published until the last credential they
 * signed has ended, so a gate that refreshes its keys daily never refuses a valid code.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeys, SM2_USER_ID, type PublishedKeys, type Sm2Keys } from '../../citycode-client/index.ts';

/** One city key with its validity. */
export interface CityKey extends Sm2Keys {
  /** Key id written in credentials, 0–255 (wraps after 256 rotations). */
  kid: number;
  /** Signs credentials from here (ISO). */
  notBefore: string;
  /** Signs no credential from here (ISO). */
  retiresAt: string;
  /** Last instant a credential it signed can be valid (ISO). */
  notAfter: string;
}

/** Options of the key ring. */
export interface KeyRingOptions {
  /** Data folder. Required. */
  dataDir: string;
  /** Days a key signs before the next one takes over. Default 30. */
  rotationDays?: number;
  /** Hours a credential lasts (so a retired key stays published that long). Default 24. */
  credentialHours?: number;
  /** Seconds a credential's validity starts before its issue. Default 300. */
  backdateSeconds?: number;
  /** Clock; default `Date.now`. */
  now?: () => number;
}

/** The city's keys: the one that signs now, and the document gates download. */
export interface KeyRing {
  /** The key that signs now (rotating first when the newest is too old). */
  current(): CityKey;
  /** Every key still published. */
  published(): CityKey[];
  /** The `/.well-known/citycode-keys` document, with the revocation list given. */
  document(revokedDevices: string[]): PublishedKeys;
  /** Starts a new key now, whatever the age of the current one; returns it. */
  rotate(): CityKey;
}

const DAY = 86_400_000;

/** Opens (creating when missing) the key ring of a data folder. */
export function openKeyRing(options: KeyRingOptions): KeyRing {
  const rotationMs = (options.rotationDays ?? 30) * DAY;
  const credentialMs = (options.credentialHours ?? 24) * 3_600_000;
  if (!(rotationMs > 0) || !(credentialMs > 0)) throw new TypeError('rotationDays and credentialHours must be positive.');
  const now = options.now ?? Date.now;
  const dir = join(options.dataDir, 'keys');
  const file = join(dir, 'citycode-keys.json');
  let keys: CityKey[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { keys: CityKey[] }).keys : [];

  const save = () => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(`${file}.tmp`, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  };
  const add = (): CityKey => {
    // Whole seconds: credentials carry seconds, and one signed in this second must fall inside the key.
    const t = Math.floor(now() / 1000) * 1000;
    const last = keys.at(-1);
    if (last && Date.parse(last.retiresAt) > t) last.retiresAt = new Date(t).toISOString();
    if (last) last.notAfter = new Date(Date.parse(last.retiresAt) + credentialMs).toISOString();
    const key: CityKey = {
      kid: last ? (last.kid + 1) % 256 : 1,
      ...generateKeys(),
      // Credentials are valid from a few minutes before their issue (lagging phone clocks); so is the key.
      notBefore: new Date(t - (options.backdateSeconds ?? 300) * 1000).toISOString(),
      retiresAt: new Date(t + rotationMs).toISOString(),
      notAfter: new Date(t + rotationMs + credentialMs).toISOString(),
    };
    keys = [...keys.filter((k) => k.kid !== key.kid && Date.parse(k.notAfter) > t), key];
    save();
    return key;
  };
  const current = () => {
    const last = keys.at(-1);
    return last && Date.parse(last.retiresAt) > now() ? last : add();
  };
  const published = () => keys.filter((k) => Date.parse(k.notAfter) > now());
  return {
    current,
    published,
    rotate: add,
    document: (revokedDevices) => ({
      sm2UserId: SM2_USER_ID,
      keys: published().map((k) => ({ kid: k.kid, publicKey: k.publicKey, notBefore: k.notBefore, notAfter: k.notAfter })),
      revokedDevices,
      updatedAt: new Date(now()).toISOString(),
    }),
  };
}
