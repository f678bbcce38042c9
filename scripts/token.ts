/**
 * Prints a development user token, and only that, on stdout:
 *   TOKEN=$(npm run -s token -- --role citizen --sub 210102198503152318)
 * Signed with the dev HS256 secret of `$CITYGRAPH_DATA_DIR` (default `.data`), created there if missing.
 */
import { parseArgs } from 'node:util';
import { ensureDevKeys } from '../core/dev-keys.ts';
import { signDevToken, TOKEN_ROLES } from '../gateway/auth/index.ts';

const USAGE =
  'usage: npm run -s token -- --role <role> --sub <id> [--dept <code>] [--scopes a,b] [--on-behalf-of <id>] [--client <name>] [--ttl 3600]';
/** Roles whose subject is an account, not a person or company, get a default one. */
const DEFAULT_SUB: Partial<Record<string, string>> = { admin: 'admin-dev', auditor: 'auditor-dev' };

async function main(argv: string[]): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      sub: { type: 'string' },
      dept: { type: 'string' },
      scopes: { type: 'string' },
      'on-behalf-of': { type: 'string' },
      client: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
    },
    strict: true,
    allowPositionals: false,
  });
  const role = values.role;
  if (!role || !(TOKEN_ROLES as readonly string[]).includes(role)) {
    throw new Error(`--role must be one of ${TOKEN_ROLES.join(', ')}${role ? `, not "${role}"` : ''}.`);
  }
  const sub = values.sub ?? DEFAULT_SUB[role];
  if (!sub) throw new Error(`--sub is required for role ${role} (${role === 'citizen' ? 'a resident ID number' : 'the subject id'}).`);
  if (!/^\d+$/.test(values.ttl)) throw new Error(`--ttl must be a number of seconds, not "${values.ttl}".`);
  const { jwtSecret } = ensureDevKeys(process.env.CITYGRAPH_DATA_DIR ?? '.data');
  return signDevToken({
    secret: jwtSecret,
    role: role as (typeof TOKEN_ROLES)[number],
    sub,
    department: values.dept,
    scopes: values.scopes?.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    onBehalfOf: values['on-behalf-of'],
    client: values.client,
    ttlSeconds: Number(values.ttl),
  });
}

main(process.argv.slice(2)).then(
  (token) => process.stdout.write(`${token}\n`),
  (e: unknown) => {
    process.stderr.write(`token: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    process.exitCode = 2;
  },
);
