/**
 * Checks every route must pass at 1280 × 900 and 390 × 844: run in the page by site.test.ts and by
 * scripts/screenshots.ts. Returns human-readable problems (empty = fine).
 *   - an element wider than the viewport that no scrolling box (overflow-x auto/scroll/hidden) contains;
 *   - a data table's cell (Inputs.table, or a table with data-table; a cell marked data-prose holds a sentence, e.g.
 *     the Paper page's quoted claims), legend entry or axis tick/label longer than 80 characters;
 *   - the internal links (href) of the page, for the caller to fetch from the static server.
 */
import type { Page } from "playwright-core";

export const MAX_LABEL = 80;

export async function layoutProblems(page: Page): Promise<{ problems: string[]; links: string[] }> {
  // a string, not a function: tsx's transpiler would add helpers (__name) the page does not have
  return page.evaluate(`((max) => {${IN_PAGE}})(${MAX_LABEL})`) as Promise<{ problems: string[]; links: string[] }>;
}

const IN_PAGE = `
    const problems = [];
    const vw = document.documentElement.clientWidth;
    const scrolls = (el) => {
      for (let e = el; e && e !== document.body; e = e.parentElement) {
        const o = getComputedStyle(e).overflowX;
        if (o === "auto" || o === "scroll" || o === "hidden") return true;
      }
      return false;
    };
    if (document.documentElement.scrollWidth > vw + 1) problems.push(\`page is \${document.documentElement.scrollWidth} px wide (viewport \${vw})\`);
    for (const el of Array.from(document.querySelectorAll("main *"))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= vw + 1) continue;
      if (scrolls(el.parentElement)) continue;
      if (el.closest("svg") && el.tagName.toLowerCase() !== "svg") continue; // the svg itself is checked
      problems.push(\`<\${el.tagName.toLowerCase()}\${el.getAttribute("data-chart") ? \` data-chart=\${el.getAttribute("data-chart")}\` : ""}\${el.className && typeof el.className === "string" ? \` class=\${el.className}\` : ""}> reaches \${Math.round(r.right)} px (viewport \${vw})\`);
      if (problems.length > 20) break;
    }
    const text = (e) => (e.textContent ?? "").replace(/\\s+/g, " ").trim();
    const labels = [
      ...Array.from(document.querySelectorAll("main form table td, main form table th, main table[data-table] td:not([data-prose]), main table[data-table] th")).map((e) => ["table cell", text(e)]),
      ...Array.from(document.querySelectorAll("main [class$='-swatch']")).map((e) => ["legend entry", text(e)]),
      ...Array.from(document.querySelectorAll("main g[aria-label$='tick label'] text, main g[aria-label$='axis label'] text, main g[aria-label=fx-axis] text, main g[aria-label=fy-axis] text")).map((e) => ["axis label", text(e)]),
    ];
    for (const [kind, t] of labels) if (t.length > max) problems.push(\`\${kind} of \${t.length} characters: "\${t.slice(0, 60)}…"\`);
    const links = Array.from(document.querySelectorAll("a[href]"))
      .map((a) => a.href)
      .filter((h) => h.startsWith(location.origin));
    return { problems: [...new Set(problems)], links: [...new Set(links)] };
`;
