/** Plain-text tables for the terminal (`bbio runs`, `bbio query`): aligned columns, long cells cut with "…". */
export function formatTable(columns: readonly string[], rows: readonly Record<string, unknown>[], maxWidth = 48): string {
  const cell = (v: unknown): string => {
    const s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    const one = s.replace(/\s+/g, " ");
    return one.length > maxWidth ? one.slice(0, maxWidth - 1) + "…" : one;
  };
  const body = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...body.map((b) => b[i].length)));
  const isNum = columns.map((c) => rows.length > 0 && rows.every((r) => r[c] === null || typeof r[c] === "number"));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (isNum[i] ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line([...columns]), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
