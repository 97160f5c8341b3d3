// Runs a fuzz target over files, as ctest's fuzz-regression tests do, with any compiler: each
// argument is a file or a directory of files (not recursive). A directory that does not exist is
// skipped (a target may have no regressions yet), but at least one input must run. Exit 0 when
// every input ran; a failing oracle aborts, which fails the test with the input's name printed.
//
// --expect-failure (first argument): the planted-bug twins. Exit 0 as soon as an oracle aborts
// ("caught"), 1 if every input passed (the oracle missed the planted bug).
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replay %s (%zu bytes)\n", path.c_str(), bytes.size());
  // A copy in a buffer of the exact size, so that ASan sees any read past the input.
  std::vector<std::uint8_t> exact(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(exact.data(), exact.size());
  return true;
}

}  // namespace

extern "C" void caught(int) {
  static const char message[] = "the oracle caught the planted bug\n";
  (void)!write(2, message, sizeof message - 1);
  _exit(0);
}

int main(int argc, char** argv) {
  std::size_t ran = 0;
  int first = 1;
  const bool expect_failure = argc > 1 && std::string(argv[1]) == "--expect-failure";
  if (expect_failure) {
    std::signal(SIGABRT, caught);
    first = 2;
  }
  for (int i = first; i < argc; ++i) {
    const std::filesystem::path p(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(p))
        if (entry.is_regular_file()) files.push_back(entry.path());
      std::sort(files.begin(), files.end());  // a stable order for readable logs
      for (const auto& f : files) ran += run_file(f);
    } else if (std::filesystem::is_regular_file(p, ec)) {
      ran += run_file(p);
    }
  }
  std::printf("%zu inputs replayed\n", ran);
  if (expect_failure) {
    std::fprintf(stderr, "the planted bug went unnoticed by every input\n");
    return 1;
  }
  return ran > 0 ? 0 : 1;
}
