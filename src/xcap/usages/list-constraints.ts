/**
 * The constraints of RFC 4826 §3.4.5 on the content of resource lists, which an XCAP server enforces
 * beyond the schema: in resource-lists documents, and in the `<list>` of an rls-services `<service>`
 * (RFC 4826 §4.4.5).
 */
import type { Element } from '@xmldom/xmldom';
import { ConstraintFailure, UniquenessFailure } from '../errors.js';
import type { UniquenessExists, XcapConflict } from '../errors.js';
import { SCHEMAS } from '../schemas/schema-catalogue.js';
import { childElements, plainAttribute } from '../../util/xml-dom.js';
import type { FieldNamer } from './field.js';
import { absoluteXcapTarget, relativeXcapTarget } from './xcap-uri.js';

const RL = SCHEMAS.resourceLists.namespace;

/** The AUID resource lists live under (RFC 4826 §3.4.1). */
export const RESOURCE_LISTS_AUID = 'resource-lists';

/** For each child element of a list that has a unique attribute: that attribute (RFC 4826 §3.4.5). */
const UNIQUE_ATTRIBUTE: ReadonlyMap<string, string> = new Map([
  ['list', 'name'],
  ['entry', 'uri'],
  ['entry-ref', 'ref'],
  ['external', 'anchor'],
]);

/** The reference checks of one child element, or undefined when it passes. */
function referenceProblem(el: Element): string | undefined {
  if (el.localName === 'entry-ref') {
    const ref = plainAttribute(el, 'ref') ?? '';
    // RFC 4826 §3.4.5: the value MUST be a relative path reference (to an <entry> of a resource-lists
    // document within the same XCAP root, RFC 4826 §3.1).
    if (!relativeXcapTarget(ref, RESOURCE_LISTS_AUID)) {
      return `<entry-ref ref="${ref}">: ref must be a relative path reference to a resource-lists document (RFC 4826 §3.4.5)`;
    }
  } else if (el.localName === 'external') {
    const anchor = plainAttribute(el, 'anchor');
    // RFC 4826 §3.4.5: the value MUST be an absolute HTTP URI (of a <list> in a resource-lists document,
    // RFC 4826 §3.1). The schema makes the attribute optional; when present it is checked.
    if (anchor !== undefined && !absoluteXcapTarget(anchor, RESOURCE_LISTS_AUID)) {
      return `<external anchor="${anchor}">: anchor must be an absolute HTTP URI of a resource-lists document (RFC 4826 §3.4.5)`;
    }
  }
  return undefined;
}

/**
 * Checks the resource-lists children of `parent` (the `<resource-lists>` root, a `<list>`, or an
 * rls-services `<list>`) and, recursively, of the lists they hold. Uniqueness within the same parent is
 * by case-sensitive string comparison (RFC 4826 §3.4.5); a duplicate is reported at its second and later
 * occurrences, each with one `<exists>`. A reference that breaks §3.4.5 is a `ConstraintFailure`
 * (reported before duplicates); else every duplicate in the document is listed in one `UniquenessFailure`.
 */
export function checkListContent(parent: Element, fields: FieldNamer): XcapConflict | undefined {
  const duplicates: UniquenessExists[] = [];
  const walk = (el: Element): string | undefined => {
    const seen = new Map<string, Set<string>>();
    for (const child of childElements(el)) {
      const local = child.localName ?? '';
      const attribute = child.namespaceURI === RL ? UNIQUE_ATTRIBUTE.get(local) : undefined;
      if (attribute === undefined) continue;
      const problem = referenceProblem(child);
      if (problem) return problem;
      const value = plainAttribute(child, attribute);
      if (value !== undefined) {
        const values = seen.get(local) ?? new Set<string>();
        seen.set(local, values);
        if (values.has(value)) duplicates.push({ field: fields.field(child, attribute) });
        values.add(value);
      }
      if (local === 'list') {
        const nested = walk(child);
        if (nested) return nested;
      }
    }
    return undefined;
  };
  const problem = walk(parent);
  if (problem) return new ConstraintFailure(problem);
  if (duplicates.length > 0) return new UniquenessFailure(duplicates, 'values that must be unique within their parent element are not (RFC 4826 §3.4.5)');
  return undefined;
}
