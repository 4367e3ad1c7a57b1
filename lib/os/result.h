// Result<T>: a value or an Error. Errors cross the OS boundary exactly once, here:
// errno / GetLastError() become an Error that says what was attempted and why it failed.
#pragma once

#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace supd::os {

struct Error {
  std::error_code code;
  std::string what;  // what was attempted, e.g. "bind /run/supd/supd.sock"

  // "bind /run/supd/supd.sock: Permission denied"
  std::string message() const {
    if (!code) return what;
    return what.empty() ? code.message() : what + ": " + code.message();
  }
};

// The error of the last failed system call on this thread (errno / GetLastError()).
std::error_code last_error();
inline Error last_error(std::string what) { return Error{last_error(), std::move(what)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result of an operation with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  // NOLINTNEXTLINE(google-explicit-constructor)
  Status(Error error) : error_(std::move(error)), failed_(true) {}
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace supd::os
