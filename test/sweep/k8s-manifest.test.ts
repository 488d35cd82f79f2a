/**
 * deploy/k8s/sweep-indexed-job.yaml cannot run here (no cluster, no network), so it is checked structurally: a
 * hand-written zod schema of the batch/v1 Job fields the manifest uses (strict objects, so a misspelt field fails as it
 * would in `kubectl apply --validate=strict`), written from the Kubernetes API reference (Job, PodSpec, Container,
 * EnvVar, Volume), plus the invariants bbio needs: Indexed mode, BBIO_SHARDS = completions, the shard folder and cache
 * on a mounted volume, the command is `bbio sweep`. YAML is parsed with js-yaml (in node_modules through
 * @observablehq/framework → gray-matter).
 */
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { z } from "zod";
import { ROOT } from "../store/helpers.ts";

const yaml = createRequire(import.meta.url)("js-yaml") as { load(text: string): unknown };
const FILE = join(ROOT, "deploy/k8s/sweep-indexed-job.yaml");

const quantity = z.union([z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/), z.number()]);
const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
  .max(63);
const labels = z.record(z.string(), z.string());
const envVar = z.object({ name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), value: z.string() }).strict(); // values must be strings
const container = z
  .object({
    name,
    image: z.string().min(1),
    workingDir: z.string().startsWith("/").optional(),
    command: z.array(z.string()).min(1),
    args: z.array(z.string()).optional(),
    env: z.array(envVar).optional(),
    resources: z
      .object({
        requests: z.record(z.enum(["cpu", "memory"]), quantity).optional(),
        limits: z.record(z.enum(["cpu", "memory"]), quantity).optional(),
      })
      .strict()
      .optional(),
    volumeMounts: z.array(z.object({ name, mountPath: z.string().startsWith("/"), readOnly: z.boolean().optional() }).strict()).optional(),
  })
  .strict();
const volume = z
  .object({
    name,
    persistentVolumeClaim: z.object({ claimName: name, readOnly: z.boolean().optional() }).strict().optional(),
    emptyDir: z.object({}).optional(),
  })
  .strict();
const job = z
  .object({
    apiVersion: z.literal("batch/v1"),
    kind: z.literal("Job"),
    metadata: z.object({ name, namespace: name.optional(), labels: labels.optional() }).strict(),
    spec: z
      .object({
        completionMode: z.literal("Indexed"),
        completions: z.number().int().min(1),
        parallelism: z.number().int().min(1),
        backoffLimit: z.number().int().min(0).optional(),
        backoffLimitPerIndex: z.number().int().min(0).optional(),
        maxFailedIndexes: z.number().int().min(0).optional(),
        ttlSecondsAfterFinished: z.number().int().min(0).optional(),
        template: z
          .object({
            metadata: z.object({ labels: labels.optional() }).strict().optional(),
            spec: z
              .object({
                restartPolicy: z.enum(["Never", "OnFailure"]), // a Job's pods may not use Always
                terminationGracePeriodSeconds: z.number().int().min(0).optional(),
                containers: z.array(container).min(1),
                volumes: z.array(volume).optional(),
              })
              .strict(),
          })
          .strict(),
      })
      .strict()
      .refine((s) => s.parallelism <= s.completions, "parallelism above completions leaves pods idle")
      .refine(
        (s) => s.backoffLimitPerIndex === undefined || s.template.spec.restartPolicy === "Never",
        "backoffLimitPerIndex requires restartPolicy: Never",
      ),
  })
  .strict();

describe("deploy/k8s/sweep-indexed-job.yaml", () => {
  const doc = yaml.load(readFileSync(FILE, "utf8"));

  it("is a valid Indexed Job (structural schema of the fields it uses)", () => {
    const r = job.safeParse(doc);
    expect(r.success, r.success ? "" : JSON.stringify(r.error.issues, null, 1)).toBe(true);
  });

  it("runs `bbio sweep` with BBIO_SHARDS = completions and its folders on a mounted volume", () => {
    const j = job.parse(doc);
    const c = j.spec.template.spec.containers[0];
    expect(c.command.join(" ")).toMatch(/bin\/bbio\.mjs sweep$/);
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    expect(Object.keys(env)).toEqual(expect.arrayContaining(["BBIO_SWEEP", "BBIO_SHARD_DIR", "BBIO_SHARDS", "BBIO_CACHE"]));
    expect(env.BBIO_SHARDS).toBe(String(j.spec.completions));
    const mounts = c.volumeMounts ?? [];
    for (const p of [env.BBIO_SHARD_DIR, env.BBIO_CACHE])
      expect(
        mounts.some((m) => p.startsWith(m.mountPath + "/")),
        p,
      ).toBe(true);
    const vols = new Set((j.spec.template.spec.volumes ?? []).map((v) => v.name));
    for (const m of mounts) expect(vols.has(m.name), m.name).toBe(true);
    expect(readFileSync(join(ROOT, env.BBIO_SWEEP), "utf8")).toContain("grid"); // the sweep it names exists in the repo
  });

  it("the schema rejects what Kubernetes would (a misspelt field, a non-string env value, Always)", () => {
    const j = job.parse(doc);
    // biome-ignore lint/suspicious/noExplicitAny: the test breaks the parsed manifest on purpose, field by field
    const bad = (f: (x: any) => void) => {
      const x = structuredClone(j);
      f(x);
      return job.safeParse(x).success;
    };
    expect(bad((x) => (x.spec.completionMod = "Indexed"))).toBe(false);
    expect(bad((x) => (x.spec.template.spec.containers[0].env[2].value = 8))).toBe(false);
    expect(bad((x) => (x.spec.template.spec.restartPolicy = "Always"))).toBe(false);
    expect(bad((x) => (x.spec.completionMode = "NonIndexed"))).toBe(false);
  });
});
