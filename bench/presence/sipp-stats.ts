import { sippStatRow } from '../sipp-csv.js';

/** The figures of a SIPp run this benchmark reports, read from its `-trace_stat` CSV file. */
export interface SippStats {
  /** Calls started per second over the run, as SIPp computed it ("CallRate(C)"). */
  callRate: number;
  /** Calls created ("TotalCallCreated"). */
  created: number;
  successful: number;
  failed: number;
  /** Requests and responses SIPp sent again after Timer A/E style timeouts ("Retransmissions(C)"). */
  retransmissions: number;
  /** Messages SIPp could not place in any call ("OutOfCallMsgs(C)" + "DeadCallMsgs(C)"). */
  strayMessages: number;
  /** Mean response time 1 ("ResponseTime1(C)": call start to the message marked rtd="true"), ms. */
  meanResponseMs: number;
}

/** A SIPp duration `HH:MM:SS:microseconds` in milliseconds. */
export function sippDurationMs(text: string): number {
  const m = /^(\d+):(\d+):(\d+):(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`not a SIPp duration: ${JSON.stringify(text)}`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]) / 1000;
}

/**
 * Reads the cumulative columns of the last row of a SIPp `-trace_stat` CSV file (semicolon-separated,
 * header row first). Throws naming the column when one is missing or not a number.
 */
export function parseSippStats(csv: string): SippStats {
  const { cell, num } = sippStatRow(csv);
  return {
    callRate: num('CallRate(C)'),
    created: num('TotalCallCreated'),
    successful: num('SuccessfulCall(C)'),
    failed: num('FailedCall(C)'),
    retransmissions: num('Retransmissions(C)'),
    strayMessages: num('OutOfCallMsgs(C)') + num('DeadCallMsgs(C)'),
    meanResponseMs: sippDurationMs(cell('ResponseTime1(C)')),
  };
}
