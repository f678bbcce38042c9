/**
 * Canonical JSON: the one byte form that hashes and signatures are computed over. Keys are sorted by
 * UTF-16 code units, no whitespace, `undefined` members dropped, so the same value always hashes the
 * same on every machine and in every language that follows the rule.
 */

/** Deterministic JSON with sorted keys; throws on values JSON cannot carry faithfully. */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
  if (depth > 64) throw new TypeError('canonicalJson: nesting deeper than 64 levels');
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // NaN and Infinity would silently become null and hash like null: refuse them.
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'object': {
      // Plain loops instead of map/filter/join: the store writes this for every record it seals.
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + write(value[i] === undefined ? null : value[i], depth + 1);
        return `${out}]`;
      }
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(k)}:${write(v, depth + 1)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      // bigint, function, symbol: not part of any record.
      throw new TypeError(`canonicalJson: cannot serialise a ${typeof value}`);
  }
}
