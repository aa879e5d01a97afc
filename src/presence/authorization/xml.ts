import { DOMParser } from '@xmldom/xmldom';
import type { Document } from '@xmldom/xmldom';
import type { ScreenLimits } from '../../util/xml-guard.js';
import { screenXml } from '../../util/xml-guard.js';

/** Parsing authorisation documents safely: screened first (no DTD, entities, PIs; bounded), then xmldom. */

/** Bounds of a pres-rules document. */
export const DEFAULT_RULES_LIMITS: ScreenLimits = Object.freeze({ maxBytes: 1024 * 1024, maxDepth: 32, maxElements: 100_000 });

/** A DOM, or the defect (`<label>: …`). */
export type XmlResult = { readonly ok: true; readonly doc: Document } | { readonly ok: false; readonly defect: string };

/** A parser message made one bounded line. */
function phrase(msg: string): string {
  // eslint-disable-next-line no-control-regex
  return msg.replace(/[\x00-\x1f\x7f]+/g, ' ').trim().slice(0, 100);
}

/**
 * Parses an XML document after `screenXml`; any xmldom warning or error is a defect (xmldom is lenient
 * on its own). Never throws.
 */
export function parseXml(body: Buffer, label: string, limits: ScreenLimits = DEFAULT_RULES_LIMITS): XmlResult {
  const screened = screenXml(body, limits, label);
  if (!screened.ok) return { ok: false, defect: screened.defect };
  let problem: string | undefined;
  const parser = new DOMParser({
    locator: false,
    onError: (_level, msg) => {
      problem ??= msg;
      throw new Error(msg);
    },
  });
  try {
    const doc = parser.parseFromString(screened.text, 'application/xml');
    if (problem === undefined) return { ok: true, doc };
  } catch (e) {
    problem ??= e instanceof Error ? e.message : String(e);
  }
  return { ok: false, defect: `${label}: not well-formed XML: ${phrase(problem ?? '')}` };
}
