/**
 * The checkpointed training loop shared by SFT, the reward model and GRPO.
 *
 * A stage loads its own state (a fresh model, or its checkpoint at step S) and hands the loop S; the loop owns the
 * rest of the resume contract: the sink drops metrics past S (Sink.resumeFrom), steps S … end − 1 run, a checkpoint
 * is written every save_every completed steps and after the last step of this call (so an interrupted call resumes
 * where it stopped), and a call that runs no step still leaves a checkpoint. Every save is followed by a sink flush,
 * so the stored metrics never run ahead of the checkpoint they belong to.
 */
import type { Sink } from "../util/sink.ts";

/** What each checkpointed stage (SFT, the reward model, GRPO) takes besides its own inputs. */
export interface TrainingRunOptions {
  /** the stage's directory: its checkpoint lives inside */
  outDir: string;
  sink: Sink;
  /** continue from the checkpoint in outDir when there is one */
  resume?: boolean;
  /** progress bar / lines on stderr (default true) */
  progress?: boolean;
  /** stop after this many steps in this call (tests simulate an interrupted run); default: run to max_steps */
  stopAfter?: number;
}

export interface LoopOptions {
  /** the stage's name in the resume message ("sft", "rm", "grpo") */
  stage: string;
  /** where the checkpoint lives (named in the resume message) */
  checkpointDir: string;
  /** the step the loaded checkpoint reached; undefined = a fresh start at step 0 */
  resumedAt?: number;
  maxSteps: number;
  saveEvery: number;
  /** stop after this many steps in this call (tests simulate an interrupted run) */
  stopAfter?: number;
  sink: Sink;
  /** is there a checkpoint on disk already? */
  hasCheckpoint: () => boolean;
  /** write the checkpoint at this step (the number of completed steps) */
  save: (step: number) => Promise<void>;
  /** the resume message's destination; default stderr */
  log?: (line: string) => void;
}

export class CheckpointedLoop {
  /** completed steps before this call: 0, or the checkpoint's step */
  readonly start: number;
  /** completed steps after this call */
  readonly end: number;

  constructor(private readonly o: LoopOptions) {
    this.start = o.resumedAt ?? 0;
    this.end = Math.min(o.maxSteps, this.start + (o.stopAfter ?? Number.POSITIVE_INFINITY));
    if (o.resumedAt !== undefined) {
      o.sink.resumeFrom(this.start);
      (o.log ?? ((line) => process.stderr.write(`[${o.stage}] ${line}\n`)))(`resuming from ${o.checkpointDir} at step ${this.start}`);
    }
  }

  /** Runs `step` for each 0-based step index start … end − 1 (the step completes step + 1), saving as the header says. */
  async run(step: (index: number) => Promise<void>): Promise<void> {
    for (let index = this.start; index < this.end; index++) {
      await step(index);
      const done = index + 1;
      if (done % this.o.saveEvery === 0 || done === this.end) await this.save(done);
    }
    if (this.start === this.end && !this.o.hasCheckpoint()) await this.save(this.end);
  }

  private async save(step: number): Promise<void> {
    await this.o.save(step);
    await this.o.sink.flush();
  }
}
