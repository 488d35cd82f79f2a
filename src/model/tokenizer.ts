/**
 * Word-level tokenizer with a character fallback and a UTF-8 nibble fallback — lossless on ANY string.
 *
 * Why not BPE: the corpus is small, templated and full of identifiers (GO:0006821, gene symbols, JSON punctuation).
 * Whole frequent pieces (one token per common word or GO id) keep sequences short, which is what the tiny model and
 * the block_size budget need; anything rare is spelled out. (No offline npm BPE trainer fits a ~1k vocabulary with
 * exact round-trip and deterministic fitting without extra weight; this file is ~150 lines.)
 *
 * Pre-tokenization (regex, GPT-2 style: a single leading space is glued to the piece that follows it):
 *   " GO:0006821" | " kinase" | " 17" | " {" | "\n" ...
 * Encoding a piece: vocabulary hit → one token; else each character → its char token; a character never seen while
 * fitting → its UTF-8 bytes as pairs of nibble tokens <x0>..<xF> (so decode(encode(s)) === s for every s).
 * Special tokens: PAD=0, BOS=1, SEP=2, EOS=3, UNK=4 (UNK is reserved; the fallback means encode never emits it).
 * Item format (shared spec): [BOS] prompt [SEP] gold [EOS].
 */
import { BbioError } from "../util/errors.ts";

export const SPECIALS = ["<pad>", "<bos>", "<sep>", "<eos>", "<unk>"] as const;
export const PAD = 0,
  BOS = 1,
  SEP = 2,
  EOS = 3,
  UNK = 4;
const NIBBLES = Array.from({ length: 16 }, (_, i) => `<x${i.toString(16).toUpperCase()}>`);
/** printable ASCII is always in the vocabulary, so common text never needs the nibble fallback */
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).concat(["\n", "\t"]);

const PIECE = / ?GO:\d{7}| ?[A-Za-z][A-Za-z0-9]*| ?\d+| ?[^\sA-Za-z\d]|\s/gu;

export function pieces(text: string): string[] {
  const out = text.match(PIECE) ?? [];
  // the regex covers every character; guard anyway so a future edit cannot silently drop text
  if (out.join("") !== text) throw new Error("tokenizer: pre-tokenization lost characters");
  return out;
}

export interface TokenizerJSON {
  type: "bbio-wordchar-v1";
  vocab: string[];
}

export class Tokenizer {
  readonly vocab: string[];
  private index: Map<string, number>;
  private nibbleBase: number;

  constructor(vocab: string[]) {
    SPECIALS.forEach((s, i) => {
      if (vocab[i] !== s) throw new BbioError(`tokenizer: vocab[${i}] must be ${s}, got ${JSON.stringify(vocab[i])}`);
    });
    this.vocab = vocab;
    this.index = new Map(vocab.map((t, i) => [t, i]));
    if (this.index.size !== vocab.length) throw new BbioError("tokenizer: duplicate vocabulary entries");
    this.nibbleBase = SPECIALS.length;
    NIBBLES.forEach((n, i) => {
      if (vocab[this.nibbleBase + i] !== n) throw new BbioError(`tokenizer: nibble token ${n} missing at ${this.nibbleBase + i}`);
    });
  }

  get size(): number {
    return this.vocab.length;
  }

  /**
   * Fit on a corpus: specials, nibbles, printable ASCII, every other character seen, then the most frequent pieces
   * (count ≥ minCount, ties broken alphabetically → deterministic) until `maxVocab` entries.
   */
  static fit(texts: Iterable<string>, maxVocab: number, minCount = 2): Tokenizer {
    const counts = new Map<string, number>();
    const chars = new Set<string>();
    for (const t of texts)
      for (const p of pieces(t)) {
        counts.set(p, (counts.get(p) ?? 0) + 1);
        for (const ch of p) chars.add(ch);
      }
    const vocab: string[] = [...SPECIALS, ...NIBBLES, ...ASCII];
    const have = new Set(vocab);
    for (const ch of [...chars].sort()) if (!have.has(ch)) vocab.push(ch), have.add(ch);
    if (vocab.length > maxVocab)
      throw new BbioError(
        `tokenizer: vocab_size ${maxVocab} is too small for the ${vocab.length} base tokens (specials, nibbles, characters)`,
      );
    const ranked = [...counts].filter(([p, n]) => n >= minCount && !have.has(p)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    for (const [p] of ranked) {
      if (vocab.length >= maxVocab) break;
      vocab.push(p);
    }
    return new Tokenizer(vocab);
  }

  static fromJSON(j: TokenizerJSON): Tokenizer {
    if (j?.type !== "bbio-wordchar-v1" || !Array.isArray(j.vocab)) throw new BbioError("tokenizer.json: not a bbio-wordchar-v1 tokenizer");
    return new Tokenizer(j.vocab);
  }

  toJSON(): TokenizerJSON {
    return { type: "bbio-wordchar-v1", vocab: this.vocab };
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    for (const p of pieces(text)) {
      const id = this.index.get(p);
      if (id !== undefined) {
        ids.push(id);
        continue;
      }
      for (const ch of p) {
        const c = this.index.get(ch);
        if (c !== undefined) ids.push(c);
        else for (const byte of Buffer.from(ch, "utf8")) ids.push(this.nibbleBase + (byte >> 4), this.nibbleBase + (byte & 15));
      }
    }
    return ids;
  }

  /** Inverse of encode. Special tokens decode to "" (they are structure, not text); stray nibbles are dropped. */
  decode(ids: readonly number[]): string {
    let out = "";
    let bytes: number[] = [];
    let half = -1;
    const flush = () => {
      if (bytes.length) out += Buffer.from(bytes).toString("utf8");
      bytes = [];
      half = -1;
    };
    for (const id of ids) {
      const nib = id - this.nibbleBase;
      if (nib >= 0 && nib < 16) {
        if (half < 0) half = nib;
        else bytes.push((half << 4) | nib), (half = -1);
        continue;
      }
      flush();
      if (id < SPECIALS.length) continue;
      const tok = this.vocab[id];
      if (tok !== undefined) out += tok;
    }
    flush();
    return out;
  }

  /** [BOS] prompt [SEP] — what generation is fed. */
  encodePrompt(prompt: string): number[] {
    return [BOS, ...this.encode(prompt), SEP];
  }

  /** gold [EOS] — the supervised completion. */
  encodeCompletion(gold: string): number[] {
    return [...this.encode(gold), EOS];
  }
}

/** The texts of some items: prompts, golds and options. */
export function corpusOf(items: readonly { prompt: string; gold: string; options?: string[] }[]): string[] {
  return items.flatMap((it) => [it.prompt, it.gold, ...(it.options ?? [])]);
}

/**
 * What a tokenizer is fitted on: only what training reads — the TRAIN-split items (prompts, golds, options; GRPO's
 * prompts are train items too) and the gene cards. Evaluation, development and control text never shapes the
 * vocabulary (no tuning on the test split): an unseen word there is spelled out by the lossless fallback.
 */
export function trainingCorpus(
  items: readonly { prompt: string; gold: string; options?: string[]; split?: string }[],
  cards: readonly { text: string }[] = [],
): string[] {
  return [...corpusOf(items.filter((it) => it.split === "train")), ...cards.map((c) => c.text)];
}
