// goro/chan.h: Go channels. chan<T>, send_chan<T>, recv_chan<T>, make_chan,
// close, len, cap, and range-for.
//
// Mirrors Go's `chan T`, `chan<- T`, `<-chan T` and the builtins make, close,
// len and cap, with Go's exact semantics (the Go spec's operation table):
//
//   auto jobs = goro::make_chan<int>(10);    // jobs := make(chan int, 10)
//   goro::go([jobs] {
//     for (int i = 0; i < 3; i++) jobs.send(i);   // jobs <- i
//     goro::close(jobs);                          // close(jobs)
//   });
//   for (int j : jobs) std::printf("%d\n", j);    // for j := range jobs
//
// Handles: chan<T> is a shared handle, like a Go channel value: copies refer to
// the same channel; a default-constructed handle is the nil channel. chan<T>
// converts implicitly to send_chan<T> and recv_chan<T>; nothing converts back,
// and a wrong-direction operation does not compile (it is absent).
//
// Semantics (Go's):
// - send blocks until a receiver takes the value (unbuffered) or there is room
//   in the buffer; recv blocks until a value is there. Both are FIFO, for values
//   and for blocked senders and receivers.
// - close keeps buffered values for receivers; afterwards recv returns T{}
//   (recv_ok: {T{}, false}); every blocked receiver wakes with {T{}, false} and
//   every blocked sender throws goro::Panic("send on closed channel").
// - nil channel: send and recv block forever; close panics.
// - Panics (goro::Panic, Go's messages): "send on closed channel",
//   "close of closed channel", "close of nil channel",
//   "makechan: size out of range" (negative or impossibly large size).
//
// Thread safety: every operation may be called by any number of goroutines and
// threads at once; all are const members. len and cap are instantly stale.
//
// Memory ordering (Go's memory model): a send happens before the matching
// receive completes; a close happens before a receive that returns because the
// channel is closed; a receive from an unbuffered channel happens before the
// matching send completes; the k-th receive from a channel of capacity C
// happens before the (k+C)-th send completes.
//
// Blocking: a blocked channel operation hands its worker's slot to another
// thread, so queued goroutines keep running (see goro/runtime.h).
//
// Element types: T must be default-constructible (its value-initialized T{} is
// Go's zero value) and have a noexcept move constructor (values move under the
// channel's lock; a static_assert says so). Move-only types work.
#ifndef GORO_CHAN_H_
#define GORO_CHAN_H_

#include <cstddef>
#include <iterator>
#include <optional>
#include <type_traits>
#include <utility>

#include "goro/internal/chan_impl.h"
#include "goro/panic.h"

namespace goro {

// Empty is Go's struct{}: the element type of signal-only channels.
struct Empty {
  friend constexpr bool operator==(Empty, Empty) { return true; }
};

// RecvResult is what recv_ok returns: auto [v, ok] = c.recv_ok();
template <class T>
struct RecvResult {
  T value;
  bool ok;
};

template <class T>
class chan;
template <class T>
class send_chan;
template <class T>
class recv_chan;

namespace internal {

struct ChanAccess;

template <class T>
class ChanHandle {
  static_assert(std::is_move_constructible_v<T>,
                "goro::chan<T>: T must be move-constructible");
  static_assert(std::is_default_constructible_v<T>,
                "goro::chan<T>: T must be default-constructible (Go's zero value)");
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "goro::chan<T>: T's move constructor must be noexcept (values move "
                "under the channel's lock)");
  static_assert(!std::is_reference_v<T> && !std::is_const_v<T>,
                "goro::chan<T>: T must be a non-const object type");

 public:
  // The channel's element type.
  using value_type = T;

 protected:
  ChanHandle() = default;
  explicit ChanHandle(ChanPtr c) : c_(std::move(c)) {}

  void do_send(T v) const { ChanSend(c_.get(), &v); }
  T do_recv() const {
    Slot<T> s;
    ChanRecv(c_.get(), s.raw());
    s.set_constructed();
    return std::move(s.get());
  }
  RecvResult<T> do_recv_ok() const {
    Slot<T> s;
    bool ok = ChanRecv(c_.get(), s.raw());
    s.set_constructed();
    return RecvResult<T>{std::move(s.get()), ok};
  }
  void do_close() const { ChanClose(c_.get()); }

  ChanPtr c_;
  friend struct ChanAccess;
};

struct ChanAccess {
  template <class H>
  static ChanBase* get(const H& h) {
    return h.c_.get();
  }
  template <class H>
  static const ChanPtr& ptr(const H& h) {
    return h.c_;
  }
  template <class H>
  static ChanPtr take(H& h) {
    return std::move(h.c_);
  }
  // Wrap makes a handle of type H (chan, send_chan or recv_chan) for p.
  template <class H>
  static H Wrap(ChanPtr p) {
    H h;
    h.c_ = std::move(p);
    return h;
  }
};

// Iterator for range-for: receives until the channel is closed and drained.
// It holds its own reference, so the loop body may reassign the handle it
// ranges over (Go evaluates the range expression once).
template <class T>
class RangeIterator {
 public:
  using value_type = T;
  using difference_type = std::ptrdiff_t;
  struct Sentinel {};

  explicit RangeIterator(ChanPtr c) : c_(std::move(c)) { next(); }
  T& operator*() { return *cur_; }
  RangeIterator& operator++() {
    next();
    return *this;
  }
  friend bool operator==(const RangeIterator& it, Sentinel) {
    return !it.cur_.has_value();
  }

 private:
  void next() {
    cur_.reset();
    Slot<T> s;
    bool ok = ChanRecv(c_.get(), s.raw());
    s.set_constructed();
    if (ok) cur_.emplace(std::move(s.get()));
  }
  ChanPtr c_;
  std::optional<T> cur_;
};

}  // namespace internal

// chan<T> is a bidirectional channel handle (Go's chan T).
template <class T>
class chan : public internal::ChanHandle<T> {
  using Base = internal::ChanHandle<T>;

 public:
  // A default-constructed chan is nil.
  chan() = default;
  chan(std::nullptr_t) {}  // NOLINT: chan<int> c = nullptr;

  // send sends v (Go's c <- v). Blocks; throws Panic on a closed channel.
  void send(T v) const { this->do_send(std::move(v)); }
  // recv receives a value (Go's <-c); T{} once the channel is closed and empty.
  T recv() const { return this->do_recv(); }
  // recv_ok receives a value and whether it came from a send (Go's v, ok := <-c).
  RecvResult<T> recv_ok() const { return this->do_recv_ok(); }
  // close closes the channel (Go's close(c)).
  void close() const { this->do_close(); }
  int len() const { return internal::ChanLen(this->c_.get()); }
  int cap() const { return internal::ChanCap(this->c_.get()); }

  internal::RangeIterator<T> begin() const {
    return internal::RangeIterator<T>(this->c_);
  }
  typename internal::RangeIterator<T>::Sentinel end() const { return {}; }

  friend bool operator==(const chan& a, const chan& b) { return a.c_ == b.c_; }
  friend bool operator==(const chan& a, std::nullptr_t) { return a.c_ == nullptr; }

 private:
  explicit chan(internal::ChanPtr c) : Base(std::move(c)) {}
  template <class U, class I>
  friend chan<U> make_chan(I size);
};

// send_chan<T> is a send-only handle (Go's chan<- T).
template <class T>
class send_chan : public internal::ChanHandle<T> {
 public:
  send_chan() = default;
  send_chan(std::nullptr_t) {}  // NOLINT
  send_chan(const chan<T>& c)   // NOLINT: implicit, as in Go
      : internal::ChanHandle<T>(internal::ChanAccess::ptr(c)) {}
  send_chan(chan<T>&& c)  // NOLINT
      : internal::ChanHandle<T>(internal::ChanAccess::take(c)) {}

  void send(T v) const { this->do_send(std::move(v)); }
  void close() const { this->do_close(); }
  int len() const { return internal::ChanLen(this->c_.get()); }
  int cap() const { return internal::ChanCap(this->c_.get()); }

  friend bool operator==(const send_chan& a, const send_chan& b) { return a.c_ == b.c_; }
  friend bool operator==(const send_chan& a, std::nullptr_t) { return a.c_ == nullptr; }
};

// recv_chan<T> is a receive-only handle (Go's <-chan T).
template <class T>
class recv_chan : public internal::ChanHandle<T> {
 public:
  recv_chan() = default;
  recv_chan(std::nullptr_t) {}  // NOLINT
  recv_chan(const chan<T>& c)   // NOLINT: implicit, as in Go
      : internal::ChanHandle<T>(internal::ChanAccess::ptr(c)) {}
  recv_chan(chan<T>&& c)  // NOLINT
      : internal::ChanHandle<T>(internal::ChanAccess::take(c)) {}

  T recv() const { return this->do_recv(); }
  RecvResult<T> recv_ok() const { return this->do_recv_ok(); }
  int len() const { return internal::ChanLen(this->c_.get()); }
  int cap() const { return internal::ChanCap(this->c_.get()); }

  internal::RangeIterator<T> begin() const {
    return internal::RangeIterator<T>(this->c_);
  }
  typename internal::RangeIterator<T>::Sentinel end() const { return {}; }

  friend bool operator==(const recv_chan& a, const recv_chan& b) { return a.c_ == b.c_; }
  friend bool operator==(const recv_chan& a, std::nullptr_t) { return a.c_ == nullptr; }
};

// make_chan creates a channel with room for `size` buffered values (0, the
// default, is unbuffered). Throws Panic("makechan: size out of range") for a
// negative or impossibly large size.
template <class T, class I = int>
chan<T> make_chan(I size = 0) {
  static_assert(std::is_integral_v<I>, "make_chan: size must be an integer");
  long long n;
  if constexpr (std::is_unsigned_v<I>) {
    n = size > static_cast<unsigned long long>(1LL << 62) ? (1LL << 62)
                                                          : static_cast<long long>(size);
  } else {
    n = static_cast<long long>(size);
  }
  return chan<T>(internal::MakeChan(&internal::ElemOpsFor<T>::ops, n));
}

// close closes c (Go's close(c)). Not available on recv_chan, as in Go.
template <class T>
void close(const chan<T>& c) {
  c.close();
}
template <class T>
void close(const send_chan<T>& c) {
  c.close();
}

// len and cap, Go's builtins, on every direction of handle.
template <class T>
int len(const chan<T>& c) { return c.len(); }
template <class T>
int len(const send_chan<T>& c) { return c.len(); }
template <class T>
int len(const recv_chan<T>& c) { return c.len(); }
template <class T>
int cap(const chan<T>& c) { return c.cap(); }
template <class T>
int cap(const send_chan<T>& c) { return c.cap(); }
template <class T>
int cap(const recv_chan<T>& c) { return c.cap(); }

}  // namespace goro

#endif  // GORO_CHAN_H_
