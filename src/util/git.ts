/**
 * Provenance of the code a run was made with: the commit and whether the work tree had uncommitted changes.
 * Read-only git plumbing; outside a git checkout (a tarball, a container) both are null rather than an error,
 * because a run is still valid there — it is just less traceable.
 */
import { execFileSync } from "node:child_process";

export interface GitInfo {
  commit: string | null;
  dirty: boolean | null;
}

export function gitInfo(cwd: string = process.cwd()): GitInfo {
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).trim();
  let commit: string | null;
  try {
    commit = git("rev-parse", "HEAD");
  } catch {
    return { commit: null, dirty: null };
  }
  let dirty: boolean | null;
  try {
    // untracked files count as dirty only when git would not ignore them (data/, node_modules/ are ignored)
    dirty = git("--no-optional-locks", "status", "--porcelain").length > 0; // no index refresh: never touch .git
  } catch {
    dirty = null;
  }
  return { commit, dirty };
}
