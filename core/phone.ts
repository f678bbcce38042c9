/** The contact phone format the graph accepts; one definition for the edge check and the adapters' guard. */

/** Mainland mobile (11 digits, e.g. 13812345678) or landline with area code (e.g. 024-23456789). */
export const CONTACT_PHONE = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
