#include "store_commands.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "command_line.hpp"
#include "shell/shell.hpp"
#include "store_actions.hpp"
#include "text/dump_format.hpp"

namespace kepler::cli {
namespace {

// What the store commands' arguments hold; shared_ptr so the callbacks own them.
struct store_args {
  std::string dir;
  std::string key;
  std::string value;
  std::string from;
  std::string to;
  std::uint64_t limit = 0;
  bool hex_args = false;
  bool no_sync = false;
  output_flags out;
};

constexpr const char* hex_args_help =
    "KEY, VALUE, FROM, TO and P are hex digits (for keys and values that are not text)";

// The range [FROM, TO) of the optional FROM and TO arguments `from_opt`, `to_opt`.
bool argument_range(const store_args& a, const CLI::Option* from_opt, const CLI::Option* to_opt,
                    key_range* range) {
  std::string bytes;
  if (from_opt->count()) {
    if (!argument_bytes(a.hex_args, a.from, "FROM", &bytes)) return false;
    range->from = bytes;
  }
  if (to_opt->count()) {
    if (!argument_bytes(a.hex_args, a.to, "TO", &bytes)) return false;
    range->to = bytes;
  }
  return true;
}

int store_error(const caf::error& err) {
  return fail(kepler::to_string(err));
}

CLI::App* add_command(CLI::App& app, const char* name, const char* help, store_args& a) {
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option("DIR", a.dir, "store directory")->required();
  return cmd;
}

void add_get(CLI::App& app, command_status& status) {
  auto a = std::make_shared<store_args>();
  auto* cmd = add_command(app, "get", "print KEY's value (exit 1 when it is missing)", *a);
  cmd->add_option("KEY", a->key, "the key")->required();
  cmd->add_flag("--hex-args", a->hex_args, hex_args_help);
  add_output_flags(cmd, &a->out);
  cmd->callback([a, &status] {
    std::string key;
    if (!argument_bytes(a->hex_args, a->key, "KEY", &key)) return void(status.code = exit_usage);
    auto store = open_for_command(a->dir, false);
    if (!store) return void(status.code = store_error(store.error()));
    auto v = (*store)->get(key);
    if (!v) return void(status.code = store_error(v.error()));
    if (!*v)
      return void(status.code = fail(format_bytes(key, byte_format::escaped) + ": not found"));
    std::string line = format_bytes(**v, a->out.format()) + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
  });
}

void add_put_del(CLI::App& app, command_status& status, bool put) {
  auto a = std::make_shared<store_args>();
  auto* cmd = add_command(app, put ? "put" : "del",
                          put ? "set KEY to VALUE (synced; creates the store when missing)"
                              : "remove KEY (synced; removing a missing key succeeds)",
                          *a);
  cmd->add_option("KEY", a->key, "the key")->required();
  if (put) cmd->add_option("VALUE", a->value, "the value")->required();
  cmd->add_flag("--hex-args", a->hex_args, hex_args_help);
  cmd->add_flag("--no-sync", a->no_sync,
                "return once the write is in the operating system, not on disk");
  cmd->callback([a, &status, put] {
    std::string key, value;
    if (!argument_bytes(a->hex_args, a->key, "KEY", &key) ||
        (put && !argument_bytes(a->hex_args, a->value, "VALUE", &value)))
      return void(status.code = exit_usage);
    auto store = open_for_command(a->dir, true);
    if (!store) return void(status.code = store_error(store.error()));
    write_options wo{!a->no_sync};
    auto r = put ? (*store)->insert(key, value, wo) : (*store)->remove(key, wo);
    if (!r) return void(status.code = store_error(r.error()));
    if (auto closed = (*store)->close(); !closed) status.code = store_error(closed.error());
  });
}

void add_scan(CLI::App& app, command_status& status, bool prefix) {
  auto a = std::make_shared<store_args>();
  auto* cmd =
      add_command(app, prefix ? "prefix" : "scan",
                  prefix ? "print the pairs whose key starts with P, in key order"
                         : "print the pairs with FROM <= key < TO, in key order, one per line",
                  *a);
  CLI::Option* from_opt = nullptr;
  CLI::Option* to_opt = nullptr;
  if (prefix) {
    from_opt = cmd->add_option("P", a->from, "the key prefix")->required();
  } else {
    from_opt = cmd->add_option("FROM", a->from, "first key (default: the first key)");
    to_opt = cmd->add_option("TO", a->to, "the key to stop before (default: none)");
  }
  cmd->add_option("-n,--limit", a->limit, "print at most N pairs (0: all)");
  cmd->add_flag("--hex-args", a->hex_args, hex_args_help);
  add_output_flags(cmd, &a->out);
  cmd->callback([a, &status, prefix, from_opt, to_opt] {
    key_range range;
    if (prefix) {
      std::string p;
      if (!argument_bytes(a->hex_args, a->from, "P", &p)) return void(status.code = exit_usage);
      range = prefix_range(p);
    } else if (!argument_range(*a, from_opt, to_opt, &range)) {
      return void(status.code = exit_usage);
    }
    auto store = open_for_command(a->dir, false);
    if (!store) return void(status.code = store_error(store.error()));
    auto n = print_range(**store, range, a->limit, {}, a->out.format(), stdout);
    if (!n) status.code = store_error(n.error());
  });
}

void add_count(CLI::App& app, command_status& status) {
  auto a = std::make_shared<store_args>();
  auto* cmd = add_command(app, "count", "print how many keys lie in FROM <= key < TO", *a);
  auto* from_opt = cmd->add_option("FROM", a->from, "first key (default: the first key)");
  auto* to_opt = cmd->add_option("TO", a->to, "the key to stop before (default: none)");
  cmd->add_flag("--hex-args", a->hex_args, hex_args_help);
  cmd->callback([a, &status, from_opt, to_opt] {
    key_range range;
    if (!argument_range(*a, from_opt, to_opt, &range)) return void(status.code = exit_usage);
    auto store = open_for_command(a->dir, false);
    if (!store) return void(status.code = store_error(store.error()));
    auto n = count_range(**store, range, {});
    if (!n) return void(status.code = store_error(n.error()));
    std::printf("%llu\n", static_cast<unsigned long long>(*n));
  });
}

void add_stats(CLI::App& app, command_status& status) {
  auto a = std::make_shared<store_args>();
  auto* cmd = add_command(
      app, "stats", "print levels, files, bytes, amplification and cache figures (read-only)", *a);
  cmd->callback([a, &status] {
    auto store = open_for_command(a->dir, false);
    if (!store) return void(status.code = store_error(store.error()));
    auto text = describe_stats(**store);
    if (!text) return void(status.code = store_error(text.error()));
    std::fputs(text->c_str(), stdout);
  });
}

void add_compact(CLI::App& app, command_status& status) {
  auto a = std::make_shared<store_args>();
  auto* cmd = add_command(
      app, "compact", "compact the tables holding keys in FROM <= key <= TO (default: all)", *a);
  auto* from_opt = cmd->add_option("FROM", a->from, "first key (default: the first key)");
  auto* to_opt = cmd->add_option("TO", a->to, "last key (default: the last key)");
  cmd->add_flag("--hex-args", a->hex_args, hex_args_help);
  cmd->callback([a, &status, from_opt, to_opt] {
    key_range range;
    if (!argument_range(*a, from_opt, to_opt, &range)) return void(status.code = exit_usage);
    auto store = open_for_command(a->dir, true);
    if (!store) return void(status.code = store_error(store.error()));
    auto r = (*store)->compact_range(range.from, range.to);
    if (!r) return void(status.code = store_error(r.error()));
    if (auto levels = (*store)->property("kepler.levels"))
      std::printf("compacted\n%s", levels->c_str());
    if (auto closed = (*store)->close(); !closed) status.code = store_error(closed.error());
  });
}

void add_dump(CLI::App& app, command_status& status) {
  auto a = std::make_shared<store_args>();
  auto* cmd = add_command(
      app, "dump",
      "write every pair (or those in --from..--to) to stdout in the dump format (read-only)", *a);
  auto* from_opt = cmd->add_option("--from", a->from, "first key");
  auto* to_opt = cmd->add_option("--to", a->to, "the key to stop before");
  cmd->add_flag("--hex-args", a->hex_args, "--from and --to are hex digits");
  auto* hex = cmd->add_flag("--hex", a->out.hex, "hex lines: KEY<TAB>VALUE in hex digits");
  auto* json = cmd->add_flag("--json", a->out.json, "JSON Lines: {\"key\":K,\"value\":V}");
  hex->excludes(json);
  cmd->callback([a, &status, from_opt, to_opt] {
    key_range range;
    if (!argument_range(*a, from_opt, to_opt, &range)) return void(status.code = exit_usage);
    auto store = open_for_command(a->dir, false);
    if (!store) return void(status.code = store_error(store.error()));
    auto n = print_range(**store, range, 0, {}, a->out.format(), stdout);
    if (!n) status.code = store_error(n.error());
  });
}

void add_load(CLI::App& app, command_status& status) {
  auto a = std::make_shared<store_args>();
  auto* cmd = add_command(
      app, "load",
      "write the pairs of a dump read from stdin into the store (creating it when missing)", *a);
  auto* hex = cmd->add_flag("--hex", a->out.hex, "the dump has hex lines");
  auto* json = cmd->add_flag("--json", a->out.json, "the dump is JSON Lines");
  hex->excludes(json);
  cmd->callback([a, &status] {
    auto store = open_for_command(a->dir, true);
    if (!store) return void(status.code = store_error(store.error()));
    constexpr std::size_t batch_bytes = 1 << 20;
    write_batch batch;
    std::uint64_t loaded = 0, line_number = 0;
    std::string line, key, value;
    auto flush = [&]() -> bool {
      if (auto r = (*store)->write(batch); !r) {
        status.code = store_error(r.error());
        return false;
      }
      batch.clear();
      return true;
    };
    while (std::getline(std::cin, line)) {
      ++line_number;
      std::string wrong = parse_entry(line, a->out.format(), &key, &value);
      if (!wrong.empty()) {
        // Every line before the bad one is written; nothing from it on.
        if (flush())
          status.code = fail("line " + std::to_string(line_number) + ": " + wrong + "; the " +
                             std::to_string(loaded) + " pairs before it are loaded");
        return;
      }
      batch.insert(key, value);
      ++loaded;
      if (batch.encoded_bytes() >= batch_bytes && !flush()) return;
    }
    if (std::cin.bad()) return void(status.code = fail("reading stdin failed"));
    if (!flush()) return;
    if (auto r = (*store)->write(write_batch{}, write_options{true}); !r)
      return void(status.code = store_error(r.error()));
    if (auto closed = (*store)->close(); !closed)
      return void(status.code = store_error(closed.error()));
    std::fprintf(stderr, "kepler: loaded %llu pairs\n", static_cast<unsigned long long>(loaded));
  });
}

void add_repair(CLI::App& app, command_status& status) {
  auto a = std::make_shared<store_args>();
  auto* cmd = app.add_subcommand(
      "repair",
      "save what is readable of a damaged store into a new one (DIR itself is not changed): "
      "copies its files to NEWDIR, opens the copy with recovery_mode salvage and lists what "
      "was lost");
  cmd->add_option("DIR", a->dir, "the damaged store")->required();
  cmd->add_option("NEWDIR", a->to, "where the saved store goes (must not exist or be empty)")
      ->required();
  cmd->callback([a, &status] {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(a->dir, ec))
      return void(status.code = fail(a->dir + ": not a directory"));
    // Inside DIR it would change the damaged store it must leave as it was.
    const auto from = fs::weakly_canonical(a->dir, ec).string() + "/";
    const auto to = fs::weakly_canonical(a->to, ec).string() + "/";
    if (to.compare(0, from.size(), from) == 0 || from == to)
      return void(status.code = fail(a->to + ": lies inside " + a->dir +
                                     "; repair writes the saved store elsewhere"));
    if (fs::exists(a->to, ec) && !fs::is_empty(a->to, ec))
      return void(status.code =
                      fail(a->to + ": exists and is not empty; repair writes a new store"));
    fs::create_directories(a->to, ec);
    if (ec) return void(status.code = fail(a->to + ": " + ec.message()));
    std::uint64_t copied = 0;
    for (const auto& e : fs::directory_iterator(a->dir, ec)) {
      if (!e.is_regular_file() || e.path().filename() == "LOCK") continue;
      fs::copy_file(e.path(), fs::path(a->to) / e.path().filename(), ec);
      if (ec) return void(status.code = fail(e.path().string() + ": copy failed: " + ec.message()));
      ++copied;
    }
    if (ec) return void(status.code = fail(a->dir + ": " + ec.message()));
    options opts;
    opts.create_if_missing = false;
    opts.recovery_mode = recovery_mode::salvage;
    auto store = db::open(a->to, opts);
    if (!store)
      return void(status.code = fail("salvage of the copy in " + a->to +
                                     " failed: " + kepler::to_string(store.error())));
    const auto& report = (*store)->recovery();
    for (const auto& d : report.damage) std::printf("lost: %s\n", d.c_str());
    auto n = count_range(**store, {}, {});
    if (!n) return void(status.code = store_error(n.error()));
    std::printf(
        "saved %llu keys from %llu files into %s; %zu damaged range(s), %llu bytes and "
        "%llu log records dropped\n",
        static_cast<unsigned long long>(*n), static_cast<unsigned long long>(copied), a->to.c_str(),
        report.damage.size(), static_cast<unsigned long long>(report.torn_tail_bytes),
        static_cast<unsigned long long>(report.dropped_records));
    if (auto closed = (*store)->close(); !closed) status.code = store_error(closed.error());
  });
}

void add_shell(CLI::App& app, command_status& status) {
  auto a = std::make_shared<store_args>();
  auto* cmd = add_command(app, "shell",
                          "an interactive shell on the store, created when missing (line editing "
                          "and history on a terminal; commands line by line from a pipe)",
                          *a);
  add_output_flags(cmd, &a->out);
  cmd->callback([a, &status] { status.code = run_shell(a->dir, a->out.format()); });
}

}  // namespace

void add_store_commands(CLI::App& app, command_status& status) {
  add_get(app, status);
  add_put_del(app, status, true);
  add_put_del(app, status, false);
  add_scan(app, status, false);
  add_scan(app, status, true);
  add_count(app, status);
  add_stats(app, status);
  add_compact(app, status);
  add_dump(app, status);
  add_load(app, status);
  add_repair(app, status);
  add_shell(app, status);
}

}  // namespace kepler::cli
