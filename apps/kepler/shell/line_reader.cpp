#include "shell/line_reader.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <unistd.h>

#include <editline/readline.h>

namespace kepler::cli {
namespace {

constexpr int history_lines = 1000;

class pipe_reader final : public line_reader {
 public:
  std::optional<std::string> next(const std::string&) override {
    std::string line;
    if (!std::getline(std::cin, line)) return std::nullopt;
    return line;
  }
  bool interactive() const override { return false; }
};

// libedit's completion hooks are plain C functions; they read the one editor's word list.
std::vector<std::string>* completion_words = nullptr;

char* next_completion(const char* text, int state) {
  static std::size_t index;
  if (state == 0) index = 0;
  std::size_t len = std::strlen(text);
  while (completion_words && index < completion_words->size()) {
    const std::string& w = (*completion_words)[index++];
    if (w.compare(0, len, text) == 0) return ::strdup(w.c_str());
  }
  return nullptr;
}

char** complete(const char* text, int start, int) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  if (start != 0) return nullptr;    // only the command word
  return rl_completion_matches(text, next_completion);
}

class editor_reader final : public line_reader {
 public:
  explicit editor_reader(std::vector<std::string> words) : words_(std::move(words)) {
    completion_words = &words_;
    rl_readline_name = "kepler";
    rl_attempted_completion_function = complete;
    using_history();
    stifle_history(history_lines);
    history_file_ = history_path();
    if (!history_file_.empty()) read_history(history_file_.c_str());
  }

  ~editor_reader() override {
    if (!history_file_.empty()) {
      write_history(history_file_.c_str());
      history_truncate_file(history_file_.c_str(), history_lines);
    }
    completion_words = nullptr;
  }

  std::optional<std::string> next(const std::string& prompt) override {
    char* raw = readline(prompt.c_str());
    if (!raw) return std::nullopt;
    std::string line = raw;
    std::free(raw);
    // Blank lines and a repeat of the last line stay out of the history.
    if (line.find_first_not_of(" \t") != std::string::npos && line != last_) {
      add_history(line.c_str());
      last_ = line;
    }
    return line;
  }

  bool interactive() const override { return true; }

 private:
  static std::string history_path() {
    if (const char* explicit_path = std::getenv("KEPLER_HISTORY")) return explicit_path;
    const char* home = std::getenv("HOME");
    if (!home || !*home) return {};
    return std::string(home) + "/.kepler_history";
  }

  std::vector<std::string> words_;
  std::string history_file_;
  std::string last_;
};

}  // namespace

std::unique_ptr<line_reader> stdin_line_reader(std::vector<std::string> completions) {
  if (::isatty(STDIN_FILENO)) return std::make_unique<editor_reader>(std::move(completions));
  return std::make_unique<pipe_reader>();
}

}  // namespace kepler::cli
