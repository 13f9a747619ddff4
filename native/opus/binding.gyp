# Lumi's Opus binding (lumi_opus.c) and the libopus 1.3.1 sources @discordjs/opus installs,
# compiled the way libopus's own configure would on this machine: float, C99 variable-length
# arrays for scratch, and on x86 the SSE/SSE2/SSE4.1 kernels behind run-time CPU detection
# (OPUS_HAVE_RTCD), so one binary runs on any x86-64 and uses SSE4.1 where the CPU has it.
# Built by scripts/build-native.cjs at npm install; docs/toolchain.md section 3 has the figures
# behind each choice.
{
  "variables": {
    "opus_dir": "<!(node sources.cjs dir)",
    "opus_x86": "<!(node -p \"['x64','ia32'].includes(process.arch) ? 1 : 0\")",
  },
  "target_defaults": {
    "include_dirs": [
      "<(opus_dir)",
      "<(opus_dir)/include",
      "<(opus_dir)/celt",
      "<(opus_dir)/silk",
      "<(opus_dir)/silk/float",
      "<(opus_dir)/src",
    ],
    "defines": ["OPUS_BUILD", "HAVE_LRINTF", "HAVE_LRINT", "NAPI_DISABLE_CPP_EXCEPTIONS"],
    "cflags!": ["-fno-omit-frame-pointer"],
    "cflags": ["-O3", "-fomit-frame-pointer"],
    "xcode_settings": {"GCC_OPTIMIZATION_LEVEL": "3"},
    "conditions": [
      ["OS=='win'", {"defines": ["USE_ALLOCA"]}, {"defines": ["VAR_ARRAYS"]}],
      ["opus_x86==1", {
        "defines": [
          "OPUS_HAVE_RTCD",
          "CPU_INFO_BY_C",
          "OPUS_X86_MAY_HAVE_SSE",
          "OPUS_X86_PRESUME_SSE",
          "OPUS_X86_MAY_HAVE_SSE2",
          "OPUS_X86_PRESUME_SSE2",
          "OPUS_X86_MAY_HAVE_SSE4_1",
          "OPUS_X86_MAY_HAVE_AVX",
        ],
      }],
    ],
  },
  "targets": [
    {
      # The SSE4.1 kernels, compiled for SSE4.1 and called only when cpuid reports it.
      "target_name": "opus_sse4_1",
      "type": "static_library",
      "conditions": [
        ["opus_x86==1", {"sources": ["<!@(node sources.cjs sse4_1)"]}],
      ],
      "cflags": ["-msse4.1", "-w"],
      "xcode_settings": {"OTHER_CFLAGS": ["-msse4.1", "-w"]},
    },
    {
      "target_name": "lumi_opus",
      "sources": ["lumi_opus.c", "<!@(node sources.cjs common)"],
      "conditions": [
        ["opus_x86==1", {
          "sources": ["<!@(node sources.cjs sse)"],
          "dependencies": ["opus_sse4_1"],
        }],
      ],
      "cflags": ["-w"],
      "xcode_settings": {"OTHER_CFLAGS": ["-w"]},
    },
  ],
}
