import { z } from "zod";

/** Config section owned by src/grpo (scaffold: the owner adds fields with defaults). */
export const grpoSchema = z.object({}).strict();
export type GrpoConfig = z.infer<typeof grpoSchema>;
