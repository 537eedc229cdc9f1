#include "shell/shell_session.hpp"

#include <chrono>

#include "store_actions.hpp"
#include "text/dump_format.hpp"

namespace kepler::cli {

struct shell_session::command {
  const char* name;
  const char* usage;
  const char* help;
  std::size_t min_args;
  std::size_t max_args;
  void (shell_session::*run)(const std::vector<word>&);  // null: quit
};

namespace {

using session = shell_session;

// Commands slower than this print how long they took.
constexpr double slow_seconds = 0.1;

}  // namespace

// A member, so the table may name the private handlers.
const std::vector<session::command>& shell_session::table() {
  static const std::vector<command> commands = {
      {"get", "get KEY", "print KEY's value, or (not found)", 1, 1, &session::get},
      {"put", "put KEY VALUE", "set KEY to VALUE (synced; queued inside a batch)", 2, 2,
       &session::put},
      {"del", "del KEY", "remove KEY (synced; queued inside a batch)", 1, 1, &session::del},
      {"scan", "scan [FROM [TO]] [LIMIT]",
       "print the pairs with FROM <= key < TO in key order, at most LIMIT (an unquoted number "
       "last is the LIMIT; quote a numeric key: scan \"10\")",
       0, 3, &session::scan},
      {"prefix", "prefix P [LIMIT]", "print the pairs whose key starts with P", 1, 2,
       &session::prefix},
      {"count", "count [FROM [TO]]", "count the keys with FROM <= key < TO", 0, 2, &session::count},
      {"batch", "batch", "start a batch: put and del are queued until commit (all or nothing)", 0,
       0, &session::batch},
      {"commit", "commit", "write the batch's operations as one atomic, synced write", 0, 0,
       &session::commit},
      {"abort", "abort", "drop the batch's operations; nothing is written", 0, 0, &session::abort},
      {"snapshot", "snapshot", "hold a snapshot: get, scan, prefix and count read it until release",
       0, 0, &session::snapshot},
      {"release", "release", "release the snapshot: reads see the newest state again", 0, 0,
       &session::release},
      {"stats", "stats", "levels, files, bytes, amplification and cache figures", 0, 0,
       &session::stats},
      {"compact", "compact [FROM [TO]]",
       "compact the tables holding keys in FROM <= key <= TO (default: all)", 0, 2,
       &session::compact},
      {"help", "help [COMMAND]", "list the commands, or explain one", 0, 1, &session::help},
      {"quit", "quit", "leave the shell (also: exit, or end of input)", 0, 0, nullptr},
      {"exit", "exit", "leave the shell", 0, 0, nullptr},
  };
  return commands;
}

namespace {

const session::command* find_command(std::string_view name) {
  for (const auto& c : session::table())
    if (name == c.name) return &c;
  return nullptr;
}

double seconds_now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// A bare (unquoted) run of decimal digits: a LIMIT, not a key.
// "(1 pair)", "(3 pairs)": the line after a scan.
void print_pairs(std::FILE* out, std::uint64_t n) {
  std::fprintf(out, "(%llu pair%s)\n", static_cast<unsigned long long>(n), n == 1 ? "" : "s");
}

bool is_limit(const word& w, std::uint64_t* limit) {
  if (w.quoted || w.text.empty() || w.text.size() > 18) return false;
  std::uint64_t v = 0;
  for (char c : w.text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  *limit = v;
  return true;
}

}  // namespace

shell_session::shell_session(shell_store& store, byte_format f, std::FILE* out, std::FILE* err)
    : store_(store), format_(f), out_(out), err_(err) {}

shell_session::~shell_session() = default;

std::vector<std::string> shell_session::command_names() {
  std::vector<std::string> names;
  for (const auto& c : table()) names.emplace_back(c.name);
  return names;
}

std::string shell_session::prompt() const {
  std::string state;
  if (batch_) state += "batch " + std::to_string(batch_ops_);
  if (snapshot_) {
    if (!state.empty()) state += ", ";
    state += "snapshot " + std::to_string(*snapshot_);
  }
  return state.empty() ? "kepler> " : "kepler(" + state + ")> ";
}

void shell_session::finish() {
  if (batch_)
    std::fprintf(err_, "note: the open batch of %llu operation(s) was not committed; discarded\n",
                 static_cast<unsigned long long>(batch_ops_));
  batch_.reset();
  if (snapshot_) store_.release_snapshot();
  snapshot_.reset();
}

bool shell_session::execute(std::string_view line) {
  std::string wrong;
  auto words = tokenize(line, &wrong);
  if (!wrong.empty()) {
    error(wrong);
    return true;
  }
  if (words.empty()) return true;
  const command* c = words[0].quoted ? nullptr : find_command(words[0].text);
  if (!c) {
    error("unknown command '" + format_bytes(words[0].text, byte_format::escaped) +
          "' (type 'help' for the list)");
    return true;
  }
  std::vector<word> args(words.begin() + 1, words.end());
  if (args.size() < c->min_args || args.size() > c->max_args) {
    error(std::string("usage: ") + c->usage + " (type 'help " + c->name + "')");
    return true;
  }
  if (!c->run) return false;
  run(*c, args);
  return true;
}

void shell_session::run(const command& c, const std::vector<word>& args) {
  failed_ = false;
  double start = seconds_now();
  (this->*c.run)(args);
  double took = seconds_now() - start;
  if (took >= slow_seconds) std::fprintf(err_, "(%s took %.3f s)\n", c.name, took);
  std::fflush(out_);
}

void shell_session::error(const std::string& message) {
  std::fprintf(err_, "error: %s\n", message.c_str());
  std::fflush(err_);
  ++failures_;
  failed_ = true;
}

void shell_session::get(const std::vector<word>& args) {
  auto v = store_.get(args[0].text);
  if (!v) return error(kepler::to_string(v.error()));
  if (!*v) {
    std::fputs("(not found)\n", out_);
    return;
  }
  std::string line = format_bytes(**v, format_);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), out_);
}

void shell_session::put(const std::vector<word>& args) {
  if (batch_) {
    batch_->insert(args[0].text, args[1].text);
    ++batch_ops_;
    std::fprintf(out_, "queued (%llu in the batch)\n", static_cast<unsigned long long>(batch_ops_));
    return;
  }
  if (auto r = store_.insert(args[0].text, args[1].text); !r)
    return error(kepler::to_string(r.error()));
  std::fputs("OK\n", out_);
}

void shell_session::del(const std::vector<word>& args) {
  if (batch_) {
    batch_->remove(args[0].text);
    ++batch_ops_;
    std::fprintf(out_, "queued (%llu in the batch)\n", static_cast<unsigned long long>(batch_ops_));
    return;
  }
  if (auto r = store_.remove(args[0].text); !r) return error(kepler::to_string(r.error()));
  std::fputs("OK\n", out_);
}

void shell_session::scan(const std::vector<word>& args) {
  std::uint64_t limit = 0;
  std::size_t bounds = args.size();
  if (bounds > 0 && is_limit(args[bounds - 1], &limit)) --bounds;
  if (bounds > 2) return error("usage: scan [FROM [TO]] [LIMIT]: LIMIT is an unquoted number");
  key_range range;
  if (bounds > 0) range.from = args[0].text;
  if (bounds > 1) range.to = args[1].text;
  auto n = store_.print(range, limit, format_, out_);
  if (!n) return error(kepler::to_string(n.error()));
  print_pairs(out_, *n);
}

void shell_session::prefix(const std::vector<word>& args) {
  std::uint64_t limit = 0;
  if (args.size() == 2 && !is_limit(args[1], &limit))
    return error("usage: prefix P [LIMIT]: LIMIT is an unquoted number");
  auto n = store_.print(prefix_range(args[0].text), limit, format_, out_);
  if (!n) return error(kepler::to_string(n.error()));
  print_pairs(out_, *n);
}

void shell_session::count(const std::vector<word>& args) {
  key_range range;
  if (!args.empty()) range.from = args[0].text;
  if (args.size() > 1) range.to = args[1].text;
  auto n = store_.count(range);
  if (!n) return error(kepler::to_string(n.error()));
  std::fprintf(out_, "%llu\n", static_cast<unsigned long long>(*n));
}

void shell_session::batch(const std::vector<word>&) {
  if (batch_) return error("a batch is already open (commit or abort it first)");
  batch_.emplace();
  batch_ops_ = 0;
  std::fputs("batch started: put and del are queued until commit or abort\n", out_);
}

void shell_session::commit(const std::vector<word>&) {
  if (!batch_) return error("no batch is open (start one with 'batch')");
  if (auto r = store_.write(*batch_); !r) {
    // The batch stays open: the user may retry the commit or abort it.
    return error(kepler::to_string(r.error()) +
                 " (the batch is still open: commit again or abort)");
  }
  std::fprintf(out_, "committed %llu operation(s)\n", static_cast<unsigned long long>(batch_ops_));
  batch_.reset();
}

void shell_session::abort(const std::vector<word>&) {
  if (!batch_) return error("no batch is open (start one with 'batch')");
  std::fprintf(out_, "aborted %llu operation(s); nothing was written\n",
               static_cast<unsigned long long>(batch_ops_));
  batch_.reset();
}

void shell_session::snapshot(const std::vector<word>&) {
  if (snapshot_) return error("a snapshot is already held (release it first)");
  auto sequence = store_.hold_snapshot();
  if (!sequence) return error(kepler::to_string(sequence.error()));
  snapshot_ = *sequence;
  std::fprintf(out_, "snapshot at sequence %llu: reads see it until release\n",
               static_cast<unsigned long long>(*snapshot_));
}

void shell_session::release(const std::vector<word>&) {
  if (!snapshot_) return error("no snapshot is held (take one with 'snapshot')");
  store_.release_snapshot();
  snapshot_.reset();
  std::fputs("released: reads see the newest state\n", out_);
}

void shell_session::stats(const std::vector<word>&) {
  auto text = store_.stats();
  if (!text) return error(kepler::to_string(text.error()));
  std::fputs(text->c_str(), out_);
}

void shell_session::compact(const std::vector<word>& args) {
  std::optional<std::string_view> from, to;
  if (!args.empty()) from = args[0].text;
  if (args.size() > 1) to = args[1].text;
  if (auto r = store_.compact(from, to); !r) return error(kepler::to_string(r.error()));
  std::fputs("compacted\n", out_);
}

void shell_session::help(const std::vector<word>& args) {
  if (!args.empty()) {
    const command* c = find_command(args[0].text);
    if (!c) return error("no command '" + args[0].text + "' (type 'help' for the list)");
    std::fprintf(out_, "%s\n  %s\n", c->usage, c->help);
    return;
  }
  std::fputs("commands:\n", out_);
  for (const auto& c : table()) std::fprintf(out_, "  %-26s %s\n", c.usage, c.help);
  std::fputs(
      "keys and values: words, or \"quoted\" with escapes (\\xNN \\\\ \\\" \\t \\n \\0), or "
      "'single-quoted' as they are\n",
      out_);
}

}  // namespace kepler::cli
