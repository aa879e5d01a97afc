/**
 * The XML schema documents of this folder (origin and amendments in README.md) and the way libxml2
 * reads them: an in-memory input provider answering the schema loader's requests for
 * `presenced-schemas:/<file>` and for `http://www.w3.org/2001/xml.xsd`, so that compiling a schema never
 * touches the network or any other file.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XmlBufferInputProvider, xmlRegisterInputProvider } from 'libxml2-wasm';

/** One schema document of this folder. */
export interface SchemaFile {
  /** File name in src/xcap/schemas (dist/src/xcap/schemas once built). */
  readonly file: string;
  /** The namespace the schema defines (its `targetNamespace`). */
  readonly namespace: string;
  /**
   * A declaration the printed schema lacks, inserted right after its `<xs:schema …>` start tag when it
   * is loaded (README.md, "Amendments made when loading"); the file itself stays as printed.
   */
  readonly amendment?: string;
}

/** The schemas of the application usages, by the name of the language they define. */
export const SCHEMAS = {
  /** RFC 4745 §13. */
  commonPolicy: { file: 'common-policy.xsd', namespace: 'urn:ietf:params:xml:ns:common-policy' },
  /** RFC 5025 §7 (imports common-policy). */
  presRules: { file: 'pres-rules.xsd', namespace: 'urn:ietf:params:xml:ns:pres-rules' },
  /** OMA XDM common policy extensions (OMA-TS-XDM_Core). */
  omaCommonPolicy: { file: 'oma-common-policy.xsd', namespace: 'urn:oma:xml:xdm:common-policy' },
  /** OMA Presence SIMPLE pres-rules extensions (imports pres-rules). */
  omaPresRules: { file: 'oma-pres-rules.xsd', namespace: 'urn:oma:xml:prs:pres-rules' },
  /** RFC 4826 §3.2. */
  resourceLists: { file: 'resource-lists.xsd', namespace: 'urn:ietf:params:xml:ns:resource-lists' },
  /** RFC 4826 §4.2 (uses resource-lists). */
  rlsServices: {
    file: 'rls-services.xsd',
    namespace: 'urn:ietf:params:xml:ns:rls-services',
    amendment: '<xs:import namespace="urn:ietf:params:xml:ns:resource-lists"/>',
  },
  /** RFC 3863 §4.4. */
  pidf: { file: 'pidf.xsd', namespace: 'urn:ietf:params:xml:ns:pidf' },
  /** RFC 4479 §5.1 (includes common-schema.xsd). */
  dataModel: { file: 'data-model.xsd', namespace: 'urn:ietf:params:xml:ns:pidf:data-model' },
  /** RFC 4480 §5.1 (uses common-schema.xsd and data-model). */
  rpid: {
    file: 'rpid.xsd',
    namespace: 'urn:ietf:params:xml:ns:pidf:rpid',
    amendment: '<xs:include schemaLocation="common-schema.xsd"/>',
  },
  /** RFC 4825 §11.2. */
  xcapError: { file: 'xcap-error.xsd', namespace: 'urn:ietf:params:xml:ns:xcap-error' },
  /** RFC 4825 §12.2. */
  xcapCaps: { file: 'xcap-caps.xsd', namespace: 'urn:ietf:params:xml:ns:xcap-caps' },
} as const satisfies Record<string, SchemaFile>;

/** The base URI of the schema files as libxml2 sees them; relative schemaLocations resolve against it. */
export const SCHEMA_BASE_URI = 'presenced-schemas:/';

/** The address the RFC schemas import the XML namespace's schema from, served from `xml.xsd`. */
const XML_NAMESPACE_SCHEMA = 'http://www.w3.org/2001/xml.xsd';

let registered = false;

/** The schema text with its amendment, if any, after the `<xs:schema …>` start tag. */
function amended(text: string, amendment: string | undefined, file: string): string {
  if (amendment === undefined) return text;
  const start = /<xs:schema\b[^>]*>/.exec(text);
  if (!start) throw new Error(`${file}: no <xs:schema> start tag to amend`);
  const at = start.index + start[0].length;
  return `${text.slice(0, at)}\n${amendment}${text.slice(at)}`;
}

/**
 * Makes the schema files readable by libxml2's schema loader (once per process: input providers are
 * process-wide in libxml2). Reads every `.xsd` of this folder synchronously. Throws when the folder is
 * missing (the build did not copy the schemas: scripts/copy-assets.mjs).
 */
export function registerSchemaFiles(): void {
  if (registered) return;
  const dir = new URL('./', import.meta.url);
  const amendments = new Map<string, string | undefined>(
    Object.values(SCHEMAS).map((s: SchemaFile) => [s.file, s.amendment]),
  );
  const files = existsSync(dir) ? readdirSync(fileURLToPath(dir)).filter((f) => f.endsWith('.xsd')) : [];
  if (!files.includes(SCHEMAS.commonPolicy.file)) {
    throw new Error(`no XML schemas in ${fileURLToPath(dir)}: the build must run scripts/copy-assets.mjs`);
  }
  const provider = new XmlBufferInputProvider({});
  for (const file of files) {
    const text = readFileSync(new URL(file, dir), 'utf8');
    const bytes = Buffer.from(amended(text, amendments.get(file), file), 'utf8');
    provider.addBuffer(SCHEMA_BASE_URI + file, bytes);
    if (file === 'xml.xsd') provider.addBuffer(XML_NAMESPACE_SCHEMA, bytes);
  }
  if (!xmlRegisterInputProvider(provider)) throw new Error('libxml2: could not register the schema input provider');
  registered = true;
}
