/**
 * `bbio backend [--json] [--backend <name>]`: which TF.js backend a run would use here, with its threads, library
 * versions (libtorch, OpenBLAS, TF.js), the float settings (src/model/float.ts: pinned or not, and the kernels ATen
 * and OpenBLAS dispatch to), and why the native backend is unavailable when it is.
 * Cheap to import: TF.js loads inside the action.
 */
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("backend")
    .description("show the TF.js backend a run would use (native/wasm/cpu…), its threads and library versions")
    .option("--backend <name>", "backend to initialise (default: BBIO_BACKEND or auto)")
    .option("--json", "print one JSON object", false)
    .action(async (opts: { backend?: string; json: boolean }) => {
      const { initBackend, backendInfo, describeBackend } = await import("./backend.ts");
      await initBackend(opts.backend ?? process.env.BBIO_BACKEND ?? "auto", { quiet: true });
      const info = await backendInfo();
      if (opts.json) {
        process.stdout.write(JSON.stringify(info, null, 2) + "\n");
        return;
      }
      const n = info.native as Record<string, unknown> | null;
      const lines = [
        `backend   ${describeBackend()}`,
        `threads   ${info.threads}${n && info.backend === "native" ? ` (ATen ${n.atenThreads}, OpenBLAS ${n.blasThreads}; BBIO_THREADS overrides, default cores ÷ BBIO_JOBS)` : ""}`,
        `tfjs      ${info.tfjs}`,
      ];
      if (n && info.backend !== "native")
        lines.push(`native    available (libtorch ${n.torch}), not in use: BBIO_BACKEND=native selects it`);
      else if (n) {
        lines.push(`libtorch  ${n.torch} (${n.library ?? "?"}), device ${n.device}${n.cudaAvailable ? ", CUDA available" : ""}`);
        lines.push(`blas      ${n.blas}`);
        const f = n.float as { identity: string; mode: string; env: Record<string, string | null>; fallback: string | null };
        const env = Object.entries(f.env)
          .map(([k, v]) => `${k}=${v ?? "(unset)"}`)
          .join(" ");
        lines.push(
          `float     ${f.identity}: ATen ${n.atenCapability ?? "?"}, OpenBLAS ${n.blasCore ?? "?"} (${env})` +
            (f.mode === "pinned"
              ? "; BBIO_FLOAT=native opts out"
              : f.fallback
                ? `; NOT pinned: ${f.fallback}`
                : "; NOT pinned (BBIO_FLOAT=native): numbers are this CPU's"),
        );
        lines.push(`addon     ${n.addon}`);
      } else lines.push(`native    unavailable: ${info.nativeUnavailable}`);
      process.stdout.write(lines.join("\n") + "\n");
    });
}
