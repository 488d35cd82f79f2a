#!/usr/bin/python3
"""PyTorch twin of the workbench's TF.js GPT (src/model/gpt.ts) — numerical reference and speed yardstick.

Implements the SHARED MODEL SPEC exactly (nanoGPT shape):
  decoder-only, pre-LayerNorm, learned absolute positions, tied input/output embeddings, biases on every linear,
  LayerNorm eps 1e-5, GELU (tanh approximation), causal softmax attention scaled by 1/sqrt(head_dim), dropout.
Weight names follow the TF.js checkpoint (weights.json); TF.js stores linear weights as [in, out] (y = x·W + b)
while nn.Linear keeps [out, in], so loading transposes them.

Run with Debian's interpreter (/usr/bin/python3 + apt python3-torch), not the pyenv python3 on PATH.

Sub-commands (all print one JSON object on stdout):
  forward --ckpt DIR < batch.json      logits + masked loss for {"tokens": [[...]], "targets": [[...]], "mask": [[...]]}
  train   --config '{"n_layer":..}' --batch B --seq T --steps N [--tokens FILE] [--threads K] [--device cuda]
                                       timed Adam training steps → tokens/s
  replay  PLAN.json [--device cuda]    the train run that bench/run.ts --torch-plan wrote (same batch, same update)
  peak    [--n 1024] [--threads K] [--device cuda]
                                       practical matmul GFLOP/s (the MFU denominator)
  info                                 torch version, BLAS, thread counts
  sample  --config '{..}' [--batch 1 --prompt 8 --new 48]
                                       greedy decoding new tokens/s, KV cache (incremental) vs none
  grpo    --ckpt DIR [--steps N --warmup W] < plan.json
                                       one whole GRPO step per repetition (sample, old/ref log-probs, one backward per
                                       capability, plain sum + clip + AdamW) → seconds per phase (bench/grpo_step.ts)
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------------------------------------------------------
# model


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C = cfg["n_embd"]
        self.n_head = cfg["n_head"]
        # separate q/k/v projections, as in the TF.js model (which avoids tf.split on wasm)
        self.q = nn.Linear(C, C)
        self.k = nn.Linear(C, C)
        self.v = nn.Linear(C, C)
        self.o = nn.Linear(C, C)
        self.attn_drop = nn.Dropout(cfg.get("dropout", 0.0))
        self.resid_drop = nn.Dropout(cfg.get("dropout", 0.0))
        T = cfg["block_size"]
        self.register_buffer("causal", torch.tril(torch.ones(T, T, dtype=torch.bool)).view(1, 1, T, T), persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        hd = C // self.n_head
        # [B,T,C] -> [B,nh,T,hd]
        q = self.q(x).view(B, T, self.n_head, hd).transpose(1, 2)
        k = self.k(x).view(B, T, self.n_head, hd).transpose(1, 2)
        v = self.v(x).view(B, T, self.n_head, hd).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))  # [B,nh,T,T]
        att = att.masked_fill(~self.causal[:, :, :T, :T], float("-inf"))
        att = self.attn_drop(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)  # [B,T,C]
        return self.resid_drop(self.o(y))


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C = cfg["n_embd"]
        self.fc = nn.Linear(C, 4 * C)
        self.proj = nn.Linear(4 * C, C)
        self.drop = nn.Dropout(cfg.get("dropout", 0.0))

    def forward(self, x):
        return self.drop(self.proj(F.gelu(self.fc(x), approximate="tanh")))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C = cfg["n_embd"]
        self.ln_1 = nn.LayerNorm(C, eps=1e-5)
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = nn.LayerNorm(C, eps=1e-5)
        self.mlp = MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))  # pre-LN residual
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        V, C, L = cfg["vocab_size"], cfg["n_embd"], cfg["n_layer"]
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(cfg["block_size"], C)
        self.drop = nn.Dropout(cfg.get("dropout", 0.0))
        self.h = nn.ModuleList([Block(cfg) for _ in range(L)])
        self.ln_f = nn.LayerNorm(C, eps=1e-5)
        # nanoGPT init: N(0, .02), residual projections N(0, .02/sqrt(2L)), biases 0, LN g=1 b=0
        for name, p in self.named_parameters():
            if name.endswith(".bias"):
                nn.init.zeros_(p)
            elif ".ln_" in name or name.startswith("ln_f"):
                nn.init.ones_(p)
            elif name.endswith("o.weight") or name.endswith("proj.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * L))
            else:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, idx, last_only=False):
        """idx [B,T] → logits [B,T,V]; last_only: the newest position's logits only, [B,1,V] (decoding needs no more)."""
        B, T = idx.shape
        assert T <= self.cfg["block_size"], f"sequence {T} longer than block_size {self.cfg['block_size']}"
        pos = torch.arange(T, device=idx.device)
        x = self.drop(self.wte(idx) + self.wpe(pos))  # [B,T,C]
        for block in self.h:
            x = block(x)
        if last_only:
            x = x[:, -1:]
        return self.ln_f(x) @ self.wte.weight.t()  # tied output embedding → [B,T,V]

    def num_params(self):
        return sum(p.numel() for p in self.parameters())


def masked_loss(logits, targets, mask):
    """Mean next-token cross-entropy over positions with mask > 0 (prompt positions carry mask 0)."""
    nll = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1), reduction="none")
    m = mask.reshape(-1).to(nll.dtype)
    return (nll * m).sum() / m.sum().clamp(min=1.0)


# ---------------------------------------------------------------------------------------------------------------
# checkpoint loading (weights.bin + weights.json, written by src/model/checkpoint.ts)

# spec name -> (torch parameter name, is a linear weight stored [in,out] that must be transposed)
def _spec_to_torch(name):
    parts = name.split(".")
    if name in ("wte", "wpe"):
        return f"{name}.weight", False
    if parts[0] == "ln_f":
        return "ln_f." + ("weight" if parts[1] == "g" else "bias"), False
    if parts[0] == "h":
        i, mod, leaf = parts[1], parts[2], parts[3]
        if mod in ("ln_1", "ln_2"):
            return f"h.{i}.{mod}." + ("weight" if leaf == "g" else "bias"), False
        kind, which = leaf.split("_", 1)  # w_q -> (w, q); b_fc -> (b, fc)
        return f"h.{i}.{mod}.{which}." + ("weight" if kind == "w" else "bias"), kind == "w"
    raise ValueError(f"unknown weight name in weights.json: {name}")


def read_config(ckpt):
    with open(os.path.join(ckpt, "config.json")) as f:
        raw = json.load(f)
    # config.json holds the model config either at top level or under "model"
    cfg = raw.get("model", raw)
    need = ["n_layer", "n_head", "n_embd", "block_size", "vocab_size"]
    missing = [k for k in need if k not in cfg]
    if missing:
        raise SystemExit(f"{ckpt}/config.json: missing model fields {missing}")
    return cfg


def load_checkpoint(ckpt):
    cfg = read_config(ckpt)
    model = GPT(cfg)
    with open(os.path.join(ckpt, "weights.json")) as f:
        index = json.load(f)
    if isinstance(index, dict):  # tolerate {"tensors": [...]} wrappers
        index = index.get("tensors", index.get("weights"))
    blob = open(os.path.join(ckpt, "weights.bin"), "rb").read()
    params = dict(model.named_parameters())
    # "offset" is a byte offset into weights.bin; tolerate a float32-element offset too (decided by which unit makes
    # the last tensor end exactly at the end of the file)
    last = max(index, key=lambda e: int(e["offset"]))
    unit = 4 if (int(last["offset"]) + math.prod(last["shape"])) * 4 == len(blob) else 1
    seen = set()
    for entry in index:
        tname, transpose = _spec_to_torch(entry["name"])
        shape = list(entry["shape"])
        n = math.prod(shape)
        off = int(entry["offset"]) * unit  # byte offset into weights.bin
        t = torch.frombuffer(bytearray(blob[off : off + 4 * n]), dtype=torch.float32).view(*shape)
        if transpose:
            t = t.t()
        p = params[tname]
        if tuple(p.shape) != tuple(t.shape):
            raise SystemExit(f"weight {entry['name']}: shape {shape} does not fit {tname} {tuple(p.shape)}")
        with torch.no_grad():
            p.copy_(t)
        seen.add(tname)
    missing = sorted(set(params) - seen)
    if missing:
        raise SystemExit(f"{ckpt}/weights.json lacks {missing}")
    return model, cfg


# ---------------------------------------------------------------------------------------------------------------
# sub-commands


def cmd_forward(args):
    torch.set_num_threads(args.threads)
    model, _ = load_checkpoint(args.ckpt)
    model.eval()
    batch = json.load(sys.stdin)
    idx = torch.tensor(batch["tokens"], dtype=torch.long)
    with torch.no_grad():
        logits = model(idx)
        out = {"shape": list(logits.shape), "logits": logits.reshape(-1).tolist()}
        if "targets" in batch:
            tg = torch.tensor(batch["targets"], dtype=torch.long)
            mask = torch.tensor(batch["mask"], dtype=torch.float32) if "mask" in batch else torch.ones_like(tg, dtype=torch.float32)
            out["loss"] = masked_loss(logits, tg, mask).item()
    json.dump(out, sys.stdout)


def cmd_train(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = json.loads(args.config)
    model = GPT(cfg)
    dev = torch.device(args.device)
    B, T = args.batch, args.seq
    if args.tokens:  # the exact batch the TF.js side trains on: {"tokens": [[...]], "targets": [[...]]}
        with open(args.tokens) as f:
            b = json.load(f)
        idx = torch.tensor(b["tokens"], dtype=torch.long)
        tg = torch.tensor(b["targets"], dtype=torch.long)
        B, T = idx.shape
    else:
        data = torch.randint(0, cfg["vocab_size"], (B, T + 1))
        idx, tg = data[:, :-1], data[:, 1:]
    mask = torch.ones(B, T)
    # the same weights (initialised on the CPU from the seed) and batch, moved to the device; float32 throughout
    model, idx, tg, mask = model.to(dev), idx.to(dev), tg.to(dev), mask.to(dev)
    if args.optimizer == "adamw":
        # the project's SFT step: AdamW with decay on matrices only (nanoGPT grouping), β=(0.9, 0.95), grad clipping
        decay = [p for p in model.parameters() if p.dim() >= 2]
        no_decay = [p for p in model.parameters() if p.dim() < 2]
        groups = [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
        opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    def step():
        loss = masked_loss(model(idx), tg, mask)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if args.clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        return loss.item()  # .item() waits for the device, so each timed step includes all of its work

    losses = [step() for _ in range(args.warmup)]
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        losses.append(step())
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)  # the median step resists stalls on a shared machine
    json.dump(
        {
            "threads": torch.get_num_threads(),
            "device": str(dev),
            "device_name": torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu",
            "torch": torch.__version__,
            "params": model.num_params(),
            "batch": B,
            "seq": T,
            "steps": args.steps,
            "optimizer": args.optimizer,
            "sec_per_step": med,
            "sec_per_step_mean": sum(times) / len(times),
            "tokens_per_s": B * T / med,
            "first_loss": losses[0],
            "last_loss": losses[-1],
        },
        sys.stdout,
    )


@torch.no_grad()
def decode_cached(model, idx, n, choose):
    """Incremental decoding with a per-layer key/value cache (the prompt once, then one token per step), exactly n
    tokens per row (no stop token); `choose` maps the newest position's logits [B, V] to the next tokens [B, 1]."""
    cfg = model.cfg
    H, C = cfg["n_head"], cfg["n_embd"]
    hd = C // H
    L = len(model.h)
    ks, vs = [None] * L, [None] * L
    out = []
    feed, past = idx, 0
    for _ in range(n):
        B, T = feed.shape
        x = model.wte(feed) + model.wpe(torch.arange(past, past + T))
        for i, blk in enumerate(model.h):
            a = blk.ln_1(x)
            att = blk.attn
            q = att.q(a).view(B, T, H, hd).transpose(1, 2)
            k = att.k(a).view(B, T, H, hd).transpose(1, 2)
            v = att.v(a).view(B, T, H, hd).transpose(1, 2)
            if ks[i] is not None:
                k, v = torch.cat([ks[i], k], 2), torch.cat([vs[i], v], 2)
            ks[i], vs[i] = k, v
            s = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
            if T > 1:  # new token t (absolute past+t) sees keys j <= past+t
                S = k.shape[2]
                allowed = torch.arange(S).view(1, S) <= (past + torch.arange(T)).view(T, 1)
                s = s.masked_fill(~allowed, float("-inf"))
            y = (F.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(B, T, C)
            x = x + att.o(y)
            x = x + blk.mlp(blk.ln_2(x))
        logits = model.ln_f(x[:, -1]) @ model.wte.weight.t()
        nxt = choose(logits)
        out.append(nxt)
        past += T
        feed = nxt
    return torch.cat(out, 1)


def greedy_cached(model, idx, n):
    """Greedy incremental decoding with the key/value cache."""
    return decode_cached(model, idx, n, lambda logits: logits.argmax(-1, keepdim=True))


@torch.no_grad()
def greedy_uncached(model, idx, n):
    """Greedy decoding without a cache: the whole sequence through the model each step (the head on the newest
    position only, as the cached path and the TF.js generate() do)."""
    out = []
    for _ in range(n):
        nxt = model(idx, last_only=True)[:, -1].argmax(-1, keepdim=True)
        out.append(nxt)
        idx = torch.cat([idx, nxt], 1)
    return torch.cat(out, 1)


def cmd_sample(args):
    """Greedy decoding speed, KV cache vs none, on a freshly initialised model: new tokens/s (best of --reps)."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = json.loads(args.config)
    model = GPT(cfg)
    model.eval()
    idx = torch.randint(0, cfg["vocab_size"], (args.batch, args.prompt))
    res = {}
    toks = {}
    ways = (("cached", greedy_cached), ("uncached", greedy_uncached))
    best = {name: float("inf") for name, _ in ways}
    # inference_mode: PyTorch's fastest eager setting for inference (no autograd or version-counter bookkeeping)
    with torch.inference_mode():
        for _, fn in ways:
            fn(model, idx, 2)  # warm-up
        # best of --reps, cached and uncached interleaved (as bench/run.ts times ours)
        for _ in range(args.reps):
            for name, fn in ways:
                t0 = time.perf_counter()
                toks[name] = fn(model, idx, args.new)
                best[name] = min(best[name], time.perf_counter() - t0)
    for name, _ in ways:
        res[name] = args.batch * args.new / best[name]
    res["identical"] = bool(torch.equal(toks["cached"], toks["uncached"]))
    res["threads"] = torch.get_num_threads()
    json.dump(res, sys.stdout)


def cmd_peak(args):
    """Practical peak: the best float32 GFLOP/s of an n×n matmul (2n³ FLOPs) — what BLAS (or the GPU) sustains here."""
    torch.set_num_threads(args.threads)
    n = args.n
    dev = torch.device(args.device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    a, b = torch.randn(n, n, device=dev), torch.randn(n, n, device=dev)
    for _ in range(2):
        a @ b
    sync()
    best = float("inf")
    for _ in range(args.reps):
        t0 = time.perf_counter()
        a @ b
        sync()
        best = min(best, time.perf_counter() - t0)
    json.dump({"n": n, "threads": torch.get_num_threads(), "device": str(dev), "gflops": 2 * n**3 / best / 1e9}, sys.stdout)


def cmd_replay(args, parser):
    """Re-runs the train command a bench/run.ts --torch-plan file holds, with --device (and --steps) overridden."""
    with open(args.plan) as f:
        plan = json.load(f)
    argv = list(plan["argv"]) + ["--device", args.device]
    if args.steps is not None:
        argv += ["--steps", str(args.steps)]
    cmd_train(parser.parse_args(argv))


def cmd_info(_args):
    cfg = torch.__config__.show()
    blas = "openblas" if "openblas" in os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu").lower() else None
    json.dump(
        {
            "torch": torch.__version__,
            "blas_alternative": os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu"),
            "openblas": blas is not None,
            "default_threads": torch.get_num_threads(),
            "cpu_count": os.cpu_count(),
            "build_blas_info": next((l.strip() for l in cfg.splitlines() if "BLAS_INFO" in l), None),
        },
        sys.stdout,
    )



# ---------------------------------------------------------------------------------------------------------------
# one GRPO step (the twin of bench/grpo_step.ts, which drives src/grpo and src/model)


def filter_logits(logits, temperature, top_k, top_p):
    """logits / T, then top-k and nucleus filtering (-inf outside), as src/model/sample.ts sampleRow does."""
    z = logits / temperature
    if top_k > 0 and top_k < z.shape[-1]:
        kth = torch.topk(z, top_k, dim=-1).values[:, -1:]
        z = z.masked_fill(z < kth, float("-inf"))
    if top_p < 1.0:
        sz, si = torch.sort(z, dim=-1, descending=True)
        cum = F.softmax(sz, dim=-1).cumsum(-1)
        drop = cum - F.softmax(sz, dim=-1) >= top_p  # keep the smallest prefix whose mass reaches top_p
        z = z.scatter(-1, si, sz.masked_fill(drop, float("-inf")))
    return z


def sample_cached(model, idx, n, temperature, top_k, top_p, gen):
    """Incremental sampling with the key/value cache, exactly n tokens per row (no stop token)."""
    return decode_cached(
        model,
        idx,
        n,
        lambda logits: torch.multinomial(F.softmax(filter_logits(logits, temperature, top_k, top_p), dim=-1), 1, generator=gen),
    )


def completion_logprobs(model, prompts, completions, temperature):
    """[B, Tc] log-probs of each completion token at the sampling temperature (prompts of one length)."""
    seq = torch.cat([prompts, completions], 1)
    Tp = prompts.shape[1]
    logits = model(seq[:, :-1])[:, Tp - 1 :]  # the positions that predict the completion tokens
    return torch.log_softmax(logits / temperature, dim=-1).gather(-1, completions.unsqueeze(-1)).squeeze(-1)


def grpo_loss(logp, old, ref, adv, beta, eps_low, eps_high):
    """src/grpo/loss.ts, loss_type "grpo" with every completion the same length (mask all ones)."""
    ratio = torch.exp(logp - old)
    A = adv.view(-1, 1)
    per_token = -torch.minimum(ratio * A, torch.clamp(ratio, 1 - eps_low, 1 + eps_high) * A)
    if ref is not None and beta > 0:
        d = ref - logp
        per_token = per_token + beta * (torch.exp(d) - d - 1)
    return per_token.mean(1).mean()


def cmd_grpo(args):
    """Steps of one GRPO step's phases on the plan read from stdin; prints each timed step's phase seconds."""
    torch.set_num_threads(args.threads)
    plan = json.load(sys.stdin)
    policy, _ = load_checkpoint(args.ckpt)
    reference, _ = load_checkpoint(args.ckpt)
    for p in reference.parameters():
        p.requires_grad_(False)
    g = plan["grpo"]
    T, G, n_new = g["temperature"], g["num_generations"], g["max_completion_length"]
    prompts = [torch.tensor(p, dtype=torch.long) for p in plan["prompts"]]  # per capability [P, Tp]
    adv = [torch.tensor(a, dtype=torch.float32) for a in plan["advantages"]]  # per capability [P·G]
    params = list(policy.parameters())
    decay = [p for n, p in policy.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in policy.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": g["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=g["learning_rate"],
        betas=(g["beta1"], g["beta2"]),
        eps=g["eps"],
    )
    gen = torch.Generator().manual_seed(args.seed)
    eps_high = g["epsilon_high"] if g.get("epsilon_high") is not None else g["epsilon"]

    def step():
        t = {}
        t0 = time.perf_counter()
        # every capability's prompts, G rows each, sampled in one batch (as sample.ts's one generate call)
        rows = torch.cat([p.repeat_interleave(G, 0) for p in prompts], 0)
        sampled = sample_cached(policy, rows, n_new, T, g["top_k"], g["top_p"], gen)
        per_cap = [r * G for r in (p.shape[0] for p in prompts)]
        comp = list(torch.split(sampled, per_cap, 0))
        rows_c = list(torch.split(rows, per_cap, 0))
        t1 = time.perf_counter()
        t["sample"] = t1 - t0
        with torch.no_grad():
            old = [completion_logprobs(policy, p, c, T) for p, c in zip(rows_c, comp)]
            ref = [completion_logprobs(reference, p, c, T) for p, c in zip(rows_c, comp)]
        t2 = time.perf_counter()
        t["logprobs"] = t2 - t1
        grads = []
        t["backward"] = []
        for c in range(len(prompts)):
            tc = time.perf_counter()
            loss = grpo_loss(completion_logprobs(policy, rows_c[c], comp[c], T), old[c], ref[c], adv[c], g["beta"], g["epsilon"], eps_high)
            grads.append(torch.autograd.grad(loss, params))
            t["backward"].append(time.perf_counter() - tc)
        t3 = time.perf_counter()
        for p, parts in zip(params, zip(*grads)):
            p.grad = torch.stack(parts).sum(0)  # plain sum of the capabilities' gradients
        torch.nn.utils.clip_grad_norm_(params, g["max_grad_norm"])
        opt.step()
        opt.zero_grad(set_to_none=True)
        t["combine_step"] = time.perf_counter() - t3
        t["total"] = time.perf_counter() - t0
        t["sampled_tokens"] = int(sampled.numel())
        return t

    for _ in range(args.warmup):
        step()
    steps = [step() for _ in range(args.steps)]
    json.dump({"threads": torch.get_num_threads(), "params": policy.num_params(), "steps": steps}, sys.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("forward")
    f.add_argument("--ckpt", required=True)
    f.add_argument("--threads", type=int, default=1)
    t = sub.add_parser("train")
    t.add_argument("--config", required=True, help="model config JSON")
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--seq", type=int, default=64)
    t.add_argument("--steps", type=int, default=20)
    t.add_argument("--warmup", type=int, default=3)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--optimizer", choices=["adam", "adamw"], default="adam")
    t.add_argument("--weight-decay", type=float, default=0.1)
    t.add_argument("--clip", type=float, default=0.0, help="global-norm gradient clipping (0 = off)")
    t.add_argument("--threads", type=int, default=1)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--tokens", help="JSON file with the exact batch to train on")
    t.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N")
    r = sub.add_parser("replay")
    r.add_argument("plan", help="JSON written by bench/run.ts --torch-plan")
    r.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N")
    r.add_argument("--steps", type=int, default=None)
    p = sub.add_parser("peak")
    p.add_argument("--n", type=int, default=1024)
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N")
    sub.add_parser("info")
    s = sub.add_parser("sample")
    s.add_argument("--config", required=True, help="model config JSON")
    s.add_argument("--batch", type=int, default=1)
    s.add_argument("--prompt", type=int, default=8)
    s.add_argument("--new", type=int, default=48)
    s.add_argument("--reps", type=int, default=5)
    s.add_argument("--threads", type=int, default=1)
    s.add_argument("--seed", type=int, default=0)
    q = sub.add_parser("grpo")
    q.add_argument("--ckpt", required=True, help="weights dir (weights.bin + weights.json + config.json)")
    q.add_argument("--steps", type=int, default=1)
    q.add_argument("--warmup", type=int, default=1)
    q.add_argument("--threads", type=int, default=1)
    q.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.cmd == "replay":
        return cmd_replay(args, ap)
    {"forward": cmd_forward, "train": cmd_train, "peak": cmd_peak, "info": cmd_info, "sample": cmd_sample, "grpo": cmd_grpo}[args.cmd](args)


if __name__ == "__main__":
    main()
