/**
 * DEVELOPMENT keys, generated at first start into `<dataDir>/keys/` and reused afterwards, so that
 * `npm start` works with no setup. Production configures real keys; these files say `dev-` in their name.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The development keys of one data directory. */
export interface DevKeys {
  /** HS256 secret for development user tokens (32 random bytes, base64url). */
  jwtSecret: string;
  /** The gateway's Ed25519 private key for principal tokens, PKCS#8 PEM. */
  principalPrivateKeyPem: string;
  /** Its public key, SPKI PEM: all a subgraph needs. */
  principalPublicKeyPem: string;
  /** True when this call generated a key (first start), false when all were reused. */
  created: boolean;
}

/** File names inside `<dataDir>/keys/`; `dev-` marks them as development keys. */
export const DEV_KEY_FILES = {
  jwtSecret: 'dev-jwt-hs256.secret',
  principalPrivateKey: 'dev-principal-ed25519.key.pem',
  principalPublicKey: 'dev-principal-ed25519.pub.pem',
} as const;

/** Returns the development keys of `dataDir`, generating each missing one (mode 0600) first. */
export function ensureDevKeys(dataDir: string): DevKeys {
  if (typeof dataDir !== 'string' || dataDir === '') throw new TypeError('ensureDevKeys needs dataDir, e.g. `.data`.');
  const dir = join(dataDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });

  const secret = ensureFile(join(dir, DEV_KEY_FILES.jwtSecret), () => `${randomBytes(32).toString('base64url')}\n`);
  const jwtSecret = secret.content.trim();
  if (Buffer.from(jwtSecret, 'base64url').length < 32) {
    throw new Error(`${join(dir, DEV_KEY_FILES.jwtSecret)} does not hold a 32-byte base64url secret; delete it to regenerate.`);
  }

  const privateFile = join(dir, DEV_KEY_FILES.principalPrivateKey);
  const priv = ensureFile(privateFile, () =>
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  );
  let publicKeyPem: string;
  try {
    const key = createPrivateKey(priv.content);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not Ed25519');
    // Derived, not stored independently: the pair can never get out of step.
    publicKeyPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    throw new Error(`${privateFile} is not an Ed25519 private key in PKCS#8 PEM; delete it to regenerate.`);
  }
  // Written for operators who want to hand a subgraph only the public key; its content is derived.
  ensureFile(join(dir, DEV_KEY_FILES.principalPublicKey), () => publicKeyPem);

  return {
    jwtSecret,
    principalPrivateKeyPem: priv.content,
    principalPublicKeyPem: publicKeyPem,
    created: secret.created || priv.created,
  };
}

/**
 * Reads `file`, or creates it with `make()`. Creation writes a temporary file and hard-links it into
 * place, which fails if the file exists: when the gateway and the subgraphs start at once, exactly one
 * process's key wins and every process reads that one, never a half-written file.
 */
function ensureFile(file: string, make: () => string): { content: string; created: boolean } {
  let created = false;
  if (!exists(file)) {
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, make(), { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, file);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(tmp);
    }
  }
  // A key copied in with a looser mode is tightened: other local users must not read it.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return { content: readFileSync(file, 'utf8'), created };
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/**
 * A named development secret (32 random bytes, base64url) in `<dataDir>/keys/dev-<name>.secret`,
 * generated at first use, e.g. the supervision store's subject HMAC key. Production configures its own.
 */
export function ensureDevSecret(dataDir: string, name: string): string {
  if (!/^[a-z0-9-]+$/.test(name)) throw new TypeError(`ensureDevSecret: name "${name}" must be lowercase letters, digits and dashes.`);
  const dir = join(dataDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return ensureFile(join(dir, `dev-${name}.secret`), () => `${randomBytes(32).toString('base64url')}\n`).content.trim();
}
