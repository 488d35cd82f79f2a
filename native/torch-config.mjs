#!/usr/bin/env node
// Prints the compiler/linker flags binding.gyp needs for the libtorch to build against (one flag per line):
//   node torch-config.mjs includes|cflags|libs
// Which libtorch: BBIO_TORCH_DIR (a directory with include/ and lib/, e.g. a pip-installed torch package:
// python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))'), else Debian's libtorch-dev under /usr.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.BBIO_TORCH_DIR;
const what = process.argv[2];
const out = [];
if (!dir) {
  if (what === "includes") out.push("/usr/include", "/usr/include/torch/csrc/api/include");
  if (what === "cflags") out.push("-D_GLIBCXX_USE_CXX11_ABI=1");
  if (what === "libs") out.push("-ltorch", "-ltorch_cpu", "-lc10", "-ldl");
} else {
  const lib = join(dir, "lib");
  if (what === "includes") out.push(join(dir, "include"), join(dir, "include", "torch", "csrc", "api", "include"));
  if (what === "cflags") {
    // pip wheels were built with the old C++ ABI until torch 2.7 or so: read it from libc10's symbols
    let abi = process.env.BBIO_TORCH_CXX11_ABI;
    if (abi === undefined) {
      try {
        abi = readFileSync(join(lib, "libc10.so")).includes("__cxx11") ? "1" : "0";
      } catch {
        abi = "1";
      }
    }
    out.push(`-D_GLIBCXX_USE_CXX11_ABI=${abi}`);
  }
  if (what === "libs") {
    out.push(`-L${lib}`, `-Wl,-rpath,${lib}`, "-Wl,--no-as-needed", "-ltorch", "-ltorch_cpu", "-lc10");
    // a CUDA build: link its CUDA parts too, so at::hasCUDA() sees them
    for (const l of ["torch_cuda", "c10_cuda"]) if (existsSync(join(lib, `lib${l}.so`))) out.push(`-l${l}`);
    out.push("-Wl,--as-needed", "-ldl");
  }
}
process.stdout.write(out.join("\n") + "\n");
