#pragma once
// The result of a storage_format operation: a code plus a message that names the file and the
// offset involved. storage_format knows nothing of CAF; the actors turn a status into a
// kepler::ec error at their boundary.

#include <cstdint>
#include <string>
#include <utility>

namespace kepler::storage {

enum class status_code : std::uint8_t {
  ok = 0,
  not_found,         // a file or record that was looked for does not exist
  corruption,        // bytes on disk fail a checksum or do not parse
  io_error,          // the operating system reported a failure
  invalid_argument,  // the caller passed something unusable
  locked,            // another holder has the lock; the message names the process
  already_exists,    // something that must be new exists already
  not_supported,     // written by a newer format version than this code reads
  // Recovery's verdict on a directory: it is not a store and may not become one. Only
  // recovery says this; a file system's ENOENT is not_found, never this.
  not_a_store,
  // The caller asked the operation to stop (a compaction's cancel flag) and it stopped,
  // undoing what it had written; nothing is damaged and it may run again.
  aborted,
};

class status {
 public:
  status() = default;

  static status ok() { return {}; }
  static status not_found(std::string msg) { return {status_code::not_found, std::move(msg)}; }
  static status corruption(std::string msg) { return {status_code::corruption, std::move(msg)}; }
  static status io_error(std::string msg) { return {status_code::io_error, std::move(msg)}; }
  static status invalid_argument(std::string msg) {
    return {status_code::invalid_argument, std::move(msg)};
  }
  static status locked(std::string msg) { return {status_code::locked, std::move(msg)}; }
  static status already_exists(std::string msg) {
    return {status_code::already_exists, std::move(msg)};
  }
  static status not_supported(std::string msg) {
    return {status_code::not_supported, std::move(msg)};
  }
  static status not_a_store(std::string msg) { return {status_code::not_a_store, std::move(msg)}; }
  static status aborted(std::string msg) { return {status_code::aborted, std::move(msg)}; }

  bool is_ok() const { return code_ == status_code::ok; }
  explicit operator bool() const { return is_ok(); }
  status_code code() const { return code_; }
  const std::string& message() const { return message_; }

  /// "corruption: <message>", or "ok".
  std::string to_string() const;

 private:
  status(status_code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  status_code code_ = status_code::ok;
  std::string message_;
};

/// Returns from the enclosing function when `expr` yields a status that is not ok.
#define KEPLER_RETURN_IF_ERROR(expr)       \
  do {                                     \
    ::kepler::storage::status s_ = (expr); \
    if (!s_.is_ok()) return s_;            \
  } while (false)

}  // namespace kepler::storage
