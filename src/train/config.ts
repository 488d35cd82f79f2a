import { z } from "zod";

/** Config section owned by src/train (scaffold: the owner adds fields with defaults). */
export const sftSchema = z.object({}).strict();
export type SftConfig = z.infer<typeof sftSchema>;
