/**
 * Build the real site (scripts/build.sh, i.e. `npm run build`) from a given store into a given dist dir, skipping the
 * pipeline: the browser tests feed it the synthetic fixture store (and, in `env`, e.g. BBIO_CACHE: a stage cache holding
 * the conflict control's SFT checkpoint for the Live page). Returns the build's wall time.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export function buildSite(db: string, dist: string, base = "/", env: Record<string, string> = {}): number {
  const t0 = performance.now();
  execFileSync("bash", ["scripts/build.sh"], {
    cwd: ROOT,
    env: {
      ...process.env,
      BBIO_SKIP_PIPELINE: "1",
      BBIO_DB: db,
      BBIO_DIST: dist,
      BBIO_BASE: base,
      OBSERVABLE_TELEMETRY_DISABLE: "true",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 300_000,
  });
  return (performance.now() - t0) / 1000;
}
