/** Where the run store lives by default: $BBIO_DB or data/bbio.duckdb (git-ignored). Dependency-free, so CLI modules
 *  can import it without loading DuckDB. */
export function defaultDbPath(): string {
  return process.env.BBIO_DB || "data/bbio.duckdb";
}

/** The store a command should use: its --db option, else the default. */
export function dbOf(opts: { db?: string }): string {
  return opts.db || defaultDbPath();
}
