/**
 * The last row of a SIPp `-trace_stat` CSV file (semicolon-separated, header row first), read by column
 * name. Shared by the benchmarks that drive SIPp (bench/presence, bench/compare).
 */
export interface SippStatRow {
  /** The text of a column. @throws Error naming the column when it is missing. */
  cell(name: string): string;
  /** The numeric value of a column. @throws Error naming the column when it is missing or not a number. */
  num(name: string): number;
}

/** The header names and the last data row of a SIPp CSV file. @throws Error when it has no data row. */
export function lastSippRow(csv: string): { names: string[]; values: string[] } {
  const rows = csv.split(/\r?\n/).filter((r) => r.trim() !== '');
  if (rows.length < 2) throw new Error('SIPp statistics file has no data row');
  return { names: rows[0]!.split(';'), values: rows[rows.length - 1]!.split(';') };
}

/** @throws Error when the file has no data row. */
export function sippStatRow(csv: string): SippStatRow {
  const { names, values } = lastSippRow(csv);
  const cell = (name: string): string => {
    const i = names.indexOf(name);
    if (i < 0 || values[i] === undefined) throw new Error(`SIPp statistics have no column ${name}`);
    return values[i]!;
  };
  const num = (name: string): number => {
    const n = Number(cell(name));
    if (!Number.isFinite(n)) throw new Error(`SIPp statistics column ${name} is not a number: ${cell(name)}`);
    return n;
  };
  return { cell, num };
}
