// Export for every table (CSV of its rows) and chart (SVG and PNG of its drawing): one small row of buttons, shared by
// every page. Works on any static host: the files are made in the browser (Blob + object URL), nothing is fetched.

/** rows: [{column: value}] → CSV text (RFC 4180 quoting; columns of the first row, then any others seen) */
export function toCSV(rows) {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v) => {
    const s = v == null ? "" : typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.map(cell).join(","), ...rows.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\n") + "\n";
}

function download(name, blob) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function button(text, title, onclick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.title = title;
  b.addEventListener("click", onclick);
  return b;
}

/** the chart's main drawing: the last <svg> that is not a legend swatch (Plot puts legends first) */
const mainSvg = (chart) => {
  const svgs = chart.tagName?.toLowerCase() === "svg" ? [chart] : [...chart.querySelectorAll("svg")];
  return svgs.filter((s) => !s.closest("[class$='-swatches']") && !s.closest("[class*='-swatch']")).pop() ?? svgs.pop();
};

function svgText(svg) {
  const copy = svg.cloneNode(true);
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  if (!copy.getAttribute("style")?.includes("background"))
    copy.setAttribute("style", `${copy.getAttribute("style") ?? ""};background:white`);
  return new XMLSerializer().serializeToString(copy);
}

/**
 * A row of export buttons. {rows, name} → "CSV"; {chart, name} → "SVG" and "PNG" (and CSV when rows are given too).
 * Returns the element (class "export", data-export).
 */
export function exportButtons({ rows = null, chart = null, name = "export" } = {}) {
  const bar = document.createElement("div");
  bar.className = "export";
  bar.setAttribute("data-export", name);
  if (rows) bar.append(button("CSV", `download ${name}.csv`, () => download(`${name}.csv`, new Blob([toCSV(rows)], { type: "text/csv" }))));
  if (chart) {
    bar.append(
      button("SVG", `download ${name}.svg`, () => {
        const svg = mainSvg(chart);
        if (svg) download(`${name}.svg`, new Blob([svgText(svg)], { type: "image/svg+xml" }));
      }),
      button("PNG", `download ${name}.png`, () => {
        const svg = mainSvg(chart);
        if (!svg) return;
        const { width, height } = svg.getBoundingClientRect();
        const img = new Image();
        img.onload = () => {
          const c = document.createElement("canvas");
          c.width = Math.ceil(width * 2);
          c.height = Math.ceil(height * 2);
          const ctx = c.getContext("2d");
          ctx.fillStyle = "white";
          ctx.fillRect(0, 0, c.width, c.height);
          ctx.drawImage(img, 0, 0, c.width, c.height);
          c.toBlob((b) => b && download(`${name}.png`, b), "image/png");
        };
        img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText(svg))}`;
      }),
    );
  }
  return bar;
}

/** a chart or table with its export buttons under it */
export function withExport(el, opts) {
  const div = document.createElement("div");
  div.append(el, exportButtons(opts.chart === true ? { ...opts, chart: el } : opts));
  return div;
}

/** a table in its own horizontally scrolling box (a phone scrolls the table, not the page) */
export function scrollBox(el) {
  const div = document.createElement("div");
  div.className = "scroll-x";
  div.style.cssText = "overflow-x:auto;max-width:100%";
  div.append(el);
  return div;
}

/**
 * A searchable run picker: a search box above a multiple <select> that hides the options not matching every word typed
 * ("pcgrad 2"), keeping the selection (the select is not rebuilt). → the box; pass the select to view() as usual.
 */
export function searchBox(select, { placeholder = "filter runs: e.g. pcgrad seed 2" } = {}) {
  const input = document.createElement("input");
  input.type = "search";
  input.placeholder = placeholder;
  input.setAttribute("aria-label", "filter the runs listed");
  input.style.cssText = "width:min(100%, 360px);font:13px var(--sans-serif);margin:4px 0";
  input.addEventListener("input", () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const o of select.querySelectorAll("option")) o.hidden = !words.every((w) => o.textContent.toLowerCase().includes(w));
  });
  return input;
}
