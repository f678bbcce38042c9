/**
 * The hall's XML as its old Java service writes and reads it: `xmlStr` documents rooted at `<ROOT>`,
 * replies `<RESULT><STATUS>…</STATUS><DESC>…</DESC><DATA>…</DATA></RESULT>`, UTF-8.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Escapes text for an XML element. */
export function esc(text: string | number): string {
  return String(text).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A leaf element, `<K>v</K>`. */
export function el(name: string, value: string | number | null | undefined): string {
  return `<${name}>${value === null || value === undefined ? '' : esc(value)}</${name}>`;
}

/** A reply document. */
export function result(status: number, desc: string, data = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><RESULT><STATUS>${status}</STATUS><DESC>${esc(desc)}</DESC><DATA>${data}</DATA></RESULT>`;
}

/** A business refusal, carried as a STATUS other than 200 (HTTP stays 200, as the hall does). */
export class HallRefusal extends Error {
  readonly status: number;
  readonly desc: string;
  constructor(status: number, desc: string) {
    super(desc);
    this.status = status;
    this.desc = desc;
  }
}

const LISTS = new Set(['CL', 'SBLSH', 'GC', 'SXXX', 'BJXX']);
const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, processEntities: true, isArray: (name) => LISTS.has(name) });

/** Parses an `xmlStr`; not well-formed or not rooted at `<ROOT>` is a 400 refusal. */
export function parseXmlStr(xmlStr: string): Record<string, any> {
  if (/<!DOCTYPE|<!ENTITY/i.test(xmlStr)) throw new HallRefusal(400, 'xmlStr不允许包含DTD');
  if (XMLValidator.validate(xmlStr) !== true) throw new HallRefusal(400, 'xmlStr格式错误，无法解析');
  const root = (parser.parse(xmlStr) as { ROOT?: unknown }).ROOT;
  if (root === undefined) throw new HallRefusal(400, 'xmlStr缺少ROOT节点');
  return root && typeof root === 'object' ? (root as Record<string, any>) : {};
}

/** Text of a parsed leaf ('' when absent). */
export function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
}

/** `yyyy-MM-dd HH:mm:ss` in China time, as every time field of the hall is written. */
export function hallTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}
