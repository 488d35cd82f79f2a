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

/**
 * A failure the user's environment caused (a full disk, a read-only or immutable file, a directory where a file was
 * expected, a path under a file), seen as a Node errno error or a DuckDB IO error, as one BbioError naming the file and
 * the fix; null for anything else (a bug: the CLI shows its stack trace with --debug).
 */
export function userFault(e: unknown): BbioError | null {
  if (e instanceof BbioError) return e;
  if (!(e instanceof Error)) return null;
  const err = e as NodeJS.ErrnoException;
  const msg = err.message ?? "";
  const file = err.path ?? /"([^"]+)"/.exec(msg)?.[1] ?? /'([^']+)'/.exec(msg)?.[1] ?? "a file";
  const has = (code: string, re: RegExp) => err.code === code || re.test(msg);
  if (/not a valid DuckDB database|Could not read enough bytes|Serialization Error|Corrupt/i.test(msg))
    return new BbioError(
      `${file} is not a readable DuckDB file (${msg.split("\n")[0]})`,
      2,
      "is it truncated or another kind of file? Restore it from a copy, or re-create it (bbio run / bbio merge)",
    );
  if (has("ENOSPC", /No space left on device/i) || err.code === "EDQUOT")
    return new BbioError(
      `no space left on the device holding ${file}`,
      2,
      "free disk space, or point --db / --cache / BBIO_CACHE at a disk with room; finished stages stay cached and the run resumes",
    );
  if (has("EROFS", /Read-only file system/i))
    return new BbioError(`${file} is on a read-only file system`, 2, "use a path on a writable disk (--db, --cache)");
  if (has("EACCES", /Permission denied/i) || has("EPERM", /Operation not permitted/i))
    return new BbioError(
      `${file} cannot be written (${err.code ?? "permission denied"})`,
      2,
      "check its permissions (or chattr -i for an immutable file), or use another path",
    );
  if (has("EISDIR", /Is a directory/i))
    return new BbioError(`${file} is a directory, a file was expected`, 2, "give a file path (e.g. --db data/bbio.duckdb)");
  if (has("ENOTDIR", /Not a directory/i))
    return new BbioError(`${file}: a part of this path is a file, not a folder`, 2, "give a path whose folders are folders");
  return null;
}
