#include "core/images/vips_support.hpp"

#include "core/images/vips_runtime.hpp"

#include <pthread.h>

namespace rolloy::images::detail {

void throw_vips_error(ErrorKind kind, const std::string &message) {
    // vips_error_buffer_copy() takes and clears the text under libvips' lock, so concurrent
    // callers do not read each other's half-written messages.
    std::string detail;
    if (char *text = vips_error_buffer_copy()) {
        detail = text;
        g_free(text);
    }
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' '))
        detail.pop_back();
    throw Error(kind, message, detail);
}

void clear_vips_error() {
    vips_error_clear();
}

SignalBlockScope::SignalBlockScope() {
    sigset_t all;
    sigfillset(&all);
    // Blocking these while they are raised by a fault is undefined; they are never sent to a
    // backend on purpose anyway.
    for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT})
        sigdelset(&all, fault);
    restore_ = pthread_sigmask(SIG_BLOCK, &all, &previous_) == 0;
}

SignalBlockScope::~SignalBlockScope() {
    if (restore_) pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

VipsSession::VipsSession() {
    ensure_initialised();
}

} // namespace rolloy::images::detail
