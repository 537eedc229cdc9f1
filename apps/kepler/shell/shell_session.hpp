#pragma once
// The kepler shell's commands over one open store: what `kepler shell` runs for each line,
// whether it came from the line editor or a pipe. It holds the shell's state: an open batch
// (batch ... commit/abort) and a held snapshot (snapshot ... release).
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kepler/write_batch.hpp"
#include "shell/shell_store.hpp"
#include "text/escape.hpp"
#include "text/tokenize.hpp"

namespace kepler::cli {

class shell_session {
 public:
  /// Runs commands on `store` (not owned; it must outlive the session), printing keys and
  /// values in form `f` to `out` and errors, timings and progress to `err`.
  shell_session(shell_store& store, byte_format f, std::FILE* out, std::FILE* err);
  ~shell_session();

  /// Runs one line. A bad line prints one error line with a hint and changes nothing. Returns
  /// false once the line asked to quit.
  bool execute(std::string_view line);

  /// "kepler> ", or with the state shown: "kepler(batch 3)> ", "kepler(snapshot 42)> ".
  std::string prompt() const;

  /// Commands that failed so far (bad lines included).
  std::uint64_t failures() const { return failures_; }

  /// Every command name, for completion and help.
  static std::vector<std::string> command_names();

  /// What happens to an open batch when the shell ends: it is discarded, with a note.
  void finish();

  struct command;
  /// The commands, in the order help lists them.
  static const std::vector<command>& table();

 private:
  void run(const command& c, const std::vector<word>& args);
  void error(const std::string& message);

  void get(const std::vector<word>& args);
  void put(const std::vector<word>& args);
  void del(const std::vector<word>& args);
  void scan(const std::vector<word>& args);
  void prefix(const std::vector<word>& args);
  void count(const std::vector<word>& args);
  void batch(const std::vector<word>& args);
  void commit(const std::vector<word>& args);
  void abort(const std::vector<word>& args);
  void snapshot(const std::vector<word>& args);
  void release(const std::vector<word>& args);
  void stats(const std::vector<word>& args);
  void compact(const std::vector<word>& args);
  void help(const std::vector<word>& args);

  shell_store& store_;
  byte_format format_;
  std::FILE* out_;
  std::FILE* err_;
  std::optional<write_batch> batch_;
  std::uint64_t batch_ops_ = 0;
  std::optional<std::uint64_t> snapshot_;  // the held snapshot's sequence
  std::uint64_t failures_ = 0;
  bool failed_ = false;  // the current command failed
};

}  // namespace kepler::cli
