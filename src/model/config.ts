import { z } from "zod";

/** The transformer's shape (owner: src/model). */
export const modelSchema = z
  .object({
    n_layer: z.number().int().positive().default(2),
    n_head: z.number().int().positive().default(4),
    n_embd: z.number().int().positive().default(128),
    block_size: z.number().int().positive().default(256),
    dropout: z.number().min(0).max(1).default(0),
    vocab_size: z.number().int().positive().default(1024),
  })
  .strict()
  .refine((m) => m.n_embd % m.n_head === 0, { message: "n_embd must be divisible by n_head", path: ["n_head"] });
export type ModelConfig = z.infer<typeof modelSchema>;
