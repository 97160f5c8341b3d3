// io_bench_common.h — shared by io_bench.cc and uv_echo_bare.cc (sioconf_io_bench).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

/// Writes "PORT\n" to `path` atomically (a temporary file renamed over it), so that a script
/// polling for the file never reads half of it.
inline bool write_port_file(const char* path, std::uint16_t port) {
  const std::string tmp = std::string(path) + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) {
    std::fprintf(stderr, "cannot write %s\n", tmp.c_str());
    return false;
  }
  std::fprintf(f, "%u\n", static_cast<unsigned>(port));
  if (std::fclose(f) != 0 || std::rename(tmp.c_str(), path) != 0) {
    std::fprintf(stderr, "cannot write %s\n", path);
    return false;
  }
  return true;
}

/// The bare libuv echo server (uv_echo_bare.cc): serves until `conns` connections ended, then
/// prints one JSON line. Returns the exit code.
int run_bare_echo_server(const char* port_file, int conns);
