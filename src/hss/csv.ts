/**
 * A CSV reader for the subscriber import (RFC 4180): fields separated by commas, records by CRLF or LF,
 * fields optionally enclosed in double quotes (which may then hold commas, line breaks and `""` for a
 * quote). A leading byte order mark is skipped; blank lines are skipped.
 */

/** One record: its fields and the line it starts on (1-based). */
export interface CsvRow {
  readonly line: number;
  readonly fields: string[];
}

/** A record that could not be read, and the line it starts on; reading goes on at the next line. */
export interface CsvSyntaxError {
  readonly line: number;
  readonly error: string;
}

/** Yields the records of `text` in order, or a syntax error for a record that breaks RFC 4180. */
export function* readCsv(text: string): Generator<CsvRow | CsvSyntaxError> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let error: string | undefined;
    // One record: fields until a line break or the end of the text.
    while (true) {
      let field = '';
      if (text[i] === '"') {
        i++;
        while (true) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            error = 'a quoted field is not closed';
            i = n;
            break;
          }
          field += text.slice(i, q);
          line += countLineBreaks(text, i, q);
          i = q + 1;
          if (text[i] !== '"') break;
          field += '"';
          i++;
        }
        if (error === undefined && i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          error = 'characters after a closing quote';
        }
      } else {
        let j = i;
        while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
        field = text.slice(i, j);
        if (field.includes('"')) error = 'a quote inside an unquoted field';
        i = j;
      }
      if (error !== undefined) break;
      fields.push(field);
      if (text[i] !== ',') break;
      i++;
    }
    if (error !== undefined) {
      // Go on with the next line.
      while (i < n && text[i] !== '\n') i++;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (error !== undefined) yield { line: start, error };
    else if (!(fields.length === 1 && fields[0] === '')) yield { line: start, fields };
  }
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) if (text.charCodeAt(k) === 10) count++;
  return count;
}
