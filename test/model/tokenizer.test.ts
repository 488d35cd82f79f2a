import { describe, it, expect } from "vitest";
import { Tokenizer, pieces, BOS, SEP, EOS } from "../../src/model/tokenizer.ts";
import { fakeItems } from "./fixtures.ts";
import { corpusOf } from "../../src/model/tokenizer.ts";

describe("tokenizer", () => {
  const items = fakeItems(20);
  const tok = Tokenizer.fit(corpusOf(items), 300);

  it("round-trips every item's prompt and gold exactly", () => {
    for (const it of items) {
      expect(tok.decode(tok.encode(it.prompt))).toBe(it.prompt);
      expect(tok.decode(tok.encode(it.gold))).toBe(it.gold);
    }
  });

  it("round-trips unseen text: GO ids, symbols, JSON, unicode, whitespace", () => {
    for (const s of [
      "GO:0099999 and GO:0006821",
      "TP53/p53 BRCA1-AS1 c-MYC",
      '{"a": [1, 2.5e-3], "b": null}\n\t  x',
      "α-synuclein ≥ 2 😀 naïve",
      "",
      "   ",
      "\r\n",
    ])
      expect(tok.decode(tok.encode(s))).toBe(s);
  });

  it("keeps frequent pieces whole and wraps items with specials", () => {
    expect(pieces(" GO:0006821, TP53")).toEqual([" GO:0006821", ",", " TP53"]);
    expect(tok.encode(" GO:0006821")).toHaveLength(1); // frequent in the corpus → one token
    const p = tok.encodePrompt("hi");
    expect(p[0]).toBe(BOS);
    expect(p.at(-1)).toBe(SEP);
    expect(tok.encodeCompletion("B").at(-1)).toBe(EOS);
  });

  it("is deterministic, serialisable, and bounded by the vocab size", () => {
    const again = Tokenizer.fit(corpusOf(items), 300);
    expect(again.vocab).toEqual(tok.vocab);
    expect(tok.size).toBeLessThanOrEqual(300);
    expect(Tokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON()))).encode("Which term")).toEqual(tok.encode("Which term"));
    expect(() => Tokenizer.fit(corpusOf(items), 50)).toThrow(/too small/);
  });
});
