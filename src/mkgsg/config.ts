import { z } from "zod";

/**
 * The `data` section: MKGSG generation (owner: src/mkgsg).
 *
 * Ablation switches (docs/method.md §9, ours):
 *   −MKGSG                 = ontology_validation: false, workflow_constraints: false (plain Source2Synth-style generation)
 *   −ontology validation   = ontology_validation: false (naively constructed items are kept even when the KG says
 *                            they are wrong — their gold may then not score 1.0: that noise is what the ablation measures)
 *   −workflow constraints  = workflow_constraints: false (no Evidence-before-Answer structure, no workflow checks,
 *                            no workflow rejects)
 */
/**
 * The item kinds, by family (builders: src/mkgsg/kinds.ts; the world: src/mkgsg/gene_world.ts): every item asks about
 * facts that some gene card states, so a model can learn them. One item per (gene, kind) where the gene has the material.
 */
export const WORLD_KINDS = {
  knowledge: ["world_chromosome", "world_band", "world_alias", "world_process", "world_function", "world_location"],
  reasoning: ["world_chain_process", "world_chain_function", "world_chain_location", "world_alias_chromosome"],
  instruction: ["world_json_location", "world_caps_band", "world_two_sentences", "world_table_terms", "world_alias_done"],
  integration: ["world_int_chain_process", "world_int_chain_function", "world_int_chain_location", "world_int_report"],
} as const;
/**
 * The conflict control (data.conflict_control): two capabilities that demand opposite outputs on the SAME prompts —
 * "State the cytogenetic band of X." answered in capitals (the instruction slot) and in lower case (the integration
 * slot). Their policy gradients must point against each other (cos < 0): a check that the interference instruments see
 * interference when it is there. Knowledge and reasoning keep their world kinds.
 */
export const CONFLICT_KINDS = { instruction: ["world_case_upper"], integration: ["world_case_lower"] } as const;
export type WorldKind =
  | (typeof WORLD_KINDS)[keyof typeof WORLD_KINDS][number]
  | (typeof CONFLICT_KINDS)[keyof typeof CONFLICT_KINDS][number];
export type Kind = WorldKind;
export const ALL_KINDS: readonly Kind[] = [...Object.values(WORLD_KINDS).flat(), ...Object.values(CONFLICT_KINDS).flat()];

/**
 * The gene world (Allen-Zhu & Li, *Physics of Language Models 3.1*, arXiv 2309.14316): W genes each get a card of
 * declarative sentences (chromosome, band, an alias, one GO term per namespace with its evidence code, the is_a/part_of
 * edges above those terms) in K paraphrased, reordered variants. SFT reads every card. Genes then split three ways:
 *   train       card + QA trained
 *   extraction  card trained, QA never seen — the headline evaluation (item split "eval")
 *   control     no card, no QA — the guessing baseline (item split "control")
 * Every item is about a world gene: the world is what makes held-out questions answerable from what the model read.
 */
export const worldSchema = z
  .object({
    /** W: genes with a card (at least 8: every role needs 4 genes for a 4-option question's distractors) */
    genes: z
      .number()
      .int()
      .positive("data.world.genes must be positive: every item asks about a gene of the world, so a world without genes has no items")
      .default(64),
    /** share of the W genes whose QA is held out (extraction); the rest are trained with QA */
    extraction_fraction: z.number().gt(0).lt(1).default(0.25),
    /** genes with neither card nor QA (the control); 0 = as many as extraction genes */
    control_genes: z.number().int().nonnegative().default(0),
    /**
     * development genes, taken from the W − extraction genes: card read, QA never trained, items in split "dev".
     * Budgets and formats are chosen on them (the SFT probe and held-out loss read them), never on extraction.
     * 0 = none (then 4 or more: distractors come from genes of the same role)
     */
    dev_genes: z.number().int().nonnegative().default(8),
    /** K: paraphrased, reordered variants of each card */
    variants: z.number().int().positive().default(4),
    /** is_a/part_of hops above each card term (the chain a reasoning item asks for) */
    chain_hops: z.number().int().min(1).max(4).default(1),
  })
  .strict();
export type WorldConfig = z.infer<typeof worldSchema>;

export const dataSchema = z
  .object({
    /** the gene world (see worldSchema): items come one per (gene, kind) */
    world: worldSchema.prefault({}),
    /** the conflict control (CONFLICT_KINDS): instruction and integration become "same prompt, opposite case" */
    conflict_control: z.boolean().default(false),
    /** item kinds to generate; [] = all kinds */
    kinds: z.array(z.enum(ALL_KINDS as unknown as [Kind, ...Kind[]])).default([]),
    /**
     * which annotations an item may rely on: "experimental" (EXP IDA IPI IMP IGI IEP) or "all" (+ TAS).
     * Enforced as a workflow constraint (reject `workflow_non_experimental_evidence`), so −workflow lets TAS through.
     */
    evidence: z.enum(["experimental", "all"]).default("experimental"),
    /** curation stage 1: recompute every item's truth from the KG and reject what does not hold */
    ontology_validation: z.boolean().default(true),
    /** curation stage 2 + item shape: Evidence-before-Answer format, workflow checks, workflow rejects */
    workflow_constraints: z.boolean().default(true),
    /** length budget of prompt + gold in whitespace words (the tiny model's context is ~256 tokens) */
    max_words: z.number().int().min(20).default(110),
    /** the same budget in characters: rare chemical names tokenize to ~2 characters per token (block_size 256) */
    max_chars: z.number().int().min(100).default(420),
  })
  .strict()
  .refine(
    (d) =>
      !d.conflict_control ||
      d.kinds.length === 0 ||
      Object.values(CONFLICT_KINDS)
        .flat()
        .every((k) => d.kinds.includes(k)),
    {
      message: "the conflict control needs both of its capabilities (world_case_upper and world_case_lower) in data.kinds",
      path: ["conflict_control"],
    },
  );
export type DataConfig = z.infer<typeof dataSchema>;
export type DataConfigInput = z.input<typeof dataSchema>;
