#!/usr/bin/env bash
# Gathers what the GPU machine lacks (it has nvcc, CMake, ninja and Python, but no Debian -dev
# packages, no network and no ../shared) into one git-ignored folder, at most 48 MiB:
#   BUNDLE/prefix/usr/...     the build dependencies of scripts/install_deps.sh and the runtime
#                             libraries they link, from `apt-get download`, unpacked with dpkg -x;
#                             docs, man pages, sources and unused static libraries removed
#   BUNDLE/cdp2000.tar.xz     the CDP tables (DYNHAT_SHARED_DATA, default ../shared/data/cdp2000)
#   BUNDLE/env.sh             sourced by gpu_check.sh: CMAKE_PREFIX_PATH, CMAKE_LIBRARY_PATH and
#                             LD_LIBRARY_PATH for the prefix, DYNHAT_BUNDLE_TABLES
#   BUNDLE/MANIFEST           the packages and versions, and the bundle's size
#
#   benchmarks/gpu_bundle.sh [BUNDLE]      BUNDLE: default gpu-bundle/ at the repository root
#
# Needs apt-get (Debian 12, package lists updated: scripts/install_deps.sh does that), dpkg-deb,
# tar and xz. Exits 1 with a message when a download fails or an expected file is missing. On the
# device tool, name the folder in `carry` (it is git-ignored, so it does not travel otherwise).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUNDLE=${1:-$ROOT/gpu-bundle}
TABLES=${DYNHAT_SHARED_DATA:-$ROOT/../shared/data/cdp2000}
MAX_MIB=48
# The -dev packages of scripts/install_deps.sh and the runtime libraries behind their .so links.
PACKAGES=(nlohmann-json3-dev libfmt-dev libfmt9 libeigen3-dev libtomlplusplus-dev
          libtomlplusplus3 libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
          libbenchmark1debian libssl-dev libssl3 zlib1g-dev zlib1g)
# What CMake and the loader will look for; a package that changed its layout fails here, not on
# the GPU machine.
LIB=usr/lib/x86_64-linux-gnu
EXPECTED=(usr/share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake "$LIB/cmake/fmt/fmt-config.cmake"
          usr/share/eigen3/cmake/Eigen3Config.cmake "$LIB/cmake/tomlplusplus/tomlplusplusConfig.cmake"
          usr/share/cmake/CLI11/CLI11Config.cmake "$LIB/cmake/GTest/GTestConfig.cmake"
          "$LIB/cmake/benchmark/benchmarkConfig.cmake" usr/include/openssl/evp.h
          usr/include/openssl/configuration.h "$LIB/libcrypto.so" "$LIB/libcrypto.so.3"
          "$LIB/libfmt.so.9" "$LIB/libtomlplusplus.so.3" "$LIB/libbenchmark.so.1debian" "$LIB/libgtest.a"
          usr/include/zlib.h "$LIB/libz.so")

die() {
  echo "gpu_bundle: $*" >&2
  exit 1
}

for table in bilateral_trade gross_output io_coefficients sectoral_dispersion structures_share \
             value_added_share mu0 L0; do
  [[ -f $TABLES/$table.csv ]] || die "the CDP table $TABLES/$table.csv is missing"
done

rm -rf "$BUNDLE"
mkdir -p "$BUNDLE/debs"
BUNDLE=$(cd "$BUNDLE" && pwd)
PREFIX=$BUNDLE/prefix
# apt drops to the _apt user for downloads; that user cannot write into a root-owned folder.
chmod 777 "$BUNDLE/debs"
if ! (cd "$BUNDLE/debs" && apt-get download -q "${PACKAGES[@]}"); then
  die "apt-get download ${PACKAGES[*]} failed (package lists stale? run apt-get update)"
fi
for deb in "$BUNDLE"/debs/*.deb; do dpkg-deb -x "$deb" "$PREFIX"; done
{
  echo "dynhat GPU bundle made $(date -u +%FT%TZ) on $(uname -srm)"
  for deb in "$BUNDLE"/debs/*.deb; do dpkg-deb -f "$deb" Package Version | paste -sd' '; done
} >"$BUNDLE/MANIFEST"
rm -rf "$BUNDLE/debs"

# OpenSSL's configuration headers sit in the multiarch include folder, which only the system
# compiler searches (for /usr/include): beside the other OpenSSL headers they are found from
# OPENSSL_INCLUDE_DIR = PREFIX/usr/include.
mv "$PREFIX"/usr/include/x86_64-linux-gnu/openssl/* "$PREFIX/usr/include/openssl/"
rm -r "$PREFIX/usr/include/x86_64-linux-gnu"
# Not needed to build or run: documentation, GoogleTest's sources, OpenSSL's static libraries
# (dynhat links libcrypto.so), engines and providers (SHA-256 is in the default provider).
rm -rf "$PREFIX/usr/share/doc" "$PREFIX/usr/share/doc-base" "$PREFIX/usr/share/man" \
  "$PREFIX/usr/share/lintian" "$PREFIX/usr/src" "$PREFIX/$LIB/libssl.a" "$PREFIX/$LIB/libcrypto.a" \
  "$PREFIX/$LIB/engines-3" "$PREFIX/$LIB/ossl-modules"
# zlib1g unpacks into lib/ (not usr/lib) and zlib1g-dev's libz.so is an absolute link into the
# system's /lib: both move beside the other libraries, linked relatively, so the bundle's zlib is
# the one found and loaded.
mv "$PREFIX"/lib/x86_64-linux-gnu/libz.so.* "$PREFIX/$LIB/"
rm -r "$PREFIX/lib"
ln -sf "$(basename "$(ls "$PREFIX/$LIB"/libz.so.1.*)")" "$PREFIX/$LIB/libz.so"
for file in "${EXPECTED[@]}"; do
  [[ -e $PREFIX/$file ]] || die "$PREFIX/$file is missing after unpacking"
done

tar -C "$(dirname "$TABLES")" -cf - "$(basename "$TABLES")" | xz -6 -T0 >"$BUNDLE/cdp2000.tar.xz"

# The package configs locate themselves relative to their own folder, so the prefix works
# wherever the bundle is unpacked. PREFIX/usr/LIB/cmake is listed too, and the libraries in
# CMAKE_LIBRARY_PATH, for a compiler without Debian's multiarch (CMAKE_LIBRARY_ARCHITECTURE).
cat >"$BUNDLE/env.sh" <<'EOF'
# Generated by benchmarks/gpu_bundle.sh: the environment that makes CMake (nested runs too) and
# the loader use this bundle's prefix. Source it; it locates the bundle by its own path.
bundle=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$bundle/prefix/usr/lib/x86_64-linux-gnu
export CMAKE_PREFIX_PATH="$bundle/prefix/usr:$lib/cmake${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
export CMAKE_LIBRARY_PATH="$lib${CMAKE_LIBRARY_PATH:+:$CMAKE_LIBRARY_PATH}"
export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DYNHAT_BUNDLE_PREFIX=$bundle/prefix
export DYNHAT_BUNDLE_TABLES=$bundle/cdp2000.tar.xz
unset bundle lib
EOF

size_kib=$(du -sk "$BUNDLE" | cut -f1)
echo "size: $((size_kib / 1024)) MiB (prefix $(du -sh "$PREFIX" | cut -f1), tables $(du -h \
  "$BUNDLE/cdp2000.tar.xz" | cut -f1))" >>"$BUNDLE/MANIFEST"
cat "$BUNDLE/MANIFEST"
((size_kib <= MAX_MIB * 1024)) || die "$BUNDLE is $((size_kib / 1024)) MiB, over $MAX_MIB MiB"
echo "gpu_bundle: $BUNDLE ready"
