/**
 * The import rule of the workbench (run by scripts/test.sh as one counted test; `npx depcruise -c .dependency-cruiser.cjs
 * src loaders docs` by hand). Layers, lowest first: a module may import its own layer and the layers below it, never
 * one above. The order is the pipeline's (src/pipeline/README.md "Layers" says why each folder sits where it does):
 *
 *   util, analysis → kg → mkgsg → model → optim → sft → rewards/weighting → grpo → eval → config → store → pipeline
 *   → sweep → loaders → docs → commands (src/cli.ts, src/<stage>/commands.ts)
 *
 * Type-only imports count (tsPreCompilationDeps): `import type { Config }` from a stage is exactly the coupling the rule
 * is there to stop. Circular imports are refused anywhere.
 */
const COMMANDS = "^src/(cli\\.ts$|[^/]+/commands\\.ts$)";
/** lowest first; each entry's paths are regexes relative to the repository root */
const LAYERS = [
  { name: "util", path: ["^src/util/", "^src/analysis/"] },
  { name: "kg", path: ["^src/kg/"] },
  { name: "mkgsg", path: ["^src/mkgsg/"] },
  { name: "model", path: ["^src/model/"] },
  { name: "optim", path: ["^src/optim/"] },
  { name: "sft", path: ["^src/sft/"] },
  { name: "rewards/weighting", path: ["^src/rewards/", "^src/weighting/"] },
  { name: "grpo", path: ["^src/grpo/"] },
  { name: "eval", path: ["^src/eval/"] },
  { name: "config", path: ["^src/config/"] },
  { name: "store", path: ["^src/store/"] },
  { name: "pipeline", path: ["^src/pipeline/"] },
  { name: "sweep", path: ["^src/sweep/"] },
  { name: "loaders", path: ["^loaders/"] },
  { name: "docs", path: ["^docs/"] },
  { name: "commands", path: [COMMANDS] },
];

const either = (paths) => (paths.length === 1 ? paths[0] : `(${paths.map((p) => `(?:${p})`).join("|")})`);
const forbidden = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.name.replace("/", "-")}`,
  comment: `${layer.name} may not import a higher layer (${LAYERS.slice(i + 1)
    .map((l) => l.name)
    .join(", ")})`,
  severity: "error",
  from: { path: either(layer.path), pathNot: COMMANDS },
  to: { path: either(LAYERS.slice(i + 1).flatMap((l) => l.path)), pathNot: either(layer.path) },
}));

forbidden.push({
  name: "no-circular",
  comment: "import cycles make load order matter and hide which module is the lower one",
  severity: "error",
  from: {},
  to: { circular: true },
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["node_modules", "^docs/\\.observablehq", "^docs/components/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
