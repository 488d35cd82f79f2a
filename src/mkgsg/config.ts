import { z } from "zod";

/** MKGSG data generation (owner: src/mkgsg). Scaffold defaults; refine with the generator. */
export const dataSchema = z
  .object({
    per_family: z.number().int().positive().default(200),
  })
  .strict();
export type DataConfig = z.infer<typeof dataSchema>;
