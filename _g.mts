process.env.BBIO_THREADS = "1"; process.env.BBIO_ATEN_THREADS = "1";
const { loadConfig } = await import("./src/config/index.ts");
const { initBackend } = await import("./src/model/backend.ts");
const { GPT } = await import("./src/model/gpt.ts");
const { generate } = await import("./src/model/sample.ts");
await initBackend("auto", { quiet: true });
const config = loadConfig("configs/default.json");
const m = GPT.init({ ...config.model, dropout: 0 }, 1);
const mk = (lens: number[]) => lens.flatMap((L, i) => Array.from({ length: 4 }, () => Array.from({ length: L }, (_, k) => 10 + ((i * 7 + k) % 1000))));
const same = mk(Array.from({ length: 32 }, () => 30));
const varied = mk(Array.from({ length: 32 }, (_, i) => 20 + (i % 20)));
for (const [name, p] of [["same", same], ["varied", varied], ["same", same], ["varied", varied]] as const) {
  const t = performance.now();
  await generate(m, p as number[][], { maxNewTokens: 64, temperature: 1, seed: 1, stop: [] });
  console.log(name, ((performance.now() - t) / 1000).toFixed(2), "s");
}
