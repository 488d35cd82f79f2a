import { z } from "zod";

/** Config section owned by src/eval (scaffold: the owner adds fields with defaults). */
export const evalSchema = z.object({}).strict();
export type EvalConfig = z.infer<typeof evalSchema>;
