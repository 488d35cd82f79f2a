/**
 * Learning-rate schedule (nanoGPT's get_lr): linear warmup from 0 to `lr` over `warmup` steps, then cosine decay to
 * `minLr` at `maxSteps`, constant after. `step` counts optimizer updates from 0.
 */
export function lrAt(step: number, o: { lr: number; minLr: number; warmup: number; maxSteps: number }): number {
  if (step < o.warmup) return (o.lr * (step + 1)) / (o.warmup + 1);
  if (step >= o.maxSteps) return o.minLr;
  const ratio = (step - o.warmup) / Math.max(1, o.maxSteps - o.warmup);
  return o.minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (o.lr - o.minLr);
}
