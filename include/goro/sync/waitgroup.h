// goro/sync/waitgroup.h: Go's sync.WaitGroup.
//
// WaitGroup mirrors Go's sync.WaitGroup: it waits for a collection of
// goroutines to finish.
//
//   goro::sync::WaitGroup wg;
//   for (int i = 0; i < 3; i++) {
//     wg.Go([i] { work(i); });   // Go 1.25's wg.Go(f): Add(1); go f(); Done()
//   }
//   wg.Wait();
//
// Thread safety: Add, Done, Go and Wait may be called from any goroutine or
// thread. As in Go, a positive Add made while the counter is zero must happen
// before Wait.
//
// Memory ordering: everything a goroutine did before Done (or before its Go
// function returned) is visible to every goroutine whose Wait returns because of it.
//
// Misuse: a negative counter throws Panic("sync: negative WaitGroup counter").
// A WaitGroup is neither copyable nor movable. It may be destroyed as soon as
// Wait returns, even while the Done that released it is still returning. With
// several goroutines in Wait at once, destroy it only after all their Waits have
// returned (a woken waiter no longer touches it, but one just entering Wait
// reads it once more).
//
// Blocking: Wait hands its worker's slot on while it blocks (goro/runtime.h).
#ifndef GORO_SYNC_WAITGROUP_H_
#define GORO_SYNC_WAITGROUP_H_

#include <atomic>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "goro/runtime.h"

namespace goro::sync {

class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  // Add adds delta, which may be negative, to the counter. When the counter
  // becomes zero, every goroutine blocked in Wait is released. Throws
  // Panic("sync: negative WaitGroup counter") if the counter goes negative.
  void Add(int delta);

  // Done decrements the counter by one.
  void Done() { Add(-1); }

  // Wait blocks until the counter is zero.
  void Wait();

  // Go calls f in a new goroutine and adds that task to the group: Add(1), then
  // go f(), then Done() when f returns.
  template <class F>
  void Go(F&& f) {
    Add(1);
    goro::go([this, fn = std::decay_t<F>(std::forward<F>(f))]() mutable {
      fn();
      Done();
    });
  }

 private:
  // High 32 bits: the counter (signed). Low 32 bits: goroutines in Wait.
  std::atomic<uint64_t> state_{0};
};

}  // namespace goro::sync

#endif  // GORO_SYNC_WAITGROUP_H_
