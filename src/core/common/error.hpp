// The one exception type of rolloy. Every failure the core reports to a user is an Error with a
// kind; the Postgres glue maps the kind to a SQLSTATE, so psql and PostgREST callers see a
// proper error class (and PostgREST a proper HTTP status).
#pragma once
#include "core/common/core_only.hpp"

#include <stdexcept>
#include <string>

namespace rolloy {

enum class ErrorKind {
    InvalidInput,      // 22023 invalid_parameter_value: a bad argument or value
    InvalidText,       // 22P02 invalid_text_representation: text that does not parse
    OutOfRange,        // 22003 numeric_value_out_of_range: a sum beyond its type, as int8pl says
    TooLong,           // 22001 string_data_right_truncation: a value longer than its limit
    DataCorrupted,     // 22000 data_exception: a file or body that is not what it claims
    NotFound,          // 42704 undefined_object: a referenced row does not exist
    Conflict,          // 23505 unique_violation
    WrongState,        // 55000 object_not_in_prerequisite_state: the row's state forbids it
    PermissionDenied,  // 42501 insufficient_privilege
    QuotaExceeded,     // 53400 configuration_limit_exceeded: quota, budget or rate limit
    ExternalService,   // 58000 system_error: a provider or network failure
    FeatureMissing,    // 0A000 feature_not_supported
    Internal,          // XX000 internal_error: a bug
};

// An Error remembers where it was raised (file, line and function of the throw, through the
// compiler's __builtin_FILE and friends as default arguments): the glue reports that place as
// the Postgres error's LOCATION, so `\set VERBOSITY verbose` points at the check that failed.
class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, const std::string &message, std::string detail = {}, std::string hint = {},
          const char *file = __builtin_FILE(), int line = __builtin_LINE(),
          const char *function = __builtin_FUNCTION())
        : std::runtime_error(message), kind_(kind), detail_(std::move(detail)), hint_(std::move(hint)),
          file_(file), line_(line), function_(function) {}

    ErrorKind kind() const noexcept { return kind_; }
    const std::string &detail() const noexcept { return detail_; }
    const std::string &hint() const noexcept { return hint_; }
    // String literals of the raising site: valid for the whole run.
    const char *file() const noexcept { return file_; }
    int line() const noexcept { return line_; }
    const char *function() const noexcept { return function_; }

  private:
    ErrorKind kind_;
    std::string detail_;
    std::string hint_;
    const char *file_;
    int line_;
    const char *function_;
};

}  // namespace rolloy
