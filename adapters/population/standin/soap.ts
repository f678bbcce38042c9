/**
 * SOAP 1.1 as the registry's Axis service speaks it: envelopes in, envelopes out, the answer an XML
 * document escaped into a string, the whole thing in GBK.
 */
import iconv from 'iconv-lite';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Target namespace of the invented registry service. */
export const SERVICE_NS = 'http://rkxx.ga.example/ws/RkxxService';

/** A SOAP Fault to send back: `Client` when the request is at fault, `Server` otherwise. */
export class SoapFault extends Error {
  readonly faultcode: 'Client' | 'Server';
  readonly faultstring: string;
  constructor(faultcode: 'Client' | 'Server', faultstring: string) {
    super(faultstring);
    this.faultcode = faultcode;
    this.faultstring = faultstring;
  }
}

/** A parsed SOAP call: the operation (body element) and its string parameters. */
export interface SoapCall {
  operation: string;
  params: Record<string, string>;
}

// Values stay strings (IDs and dates are digit strings); namespaces are dropped as Axis ignores them.
const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false, ignoreAttributes: true, trimValues: false });

/** Escapes text for an XML element or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Decodes a request body by its declared charset; the registry's clients send GBK or UTF-8. */
export function decodeBody(body: Buffer, contentType: string | undefined): string {
  const charset = /charset=["']?([\w-]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase() ?? 'utf-8';
  if (['gbk', 'gb2312', 'gb18030', 'cp936'].includes(charset)) return iconv.decode(body, 'gb18030');
  return body.toString('utf8');
}

/** Parses a SOAP 1.1 request envelope, or throws the SoapFault the real service would send. */
export function parseSoapCall(text: string): SoapCall {
  if (XMLValidator.validate(text) !== true) throw new SoapFault('Client', '请求报文不是合法的XML');
  const doc = parser.parse(text) as Record<string, unknown>;
  const body = (doc.Envelope as Record<string, unknown> | undefined)?.Body;
  if (!body || typeof body !== 'object') throw new SoapFault('Client', '请求报文缺少 soap:Envelope/soap:Body');
  const [operation, content] = Object.entries(body as Record<string, unknown>)[0] ?? [];
  if (!operation) throw new SoapFault('Client', '请求报文的 soap:Body 为空');
  const params: Record<string, string> = {};
  if (content && typeof content === 'object') {
    for (const [k, v] of Object.entries(content as Record<string, unknown>)) if (typeof v === 'string') params[k] = v;
  }
  return { operation, params };
}

/** Parses the `xmlPara` document; fragments without a single root are accepted, as the real service does. */
export function parseXmlPara(xmlPara: string): Record<string, unknown> {
  const inner = xmlPara.replace(/^\s*<\?xml[^>]*\?>/, '');
  const wrapped = `<xmlPara>${inner}</xmlPara>`;
  if (XMLValidator.validate(wrapped) !== true) throw new SoapFault('Client', 'xmlPara 参数不是合法的XML');
  const root = (parser.parse(wrapped) as { xmlPara?: unknown }).xmlPara;
  const para = root && typeof root === 'object' ? (root as Record<string, unknown>) : {};
  return para.request && typeof para.request === 'object' ? (para.request as Record<string, unknown>) : para;
}

/** A success envelope whose return element carries `document` as escaped text, encoded in GBK. */
export function responseEnvelope(operation: string, document: string): string {
  return (
    '<?xml version="1.0" encoding="GBK"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body><ns1:${operation}Response xmlns:ns1="${SERVICE_NS}">` +
    `<${operation}Return xsi:type="xsd:string">${escapeXml(document)}</${operation}Return>` +
    `</ns1:${operation}Response></soapenv:Body></soapenv:Envelope>`
  );
}

/** A SOAP 1.1 Fault envelope. */
export function faultEnvelope(fault: SoapFault): string {
  return (
    '<?xml version="1.0" encoding="GBK"?>' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>' +
    `<faultcode>soap:${fault.faultcode}</faultcode><faultstring>${escapeXml(fault.faultstring)}</faultstring>` +
    '<detail><ns1:hostname xmlns:ns1="http://xml.apache.org/axis/">rkxx-app-02</ns1:hostname></detail>' +
    '</soap:Fault></soap:Body></soap:Envelope>'
  );
}

/** Encodes text as GBK bytes, as the service does for everything it sends. */
export function gbk(text: string): Buffer {
  return iconv.encode(text, 'gbk');
}
