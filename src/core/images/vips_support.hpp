// Internal helpers for the files of src/core/images that call libvips: an owning image handle,
// conversion of libvips failures into rolloy::Error, and the signal mask that keeps Postgres'
// signal handlers off libvips threads. Not for use outside this module.
#pragma once
#include "core/common/core_only.hpp"

#include "core/common/error.hpp"

#include <signal.h>
#include <vips/vips.h>

#include <string>

namespace rolloy::images::detail {

// Owns one reference to a VipsImage (libvips images are GObjects).
class ImageRef {
  public:
    ImageRef() = default;
    explicit ImageRef(VipsImage *image) : image_(image) {}
    ~ImageRef() { reset(); }
    ImageRef(const ImageRef &) = delete;
    ImageRef &operator=(const ImageRef &) = delete;
    ImageRef(ImageRef &&other) noexcept : image_(other.image_) { other.image_ = nullptr; }
    ImageRef &operator=(ImageRef &&other) noexcept {
        if (this != &other) {
            reset();
            image_ = other.image_;
            other.image_ = nullptr;
        }
        return *this;
    }

    VipsImage *get() const { return image_; }
    // For libvips' output parameters: vips_xxx(in, ref.out(), ...). Drops any previous image.
    VipsImage **out() {
        reset();
        return &image_;
    }
    void reset() {
        if (image_) g_object_unref(image_);
        image_ = nullptr;
    }
    int width() const { return vips_image_get_width(image_); }
    int height() const { return vips_image_get_height(image_); }
    int bands() const { return vips_image_get_bands(image_); }

  private:
    VipsImage *image_ = nullptr;
};

// Takes (and clears) libvips' error text and throws it as the detail of an Error.
[[noreturn]] void throw_vips_error(ErrorKind kind, const std::string &message);

// Throws unless a libvips call returned 0. `what` says what failed, in user terms.
inline void check(int vips_result, ErrorKind kind, const char *what) {
    if (vips_result != 0) throw_vips_error(kind, what);
}

// Discards libvips' error text after a failure that is handled (e.g. an optional step).
void clear_vips_error();

// Blocks asynchronous signals in the calling thread for its lifetime. Threads inherit the
// signal mask of the thread that creates them, so any thread libvips (or GLib) starts while
// this is in scope never runs a Postgres signal handler (latch, SIGTERM, statement timeout) -
// those must run on the backend's own thread. Signals that arrive meanwhile stay pending and are
// handled when the scope ends, a few milliseconds later. Synchronous faults stay unblocked.
class SignalBlockScope {
  public:
    SignalBlockScope();
    ~SignalBlockScope();
    SignalBlockScope(const SignalBlockScope &) = delete;
    SignalBlockScope &operator=(const SignalBlockScope &) = delete;

  private:
    sigset_t previous_;
    bool restore_ = false;
};

// What every public entry point of this module does first: start libvips if needed and keep
// signals off its threads for the duration of the call.
class VipsSession {
  public:
    VipsSession();

  private:
    SignalBlockScope signals_;
};

} // namespace rolloy::images::detail
