// lib/semaphore/semaphore.cc: semaphore::Weighted.
//
// The state (size, tokens in use, a FIFO of waiters) sits behind a short
// internal Lock. A waiter lives on its Acquire's stack, linked into the queue;
// it waits in a select on its own `ready` channel and on ctx.Done(), so both
// waits park through the channel machinery. The granter unlinks the waiter,
// marks it granted and closes `ready` through its own copy of the handle, all
// under the Lock: after that close the waiter may return at once, so the
// granter never touches the node again. A cancelled waiter takes the Lock and
// reads `granted` to learn whether a grant beat its cancellation.
#include <cstdint>

#include "goro/chan.h"
#include "goro/context.h"
#include "goro/panic.h"
#include "goro/select.h"
#include "goro/semaphore.h"
#include "runtime/futex.h"

namespace goro::semaphore {
namespace internal {

struct Waiter {
  int64_t n = 0;
  chan<Empty> ready;
  bool granted = false;  // set under the Lock when the tokens were handed over
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
};

struct WeightedImpl {
  explicit WeightedImpl(int64_t n) : size(n) {}

  void PushBack(Waiter* w) {
    w->prev = tail;
    w->next = nullptr;
    if (tail != nullptr) {
      tail->next = w;
    } else {
      head = w;
    }
    tail = w;
    waiters++;
  }

  void Remove(Waiter* w) {
    if (w->prev != nullptr) {
      w->prev->next = w->next;
    } else {
      head = w->next;
    }
    if (w->next != nullptr) {
      w->next->prev = w->prev;
    } else {
      tail = w->prev;
    }
    w->prev = w->next = nullptr;
    waiters--;
  }

  // NotifyWaiters grants waiters from the head while they fit, and stops at
  // the first that does not (strict FIFO: no small request overtakes a large
  // one). Called with mu held.
  void NotifyWaiters() {
    while (head != nullptr && size - cur >= head->n) {
      Waiter* w = head;
      cur += w->n;
      Remove(w);
      w->granted = true;
      chan<Empty> ready = w->ready;  // w may be gone once ready is closed
      ready.close();
    }
  }

  const int64_t size;
  goro::internal::Lock mu;
  size_t waiters = 0;  // queue length; guarded by mu
  int64_t cur = 0;  // tokens held; guarded by mu
  Waiter* head = nullptr;
  Waiter* tail = nullptr;
};

size_t NumWaiters(const Weighted& s) {
  WeightedImpl& impl = *s.impl_;
  goro::internal::LockGuard g(impl.mu);
  return impl.waiters;
}

}  // namespace internal

namespace {

// Closed reports whether done is closed right now; false for a nil channel.
bool Closed(const recv_chan<Empty>& done) {
  if (done == nullptr) return false;
  return select(case_recv(done), case_default()) == 0;
}

}  // namespace

Weighted::Weighted(int64_t n) : impl_(std::make_shared<internal::WeightedImpl>(n)) {}

absl::Status Weighted::Acquire(const context::Context& ctx, int64_t n) const {
  internal::WeightedImpl& s = *impl_;
  recv_chan<Empty> done = ctx.Done();

  s.mu.lock();
  // A ctx that is done before (or while) we take the lock fails the call even
  // if the tokens are free (golang/go#63615).
  if (Closed(done)) {
    s.mu.unlock();
    return ctx.Err();
  }
  if (s.size - s.cur >= n && s.head == nullptr) {
    s.cur += n;
    s.mu.unlock();
    return absl::OkStatus();
  }
  if (n > s.size) {
    // Never satisfiable: do not queue, so nobody else is held back behind it.
    s.mu.unlock();
    done.recv();  // a nil Done (a never-cancelled ctx) blocks forever, as in Go
    return ctx.Err();
  }

  internal::Waiter w;
  w.n = n;
  w.ready = make_chan<Empty>();
  s.PushBack(&w);
  s.mu.unlock();

  if (done == nullptr) {
    w.ready.recv();
    return absl::OkStatus();
  }
  if (select(case_recv(w.ready), case_recv(done)) == 1) {
    s.mu.lock();
    if (w.granted) {
      // The grant came while we were being cancelled: give the tokens back
      // and let the waiters behind us have them.
      s.cur -= n;
      s.NotifyWaiters();
    } else {
      bool front = s.head == &w;
      s.Remove(&w);
      // Leaving the head may let the next waiters through.
      if (front && s.size > s.cur) s.NotifyWaiters();
    }
    s.mu.unlock();
    return ctx.Err();
  }
  // Granted. A ctx that was done by then still fails the call.
  if (Closed(done)) {
    Release(n);
    return ctx.Err();
  }
  return absl::OkStatus();
}

bool Weighted::TryAcquire(int64_t n) const {
  internal::WeightedImpl& s = *impl_;
  goro::internal::LockGuard g(s.mu);
  if (s.size - s.cur >= n && s.head == nullptr) {
    s.cur += n;
    return true;
  }
  return false;
}

void Weighted::Release(int64_t n) const {
  internal::WeightedImpl& s = *impl_;
  {
    goro::internal::LockGuard g(s.mu);
    if (s.cur - n >= 0) {
      s.cur -= n;
      s.NotifyWaiters();
      return;
    }
  }
  throw Panic("semaphore: released more than held");
}

}  // namespace goro::semaphore
