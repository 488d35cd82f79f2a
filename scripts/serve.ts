/**
 * View the built site: `npm run serve` (or `npx tsx scripts/serve.ts [dist] [port]`) serves dist/ as a PLAIN static
 * file server would (no clean-URL rewriting, like most static hosts), offline, on http://127.0.0.1:8080/.
 * Alternatives without node: `python3 -m http.server -d dist 8080`.
 */
import { createServer } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize, resolve } from "node:path";

const dir = resolve(process.argv[2] ?? "dist");
const port = Number(process.argv[3] ?? process.env.PORT ?? 8080);
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};
if (!existsSync(dir)) {
  process.stderr.write(`no ${dir}: build it first (npm run build, or the fixture store: see README "The site")\n`);
  process.exit(1);
}
createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
  const rel = normalize(path).replace(/^(\.\.[/\\])+/, "");
  const file = [join(dir, rel), join(dir, rel, "index.html")].find((f) => f.startsWith(dir) && existsSync(f) && statSync(f).isFile());
  if (!file) return void res.writeHead(404).end("not found");
  res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
  res.end(readFileSync(file));
}).listen(port, "127.0.0.1", () => process.stdout.write(`serving ${dir} on http://127.0.0.1:${port}/ (Ctrl-C stops)\n`));
