/**
 * A protocol rejection (STYLE habit 6): handlers throw `SipError(status, reason)`, and the UAS core turns
 * it into one response. Bugs are ordinary `Error`s and are never sent to the peer as a reason phrase.
 */
export class SipError extends Error {
  /**
   * @param status final response status code, 300-699
   * @param reason reason phrase naming the defect, e.g. `Bad Via header: missing branch`
   * @param headers extra header lines for the response, e.g. `[['Min-Expires', '60']]`
   */
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly headers: ReadonlyArray<readonly [string, string]> = [],
  ) {
    super(`${status} ${reason}`);
    this.name = 'SipError';
  }
}
