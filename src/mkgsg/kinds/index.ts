/** The kind registry: family → kind → builder. Adding a kind = a builder here + its name in config.ts KINDS. */
import type { Builder } from "../build.ts";
import type { LegacyKind } from "../config.ts";
import { integrationKinds } from "./integration.ts";
import { instructionKinds } from "./instruction.ts";
import { knowledgeKinds } from "./knowledge.ts";
import { reasoningKinds } from "./reasoning.ts";

export const BUILDERS = { ...knowledgeKinds, ...reasoningKinds, ...instructionKinds, ...integrationKinds } as Record<LegacyKind, Builder>;
