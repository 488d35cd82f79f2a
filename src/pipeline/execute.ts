/**
 * The one stage executor used by the runner (`bbio run`) and by the sweep's "stages first" pass: reuse a finished
 * artefact, or take the stage's lock, check again under it (another process may have finished it, a corrupt artefact
 * is set aside), run the stage into its cache directory, flush its sink and mark the directory done.
 */
import { join } from "node:path";
import { StoreSink } from "../store/sink.ts";
import type { Store } from "../store/store.ts";
import { hasPartial, isDone, lockStage, markDone, SPOOL, verifyOrQuarantine } from "./cache.ts";
import type { BaseConfig, StageDef, UpstreamArtefact } from "./stage.ts";

export interface ExecuteStageArgs<C extends BaseConfig> {
  def: StageDef<C>;
  config: C;
  backend: string;
  /** the stage's cache directory and input hash */
  dir: string;
  hash: string;
  upstream: Record<string, UpstreamArtefact>;
  dataHash: string | null;
  /** the store the stage's rows go to (besides the artefact's spool), and the run id they are recorded under */
  store: Store;
  runId: string;
  log: (line: string) => void;
  /** called under the lock just before the stage runs (the runner records the stage start here) */
  onStart?: (resume: boolean) => Promise<void>;
}

/** Run one stage unless its artefact is already done; returns whether the cached artefact was reused. */
export async function executeStage<C extends BaseConfig>(a: ExecuteStageArgs<C>): Promise<boolean> {
  if (isDone(a.dir)) return true;
  const startedAt = Date.now();
  const release = await lockStage(a.dir, a.log);
  try {
    // another process may have finished it while we waited for the lock; a corrupt artefact is set aside here,
    // under the lock, so no other process is reading or writing the directory meanwhile
    if (verifyOrQuarantine(a.dir, a.def.name, a.log)) return true;
    const resume = hasPartial(a.dir);
    await a.onStart?.(resume);
    a.log(`${resume ? "resuming" : "computing"} → ${a.dir}`);
    const sink = new StoreSink(a.store, a.runId, a.def.name, join(a.dir, SPOOL));
    await a.def.run({
      slice: a.def.slice(a.config),
      seed: a.config.seed,
      backend: a.backend,
      dir: a.dir,
      upstream: a.upstream,
      dataHash: a.dataHash,
      sink,
      resume,
      log: a.log,
    });
    await sink.flush();
    markDone(a.dir, a.def.name, a.hash, (Date.now() - startedAt) / 1000);
    return false;
  } finally {
    release();
  }
}
