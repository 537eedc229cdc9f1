// kepler: the KeplerDB command line. `kepler demo [DIR]` shows the store at work;
// `kepler put|get|del DIR KEY [VALUE]` are one-shot commands.

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "demo.hpp"
#include "kepler/db.hpp"

namespace {

void usage(std::FILE* to) {
  std::fprintf(to,
               "usage: kepler demo [DIR]          walk through writes, reads, a batch and "
               "recovery\n"
               "       kepler put DIR KEY VALUE   set KEY to VALUE (synced)\n"
               "       kepler get DIR KEY         print KEY's value (exit 1 when missing)\n"
               "       kepler del DIR KEY         remove KEY (synced)\n");
}

int one_shot(const std::string& cmd, int argc, char** argv) {
  std::size_t want = cmd == "put" ? 5 : 4;
  if (static_cast<std::size_t>(argc) != want) {
    usage(stderr);
    return 2;
  }
  kepler::options opts;
  opts.create_if_missing = cmd == "put";
  auto store = kepler::db::open(argv[2], opts);
  if (!store) {
    std::fprintf(stderr, "kepler: %s\n", kepler::to_string(store.error()).c_str());
    return 1;
  }
  kepler::write_options synced{true};
  if (cmd == "get") {
    auto v = (*store)->get(argv[3]);
    if (!v) {
      std::fprintf(stderr, "kepler: %s\n", kepler::to_string(v.error()).c_str());
      return 1;
    }
    if (!*v) {
      std::fprintf(stderr, "kepler: %s: not found\n", argv[3]);
      return 1;
    }
    std::fwrite((*v)->data(), 1, (*v)->size(), stdout);
    std::fputc('\n', stdout);
    return 0;
  }
  auto r =
      cmd == "put" ? (*store)->insert(argv[3], argv[4], synced) : (*store)->remove(argv[3], synced);
  if (!r) {
    std::fprintf(stderr, "kepler: %s\n", kepler::to_string(r.error()).c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "--help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string cmd = argv[1];
  if (cmd == "demo") {
    if (argc > 3) {
      usage(stderr);
      return 2;
    }
    if (argc == 3) return kepler::cli::run_demo(argv[2]);
    // Without a directory, a fresh one that the demo removes again.
    auto dir =
        std::filesystem::temp_directory_path() / ("kepler-demo-" + std::to_string(::getpid()));
    int rc = kepler::cli::run_demo(dir.string());
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    return rc;
  }
  if (cmd == "put" || cmd == "get" || cmd == "del") return one_shot(cmd, argc, argv);
  std::fprintf(stderr, "kepler: unknown command '%s'\n", cmd.c_str());
  usage(stderr);
  return 2;
}
