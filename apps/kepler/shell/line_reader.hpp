#pragma once
// Where the kepler shell's lines come from: the line editor (libedit) when stdin is a terminal,
// with history kept in ~/.kepler_history and completion of command names; otherwise stdin read
// line by line, with no prompt and no editing, so scripts and tests drive the shell.
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kepler::cli {

class line_reader {
 public:
  virtual ~line_reader() = default;
  /// The next line (without its newline), or an empty optional at the end of input.
  virtual std::optional<std::string> next(const std::string& prompt) = 0;
  /// Whether lines come from a person at a terminal (prompts and notes are shown).
  virtual bool interactive() const = 0;
};

/// The reader for this process's stdin. `completions` are the words completed at the start of a
/// line. The history file is $KEPLER_HISTORY, else ~/.kepler_history ($HOME); an empty
/// KEPLER_HISTORY keeps no history.
std::unique_ptr<line_reader> stdin_line_reader(std::vector<std::string> completions);

}  // namespace kepler::cli
