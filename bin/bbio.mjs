#!/usr/bin/env node
// The `bbio` bin: registers tsx in-process and runs src/cli.ts, so the TypeScript sources are the only build
// (no emit step) and the pid a user sees is the pid doing the work (matters for kill/resume).
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
