/**
 * `bbio generate | validate | score` — the MKGSG stage on the command line. Cheap to import: the KG, the generator,
 * the validator and zod load inside the action handlers, so `bbio --help` stays instant. The handlers import the
 * per-file modules (not index.ts) so a command pulls in only what it runs.
 *
 * Exit codes: 0 ok; 1 `validate` found invalid items; 2 bad input (missing/malformed file, unknown option or id,
 * bad config, a generator that cannot fill its quota).
 */
import type { Command } from "commander";
import type { DataConfig } from "./config.ts";
import type { Capability, Item, ScoreResult } from "./types.ts";

const collect = (v: string, prev: string[]) => [...prev, v];
const out = (s: string) => process.stdout.write(s + "\n");
const err = (s: string) => process.stderr.write(s + "\n");

/** "knowledge 10, reasoning 10" in family order */
function perFamily(items: readonly Item[], families: readonly Capability[]): string {
  return families
    .map((f) => [f, items.filter((i) => i.family === f).length] as const)
    .filter(([, n]) => n > 0)
    .map(([f, n]) => `${f} ${n}`)
    .join(", ");
}

function tally(xs: Iterable<string>): [string, number][] {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** `--kinds a,b,family` → kind names (a family name stands for all its kinds); unknown names are one clear error */
async function parseKinds(spec: string): Promise<string[]> {
  const [{ WORLD_KINDS, CONFLICT_KINDS, ALL_KINDS }, { BbioError }] = await Promise.all([
    import("./config.ts"),
    import("../util/errors.ts"),
  ]);
  // a family stands for its world kinds and its conflict-control kind (enabled only under data.conflict_control)
  const tables = [WORLD_KINDS, CONFLICT_KINDS] as Record<string, readonly string[]>[];
  const byFamily = (f: string) => (Object.hasOwn(WORLD_KINDS, f) ? tables.flatMap((t) => t[f] ?? []) : null);
  const out: string[] = [];
  for (const raw of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const fam = byFamily(raw);
    if (fam) out.push(...fam);
    else if ((ALL_KINDS as readonly string[]).includes(raw)) out.push(raw);
    else
      throw new BbioError(
        `unknown kind '${raw}'`,
        2,
        `kinds: ${ALL_KINDS.join(", ")} (or a family: ${Object.keys(WORLD_KINDS).join(", ")})`,
      );
  }
  return [...new Set(out)];
}

interface GenerateOpts {
  seed?: string;
  kinds?: string;
  set: string[];
  out?: string;
  rejects?: string;
  json?: boolean;
  progress: boolean;
}

interface ScoreRow {
  id: string;
  family: Capability;
  score: number;
  checks: ScoreResult["checks"];
}

export function register(program: Command): void {
  program
    .command("generate")
    .description("generate MKGSG items from the knowledge graph (deterministic: same KG + config + seed → byte-identical JSONL)")
    .argument(
      "[config]",
      "configs/<name>.json name or a .json path whose data section and seed are used; omitted = configs/default.json, as bbio run",
    )
    .option("--seed <n>", "seed (sets seed)")
    .option("--kinds <list>", "comma-separated item kinds and/or families to generate (sets data.kinds; default all)")
    .option("--set <key=value>", "override a config field, e.g. --set data.evidence=all (repeatable)", collect, [] as string[])
    .option("--out <file>", "write the items here (atomically); default: stdout")
    .option("--rejects <file>", "also write the curation reject log (JSONL: id, family, kind, stage, reason, detail)")
    .option("--json", "print a JSON summary on stdout (needs --out)")
    .option("--no-progress", "no progress output on stderr")
    .action(async (configName: string | undefined, opts: GenerateOpts) => {
      const { BbioError } = await import("../util/errors.ts");
      if (opts.json && !opts.out) throw new BbioError("--json prints a summary on stdout, so it needs --out <file> for the items");
      // flags become --set assignments so the config schema validates them like any other override
      const sets = [...opts.set];
      if (opts.seed !== undefined) sets.push(`seed=${opts.seed}`);
      if (opts.kinds !== undefined) sets.push(`data.kinds=${JSON.stringify(await parseKinds(opts.kinds))}`);
      const { loadConfig, defaultConfigName } = await import("../config/index.ts");
      const config = loadConfig(configName ?? defaultConfigName(), sets);
      const [
        { loadKG },
        { generate, enabledKinds },
        { worldGeneCount },
        { CAPABILITIES },
        { itemsToJsonl },
        { writeFileAtomic, toJsonl },
        { progress },
      ] = await Promise.all([
        import("../kg/index.ts"),
        import("./generate.ts"),
        import("./gene_world.ts"),
        import("./types.ts"),
        import("./io.ts"),
        import("../util/fsx.ts"),
        import("../util/progress.ts"),
      ]);
      const t0 = performance.now();
      const kg = loadKG();
      const data: DataConfig = config.data;
      const total = CAPABILITIES.filter((f) => enabledKinds(data, f).length > 0).length * worldGeneCount(data.world);
      const bar = progress("generate", total, { enabled: opts.progress });
      let r: ReturnType<typeof generate>;
      try {
        r = generate(kg, data, config.seed, { onProgress: () => bar.tick() });
      } finally {
        bar.stop();
      }
      const text = itemsToJsonl(r.items);
      if (opts.out) writeFileAtomic(opts.out, text);
      else process.stdout.write(text);
      if (opts.rejects) writeFileAtomic(opts.rejects, toJsonl(r.rejects));
      const seconds = (performance.now() - t0) / 1000;
      const reasons = tally(r.rejects.map((x) => x.reason));
      if (opts.json) {
        const families = Object.fromEntries(
          CAPABILITIES.map((f) => [f, r.items.filter((i) => i.family === f).length]).filter(([, n]) => n),
        );
        const split = Object.fromEntries(tally(r.items.map((i) => i.split)));
        out(
          JSON.stringify({
            out: opts.out,
            seed: config.seed,
            items: r.items.length,
            families,
            split,
            rejects: r.rejects.length,
            reject_reasons: Object.fromEntries(reasons),
            funnel: r.funnel,
            seconds: Number(seconds.toFixed(3)),
          }),
        );
      } else {
        const top = reasons
          .slice(0, 4)
          .map(([k, v]) => `${k} ×${v}`)
          .join(", ");
        err(
          `[generate] ${r.items.length} items (${perFamily(r.items, CAPABILITIES)}), seed ${config.seed}; ` +
            `${r.rejects.length} rejected by curation${top ? ` (${top})` : ""}; ${seconds.toFixed(1)}s${opts.out ? ` → ${opts.out}` : ""}`,
        );
      }
    });

  program
    .command("validate")
    .description("re-derive every item's facts from the KG; exit 1 with per-item reasons if any item is invalid, else 0 and a summary")
    .argument("<items>", "items JSONL (e.g. from bbio generate --out)")
    .option("--evidence <policy>", "also enforce the evidence policy: experimental (items resting only on TAS are invalid) or all", "all")
    .option("--json", "print {ok, items, valid, invalid: [{line, id, reasons: [{reason, detail}]}]}")
    .action(async (path: string, opts: { evidence: string; json?: boolean }) => {
      const [{ BbioError }, { parseItems, problemsError, readInput }, { validate }, { loadKG }, { CAPABILITIES }] = await Promise.all([
        import("../util/errors.ts"),
        import("./io.ts"),
        import("./validate.ts"),
        import("../kg/index.ts"),
        import("./types.ts"),
      ]);
      if (opts.evidence !== "experimental" && opts.evidence !== "all")
        throw new BbioError(`--evidence must be experimental or all, got '${opts.evidence}'`);
      const { rows, problems } = parseItems(readInput(path));
      // a line that is not JSON is unreadable input (exit 2); a JSON line that is not an item is an invalid item
      const broken = problems.filter((p) => p.kind === "malformed_json");
      if (broken.length) throw problemsError(path, broken);
      if (rows.length === 0 && problems.length === 0) throw new BbioError(`${path}: no items`);
      const kg = loadKG();
      const invalid: { line: number; id: string | null; reasons: { reason: string; detail: string }[] }[] = problems.map((p) => ({
        line: p.line,
        id: p.id ?? null,
        reasons: [{ reason: p.kind === "duplicate_id" ? "duplicate_id" : "malformed_item", detail: p.message }],
      }));
      for (const { line, item } of rows) {
        const v = validate(item, kg, { evidence: opts.evidence as "experimental" | "all" });
        if (!v.ok) invalid.push({ line, id: item.id, reasons: v.reasons });
      }
      invalid.sort((a, b) => a.line - b.line);
      const n = rows.length + problems.filter((p) => p.kind !== "malformed_json").length;
      const items = rows.map((r) => r.item);
      if (opts.json) {
        out(JSON.stringify({ ok: invalid.length === 0, items: n, valid: n - invalid.length, invalid }));
      } else if (invalid.length) {
        for (const x of invalid) for (const r of x.reasons) out(`${path}:${x.line}: ${x.id ?? "(no id)"}: ${r.reason}: ${r.detail}`);
        const top = tally(invalid.flatMap((x) => [...new Set(x.reasons.map((r) => r.reason))]))
          .map(([k, v]) => `${k} ×${v}`)
          .join(", ");
        err(`[validate] ${invalid.length} of ${n} items invalid (${top})`);
      } else {
        const split = tally(items.map((i) => i.split))
          .map(([k, v]) => `${k} ${v}`)
          .join(", ");
        out(`${n} items valid (${perFamily(items, CAPABILITIES)}; ${split})`);
      }
      if (invalid.length) process.exitCode = 1;
    });

  program
    .command("score")
    .description("score answers against items with the rule-based scorer; prints per-family mean scores (an item with no answer scores 0)")
    .argument("<items>", "items JSONL")
    .argument("<answers>", 'answers JSONL, one {"id": "<item id>", "answer": "<text>"} per line')
    .option("--json", 'print {"families": {"<family>": {"n", "mean"}}, "items": [{"id", "score", "checks"}]}')
    .option("--loose", "IFEval loose scoring (a check passes on any loose variant of the answer)")
    .action(async (itemsPath: string, answersPath: string, opts: { json?: boolean; loose?: boolean }) => {
      const [{ BbioError }, { readItems, readAnswers }, { score }, { loadKG }, { CAPABILITIES }] = await Promise.all([
        import("../util/errors.ts"),
        import("./io.ts"),
        import("./score.ts"),
        import("../kg/index.ts"),
        import("./types.ts"),
      ]);
      const items = readItems(itemsPath);
      const answers = readAnswers(answersPath);
      // an empty answers file is almost always a failed upstream step: scoring it would print all zeros and exit 0
      if (answers.length === 0)
        throw new BbioError(`${answersPath}: no answers`, 2, 'write one {"id": "<item id>", "answer": "<text>"} per line');
      const byId = new Map(items.map((i) => [i.id, i]));
      const unknown = answers.filter((a) => !byId.has(a.id));
      if (unknown.length) {
        const listed = unknown.slice(0, 10).map((a) => `${answersPath}:${a.line}: unknown item id ${a.id} (not in ${itemsPath})`);
        if (unknown.length > 10) listed.push(`… and ${unknown.length - 10} more unknown ids`);
        throw new BbioError(listed.join("\n"), 2, "answers must use the ids of the items file they are scored against");
      }
      const kg = loadKG();
      const answerOf = new Map(answers.map((a) => [a.id, a.answer]));
      const rows: ScoreRow[] = items.map((item) => {
        const a = answerOf.get(item.id);
        // no answer: every check fails and the item scores 0 (score() does this for the empty string)
        const s = score(item, a ?? "", kg, { loose: opts.loose });
        return { id: item.id, family: item.family, score: a === undefined ? 0 : s.score, checks: s.checks };
      });
      const families: Record<string, { n: number; mean: number }> = {};
      for (const f of CAPABILITIES) {
        const xs = rows.filter((r) => r.family === f);
        if (xs.length) families[f] = { n: xs.length, mean: xs.reduce((a, r) => a + r.score, 0) / xs.length };
      }
      const missing = items.length - answerOf.size;
      if (opts.json) {
        out(JSON.stringify({ families, items: rows.map(({ id, score, checks }) => ({ id, score, checks })) }));
      } else {
        const mean = rows.reduce((a, r) => a + r.score, 0) / rows.length;
        out(`${"family".padEnd(12)} ${"n".padStart(6)}  mean`);
        for (const [f, v] of Object.entries(families)) out(`${f.padEnd(12)} ${String(v.n).padStart(6)}  ${v.mean.toFixed(3)}`);
        out(`${"all".padEnd(12)} ${String(rows.length).padStart(6)}  ${mean.toFixed(3)}`);
      }
      if (missing > 0) err(`[score] ${missing} of ${items.length} items have no answer (scored 0)`);
    });
}
