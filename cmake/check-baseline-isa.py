#!/usr/bin/env python3
"""Checks that an x86-64 executable holds no instruction beyond the x86-64 baseline
(x86-64-v1: SSE2, CMOV, CX8, FXSR, MMX, SYSCALL) in code that runs without a CPU check.

The binary is disassembled with objdump; every function is scanned for instructions of a
later extension: anything VEX/EVEX-encoded (AVX, AVX2, AVX-512, FMA, F16C, and every ymm,
zmm or mask register), BMI1/BMI2, LZCNT, POPCNT, SSE3, SSSE3, SSE4.1, SSE4.2, PCLMUL,
AES, SHA, MOVBE, ADX, CX16, RDRAND/RDSEED, XSAVE. Not TZCNT: it is encoded `rep bsf`,
which a pre-BMI CPU runs as BSF, and compilers emit it without -mbmi only where the two
agree (a non-zero input); glibc and GCC's baseline code use it so.

Some functions may hold them because they only run after a CPU check chose them; those
are allowed by name (ALLOWED below):
  * simdjson's haswell, icelake and westmere kernels (simdjson picks one at run time
    from CPUID; without -march the code the core calls directly is the fallback);
  * Keyhole's own AVX2 and AVX-512 structural indexers (keyhole::detail::avx2::,
    keyhole::detail::avx512::, core/src/structural_indexer_x86.cpp), chosen by
    x86::fastest_kernel() from __builtin_cpu_supports;
  * glibc's IFUNC variants (__memcpy_avx_unaligned_erms, __strchr_evex, __sin_fma, ...)
    and its CPU-feature probing, libgcc's __cpu_indicator_init, libstdc++'s
    random_device rdrand/rdseed paths.
Everything else (Keyhole's core and CLI, simdjson's shared code and fallback kernel,
libstdc++, the rest of libc) must be clean. A -march=native build fails here; the
negative control (ctest portable-cli-check-rejects-avx2) proves that the check rejects
an AVX2/BMI2 binary.

Usage: check-baseline-isa.py [--objdump PATH] [--expect-reject] BINARY
"""
import argparse
import re
import subprocess
import sys

ALLOWED = [
    re.compile(p) for p in (
        r"simdjson::(haswell|icelake|westmere)::",       # runtime-dispatched kernels
        r"^keyhole::detail::(avx2|avx512)::",            # Keyhole's own, likewise
        r"^(__|_dl_)\w*?_(avx|avx2|avx512|evex|evex512|fma|fma4|sse4_1|sse4_2|sse42|ssse3|sse3|bmi2|x86_64_v[234])(_\w+)?$",
        r"^(init_cpu_features|update_active|_dl_runtime_resolve_xsavec?|_dl_tlsdesc_dynamic_xsavec?)(\.\w+)*$",
        # simdjson's CPU detection itself (xgetbv after CPUID says OSXSAVE)
        r"^simdjson::(internal::detect_supported_architectures|implementation::supported_by_runtime_system|internal::available_implementation_list::detect_best_supported)",
        r"^(__cpu_indicator_init|get_available_features)(\.\w+)*$",
        r"std::\(anonymous namespace\)::__x86_(rdrand|rdseed|rdseed_rdrand)\(",
    )
]

# Mnemonics (AT&T, as objdump prints them; suffixes b/w/l/q allowed) beyond x86-64-v1.
BEYOND = {
    "BMI1": "andn bextr blsi blsmsk blsr",  # tzcnt: see below
    "BMI2": "bzhi pdep pext mulx rorx sarx shlx shrx",
    "LZCNT": "lzcnt", "POPCNT": "popcnt",
    "SSE3": "addsubpd addsubps haddpd haddps hsubpd hsubps lddqu movddup movshdup movsldup fisttp fisttpl fisttpll fisttps monitor mwait",
    "SSSE3": "pabsb pabsw pabsd palignr phaddw phaddd phaddsw phsubw phsubd phsubsw pmaddubsw pmulhrsw pshufb psignb psignw psignd",
    "SSE4.1": "blendpd blendps blendvpd blendvps dppd dpps extractps insertps movntdqa mpsadbw packusdw pblendvb pblendw pcmpeqq pextrb pextrd pextrq phminposuw pinsrb pinsrd pinsrq pmaxsb pmaxsd pmaxud pmaxuw pminsb pminsd pminud pminuw pmovsxbw pmovsxbd pmovsxbq pmovsxwd pmovsxwq pmovsxdq pmovzxbw pmovzxbd pmovzxbq pmovzxwd pmovzxwq pmovzxdq pmuldq pmulld ptest roundpd roundps roundsd roundss",
    "SSE4.2": "pcmpestri pcmpestrm pcmpistri pcmpistrm pcmpgtq crc32 crc32b crc32w crc32l crc32q",
    "AES": "aesenc aesenclast aesdec aesdeclast aesimc aeskeygenassist",
    "SHA": "sha1rnds4 sha1nexte sha1msg1 sha1msg2 sha256rnds2 sha256msg1 sha256msg2",
    "MOVBE": "movbe", "ADX": "adcx adox", "CX16": "cmpxchg16b",
    "RDRAND": "rdrand rdseed",
    "XSAVE": "xgetbv xsave xsave64 xsavec xsavec64 xsaveopt xsaveopt64 xsaves xrstor xrstor64 xrstors",
}
MNEMONIC = {}
for ext, names in BEYOND.items():
    for n in names.split():
        MNEMONIC[n] = ext
NOT_VEX = {"verr", "verw"}
WIDE_REG = re.compile(r"%(ymm|zmm)\d+|%k[1-7]\b")
FUNC = re.compile(r"^[0-9a-f]+ <(.+)>:$")
INSN = re.compile(r"^\s+[0-9a-f]+:\s+(?:(?:rex\.?\w*|data16|lock|rep[a-z]*|notrack|bnd|cs|ds|ss|es|fs|gs)\s+)*([a-z][a-z0-9.]*)\s*(.*)$")


def extension(mnemonic, operands):
    if mnemonic.startswith("v") and mnemonic not in NOT_VEX:
        return "AVX"
    if WIDE_REG.search(operands):
        return "AVX"
    m = mnemonic
    if m in MNEMONIC:
        return MNEMONIC[m]
    if m.startswith("pclmul"):
        return "PCLMUL"
    if m[-1:] in "bwlq" and m[:-1] in MNEMONIC:
        return MNEMONIC[m[:-1]]
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objdump", default="objdump")
    ap.add_argument("--expect-reject", action="store_true",
                    help="succeed only when the binary is rejected (the negative control)")
    ap.add_argument("--verbose", action="store_true", help="also list the allowed functions")
    ap.add_argument("binary")
    a = ap.parse_args()
    proc = subprocess.Popen([a.objdump, "-d", "-C", "--no-show-raw-insn", a.binary],
                            stdout=subprocess.PIPE, text=True, errors="replace")
    func, allowed = "?", False
    bad = {}            # function -> {extension: count}
    allowed_hits = {}   # function -> count
    functions = 0
    for line in proc.stdout:
        m = FUNC.match(line)
        if m:
            func = m.group(1)
            allowed = any(p.search(func) for p in ALLOWED)
            functions += 1
            continue
        m = INSN.match(line)
        if not m:
            continue
        ext = extension(m.group(1), m.group(2))
        if ext is None:
            continue
        if allowed:
            allowed_hits[func] = allowed_hits.get(func, 0) + 1
        else:
            bad.setdefault(func, {}).setdefault(ext, 0)
            bad[func][ext] += 1
    if proc.wait() != 0 or functions == 0:
        print(f"check-baseline-isa: objdump failed on {a.binary}", file=sys.stderr)
        return 2
    print(f"check-baseline-isa: {a.binary}: {functions} functions; "
          f"{len(allowed_hits)} runtime-selected functions hold {sum(allowed_hits.values())} "
          f"post-baseline instructions (allowed); {len(bad)} other functions hold some")
    if a.verbose:
        for func, n in sorted(allowed_hits.items()):
            print(f"  allowed (runtime-selected): {func}: {n}")
    for func, exts in sorted(bad.items())[:40]:
        print(f"  NOT BASELINE: {func}: " + ", ".join(f"{e} x{n}" for e, n in sorted(exts.items())))
    if len(bad) > 40:
        print(f"  ... and {len(bad) - 40} more functions")
    if a.expect_reject:
        if bad:
            print("check-baseline-isa: rejected, as expected (negative control)")
            return 0
        print("check-baseline-isa: the negative control was NOT rejected: the check cannot fail")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
