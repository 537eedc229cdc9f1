#pragma once
// Splits a shell line into words, as the kepler shell reads them:
//   put user:1 Ada            three words
//   put "a key" 'it''s'       double quotes take escapes (\xNN \\ \" \t \n \r \0, as
//                             escape.hpp's escaped form); single quotes take every byte
//                             literally; unquoted words end at whitespace and take no escapes
//   put "\x00\xff" ""         a binary key and an empty value
// Quoted and unquoted parts next to each other join into one word (a"b c"d is one word).
#include <string>
#include <string_view>
#include <vector>

namespace kepler::cli {

struct word {
  std::string text;
  bool quoted = false;  // some part of it was quoted (so "10" is a key, not a number)
};

/// The words of `line`, or an empty vector and `*error` set when a quote is not closed or an
/// escape is malformed. A line of only whitespace (or a '#' comment) has no words.
std::vector<word> tokenize(std::string_view line, std::string* error);

}  // namespace kepler::cli
