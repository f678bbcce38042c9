/** Checks an application's documents against its matter and applicant before anything is filed. */
import type { DocumentInput, MatterRecord } from '../../adapters/serviceHall/index.ts';
import { badInput } from '../../core/errors.ts';

/** Throws BAD_USER_INPUT for a material the matter does not ask for, someone else's document or a missing required one. */
export function checkDocuments(matter: MatterRecord, docs: readonly DocumentInput[], applicantId: string, options: { requireAll: boolean }): void {
  docs.forEach((d, i) => {
    if (!matter.documents.some((m) => m.code === d.material)) {
      throw badInput(`documents[${i}]: matter ${matter.code} asks for no material ${d.material}; it asks for ${matter.documents.map((m) => m.code).join(', ') || 'none'}.`, 'documentMaterial');
    }
    if (d.holderId !== applicantId) throw badInput(`documents[${i}] belongs to someone else: every document must be the applicant's own.`, 'documentHolder');
  });
  if (!options.requireAll || matter.zeroMaterial) return;
  const missing = matter.documents.filter((m) => m.required && !docs.some((d) => d.material === m.code));
  if (missing.length > 0) {
    throw badInput(`Matter ${matter.code} requires ${missing.map((m) => `${m.code} (${m.name})`).join(', ')}.`, 'requiredDocument', { missing: missing.map((m) => m.code).join(',') });
  }
}
