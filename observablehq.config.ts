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
  head: `<link rel="icon" href="data:,">`,
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
  ],
  // the build's provenance (commit, data hash) is shown by each page from data/site/build.json, not baked in here
  footer: "BalancedBio Workbench — a small-scale, from-scratch reproduction of arXiv 2508.04278. Built with Observable Framework.",
  search: false,
  // links end in .html, so dist/ works on ANY static host (a plain file server has no clean-URL rewriting)
  cleanUrls: false,
  toc: true,
};
