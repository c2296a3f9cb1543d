#include "pg/common/guard.hpp"

#include "core/common/error.hpp"

#include <cstring>
#include <new>

extern "C" {
#include "utils/errcodes.h"
}

namespace rolloy::pg {

bool PgError::gave_way_to_a_lock() const noexcept {
    return sqlerrcode_ == ERRCODE_LOCK_NOT_AVAILABLE || sqlerrcode_ == ERRCODE_T_R_DEADLOCK_DETECTED;
}

namespace {

// Plain storage for the error between the catch block and ereport: no C++ object may be alive
// when ereport longjmps, and palloc could itself fail while handling an out-of-memory error.
// The location is the raising site's (rolloy::Error and PgError carry it), so the error's
// LOCATION names the check that failed rather than this file.
struct PendingError {
    int sqlerrcode;
    char message[1024];
    char detail[1024];
    char hint[1024];
    char file[256];
    int line;
    char function[128];
};
PendingError pending;

void copy_text(char *dst, size_t size, const std::string &src) {
    size_t n = src.size() < size - 1 ? src.size() : size - 1;
    std::memcpy(dst, src.data(), n);
    dst[n] = '\0';
}

int sqlstate_for(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::InvalidInput: return ERRCODE_INVALID_PARAMETER_VALUE;
    case ErrorKind::InvalidText: return ERRCODE_INVALID_TEXT_REPRESENTATION;
    case ErrorKind::OutOfRange: return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
    case ErrorKind::TooLong: return ERRCODE_STRING_DATA_RIGHT_TRUNCATION;
    case ErrorKind::DataCorrupted: return ERRCODE_DATA_EXCEPTION;
    case ErrorKind::NotFound: return ERRCODE_UNDEFINED_OBJECT;
    case ErrorKind::Conflict: return ERRCODE_UNIQUE_VIOLATION;
    case ErrorKind::WrongState: return ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
    case ErrorKind::PermissionDenied: return ERRCODE_INSUFFICIENT_PRIVILEGE;
    case ErrorKind::QuotaExceeded: return ERRCODE_CONFIGURATION_LIMIT_EXCEEDED;
    case ErrorKind::ExternalService: return ERRCODE_SYSTEM_ERROR;
    case ErrorKind::FeatureMissing: return ERRCODE_FEATURE_NOT_SUPPORTED;
    case ErrorKind::Internal: return ERRCODE_INTERNAL_ERROR;
    }
    return ERRCODE_INTERNAL_ERROR;
}

void set_pending(int code, const std::string &message, const std::string &detail, const std::string &hint,
                 const std::string &file = __builtin_FILE(), int line = __builtin_LINE(),
                 const std::string &function = __builtin_FUNCTION()) {
    pending.sqlerrcode = code;
    copy_text(pending.message, sizeof pending.message, message);
    copy_text(pending.detail, sizeof pending.detail, detail);
    copy_text(pending.hint, sizeof pending.hint, hint);
    copy_text(pending.file, sizeof pending.file, file);
    pending.line = line;
    copy_text(pending.function, sizeof pending.function, function);
}

}  // namespace

void capture_current_exception() noexcept {
    try {
        throw;
    } catch (const PgError &e) {
        set_pending(e.sqlerrcode(), e.what(), e.detail(), e.hint(), e.file(), e.line(), e.function());
    } catch (const Error &e) {
        set_pending(sqlstate_for(e.kind()), e.what(), e.detail(), e.hint(), e.file(), e.line(), e.function());
    } catch (const std::bad_alloc &) {
        set_pending(ERRCODE_OUT_OF_MEMORY, "rolloy: out of memory", {}, {});
    } catch (const std::exception &e) {
        set_pending(ERRCODE_INTERNAL_ERROR, std::string("rolloy internal error: ") + e.what(), {}, {});
    } catch (...) {
        set_pending(ERRCODE_INTERNAL_ERROR, "rolloy internal error: unknown exception", {}, {});
    }
}

void raise_captured_error() {
    // ereport() with the raising site's file, line and function instead of this one's: errstart
    // and errfinish are what the macro expands to.
    if (errstart(ERROR, TEXTDOMAIN)) {
        errcode(pending.sqlerrcode);
        errmsg_internal("%s", pending.message);
        if (pending.detail[0]) errdetail_internal("%s", pending.detail);
        if (pending.hint[0]) errhint("%s", pending.hint);
        errfinish(pending.file, pending.line, pending.function);
    }
    pg_unreachable();
}

void throw_pg_error(MemoryContext caller_context) {
    // Still inside Postgres' error state: copy the data out, then clear it before throwing.
    MemoryContextSwitchTo(caller_context);
    ErrorData *edata = CopyErrorData();
    FlushErrorState();
    int code = edata->sqlerrcode;
    std::string message = edata->message ? edata->message : "unknown Postgres error";
    std::string detail = edata->detail ? edata->detail : "";
    std::string hint = edata->hint ? edata->hint : "";
    std::string file = edata->filename ? edata->filename : "";
    std::string function = edata->funcname ? edata->funcname : "";
    int line = edata->lineno;
    if (getenv("ROLLOY_DEBUG_ERRORS"))
        elog(LOG, "rolloy debug: error at %s:%d (%s): %s / context: %s", edata->filename ? edata->filename : "?",
             edata->lineno, edata->funcname ? edata->funcname : "?", message.c_str(),
             edata->context ? edata->context : "");
    FreeErrorData(edata);
    throw PgError(code, message, detail, hint, file, line, function);
}

}  // namespace rolloy::pg
