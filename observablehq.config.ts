/**
 * Observable Framework config for the BalancedBio workbench site (docs/ → dist/).
 *
 * Offline build (measured with Framework 1.13.4: without each of these, `observable build` reaches the network and
 * fails offline): `globalStylesheets: []` (the default theme links Google Fonts), DuckDB's json/parquet extensions
 * off (they would be downloaded from extensions.duckdb.org at build time), and every `npm:` import served from
 * docs/.observablehq/cache/_npm, which scripts/prefill-npm-cache.mjs fills from node_modules before each build.
 * `base` comes from BBIO_BASE so dist/ can be served from a sub-path (e.g. BBIO_BASE=/bbio/ npm run build).
 */
export default {
  title: "BalancedBio Workbench",
  root: "docs",
  output: process.env.BBIO_DIST || "dist",
  base: process.env.BBIO_BASE || "/",
  globalStylesheets: [],
  // an empty inline icon: otherwise the browser asks the host for /favicon.ico (a 404 on most static hosts)
  // Site-wide styles (issue 20): a table scrolls inside its own box, never the page (a phone shows every column by
  // scrolling the table); export buttons; charts never overflow. `lang` is set on <html> by scripts/build.sh (Framework
  // 1.13 has no option for it); the script here sets it too for `npm run dev`.
  head: `<link rel="icon" href="data:,">
<script>document.documentElement.lang = "en";</script>
<style>
main form.inputs-3a86ea-table, main .scroll-x { max-width: 100%; overflow-x: auto; }
main table:not(form table) { display: block; max-width: 100%; overflow-x: auto; }
main svg { max-width: 100%; height: auto; }
main figure { max-width: 100%; overflow-x: auto; }
main .export { display: flex; gap: 6px; margin: 4px 0 12px; }
main .export button { font: 12px var(--sans-serif); padding: 2px 8px; cursor: pointer; }
main details pre { white-space: pre-wrap; word-break: break-all; font-size: 12px; max-height: 20em; overflow: auto; }
main [data-chart] circle[tabindex]:focus { outline: 2px solid #0072B2; outline-offset: 2px; }
</style>`,
  // (tried `platforms: {mvp: false}` to halve dist/: Framework 1.13.4's client then fails with
  //  "Cannot read properties of undefined (reading 'mainModule')", so both DuckDB-WASM builds ship)
  duckdb: { extensions: { json: null, parquet: null } },
  pages: [
    { name: "Pareto explorer", path: "/pareto" },
    { name: "Orthogonality", path: "/orthogonality" },
    { name: "Training", path: "/training" },
    { name: "Ablations", path: "/ablations" },
    { name: "Data", path: "/data" },
    { name: "Paper fidelity", path: "/paper" },
    { name: "Method", path: "/method" },
    { name: "What-if", path: "/what-if" },
    { name: "Live", path: "/live" },
  ],
  // the build's provenance (commit, data hash) is shown by each page from data/site/build.json, not baked in here
  footer: "BalancedBio Workbench — a small-scale, from-scratch reproduction of arXiv 2508.04278. Built with Observable Framework.",
  search: false,
  // links end in .html, so dist/ works on ANY static host (a plain file server has no clean-URL rewriting)
  cleanUrls: false,
  toc: true,
};
