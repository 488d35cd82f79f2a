/**
 * A throwaway single-node Slurm cluster for tests, entirely under one temp directory: its own munged (own socket,
 * pid file, log), slurmctld and slurmd on free ports, state and logs in the directory. Needs root and the Debian
 * packages slurmctld, slurmd, slurm-client and munge. Every daemon is stopped by the pid it wrote; nothing is
 * stopped by name (other clusters or tests may run on the machine).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { hostname, cpus } from "node:os";
import { dirname, join } from "node:path";

const BINS = [
  "/usr/sbin/munged",
  "/usr/sbin/slurmctld",
  "/usr/sbin/slurmd",
  "/usr/bin/sbatch",
  "/usr/bin/squeue",
  "/usr/bin/scancel",
  "/usr/bin/sinfo",
];
const KEY = "/etc/munge/munge.key";

/** Why a real cluster cannot start here, or null if it can. */
export function slurmUnavailable(): string | null {
  const missing = BINS.filter((b) => !existsSync(b));
  if (missing.length) return `Slurm is not installed (${missing.join(", ")} missing; apt-get install slurmctld slurmd slurm-client munge)`;
  if (process.getuid?.() !== 0) return "starting slurmd needs root";
  if (!existsSync(KEY)) return `${KEY} is missing`;
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidOf(file: string): number | null {
  if (!existsSync(file)) return null;
  const n = Number(readFileSync(file, "utf8").trim());
  return Number.isInteger(n) && n > 0 ? n : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Cluster {
  dir: string;
  /** environment for slurm commands (SLURM_CONF) */
  env: NodeJS.ProcessEnv;
  /** run a slurm client command (sbatch, squeue, scancel, sinfo), return stdout */
  cmd(bin: string, args: string[], extraEnv?: Record<string, string>): string;
  /** wait until the job (all array tasks) has left the queue */
  waitJob(jobId: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startCluster(dir: string): Promise<Cluster> {
  // munged runs as the munge user: it must be able to reach its socket folder (mkdtemp makes 0700 folders)
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  chmodSync(dirname(dir), 0o755);
  const mungeDir = join(dir, "munge");
  for (const d of ["state", "spool", "log", "munge"]) mkdirSync(join(dir, d), { recursive: true });
  execFileSync("chown", ["munge:munge", mungeDir]);
  chmodSync(mungeDir, 0o700);
  const sock = join(mungeDir, "munge.sock");
  const pids = { munged: join(mungeDir, "munged.pid"), ctld: join(dir, "slurmctld.pid"), d: join(dir, "slurmd.pid") };
  const started: string[] = [];
  const stop = async () => {
    // slurmd, then slurmctld, then munged — each by the pid it wrote
    for (const f of [pids.d, pids.ctld, pids.munged]) {
      const pid = pidOf(f);
      if (!pid || !alive(pid)) continue;
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        /* gone */
      }
      for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
      if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  };
  try {
    execFileSync("runuser", [
      "-u",
      "munge",
      "--",
      "/usr/sbin/munged",
      "--force",
      `--socket=${sock}`,
      `--pid-file=${pids.munged}`,
      `--log-file=${join(mungeDir, "munged.log")}`,
      `--seed-file=${join(mungeDir, "seed")}`,
      `--key-file=${KEY}`,
    ]);
    started.push("munged");
    const host = hostname();
    const [ctldPort, dPort] = [await freePort(), await freePort()];
    const conf = join(dir, "slurm.conf");
    writeFileSync(
      conf,
      [
        "ClusterName=bbiotest",
        `SlurmctldHost=${host}`,
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${dPort}`,
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        `AuthInfo=socket=${sock}`,
        "CredType=cred/munge",
        `StateSaveLocation=${join(dir, "state")}`,
        `SlurmdSpoolDir=${join(dir, "spool")}`,
        `SlurmctldPidFile=${pids.ctld}`,
        `SlurmdPidFile=${pids.d}`,
        `SlurmctldLogFile=${join(dir, "log", "ctld.log")}`,
        `SlurmdLogFile=${join(dir, "log", "d.log")}`,
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "JobAcctGatherType=jobacct_gather/none",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core",
        "ReturnToService=2",
        "KillWait=5",
        `NodeName=${host} CPUs=${Math.max(1, cpus().length)} State=UNKNOWN`,
        `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
        "",
      ].join("\n"),
    );
    const env = { ...process.env, SLURM_CONF: conf };
    execFileSync("/usr/sbin/slurmctld", ["-c", "-f", conf], { env });
    started.push("slurmctld");
    await sleep(1000);
    execFileSync("/usr/sbin/slurmd", ["-c", "-f", conf], { env });
    started.push("slurmd");
    const cmd = (bin: string, args: string[], extraEnv: Record<string, string> = {}) =>
      execFileSync(bin, args, { env: { ...env, ...extraEnv }, encoding: "utf8" });
    const t0 = Date.now();
    for (;;) {
      let state = "";
      try {
        state = cmd("sinfo", ["-h", "-o", "%T"]).trim();
      } catch {
        /* controller not up yet */
      }
      if (state === "idle") break;
      if (Date.now() - t0 > 30_000)
        throw new Error(`the test cluster did not become idle (sinfo: "${state}"); logs in ${join(dir, "log")}`);
      await sleep(250);
    }
    const waitJob = async (jobId: string, timeoutMs = 300_000) => {
      const t = Date.now();
      const queued = () => {
        try {
          return cmd("squeue", ["-h", "-j", jobId, "-o", "%i"]).trim() !== "";
        } catch {
          return false; // "Invalid job id": the job is long gone
        }
      };
      while (queued()) {
        if (Date.now() - t > timeoutMs) throw new Error(`job ${jobId} still queued/running after ${timeoutMs / 1000} s`);
        await sleep(250);
      }
    };
    return { dir, env, cmd, waitJob, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Remove the cluster directory (after stop). */
export function removeCluster(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
