import type { Document } from '@xmldom/xmldom';
import { oneLine, parseXmlDom } from '../../util/xml-dom.js';
import type { ScreenLimits } from '../../util/xml-guard.js';
import { screenXml } from '../../util/xml-guard.js';

/** Parsing authorisation documents safely: screened first (no DTD, entities, PIs; bounded), then xmldom. */

/** Bounds of a pres-rules document. */
export const DEFAULT_RULES_LIMITS: ScreenLimits = Object.freeze({ maxBytes: 1024 * 1024, maxDepth: 32, maxElements: 100_000 });

/** A DOM, or the defect (`<label>: …`). */
export type XmlResult = { readonly ok: true; readonly doc: Document } | { readonly ok: false; readonly defect: string };

/**
 * Parses an XML document after `screenXml`; any xmldom warning or error is a defect (xmldom is lenient
 * on its own). Never throws.
 */
export function parseXml(body: Buffer, label: string, limits: ScreenLimits = DEFAULT_RULES_LIMITS): XmlResult {
  const screened = screenXml(body, limits, label);
  if (!screened.ok) return { ok: false, defect: screened.defect };
  const doc = parseXmlDom(screened.text);
  if (typeof doc !== 'string') return { ok: true, doc };
  return { ok: false, defect: `${label}: not well-formed XML: ${oneLine(doc, 100)}` };
}
