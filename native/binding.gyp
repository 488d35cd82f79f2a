{
  "targets": [
    {
      "target_name": "bbio_native",
      "sources": ["src/addon.cc"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++14"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-ffp-contract=off", "-fno-fast-math", "-Wno-unused-parameter", "<!@(node torch-config.mjs cflags)"],
      "include_dirs": ["generated", "<!@(node torch-config.mjs includes)"],
      "libraries": ["<!@(node torch-config.mjs libs)"]
    }
  ]
}
