/** Validation of identifier arguments at the edge, before any loader or legacy call. */
import { badInput } from '../../core/errors.ts';
import { validateResidentId } from '../../core/resident-id.ts';

/** Most IDs one list argument may name. */
export const MAX_IDS = 100;

/** Validates and normalises a list of resident IDs; throws BAD_USER_INPUT naming the rule and position. */
export function validateIds(ids: readonly string[], max = MAX_IDS): string[] {
  if (ids.length > max) throw badInput(`At most ${max} IDs may be asked for at once; ${ids.length} were given.`, 'maxIds', { max });
  return ids.map((id, i) => {
    try {
      return validateResidentId(id);
    } catch (e) {
      if (e instanceof Error) e.message = `ids[${i}]: ${e.message}`;
      throw e;
    }
  });
}
