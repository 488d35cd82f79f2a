{
  "variables": {
    "torch_dir%": "<!(echo ${BBIO_TORCH_DIR:-})"
  },
  "targets": [
    {
      "target_name": "bbio_native",
      "sources": ["src/addon.cc"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++14"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter"],
      "conditions": [
        ["torch_dir==''", {
          "include_dirs": ["/usr/include", "/usr/include/torch/csrc/api/include"],
          "cflags_cc": ["-D_GLIBCXX_USE_CXX11_ABI=1"],
          "libraries": ["-ltorch", "-ltorch_cpu", "-lc10", "-ldl"]
        }, {
          "include_dirs": ["<(torch_dir)/include", "<(torch_dir)/include/torch/csrc/api/include"],
          "cflags_cc": ["<!(echo ${BBIO_TORCH_CXX11_ABI_FLAG:--D_GLIBCXX_USE_CXX11_ABI=0})"],
          "libraries": ["-L<(torch_dir)/lib", "-Wl,-rpath,<(torch_dir)/lib", "-Wl,--no-as-needed", "-ltorch", "-ltorch_cpu", "-lc10", "<!(test -e <(torch_dir)/lib/libtorch_cuda.so && echo -ltorch_cuda || echo -lc10)", "-ldl"]
        }]
      ]
    }
  ]
}
