/**
 * The XCAP conflict catalogue (RFC 4825 §11): one class per error element of the
 * `urn:ietf:params:xml:ns:xcap-error` schema. A conflict is a value, not a thrown error: application
 * usages return one from their checks, and the server answers it with status 409 and
 * `application/xcap-error+xml` carrying {@link XcapConflict.toXml}.
 */

/** The XCAP error namespace (RFC 4825 §11.2, §15.3). */
export const XCAP_ERROR_NAMESPACE = 'urn:ietf:params:xml:ns:xcap-error';

/** The MIME type of conflict reports (RFC 4825 §11, §15.2.5). */
export const XCAP_ERROR_MIME_TYPE = 'application/xcap-error+xml';

/** The names of the error elements of RFC 4825 §11.1 that presenced reports. */
export type XcapErrorElement =
  | 'not-well-formed'
  | 'not-xml-frag'
  | 'no-parent'
  | 'schema-validation-error'
  | 'not-xml-att-value'
  | 'cannot-insert'
  | 'cannot-delete'
  | 'uniqueness-failure'
  | 'constraint-failure'
  | 'not-utf-8';

/** Escapes text for an XML attribute value in double quotes (whitespace kept as character references). */
export function escapeXmlAttribute(value: string): string {
  return value.replace(/[&<>"\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Escapes text for XML character data. */
export function escapeXmlText(value: string): string {
  return value.replace(/[&<>\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A 409 conflict (RFC 4825 §11). `phrase` is optional text for a human (the `phrase` attribute every
 * error element supports).
 */
export abstract class XcapConflict {
  /** Always 409 (RFC 4825 §11: detailed conflict reports accompany 409 responses). */
  readonly status = 409 as const;
  /** The §11.1 error element this conflict is reported with. */
  abstract readonly element: XcapErrorElement;

  constructor(readonly phrase?: string) {}

  /** The element's content (child elements), already escaped; empty for most elements. */
  protected content(): string {
    return '';
  }

  /** The complete `application/xcap-error+xml` document (RFC 4825 §11.1), UTF-8 text. */
  toXml(): string {
    const phrase = this.phrase === undefined ? '' : ` phrase="${escapeXmlAttribute(this.phrase)}"`;
    const content = this.content();
    const inner = content ? `<${this.element}${phrase}>${content}</${this.element}>` : `<${this.element}${phrase}/>`;
    return `<?xml version="1.0" encoding="UTF-8"?>\n<xcap-error xmlns="${XCAP_ERROR_NAMESPACE}">${inner}</xcap-error>\n`;
  }
}

/** `<not-well-formed>`: the body of the request was not a well-formed XML document. */
export class NotWellFormed extends XcapConflict {
  readonly element = 'not-well-formed' as const;
}

/** `<not-xml-frag>`: the body was supposed to be an XML element (a fragment), and was not. */
export class NotXmlFrag extends XcapConflict {
  readonly element = 'not-xml-frag' as const;
}

/**
 * `<no-parent>`: the directory, document or element to insert into does not exist. `ancestor` is the
 * HTTP URI (absolute, or relative to the document) of the closest existing ancestor that would be a valid
 * point of insertion, its node selector percent-encoded (RFC 4825 §11.1).
 */
export class NoParent extends XcapConflict {
  readonly element = 'no-parent' as const;

  constructor(
    readonly ancestor?: string,
    phrase?: string,
  ) {
    super(phrase);
  }

  protected override content(): string {
    return this.ancestor === undefined ? '' : `<ancestor>${escapeXmlText(this.ancestor)}</ancestor>`;
  }
}

/** `<schema-validation-error>`: the document would not be compliant to the usage's schema. */
export class SchemaValidationError extends XcapConflict {
  readonly element = 'schema-validation-error' as const;
}

/** `<not-xml-att-value>`: the body was supposed to be an XML attribute value, and was not. */
export class NotXmlAttValue extends XcapConflict {
  readonly element = 'not-xml-att-value' as const;
}

/** `<cannot-insert>`: a GET of the resource after the PUT would not yield the content of the PUT. */
export class CannotInsert extends XcapConflict {
  readonly element = 'cannot-insert' as const;
}

/** `<cannot-delete>`: the DELETE would not be idempotent (the selector would still select a node). */
export class CannotDelete extends XcapConflict {
  readonly element = 'cannot-delete' as const;
}

/**
 * One value that is not unique (RFC 4825 §11.1 `<exists>`): `field` is a URI relative to the document,
 * starting with the root element and percent-encoded, with the query component when its node selector
 * uses prefixes (e.g. `rls-services/service/@uri`); `altValues` are suggested values that do not exist yet.
 */
export interface UniquenessExists {
  readonly field: string;
  readonly altValues?: readonly string[];
}

/** `<uniqueness-failure>`: the document would break a uniqueness constraint of the usage. */
export class UniquenessFailure extends XcapConflict {
  readonly element = 'uniqueness-failure' as const;

  /** `exists` must hold at least one entry (the schema's `maxOccurs="unbounded"` with `minOccurs` 1). */
  constructor(
    readonly exists: readonly UniquenessExists[],
    phrase?: string,
  ) {
    super(phrase);
    if (exists.length === 0) throw new Error('UniquenessFailure needs at least one <exists>');
  }

  protected override content(): string {
    return this.exists
      .map((e) => {
        const alts = (e.altValues ?? []).map((v) => `<alt-value>${escapeXmlText(v)}</alt-value>`).join('');
        const field = escapeXmlAttribute(e.field);
        return alts ? `<exists field="${field}">${alts}</exists>` : `<exists field="${field}"/>`;
      })
      .join('');
  }
}

/** `<constraint-failure>`: the document would fail a data constraint of the usage beyond the schema. */
export class ConstraintFailure extends XcapConflict {
  readonly element = 'constraint-failure' as const;
}

/** `<not-utf-8>`: the request would have produced a document not encoded in UTF-8 (RFC 4825 §5.3). */
export class NotUtf8 extends XcapConflict {
  readonly element = 'not-utf-8' as const;
}
