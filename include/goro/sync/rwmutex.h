// goro/sync/rwmutex.h: Go's sync.RWMutex.
//
// RWMutex mirrors Go's sync.RWMutex: a reader/writer lock held by any number
// of readers or by one writer. Its zero value is unlocked.
//
//   goro::sync::RWMutex mu;
//   std::map<std::string, int> table;
//   mu.RLock();                        // mu.RLock()
//   auto it = table.find("x");
//   mu.RUnlock();                      // mu.RUnlock()
//   { std::lock_guard g(mu); table["x"] = 1; }    // mu.Lock(); ...; mu.Unlock()
//   { std::shared_lock g(mu); (void)table.size(); }
//
// Writer preference, as in Go: once a Lock is waiting, new RLock calls block
// until that writer has had its turn. So recursive read locking can deadlock,
// and no writer waits forever behind a stream of readers. At most 2^30
// readers hold the lock at once. Like Mutex, an RWMutex belongs to no
// goroutine.
//
// Thread safety: every method may be called from any goroutine or thread.
//
// Memory ordering (Go's): for n < m, the n-th Unlock happens before the m-th
// Lock returns. For each RLock there is an n such that the n-th Unlock happens
// before that RLock returns, and the matching RUnlock happens before the
// (n+1)-th Lock returns. Successful TryLock/TryRLock count as Lock/RLock;
// failed ones order nothing.
//
// Misuse: RUnlock without a read lock throws
// Panic("sync: RUnlock of unlocked RWMutex"); Unlock without the write lock
// throws Panic("sync: Unlock of unlocked RWMutex") (both fatal in Go). An
// RWMutex is neither copyable nor movable; its default constructor is
// constexpr.
//
// Blocking: Lock and RLock hand their worker's slot on while they block.
//
// Aliases: lock/unlock/try_lock and lock_shared/unlock_shared/try_lock_shared
// make it a C++ SharedLockable, for std::lock_guard, std::unique_lock and
// std::shared_lock.
#ifndef GORO_SYNC_RWMUTEX_H_
#define GORO_SYNC_RWMUTEX_H_

#include <atomic>
#include <cstdint>

#include "goro/sync/mutex.h"

namespace goro::sync {

class RWMutex {
 public:
  constexpr RWMutex() = default;
  RWMutex(const RWMutex&) = delete;
  RWMutex& operator=(const RWMutex&) = delete;

  // RLock locks rw for reading. It blocks while a writer holds or waits for
  // the lock.
  void RLock() {
    if (reader_count_.fetch_add(1, std::memory_order_acquire) + 1 < 0) RLockSlow();
  }

  // TryRLock tries to lock rw for reading without blocking and reports whether
  // it did.
  bool TryRLock() {
    int32_t c = reader_count_.load(std::memory_order_relaxed);
    while (c >= 0) {
      if (reader_count_.compare_exchange_weak(c, c + 1, std::memory_order_acquire,
                                              std::memory_order_relaxed)) {
        return true;
      }
    }
    return false;
  }

  // RUnlock undoes one RLock. Throws Panic("sync: RUnlock of unlocked
  // RWMutex") if rw is not locked for reading.
  void RUnlock() {
    int32_t r = reader_count_.fetch_sub(1, std::memory_order_release) - 1;
    if (r < 0) RUnlockSlow(r);
  }

  // Lock locks rw for writing. It blocks while readers or a writer hold it.
  void Lock();

  // TryLock tries to lock rw for writing without blocking and reports whether
  // it did.
  bool TryLock();

  // Unlock unlocks rw for writing. Throws Panic("sync: Unlock of unlocked
  // RWMutex") if rw is not locked for writing.
  void Unlock();

  // RLocker returns a Locker whose Lock and Unlock call rw.RLock and
  // rw.RUnlock.
  Locker RLocker() { return Locker(this, &RLockThunk, &RUnlockThunk); }

  void lock() { Lock(); }
  bool try_lock() { return TryLock(); }
  void unlock() { Unlock(); }
  void lock_shared() { RLock(); }
  bool try_lock_shared() { return TryRLock(); }
  void unlock_shared() { RUnlock(); }

 private:
  static constexpr int32_t kMaxReaders = 1 << 30;

  static void RLockThunk(void* p) { static_cast<RWMutex*>(p)->RLock(); }
  static void RUnlockThunk(void* p) { static_cast<RWMutex*>(p)->RUnlock(); }

  void RLockSlow();
  void RUnlockSlow(int32_t r);

  Mutex w_;                                // held by the writer, and by a waiting writer
  std::atomic<int32_t> reader_count_{0};   // readers; minus kMaxReaders while a writer is in
  std::atomic<int32_t> reader_wait_{0};    // readers the waiting writer still waits for
  std::atomic<uint32_t> writer_sem_{0};    // the writer parks here for departing readers
  std::atomic<uint32_t> reader_sem_{0};    // readers park here for the writer
};

}  // namespace goro::sync

#endif  // GORO_SYNC_RWMUTEX_H_
