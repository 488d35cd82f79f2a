import cliProgress from "cli-progress";

/**
 * Progress for long work. On a TTY: a cli-progress bar on stderr. Otherwise (CI, pipes, loaders):
 * a plain line every ~10% so logs stay readable and stdout stays clean for data.
 */
export interface Progress {
  tick(n?: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

export function progress(label: string, total: number, opts: { enabled?: boolean } = {}): Progress {
  const enabled = opts.enabled ?? true;
  if (!enabled || total <= 0) return { tick() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted} {info}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { info: "" });
    let done = 0;
    return {
      tick(n = 1, payload) {
        done += n;
        bar.update(done, {
          info: payload
            ? Object.entries(payload)
                .map(([k, v]) => `${k}=${v}`)
                .join(" ")
            : "",
        });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let done = 0;
  let nextReport = Math.ceil(total / 10);
  const t0 = Date.now();
  return {
    tick(n = 1, payload) {
      done += n;
      if (done >= nextReport || done === total) {
        const info = payload
          ? " " +
            Object.entries(payload)
              .map(([k, v]) => `${k}=${v}`)
              .join(" ")
          : "";
        process.stderr.write(`${label}: ${done}/${total} (${((Date.now() - t0) / 1000).toFixed(1)}s)${info}\n`);
        nextReport = done + Math.ceil(total / 10);
      }
    },
    stop() {},
  };
}
