#include "remote_commands.hpp"

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "command_line.hpp"
#include "kepler/remote.hpp"
#include "shell/shell.hpp"
#include "shell/shell_store.hpp"
#include "text/dump_format.hpp"

namespace kepler::cli {
namespace {

struct remote_args {
  std::string connect;
  tls_options tls;
  std::string key, value, from, to;
  std::uint64_t limit = 0;
  bool hex_args = false;
  bool no_sync = false;
  output_flags out;
};

// Connects to --connect HOST:PORT (the last colon splits, so [::1]:7000 and ::1:7000 work).
caf::expected<std::unique_ptr<remote_db>> connect(const remote_args& a) {
  auto colon = a.connect.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == a.connect.size())
    return make_error(ec::invalid_argument, "--connect " + a.connect + ": expected HOST:PORT");
  std::string host = a.connect.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  auto port = std::strtoul(a.connect.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || port == 0 || port > 65535)
    return make_error(ec::invalid_argument, "--connect " + a.connect + ": bad port");
  bool tls = !a.tls.certificate.empty();
  return remote_db::open(host, static_cast<std::uint16_t>(port), tls ? &a.tls : nullptr);
}

int store_error(const caf::error& err) {
  return fail(kepler::to_string(err));
}

}  // namespace

bool wants_remote(int argc, char** argv) {
  return argc > 1 &&
         (std::strncmp(argv[1], "--connect", 9) == 0 || std::strncmp(argv[1], "--tls-", 6) == 0);
}

int run_remote_command(int argc, char** argv) {
  CLI::App app{
      "kepler --connect HOST:PORT: get, put, del, scan and shell on a store kepler-server "
      "serves"};
  app.name("kepler");
  app.require_subcommand(1);
  auto a = std::make_shared<remote_args>();
  int code = exit_ok;
  app.add_option("--connect", a->connect, "HOST:PORT of kepler-server")->required();
  auto* cert = app.add_option("--tls-cert", a->tls.certificate, "client certificate (PEM)");
  auto* key = app.add_option("--tls-key", a->tls.key, "client private key (PEM)");
  auto* ca = app.add_option("--tls-ca", a->tls.ca_file, "CA (PEM) of the server's certificate");
  cert->needs(key)->needs(ca);
  key->needs(cert);
  ca->needs(cert);
  constexpr const char* hex_help = "KEY, VALUE, FROM and TO are hex digits";

  auto* get = app.add_subcommand("get", "print KEY's value (exit 1 when it is missing)");
  get->add_option("KEY", a->key, "the key")->required();
  get->add_flag("--hex-args", a->hex_args, hex_help);
  add_output_flags(get, &a->out);
  get->callback([a, &code] {
    std::string key;
    if (!argument_bytes(a->hex_args, a->key, "KEY", &key)) return void(code = exit_usage);
    auto db = connect(*a);
    if (!db) return void(code = store_error(db.error()));
    auto v = (*db)->get(key);
    if (!v) return void(code = store_error(v.error()));
    if (!*v) return void(code = fail(format_bytes(key, byte_format::escaped) + ": not found"));
    std::string line = format_bytes(**v, a->out.format()) + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
  });

  for (bool put : {true, false}) {
    auto* cmd = app.add_subcommand(
        put ? "put" : "del",
        put ? "set KEY to VALUE (synced)" : "remove KEY (synced; removing a missing key succeeds)");
    cmd->add_option("KEY", a->key, "the key")->required();
    if (put) cmd->add_option("VALUE", a->value, "the value")->required();
    cmd->add_flag("--hex-args", a->hex_args, hex_help);
    cmd->add_flag("--no-sync", a->no_sync,
                  "return once the write is in the server's operating system, not on disk");
    cmd->callback([a, &code, put] {
      std::string key, value;
      if (!argument_bytes(a->hex_args, a->key, "KEY", &key) ||
          (put && !argument_bytes(a->hex_args, a->value, "VALUE", &value)))
        return void(code = exit_usage);
      auto db = connect(*a);
      if (!db) return void(code = store_error(db.error()));
      write_options wo{!a->no_sync};
      auto r = put ? (*db)->insert(key, value, wo) : (*db)->remove(key, wo);
      if (!r) code = store_error(r.error());
    });
  }

  auto* scan = app.add_subcommand("scan", "print the pairs with FROM <= key < TO, in key order");
  auto* from_opt = scan->add_option("FROM", a->from, "first key (default: the first key)");
  auto* to_opt = scan->add_option("TO", a->to, "the key to stop before (default: none)");
  scan->add_option("-n,--limit", a->limit, "print at most N pairs (0: all)");
  scan->add_flag("--hex-args", a->hex_args, hex_help);
  add_output_flags(scan, &a->out);
  scan->callback([a, &code, from_opt, to_opt] {
    std::optional<std::string> from, to;
    std::string bytes;
    if (from_opt->count()) {
      if (!argument_bytes(a->hex_args, a->from, "FROM", &bytes)) return void(code = exit_usage);
      from = bytes;
    }
    if (to_opt->count()) {
      if (!argument_bytes(a->hex_args, a->to, "TO", &bytes)) return void(code = exit_usage);
      to = bytes;
    }
    auto db = connect(*a);
    if (!db) return void(code = store_error(db.error()));
    auto pairs = (*db)->scan(from, to, a->limit);
    if (!pairs) return void(code = store_error(pairs.error()));
    for (const auto& p : *pairs) {
      std::string line = format_entry(p.first, p.second, a->out.format()) + "\n";
      if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size())
        return void(code = fail("writing the output failed"));
    }
  });

  auto* shell = app.add_subcommand(
      "shell", "the interactive shell on the served store (no snapshot, stats or compact)");
  add_output_flags(shell, &a->out);
  shell->callback([a, &code] {
    auto db = connect(*a);
    if (!db) return void(code = store_error(db.error()));
    auto target = remote_shell_store(**db);
    code = run_shell_on(*target, a->connect, a->out.format());
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "kepler: %s\n", e.what());
    std::fprintf(stderr,
                 "kepler: run 'kepler --connect HOST:PORT --help' for the remote commands\n");
    return exit_usage;
  }
  return code;
}

}  // namespace kepler::cli
