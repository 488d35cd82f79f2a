/**
 * Screenshots of Home, Pareto and Orthogonality at 1280 × 900 and 390 × 844 (docs/screenshots/*.png), from a site
 * built over the SYNTHETIC fixture store (no training): `npm run screenshots`.
 * Env: BBIO_SHOT_DIST=<built dist/> reuses a build; BBIO_SHOT_PAGES=a,b picks pages; BBIO_SHOT_OUT=<dir> output folder.
 * Needs Debian's chromium at /usr/bin/chromium (playwright-core drives it; no browser is downloaded).
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { makeFixtureStore } from "../test/browser/fixture-store.ts";
import { buildSite, ROOT } from "../test/browser/build-site.ts";
import { serveDist } from "../test/browser/server.ts";

const pages = (process.env.BBIO_SHOT_PAGES ?? "index,pareto,orthogonality").split(",");
const out = process.env.BBIO_SHOT_OUT ?? join(ROOT, "docs", "screenshots");
let dist = process.env.BBIO_SHOT_DIST;
if (!dist) {
  const db = join(ROOT, "test-results", "fixture-shots.duckdb");
  rmSync(db, { force: true });
  await makeFixtureStore(db, { runs: 12, steps: 12, conflictRuns: true });
  dist = join(ROOT, "test-results", "site-shots");
  buildSite(db, dist, "/");
}
mkdirSync(out, { recursive: true });
const site = await serveDist(dist, "/");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
try {
  for (const [size, viewport] of [
    ["desktop", { width: 1280, height: 900 }],
    ["phone", { width: 390, height: 844 }],
  ] as const)
    for (const p of pages) {
      const page = await browser.newPage({ viewport });
      await page.goto(site.url + (p === "index" ? "" : `${p}.html`), { waitUntil: "networkidle" });
      await page.waitForTimeout(400);
      const file = join(out, `${p}-${size}.png`);
      await page.screenshot({ path: file, fullPage: true });
      process.stdout.write(`${file}\n`);
      await page.close();
    }
} finally {
  await browser.close();
  await site.close();
}
