import type { SubscriberRecord } from '../store/ports.js';
import { readCsv } from './csv.js';
import { HssError } from './errors.js';
import type { CsvDefect } from './errors.js';
import type { SubscriberInput, SubscriberRegistry } from './subscriber-registry.js';

/** Bounds and callbacks of {@link importSubscribersCsv}. */
export interface CsvImportOptions {
  /** Largest input accepted, bytes (default 16 MiB). */
  maxBytes?: number;
  /** Most rows accepted, the header line not counted (default 200,000). */
  maxRows?: number;
  /** Rows written per atomic `putMany` (default 500). */
  batchSize?: number;
  /** Most defects listed in the error (default 100); all are counted. */
  maxDefects?: number;
  /** Called with the rows written so far and the rows to write: once before the first batch, then after each. */
  onProgress?: (done: number, total: number) => void;
}

/** What an import did. */
export interface CsvImportResult {
  /** Subscribers that did not exist before. */
  readonly added: number;
  /** Existing subscribers (same AOR) whose credentials, aliases and display name were replaced. */
  readonly updated: number;
}

/** The columns, in order; the first two are required. */
const COLUMNS = 'aor,password[,username][,aliases separated by ;][,display name]';

interface Row {
  line: number;
  record: SubscriberRecord;
}

/**
 * Imports subscribers from CSV (see ./csv.ts), one per row: `aor,password[,username][,aliases][,display
 * name]`, aliases separated by `;` (so written without URI parameters, as canonical AORs are), empty
 * optional columns meaning "not given". A first row whose first column is `aor` is a header and skipped.
 * Identities, usernames and display names are trimmed; passwords are taken exactly as written.
 *
 * Every row is checked before anything is written: its columns, identities, password and username (as
 * {@link SubscriberRegistry.prepare}), that no identity or username appears on two rows, and that none
 * belongs to a subscriber other than the row's own. Then the rows are written in batches of `batchSize`,
 * each batch atomic; a row whose AOR exists replaces that subscriber (keeping its creation time).
 *
 * @throws HssError `ERR_HSS_CSV` when the input is too large, not UTF-8, has too many rows, or has defective
 *   rows (listed by line in `defects`); nothing is written then. A store conflict arising from a
 *   concurrent change during the import fails with `ERR_HSS_CONFLICT` the batch it hits; earlier batches
 *   stay written.
 */
export async function importSubscribersCsv(
  registry: SubscriberRegistry,
  data: Buffer | string,
  opts: CsvImportOptions = {},
): Promise<CsvImportResult> {
  const maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
  const maxRows = opts.maxRows ?? 200_000;
  const maxDefects = opts.maxDefects ?? 100;
  const batchSize = Math.max(1, opts.batchSize ?? 500);
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (size > maxBytes) throw csvError(`the CSV input has ${size} bytes, more than the ${maxBytes} allowed`, []);
  const text = typeof data === 'string' ? data : decodeUtf8(data);

  const defects: CsvDefect[] = [];
  const rows = parseRows(registry, text, maxRows, defects);
  await checkOwners(registry, rows, defects);
  if (defects.length) {
    defects.sort((a, b) => a.line - b.line);
    const shown = defects.slice(0, maxDefects);
    const more = defects.length > shown.length ? ` (the first ${shown.length} are listed)` : '';
    const list = shown.map((d) => `  line ${d.line}: ${d.message}`).join('\n');
    throw csvError(`the CSV input has ${defects.length} defects${more}; nothing was imported\n${list}`, shown);
  }

  let updated = 0;
  const records: SubscriberRecord[] = [];
  for (const { record } of rows) {
    const existing = await registry.get(record.aor);
    if (existing) {
      updated++;
      record.createdAt = existing.createdAt;
    }
    records.push(record);
  }
  opts.onProgress?.(0, records.length);
  for (let i = 0; i < records.length; i += batchSize) {
    const batch = records.slice(i, i + batchSize);
    await registry.putMany(batch);
    opts.onProgress?.(i + batch.length, records.length);
  }
  return { added: records.length - updated, updated };
}

function csvError(message: string, defects: CsvDefect[]): HssError {
  return new HssError(message, 'ERR_HSS_CSV', defects);
}

function decodeUtf8(data: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw csvError('the CSV input is not valid UTF-8', []);
  }
}

/** The rows of `text` as records, with every defect of a single row or between rows added to `defects`. */
function parseRows(registry: SubscriberRegistry, text: string, maxRows: number, defects: CsvDefect[]): Row[] {
  const rows: Row[] = [];
  const identityLine = new Map<string, number>();
  const usernameLine = new Map<string, number>();
  let count = 0;
  let first = true;
  for (const row of readCsv(text)) {
    if ('error' in row) {
      defects.push({ line: row.line, message: row.error });
      continue;
    }
    const isHeader = first && row.fields[0]!.trim().toLowerCase() === 'aor';
    first = false;
    if (isHeader) continue;
    if (++count > maxRows) throw csvError(`the CSV input has more than ${maxRows} rows`, []);
    const input = inputOf(row.fields);
    if (typeof input === 'string') {
      defects.push({ line: row.line, message: input });
      continue;
    }
    let record: SubscriberRecord;
    try {
      record = registry.prepare(input);
    } catch (err) {
      if (!(err instanceof HssError)) throw err;
      defects.push({ line: row.line, message: err.message });
      continue;
    }
    const twice = [record.aor, ...record.aliases]
      .map((identity) => [identity, identityLine.get(identity)] as const)
      .find(([, line]) => line !== undefined);
    const userTwice = usernameLine.get(record.username);
    if (twice) defects.push({ line: row.line, message: `the identity ${twice[0]} is also on line ${twice[1]}` });
    else if (userTwice !== undefined) defects.push({ line: row.line, message: `the username ${record.username} is also on line ${userTwice}` });
    else {
      for (const identity of [record.aor, ...record.aliases]) identityLine.set(identity, row.line);
      usernameLine.set(record.username, row.line);
      rows.push({ line: row.line, record });
    }
  }
  return rows;
}

/** A row's columns as registry input, or what is wrong with them. */
function inputOf(fields: string[]): SubscriberInput | string {
  if (fields.length < 2 || fields.length > 5) return `expected 2 to 5 columns (${COLUMNS}), found ${fields.length}`;
  const [aor, password, username, aliases, displayName] = fields.map((f, i) => (i === 1 ? f : f.trim()));
  const input: SubscriberInput = { aor: aor!, password: password! };
  if (username) input.username = username;
  if (aliases) input.aliases = aliases.split(';').map((a) => a.trim()).filter((a) => a !== '');
  if (displayName) input.displayName = displayName;
  return input;
}

/** Adds a defect for every row naming an identity or username that belongs to another stored subscriber. */
async function checkOwners(registry: SubscriberRegistry, rows: Row[], defects: CsvDefect[]): Promise<void> {
  for (const { line, record } of rows) {
    for (const identity of [record.aor, ...record.aliases]) {
      const owner = await registry.resolveIdentity(identity);
      if (owner && owner.aor !== record.aor) {
        defects.push({ line, message: `the identity ${identity} belongs to the subscriber ${owner.aor}` });
        break;
      }
    }
    const user = await registry.findByUsername(record.username, record.realm);
    if (user && user.aor !== record.aor) {
      defects.push({ line, message: `the username ${record.username} belongs to the subscriber ${user.aor}` });
    }
  }
}
