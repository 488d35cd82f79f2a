/**
 * One error type for everything a user can cause (bad input, missing files, bad config).
 * The CLI prints `message` (+ `hint`) without a stack trace and exits with `exitCode`;
 * anything else is a bug and gets a stack trace.
 */
export class BbioError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "BbioError";
  }
}

/** Error for a missing or corrupt data file: names the file and the command that regenerates it. */
export function dataFileError(file: string, problem: string, regenerate: string): BbioError {
  return new BbioError(`${file}: ${problem}`, 2, `regenerate it with: ${regenerate}`);
}
