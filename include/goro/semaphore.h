// goro/semaphore.h: golang.org/x/sync/semaphore, a weighted semaphore.
//
// Weighted mirrors x/sync's semaphore.Weighted: it bounds concurrent access to
// a resource of a given size; each caller asks for a weight.
//
//   auto sem = goro::semaphore::NewWeighted(4);     // sem := semaphore.NewWeighted(4)
//   for (int i = 0; i < 10; i++) {
//     if (absl::Status err = sem.Acquire(ctx, 1); !err.ok()) break;  // ctx is done
//     goro::go([sem, i] { work(i); sem.Release(1); });
//   }
//   (void)sem.Acquire(goro::context::Background(), 4);  // wait for every worker
//
// Semantics (x/sync v0.16's):
// - Acquire(ctx, n) fails with ctx.Err() if ctx is already done, even when the
//   tokens are there. Otherwise it takes n tokens at once if they are free and
//   nobody is waiting, else it joins the queue. A request larger than the size
//   never joins the queue (it would hold everyone back forever): it waits for
//   ctx to be done and returns ctx.Err() (with a never-cancelled ctx it blocks
//   forever, as in Go).
// - The queue is strictly FIFO: Release grants waiters from the head and stops
//   at the first that does not fit, so a large waiter at the head holds back
//   the small ones behind it (a writer taking all N tokens is not starved by
//   readers taking one each).
// - A cancelled Acquire returns ctx.Err() and leaves the semaphore as it was:
//   if the grant raced with the cancellation, the tokens are given back; if the
//   cancelled waiter was at the head, the waiters behind it are reconsidered.
// - TryAcquire(n) succeeds only if n tokens are free and nobody is waiting.
//
// Weighted is a handle: NewWeighted(n) and Weighted(n) both make a semaphore,
// and copies share it, as copies of Go's *Weighted do. A weight is int64_t.
//
// Thread safety: every method may be called from any goroutine or thread at once.
//
// Memory ordering: a Release happens before every Acquire or TryAcquire that
// obtains the tokens it released.
//
// Misuse: releasing more than is held throws
// Panic("semaphore: released more than held") and leaves the semaphore as it
// was (Go leaves its count corrupted, which only matters after a recover).
//
// Blocking: a blocked Acquire hands its worker's slot on (goro/runtime.h).
#ifndef GORO_SEMAPHORE_H_
#define GORO_SEMAPHORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "goro/context.h"

namespace goro::semaphore {

class Weighted;

namespace internal {
struct WeightedImpl;
// For tests: the number of goroutines queued in Acquire on s.
size_t NumWaiters(const Weighted& s);
}  // namespace internal

class Weighted {
 public:
  // Weighted(n) makes a semaphore with a combined weight of n.
  explicit Weighted(int64_t n);

  // Acquire takes n tokens, blocking until they are granted or ctx is done.
  // It returns OkStatus() on success; on failure ctx.Err(), with the semaphore
  // unchanged.
  absl::Status Acquire(const context::Context& ctx, int64_t n) const;

  // TryAcquire takes n tokens without blocking: true on success; false, with
  // the semaphore unchanged, if they are not free or anyone is waiting.
  bool TryAcquire(int64_t n) const;

  // Release gives back n tokens and grants the waiters that now fit, in order.
  void Release(int64_t n) const;

  friend bool operator==(const Weighted& a, const Weighted& b) { return a.impl_ == b.impl_; }

 private:
  friend size_t internal::NumWaiters(const Weighted& s);
  std::shared_ptr<internal::WeightedImpl> impl_;
};

// NewWeighted makes a semaphore with a combined weight of n (Go's
// semaphore.NewWeighted); the same as Weighted(n).
inline Weighted NewWeighted(int64_t n) { return Weighted(n); }

}  // namespace goro::semaphore

#endif  // GORO_SEMAPHORE_H_
