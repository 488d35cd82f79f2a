import { z } from "zod";

/** Config section owned by src/rewards (scaffold: the owner adds fields with defaults). */
export const rmSchema = z.object({}).strict();
export type RmConfig = z.infer<typeof rmSchema>;
