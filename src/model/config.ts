import { z } from "zod";

/**
 * Size limits: a shape is allocated (weights, Adam state, activations) before any step runs, so a typo such as
 * n_embd=65536 would grow memory until the machine swaps or the process is killed. Each axis has a ceiling far above
 * the workbench's configs (default: 2 layers × 128), and the whole model is capped by its parameter count.
 */
export const MODEL_LIMITS = { n_layer: 64, n_head: 64, n_embd: 4096, block_size: 8192, vocab_size: 262_144, params: 500_000_000 };

const capped = (key: keyof typeof MODEL_LIMITS, dflt: number) =>
  z
    .number()
    .int()
    .positive()
    .max(MODEL_LIMITS[key], `at most ${MODEL_LIMITS[key]} (a size limit: larger shapes exhaust memory on this workbench)`)
    .default(dflt);

/** Parameters of a GPT of this shape (embeddings + 12·E² per block), for the size limit. */
export const paramCount = (m: { n_layer: number; n_embd: number; block_size: number; vocab_size: number }) =>
  (m.vocab_size + m.block_size) * m.n_embd + m.n_layer * 12 * m.n_embd * m.n_embd;

/** The transformer's shape (owner: src/model). */
export const modelSchema = z
  .object({
    n_layer: capped("n_layer", 2),
    n_head: capped("n_head", 4),
    n_embd: capped("n_embd", 128),
    block_size: capped("block_size", 256),
    dropout: z.number().min(0).max(1).default(0),
    vocab_size: capped("vocab_size", 1536),
  })
  .strict()
  .refine((m) => m.n_embd % m.n_head === 0, { message: "n_embd must be divisible by n_head", path: ["n_head"] })
  .refine((m) => paramCount(m) <= MODEL_LIMITS.params, {
    message: `the model would have more than ${MODEL_LIMITS.params / 1e6}M parameters (a size limit: it would exhaust memory); make n_layer, n_embd or vocab_size smaller`,
  });
export type ModelConfig = z.infer<typeof modelSchema>;
