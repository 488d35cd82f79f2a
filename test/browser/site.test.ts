/**
 * The built site in a real browser (Debian chromium via playwright-core; never a downloaded browser).
 * Builds the site with `scripts/build.sh` from a SYNTHETIC fixture store (test/browser/fixture-store.ts) and the
 * conflict control's real SFT checkpoint for the Live page (tiny-site.ts, shared with live-page.test.ts), serves
 * dist/ under a sub-path like a static host, and checks every page: no console errors, no failed requests, charts
 * with marks bound to data, and the interactions (axis select, step scrubber, what-if sliders); every route at
 * 1280 × 900 and 390 × 844 (layout-checks.ts: widths, label lengths, links on a plain static server); one colour per
 * method across pages.
 * Screenshots: test-results/screenshots/<page>.png.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { makeFixtureStore } from "./fixture-store.ts";
import { buildSite, ROOT } from "./build-site.ts";
import { TINY_BASE, type TinySite, tinySite } from "./tiny-site.ts";
import { serveDist } from "./server.ts";
import { layoutProblems } from "./layout-checks.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const PAGES = ["", "pareto", "orthogonality", "training", "ablations", "data", "paper", "what-if", "live"];
const OUT = join(ROOT, "test-results");
const SHOTS = join(OUT, "screenshots");
const haveChromium = existsSync(CHROMIUM);

let browser: Browser;
let site: Awaited<ReturnType<typeof serveDist>>;
let dist = "";

/** Open a page, recording console errors and failed requests, and wait until every cell has rendered. */
async function open(page: Page, path: string) {
  const problems: string[] = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  await page.goto(site.url + path, { waitUntil: "networkidle" });
  await page.waitForTimeout(300);
  const cellErrors = await page.$$eval(".observablehq--error", (els) => els.map((e) => e.textContent));
  return { problems: [...problems, ...cellErrors.map((t) => `cell error: ${t}`)] };
}

/** SVG marks (Plot mark groups' children) + canvases under an element: > 0 means data reached the chart. */
const marksIn = (page: Page, selector: string) =>
  page.$$eval(selector, (els) => els.map((el) => el.querySelectorAll("g[aria-label] > *:not(title), canvas").length));

// Every site this file reads is built first: the tiny site's conflict-control SFT stage (one thread, tiny-site.ts) runs
// while the empty-store and 1,000-run sites are built on the other core. The builds themselves run one after another
// (they share docs/.observablehq/cache).
let tiny: Promise<TinySite> | null = null;
let build1000 = 0;
beforeAll(async () => {
  if (!haveChromium) return;
  tiny = tinySite();
  tiny.catch(() => {}); // awaited below, after the other builds: no unhandled rejection meanwhile
  buildSite(join(OUT, "no-such-store.duckdb"), join(OUT, "site-empty"));
  const db = join(OUT, "fixture-1000.duckdb");
  rmSync(db, { force: true });
  await makeFixtureStore(db, { runs: 1000, steps: 0, items: 200, distinctConfigs: true });
  build1000 = buildSite(db, join(OUT, "site-1000"));
  await tiny;
}, 900_000);

describe.skipIf(!haveChromium)("workbench site in chromium", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // the fixture store, with the Live page's real conflict-control checkpoint; shared with live-page.test.ts
    ({ dist } = await tiny!);
    site = await serveDist(dist, TINY_BASE);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  // the desktop pass of the layout checks rides on these page loads (one load per route, not two); the phone pass and
  // the links' check follow below
  const desktopLinks = new Set<string>();
  test.each(PAGES)(
    "page /%s at 1280 × 900 loads without errors, its charts have marks, its layout passes layout-checks.ts, screenshot saved",
    async (path) => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const { problems } = await open(page, path);
      const layout = await layoutProblems(page);
      expect([...problems, ...layout.problems]).toEqual([]);
      for (const l of layout.links) {
        const rel = l.replace(/#.*$/, "").replace(site.url, "");
        // an in-page anchor resolves to the clean URL this test opened; the page's own links name its .html file
        desktopLinks.add(rel === path && path !== "" ? `${path}.html` : rel);
      }
      const charts = await marksIn(page, "main [data-chart]");
      const tables = await page.$$eval("main [data-table]", (els) => els.map((el) => el.querySelectorAll("tbody tr").length));
      if (path !== "") expect(charts.length + tables.length).toBeGreaterThan(0); // every page but Home names its charts
      for (const n of [...charts, ...tables]) expect(n).toBeGreaterThan(0);
      expect(await page.$$eval("main", (m) => m[0].querySelectorAll("svg").length + m[0].querySelectorAll("table").length)).toBeGreaterThan(
        0,
      );
      expect(await page.textContent("main")).toContain("Built from commit");
      await page.screenshot({ path: join(SHOTS, `${path || "index"}.png`), fullPage: true });
      await page.close();
    },
  );

  test("Pareto: changing the y-axis select redraws the plot with the new axis label; filters and click-to-select work", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await open(page, "pareto");
    const label = () =>
      page.$eval("[data-chart=pareto]", (el) =>
        Array.from(el.querySelectorAll("g[aria-label='y-axis label'] text, g[aria-label='y-axis label']"))
          .map((t) => t.textContent)
          .join(""),
      );
    expect(await label()).toContain("Reasoning");
    await page.getByLabel("y axis", { exact: true }).selectOption({ label: "Integration" });
    await page.waitForFunction(() =>
      document.querySelector("[data-chart=pareto] g[aria-label='y-axis label']")?.textContent?.includes("Integration"),
    );
    expect(await label()).toContain("Integration");
    expect((await marksIn(page, "[data-chart=pareto]"))[0]).toBeGreaterThan(0);
    // filters: dropping the "dynamic" weight strategy removes that config's point
    const dots = () => page.$eval("[data-chart=pareto] g[aria-label=dot]", (g) => g.querySelectorAll("circle").length);
    const nBefore = await dots();
    await page.getByLabel("dynamic", { exact: true }).uncheck();
    await page.waitForFunction(
      (n) => (document.querySelector("[data-chart=pareto] g[aria-label=dot]")?.querySelectorAll("circle").length ?? 0) < n,
      nBefore,
    );
    await page.getByLabel("dynamic", { exact: true }).check();
    await page.waitForFunction(
      (n) => (document.querySelector("[data-chart=pareto] g[aria-label=dot]")?.querySelectorAll("circle").length ?? 0) === n,
      nBefore,
    );
    // clicking a point selects its config and links to its runs' details
    expect(await page.$("[data-selected]")).toBeNull();
    const dot = page.locator("[data-chart=pareto] g[aria-label=dot] circle").first();
    const box = (await dot.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForSelector("[data-selected]");
    expect(await page.$$eval("[data-selected] a[href*='training.html#run=']", (a) => a.length)).toBeGreaterThan(0);
    // the selection is in the URL (shareable) and its table row is selected
    expect(await page.evaluate(() => location.hash)).toContain("config=");
    expect(await page.$$eval("[data-table=configs] tbody input:checked", (els) => els.length)).toBe(1);
    // keyboard: a point is focusable and Enter selects it
    const focusable = await page.$$eval("[data-chart=pareto] circle[tabindex='0']", (els) => els.length);
    expect(focusable).toBeGreaterThan(0);
    await page.close();
  });

  test("Pareto: switching the score definition (strict → partial credit) moves the points and changes the hypervolume", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await open(page, "pareto");
    expect(await page.textContent("[data-definition-note]")).toContain("paper's numbers");
    const definition = page.getByLabel("score definition", { exact: true });
    expect(await definition.evaluate((el: HTMLSelectElement) => el.selectedOptions[0].textContent)).toMatch(/^strict \(paper's definition/); // the default
    // integration on the y axis: the fixture's partial credit there is above its strict score
    await page.getByLabel("y axis", { exact: true }).selectOption({ label: "Integration" });
    await page.waitForFunction(() =>
      document.querySelector("[data-chart=pareto] g[aria-label='y-axis label']")?.textContent?.includes("Integration"),
    );
    const state = () =>
      page.evaluate(() => ({
        hv: document.querySelector("[data-hv]")?.textContent ?? "",
        def: document.querySelector("[data-definition]")?.getAttribute("data-definition"),
        dots: Array.from(document.querySelectorAll("[data-chart=pareto] g[aria-label=dot] circle"))
          .map((c) => `${c.getAttribute("cx")},${c.getAttribute("cy")}`)
          .join(" "),
        yTicks: Array.from(document.querySelectorAll("[data-chart=pareto] g[aria-label='y-axis tick label'] text"))
          .map((t) => t.textContent)
          .join(","),
      }));
    const before = await state();
    expect(before.def).toBe("strict");
    await definition.selectOption({ label: "partial credit (mean rule-based score)" });
    await page.waitForFunction(
      (hv) =>
        document.querySelector("[data-definition]")?.getAttribute("data-definition") === "partial" &&
        document.querySelector("[data-hv]")?.textContent !== hv,
      before.hv,
    );
    const after = await state();
    expect(Number(after.hv)).toBeGreaterThan(Number(before.hv)); // partial credit ≥ strict on every capability
    expect(after.dots + after.yTicks).not.toEqual(before.dots + before.yTicks); // the points moved (or the axis rescaled under them)
    expect((await marksIn(page, "[data-chart=pareto]"))[0]).toBeGreaterThan(0);
    // and back: the strict numbers return exactly
    await definition.selectOption({ index: 0 });
    await page.waitForFunction((hv) => document.querySelector("[data-hv]")?.textContent === hv, before.hv);
    await page.close();
  });

  test("What-if and Ablations: the score definition changes the weighted best score and the grid", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await open(page, "what-if");
    const best = () => page.textContent("[data-best-score]");
    const before = await best();
    await page.getByLabel("score definition", { exact: true }).selectOption({ label: "partial credit (mean rule-based score)" });
    await page.waitForFunction(
      (b) =>
        document.querySelector("[data-definition]")?.getAttribute("data-definition") === "partial" &&
        document.querySelector("[data-best-score]")?.textContent !== b,
      before,
    );
    expect(Number(await best())).toBeGreaterThan(Number(before));
    await page.close();
    const abl = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const { problems } = await open(abl, "ablations");
    const grid = () => abl.$eval("[data-table=ablations]", (el) => el.querySelector("tbody")?.textContent ?? "");
    const gridBefore = await grid();
    await abl.getByLabel("score definition", { exact: true }).selectOption({ label: "partial credit (mean rule-based score)" });
    await abl.waitForFunction((g) => (document.querySelector("[data-table=ablations] tbody")?.textContent ?? "") !== g, gridBefore);
    expect(problems).toEqual([]);
    await abl.close();
  });

  test("Orthogonality: moving the step scrubber changes the heatmap", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await open(page, "orthogonality");
    const heat = () =>
      page.$eval(
        "[data-chart=heatmaps]",
        (el) =>
          Array.from(el.querySelectorAll("g[aria-label=cell] rect"))
            .map((r) => r.getAttribute("fill"))
            .join(",") + el.textContent,
      );
    const before = await heat();
    const range = page.locator("input[type=range]").first();
    await range.evaluate((el: HTMLInputElement) => {
      el.value = el.min;
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await page.waitForFunction((b) => {
      const el = document.querySelector("[data-chart=heatmaps]");
      return (
        el &&
        Array.from(el.querySelectorAll("g[aria-label=cell] rect"))
          .map((r) => r.getAttribute("fill"))
          .join(",") +
          el.textContent !==
          b
      );
    }, before);
    expect(await heat()).not.toEqual(before);
    expect(await page.textContent("[data-chart=heatmaps]")).toContain("step 1");
    await page.close();
  });

  test("Home: the paired comparisons are seed-level, with a verdict and each seed's score", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await open(page, "");
    const head = await page.$$eval("[data-table=paired] thead th", (ths) => ths.map((th) => th.textContent?.trim() ?? ""));
    expect(head).toEqual(expect.arrayContaining(["difference [95% CI]", "MDD", "verdict", "per seed", "per seed (vs)"]));
    const body = (await page.textContent("[data-table=paired] tbody")) ?? "";
    // 2 seeds per fixture config: every verdict is a direction backed by seeds, or undecided at 2 seeds
    expect(body).toMatch(/undecided at 2 seeds|higher|lower/);
    expect(body).not.toContain("*");
    expect(body).toMatch(/\d\.\d\d \/ \d\.\d\d/);
    await page.close();
  });

  test("Orthogonality: the conflict control reads the sampled slot scores and says which method clears plain GRPO's range", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await open(page, "orthogonality");
    const rows = await page.$$eval("[data-table=conflict] tbody tr", (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent?.trim() ?? "")),
    );
    const byMethod = Object.fromEntries(rows.map((r) => [r.find((c) => /^(sft-only|sum|pcgrad)$/.test(c)), r]));
    expect(Object.keys(byMethod).sort()).toEqual(["pcgrad", "sft-only", "sum"]);
    // sampled lower-case range: sum 0.01–0.05, pcgrad 0.20–0.24 (the greedy scores would say 0 for both); 5 vs 5
    // disjoint seeds: exact rank-test p = 1/252 = 0.004 (one method, so Holm leaves it)
    expect(byMethod.pcgrad).toContain("0.20");
    expect(byMethod.pcgrad).toContain("0.24");
    expect(byMethod.pcgrad).toContain("0.004");
    expect(byMethod.pcgrad).toContain("above every seed");
    expect(byMethod.sum).not.toContain("above every seed");
    // the sentence above the table is computed from the same runs
    const story = await page.textContent("[data-conflict-story]");
    expect(story).toContain("falls below its SFT-only start (0.22) in every one of 5 seed(s) (0.01–0.05)");
    expect(story).toContain("pcgrad (p = 0.004)");
    await page.close();
  });

  test("What-if: the sliders change the front", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await open(page, "what-if");
    const front = () => page.getAttribute("[data-front]", "data-front");
    const before = await front();
    // only one capability left that matters: the front collapses to that capability's best config
    const ranges = page.locator("input[type=range]");
    for (let i = 1; i < 4; i++)
      await ranges.nth(i).evaluate((el: HTMLInputElement) => {
        el.value = "0";
        el.dispatchEvent(new Event("input", { bubbles: true }));
      });
    await page.waitForFunction((b) => document.querySelector("[data-front]")?.getAttribute("data-front") !== b, before);
    const after = await front();
    expect(after).not.toEqual(before);
    expect(after!.split(" | ").length).toBeLessThan(before!.split(" | ").length);
    await page.close();
  });

  test("Training: opens on the default world's runs coloured by method; grouping by config averages the seeds", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await open(page, "training");
    const legend = () =>
      page.$$eval("[data-chart=rewards] [class$=-swatch]", (els) => els.map((e) => e.textContent?.trim()).filter(Boolean));
    const lines = () => page.$$eval("[data-chart=rewards] svg g[aria-label=line] path", (els) => els.length);
    const before = await legend();
    expect(before.length).toBeGreaterThan(0);
    for (const m of before) expect(["sft-only", "sum", "pcgrad", "mgda", "cagrad", "aligned_mtl", "cagrpo"]).toContain(m); // methods, not runs
    const chosen = await page.$$eval("select[multiple] option:checked", (os) => os.map((o) => o.textContent ?? ""));
    expect(chosen.some((t) => t.includes("conflict") && !t.includes("no conflict"))).toBe(false); // default world first
    const nBefore = await lines();
    await page.locator("input[type=radio][value='1']").first().check(); // "mean over seeds per config"
    await page.waitForFunction((n) => document.querySelectorAll("[data-chart=rewards] svg g[aria-label=line] path").length < n, nBefore);
    expect(await page.evaluate(() => location.hash)).toContain("lines=config");
    expect((await marksIn(page, "[data-chart=rewards]"))[0]).toBeGreaterThan(0);
    await page.close();
  });

  /** the internal links that do not resolve on a plain static server (no clean URLs: the pages' links end in .html) */
  async function brokenLinks(links: Set<string>): Promise<string[]> {
    const plain = await serveDist(dist, TINY_BASE, { cleanUrls: false });
    try {
      const broken: string[] = [];
      for (const l of links) {
        const r = await fetch(plain.url + l);
        if (r.status !== 200) broken.push(`${l}: HTTP ${r.status}`);
      }
      return broken;
    } finally {
      await plain.close();
    }
  }

  test("every route at 1280 × 900 (the page loads above): no internal link that 404s on a plain static server", async () => {
    expect(desktopLinks.size).toBeGreaterThan(PAGES.length);
    expect(await brokenLinks(desktopLinks)).toEqual([]);
  });

  test("every route at 390 × 844: no console error, nothing wider than the viewport outside a scrolling box, no label over 80 characters, no internal link that 404s on a plain static server", async () => {
    const [width, height] = [390, 844];
    const links = new Set<string>();
    const all: string[] = [];
    for (const path of PAGES) {
      const page = await browser.newPage({ viewport: { width, height } });
      // the pages' own links end in .html: open them as a plain static host serves them
      const { problems } = await open(page, path ? `${path}.html` : "");
      const layout = await layoutProblems(page);
      all.push(...[...problems, ...layout.problems].map((p) => `/${path} @${width}: ${p}`));
      for (const l of layout.links) links.add(l.replace(/#.*$/, "").replace(site.url, ""));
      await page.close();
    }
    expect(all).toEqual([]);
    expect(links.size).toBeGreaterThan(PAGES.length);
    expect(await brokenLinks(links)).toEqual([]);
  });

  test("a method has the same colour on Pareto, Orthogonality, Training and Ablations, before and after a filter change", async () => {
    const swatches = (page: Page) =>
      page.$$eval("main [class$=-swatch]", (els) =>
        els.map(
          (e) =>
            [
              e.textContent?.trim() ?? "",
              (e.querySelector("svg")?.getAttribute("fill") || e.querySelector("[fill]")?.getAttribute("fill")) ?? "",
            ] as const,
        ),
      );
    const colours: Record<string, Set<string>> = {};
    const record = (entries: (readonly [string, string])[]) => {
      for (const [m, fill] of entries)
        if (["sft-only", "sum", "pcgrad", "mgda", "cagrpo"].includes(m)) (colours[m] ??= new Set()).add(`${fill.toLowerCase()}`);
      return entries.map(([m]) => m);
    };
    const seen: Record<string, string[]> = {};
    for (const path of ["pareto", "orthogonality", "training", "ablations"]) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await open(page, path);
      seen[path] = record(await swatches(page));
      if (path === "pareto") {
        // a filter change: drop SFT-only; every other method keeps its colour
        await page.getByLabel("sft-only", { exact: true }).uncheck();
        await page.waitForFunction(
          () =>
            !Array.from(document.querySelectorAll("[data-chart=pareto] [class$=-swatch]")).some(
              (e) => e.textContent?.trim() === "sft-only",
            ),
        );
        record(await swatches(page));
      }
      if (path === "training") {
        await page.locator("input[type=radio][value='1']").first().check();
        await page.waitForTimeout(300);
        record(await swatches(page));
      }
      await page.close();
    }
    for (const path of Object.keys(seen)) expect(seen[path], path).toContain("pcgrad");
    expect(colours.pcgrad).toEqual(new Set(["#d55e00"])); // Okabe–Ito vermillion, everywhere
    expect(colours.sum).toEqual(new Set(["#0072b2"])); // Okabe–Ito blue
    for (const [m, fills] of Object.entries(colours)) expect(fills.size, m).toBe(1);
  });

  test("dist/ has no absolute machine paths or environment values, and states its commit and data hash", () => {
    const needles = ["/work/", "/root/", "/tmp/", homedir() + "/", ROOT];
    if (hostname().length >= 6) needles.push(hostname()); // a short hostname ("vm") matches minified code by chance
    const hits: string[] = [];
    const walk = (d: string): void => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (!/\.(wasm|png)$/.test(f)) {
          const text = readFileSync(p, "latin1");
          for (const n of needles) if (text.includes(n)) hits.push(`${p.slice(dist.length)}: ${n}`);
        }
      }
    };
    walk(dist);
    expect(hits).toEqual([]);
    const buildJson = readdirSync(join(dist, "_file", "data", "site")).find((f) => f.startsWith("build."));
    const meta = JSON.parse(readFileSync(join(dist, "_file", "data", "site", buildJson!), "utf8"));
    expect(meta.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(meta.data_hashes).toEqual(["fixturedata00001"]);
  });
});

describe.skipIf(!haveChromium)("an empty store: pages say so instead of erroring", () => {
  let empty: Awaited<ReturnType<typeof serveDist>>;
  let b: Browser;
  beforeAll(async () => {
    empty = await serveDist(join(OUT, "site-empty"), "/");
    b = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await b?.close();
    await empty?.close();
  });
  test("every page loads without errors and shows a 'no data' notice", async () => {
    for (const path of PAGES) {
      const page = await b.newPage();
      const problems: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(`/${path} console: ${m.text()}`));
      page.on("pageerror", (e) => problems.push(`/${path} pageerror: ${e.message}`));
      await page.goto(empty.url + path, { waitUntil: "networkidle" });
      await page.waitForTimeout(200);
      problems.push(...(await page.$$eval(".observablehq--error", (els) => els.map((e) => `cell error: ${e.textContent}`))));
      expect(problems).toEqual([]);
      if (path !== "paper") expect(await page.$$eval("[data-empty]", (els) => els.length), `/${path} notice`).toBeGreaterThan(0);
      else expect(await page.textContent("main")).toContain("not testable");
      await page.close();
    }
  });
});

describe.skipIf(!haveChromium)("performance: 1,000 runs stored (synthetic store)", () => {
  let big: Awaited<ReturnType<typeof serveDist>>;
  let b: Browser;
  beforeAll(async () => {
    big = await serveDist(join(OUT, "site-1000"), "/");
    b = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await b?.close();
    await big?.close();
  });
  test("the Pareto explorer (1,000 runs = 1,000 points) loads and becomes interactive in about a second", async () => {
    // load-to-interactive = navigation start → the Pareto chart has its dots AND the axis select is enabled
    const times: number[] = [];
    const context = await b.newContext({ viewport: { width: 1200, height: 900 } });
    for (let i = 0; i < 3; i++) {
      const page = await context.newPage(); // first load is cold (empty HTTP cache), the rest warm
      await page.goto(big.url + "pareto");
      await page.waitForFunction(
        () => {
          const c = document.querySelector("[data-chart=pareto]");
          const sels = Array.from(document.querySelectorAll("form select")) as HTMLSelectElement[]; // definition, x axis, y axis
          return (
            !!c && c.querySelectorAll("g[aria-label=dot] > circle").length >= 1000 && sels.length >= 3 && sels.every((s) => !s.disabled)
          );
        },
        undefined,
        { timeout: 30_000 },
      );
      times.push(await page.evaluate(() => performance.now()));
      await page.close();
    }
    await context.close();
    const warm = Math.min(...times.slice(1)); // best warm load: the least disturbed by other processes
    const result = {
      runs: 1000,
      build_s: +build1000.toFixed(1),
      cold_ms: Math.round(times[0]),
      warm_best_ms: Math.round(warm),
      all_ms: times.map(Math.round),
      note: "shared 2-core machine: noisy",
    };
    writeFileSync(join(OUT, "perf-1000-runs.json"), JSON.stringify(result, null, 1));
    process.stderr.write(`perf (1,000 runs, /pareto): ${JSON.stringify(result)}\n`);
    expect(warm).toBeLessThan(5000); // the target is ~1 s; this bound only catches gross regressions on a busy CI box
  });
});
