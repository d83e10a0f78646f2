# Cross-compiling mergeflow for 64-bit ARM Linux (AWS Graviton) on a Debian
# amd64 machine with g++-aarch64-linux-gnu and the arm64 -dev packages
# (multiarch: dpkg --add-architecture arm64). Programs the build runs (test
# discovery) run under qemu-aarch64-static. Used by scripts/arm64-check.sh:
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
# Libraries and headers of the target from Debian's multiarch folders;
# programs (pkg-config, the compilers) from the build machine.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
