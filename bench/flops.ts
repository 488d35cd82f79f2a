/**
 * Model FLOPs per token and MFU, following the PaLM appendix B / nanoGPT `estimate_mfu` accounting:
 *   training FLOPs per token ≈ 6·N + 12·L·C·T
 * where N counts the parameters that take part in matmuls (all of them but the position table; the tied wte counts
 * once, for the output projection — the input lookup is a gather in the model's maths), 6 = 2 (multiply-add)
 * × 3 (forward + two backward matmuls), and 12·L·C·T is attention's QKᵀ and A·V over a context of T (nanoGPT's
 * convention: the full T×T product, not halved for the causal mask).
 * MFU = achieved model FLOP/s ÷ peak FLOP/s. "Model" FLOPs ignore implementation overhead, so our one-hot-matmul
 * embedding (an extra 2·V·C per token forward, needed because wasm has no gather gradient) is work the MFU does
 * not credit — by design: MFU measures how well the hardware is turned into the model's own arithmetic.
 */
export interface ShapeConfig {
  n_layer: number;
  n_head: number;
  n_embd: number;
  block_size: number;
  vocab_size: number;
}

/** Parameter count of the SHARED MODEL SPEC (tied embeddings, biases everywhere). */
export function paramCount(c: ShapeConfig): { total: number; matmul: number } {
  const C = c.n_embd;
  const perLayer = 2 * 2 * C /* ln_1, ln_2 */ + 4 * (C * C + C) /* q,k,v,o */ + (C * 4 * C + 4 * C) + (4 * C * C + C) /* mlp */;
  const total = c.vocab_size * C + c.block_size * C + c.n_layer * perLayer + 2 * C;
  return { total, matmul: total - c.block_size * C };
}

/** Training FLOPs per token at sequence length T. */
export function trainFlopsPerToken(c: ShapeConfig, T: number): number {
  return 6 * paramCount(c).matmul + 12 * c.n_layer * c.n_embd * T;
}

/** Forward-only FLOPs per generated token with a KV cache at context length T (one third of training). */
export function inferFlopsPerToken(c: ShapeConfig, T: number): number {
  return 2 * paramCount(c).matmul + 4 * c.n_layer * c.n_embd * T;
}

/** Model FLOPs utilisation: tokens/s × FLOPs/token ÷ (peak GFLOP/s × 1e9). */
export function mfu(tokensPerS: number, flopsPerToken: number, peakGflops: number): number {
  return (tokensPerS * flopsPerToken) / (peakGflops * 1e9);
}
