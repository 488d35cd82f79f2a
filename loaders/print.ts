/**
 * Print one site file (or the whole archive) from the store, as the build's loader would:
 *   BBIO_DB=data/bbio.duckdb npx tsx loaders/print.ts scores.arrow > /tmp/scores.arrow
 *   npx tsx loaders/print.ts site.tar > /tmp/site.tar         npx tsx loaders/print.ts --list
 */
import { SITE_FILES, emit, emitSite } from "./emit.ts";

const file = process.argv[2];
if (!file || file === "--list") process.stdout.write(["site.tar", ...SITE_FILES].join("\n") + "\n");
else if (file === "site.tar") await emitSite();
else await emit(file);
