/**
 * XML Schema validation of XCAP documents (RFC 4825 §8.2.5: the document a PUT would produce MUST be
 * valid against the application usage's schema) with libxml2 (libxml2-wasm). A schema set is compiled
 * once; each validation parses the document into wasm memory, validates it and frees it again.
 */
import { ParseOption, XmlDocument, XmlError, XmlLibError, XsdValidator } from 'libxml2-wasm';
import { NotWellFormed, SchemaValidationError } from '../errors.js';
import { registerSchemaFiles, SCHEMA_BASE_URI } from './schema-catalogue.js';
import type { SchemaFile } from './schema-catalogue.js';

// Documents are parsed without network access and without loading external entities or DTDs (the
// XML guard already refused DOCTYPEs; this is the second line).
const PARSE_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE;

/** The root element of the documents of a schema set: its namespace and local name. */
export interface RootElement {
  readonly namespace: string;
  readonly localName: string;
}

/** The first libxml2 diagnostic of a failure as one line: `line N: message`. */
function firstProblem(error: unknown): string {
  if (error instanceof XmlLibError && error.details.length > 0) {
    const first = error.details[0]!;
    const text = first.message.trim();
    return first.line > 0 ? `line ${first.line}: ${text}` : text;
  }
  return error instanceof Error ? error.message.trim() : String(error);
}

/** The schema document that imports `files` in order (a file's imports must come before it). */
function driverSchema(files: readonly SchemaFile[]): string {
  const imports = files.map((f) => `<xs:import namespace="${f.namespace}" schemaLocation="${f.file}"/>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">${imports}</xs:schema>`;
}

/**
 * A compiled set of schemas and the validation of documents against it. Holds wasm memory until
 * {@link SchemaValidator.dispose} (or garbage collection of the object).
 */
export class SchemaValidator {
  private constructor(
    private readonly xsd: XsdValidator,
    /** The root element every valid document has. */
    readonly root: RootElement,
    /** The namespaces of the compiled schemas, in import order. */
    readonly namespaces: readonly string[],
  ) {}

  /**
   * Compiles the schemas `files` into one set whose documents have the root element `root` (a schema
   * set declares several global elements, any of which XSD would accept as a root: the application
   * usage fixes one, RFC 4825 §5.3). List every file after those it imports (e.g.
   * common-policy before pres-rules), since a schema's `xs:import` without a schemaLocation resolves to
   * a namespace imported before. Throws (a bug or a broken installation, never a protocol error) when the
   * schemas do not compile.
   */
  static compile(files: readonly SchemaFile[], root: RootElement): SchemaValidator {
    registerSchemaFiles();
    const driver = XmlDocument.fromString(driverSchema(files), { url: `${SCHEMA_BASE_URI}driver.xsd` });
    try {
      return new SchemaValidator(XsdValidator.fromDoc(driver), root, files.map((f) => f.namespace));
    } catch (error) {
      throw new Error(`XML schemas ${files.map((f) => f.file).join(', ')} do not compile: ${firstProblem(error)}`);
    } finally {
      driver.dispose();
    }
  }

  /**
   * Validates a complete document (UTF-8 XML text). Returns undefined when it is valid, a
   * {@link SchemaValidationError} whose phrase names the line and the first violation (or the wrong root
   * element) when it is not (RFC 4825 §8.2.5, §11.1), or {@link NotWellFormed} when libxml2 cannot parse
   * it at all.
   */
  validate(document: string | Uint8Array): SchemaValidationError | NotWellFormed | undefined {
    let doc: XmlDocument;
    try {
      doc = typeof document === 'string' ? XmlDocument.fromString(document, { option: PARSE_OPTIONS }) : XmlDocument.fromBuffer(document, { option: PARSE_OPTIONS });
    } catch (error) {
      return new NotWellFormed(firstProblem(error));
    }
    try {
      const root = doc.root;
      if (root.name !== this.root.localName || root.namespaceUri !== this.root.namespace) {
        const found = root.namespaceUri ? `<${root.name}> in namespace ${root.namespaceUri}` : `<${root.name}> in no namespace`;
        return new SchemaValidationError(`the root element must be <${this.root.localName}> in namespace ${this.root.namespace}, not ${found}`);
      }
      this.xsd.validate(doc);
      return undefined;
    } catch (error) {
      // libxml2 reports the violations (XmlValidateError), or fails as a whole (XmlError) on documents it
      // cannot validate, such as ones with entity references the server's screening would have refused.
      if (error instanceof XmlError) return new SchemaValidationError(firstProblem(error));
      throw error;
    } finally {
      doc.dispose();
    }
  }

  /** Frees the compiled schemas. The validator must not be used afterwards. */
  dispose(): void {
    this.xsd.dispose();
  }
}
