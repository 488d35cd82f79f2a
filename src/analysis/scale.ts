/**
 * The scale of what the shown runs trained, in words, from build.json (loaders/meta.ts): the model's size from the
 * stored configs, and the gene world the items were drawn from. The Home and Data pages state them.
 */

/** one distinct model config of the shown runs (build.json `models`) */
export interface ModelInfo {
  params: number;
  n_layer: number;
  n_embd: number;
  n_head: number;
  vocab_size: number;
  block_size: number;
  runs: number;
}

/** one distinct gene world of the shown runs (build.json `worlds`) */
export interface WorldInfo {
  genes: number;
  extraction_fraction: number;
  variants: number;
  control_genes?: number;
  runs: number;
}

/** "141,056 parameters (2 layers, d=64, 4 heads, vocab 512, context 128)", one per model config; null without runs */
export function modelScale(build: { models?: readonly ModelInfo[] }): { params: number; text: string } | null {
  const ms = build.models ?? [];
  if (!ms.length) return null;
  const one = (m: ModelInfo) =>
    `${m.params.toLocaleString("en-US")} parameters (${m.n_layer} layers, d=${m.n_embd}, ${m.n_head} heads, vocab ${m.vocab_size}, context ${m.block_size})`;
  return {
    params: Math.max(...ms.map((m) => m.params)),
    text: ms.length === 1 ? one(ms[0]) : ms.map((m) => `${one(m)} in ${m.runs} run(s)`).join("; "),
  };
}

/**
 * The gene world(s) in words: W genes with cards, of which round(W · extraction_fraction) (at least 1) are extraction
 * genes (card read, QA never trained) and the rest have trained QA; K variants per card; the control genes (no card,
 * no QA: as many as the extraction genes unless set). null when no run uses a gene world.
 */
export function worldScale(build: { worlds?: readonly WorldInfo[] }): { genes: number; text: string } | null {
  const ws = build.worlds ?? [];
  if (!ws.length) return null;
  const one = (w: WorldInfo) => {
    const ex = Math.max(1, Math.round(w.genes * w.extraction_fraction));
    return `W = ${w.genes} genes with cards (${w.genes - ex} with trained QA, ${ex} extraction), K = ${w.variants} paraphrased variants per card, ${w.control_genes || ex} control genes without card or QA`;
  };
  return {
    genes: Math.max(...ws.map((w) => w.genes)),
    text: ws.length === 1 ? one(ws[0]) : ws.map((w) => `${one(w)} in ${w.runs} run(s)`).join("; "),
  };
}
