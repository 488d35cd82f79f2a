/**
 * Packed SFT batches: whole documents laid end to end in rows of `length` tokens, so a step spends its compute on
 * tokens rather than padding (padding to the longest example wasted about a third of every step on the default data;
 * `bbio` logs the share as train/padding_share).
 *
 * Several streams (the gene cards and the train QA) are packed separately and mixed in fixed shares per batch, as the
 * extraction experiments of *Physics of Language Models 3.1* mix biographies and QA. Each stream walks its own seeded
 * epochs: epoch e of stream s = shuffled(rngFor(seed, `pack:<s>:<e>`)) of its documents, packed first-fit in that
 * order (a document never splits across rows; a row closes when the next document does not fit). Batch k of a stream
 * takes its rows [k·r, (k+1)·r) across epochs, so any step's batch is a pure function of (streams, seed, step): a
 * resumed run sees exactly the batches it would have seen.
 *
 * Inside a row, later documents attend to earlier ones (as in nanoGPT's packed pretraining); the loss mask keeps the
 * per-document rule (QA: answer tokens only; cards: every token).
 */
import type { Example } from "./batch.ts";
import { rngFor, shuffled } from "../util/rng.ts";
import { BbioError } from "../util/errors.ts";

export interface Stream {
  name: string;
  examples: readonly Example[];
  /** rows of each batch taken from this stream */
  rows: number;
}

/** first-fit packing, in order, of documents into rows of at most `length` tokens */
export function packRows(examples: readonly Example[], length: number): Example[] {
  const rows: Example[] = [];
  let cur: Example | null = null;
  for (const e of examples) {
    if (e.input.length > length)
      throw new BbioError(
        `a document of ${e.input.length} tokens (${e.id}) does not fit sft.pack_length ${length}`,
        2,
        `raise sft.pack_length (≤ model.block_size) to at least ${e.input.length}`,
      );
    if (cur && cur.input.length + e.input.length <= length) {
      cur.input.push(...e.input);
      cur.target.push(...e.target);
      cur.mask.push(...e.mask);
      cur.id += `+${e.id}`;
    } else {
      if (cur) rows.push(cur);
      cur = { id: e.id, input: [...e.input], target: [...e.target], mask: [...e.mask] };
    }
  }
  if (cur) rows.push(cur);
  return rows;
}

export class PackedSchedule {
  private epochs = new Map<string, Example[][]>();

  constructor(
    readonly streams: readonly Stream[],
    readonly length: number,
    readonly seed: number,
  ) {
    for (const s of streams) if (s.rows > 0 && s.examples.length === 0) throw new BbioError(`SFT: the "${s.name}" stream has no documents`);
  }

  private epoch(s: Stream, e: number): Example[] {
    const key = s.name;
    const list = this.epochs.get(key) ?? this.epochs.set(key, []).get(key)!;
    while (list.length <= e) list.push(packRows(shuffled(rngFor(this.seed, `pack:${s.name}:${list.length}`), s.examples), this.length));
    return list[e];
  }

  /** rows of stream s with global row indices [lo, hi), across epochs */
  private rowsOf(s: Stream, lo: number, hi: number): Example[] {
    const out: Example[] = [];
    let e = 0,
      base = 0;
    while (out.length < hi - lo) {
      const rows = this.epoch(s, e);
      for (let i = Math.max(lo, base); i < Math.min(hi, base + rows.length); i++) out.push(rows[i - base]);
      base += rows.length;
      e++;
    }
    return out;
  }

  /** the rows of step `step`: each stream's share, in stream order */
  batch(step: number): Example[] {
    return this.streams.flatMap((s) => (s.rows > 0 ? this.rowsOf(s, step * s.rows, (step + 1) * s.rows) : []));
  }

  /** epochs of stream s completed by the end of `steps` steps (how many times each document was read) */
  epochsRead(name: string, steps: number): number {
    const s = this.streams.find((x) => x.name === name);
    if (!s || s.rows === 0) return 0;
    let rows = steps * s.rows,
      e = 0;
    for (;;) {
      const n = this.epoch(s, e).length;
      if (rows < n) return e + rows / n;
      rows -= n;
      e++;
    }
  }
}

/**
 * The streams of an SFT batch: round(batch_size · card_share) card rows, the rest train QA. With sft.term_share, the
 * card rows split again into gene cards and term cards (the is_a/part_of edge sentences), each its own stream; the
 * gene stream keeps the name "cards" (its seeds), so a config without term_share packs the one card stream it always
 * did.
 */
export function sftStreams(
  cards: readonly { example: Example; term: boolean }[],
  qa: readonly Example[],
  s: { batch_size: number; card_share: number; term_share?: number },
): Stream[] {
  const cardRows = cards.length ? Math.round(s.batch_size * s.card_share) : 0;
  const qaStream = { name: "qa", examples: qa, rows: s.batch_size - cardRows };
  if (s.term_share === undefined) return [{ name: "cards", examples: cards.map((c) => c.example), rows: cardRows }, qaStream];
  const terms = cards.filter((c) => c.term).map((c) => c.example);
  const termRows = Math.round(cardRows * s.term_share);
  if (termRows === 0 && terms.length > 0)
    throw new BbioError(
      `sft.term_share ${s.term_share} of ${cardRows} card rows rounds to 0 rows: the ${terms.length} term cards would never be read`,
      2,
      `raise sft.term_share to at least ${(0.5 / Math.max(1, cardRows)).toFixed(2)}, or leave it unset (one card stream)`,
    );
  const genes = cards.filter((c) => !c.term).length;
  if (termRows === cardRows && genes > 0)
    throw new BbioError(
      `sft.term_share ${s.term_share} leaves no card rows for the ${genes} gene cards`,
      2,
      `lower sft.term_share below ${((cardRows - 0.5) / cardRows).toFixed(2)}`,
    );
  return [
    { name: "cards", examples: cards.filter((c) => !c.term).map((c) => c.example), rows: cardRows - termRows },
    { name: "terms", examples: terms, rows: termRows },
    qaStream,
  ];
}
