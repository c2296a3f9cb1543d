// Starts a thread on which no signal handler can ever run. A new thread inherits the creating
// thread's signal mask, so every signal is blocked around its creation (and the mask restored
// however the creation ends). Used for the worker's background threads: Postgres' handlers
// must only ever run on the worker's main thread.
#pragma once
#include "core/common/core_only.hpp"

#include <csignal>
#include <pthread.h>
#include <thread>
#include <utility>

namespace rolloy {

template <class Function> std::thread thread_without_signals(Function &&function) {
    struct AllSignalsBlocked {
        sigset_t previous;
        AllSignalsBlocked() {
            sigset_t all;
            sigfillset(&all);
            pthread_sigmask(SIG_BLOCK, &all, &previous);
        }
        ~AllSignalsBlocked() { pthread_sigmask(SIG_SETMASK, &previous, nullptr); }
    } blocked;
    return std::thread(std::forward<Function>(function));
}

} // namespace rolloy
