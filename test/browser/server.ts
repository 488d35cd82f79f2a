/**
 * A tiny static server for dist/ as a static host would serve it: under a base path, with clean URLs resolved to
 * `<path>.html` and `<dir>/index.html` — or, with `cleanUrls: false`, as a plain file server (no `.html` added), which
 * is what the link check uses. Test-only (and scripts/serve.ts).
 */
import { createServer, type Server } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".arrow": "application/vnd.apache.arrow.file",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".duckdb": "application/octet-stream",
};

export async function serveDist(
  dir: string,
  base = "/",
  { cleanUrls = true } = {},
): Promise<{ url: string; close: () => Promise<void>; requests: string[] }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    requests.push(path);
    if (!path.startsWith(base)) return void res.writeHead(404).end("outside base");
    const rel = normalize(path.slice(base.length)).replace(/^(\.\.[/\\])+/, "");
    // cleanUrls: false = a PLAIN static server (python3 -m http.server, a bucket): a file or a folder's index.html only
    const candidates = cleanUrls
      ? [join(dir, rel), join(dir, rel + ".html"), join(dir, rel, "index.html")]
      : [join(dir, rel), join(dir, rel, "index.html")];
    const file = candidates.find((f) => existsSync(f) && statSync(f).isFile());
    if (!file) return void res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}${base}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}
