// goro/sync/mutex.h: Go's sync.Mutex and sync.Locker.
//
// Mutex mirrors Go's sync.Mutex: a mutual exclusion lock whose zero value is
// unlocked.
//
//   goro::sync::Mutex mu;
//   int hits = 0;
//   wg.Go([&] {
//     mu.Lock();                 // mu.Lock()
//     hits++;
//     mu.Unlock();               // mu.Unlock()
//   });
//   { std::lock_guard g(mu); hits++; }   // C++ guards work too
//
// Ownership: as in Go, a Mutex belongs to no goroutine: one goroutine may lock
// it and another unlock it. It is not re-entrant: Lock while holding it blocks
// for good.
//
// Fairness: as Go's. A woken waiter competes with arriving goroutines, which
// may spin briefly; once a waiter has waited more than 1 ms the mutex turns to
// starvation mode, where Unlock hands it straight to the oldest waiter and
// newcomers queue behind, until a waiter gets it within 1 ms or is the last.
//
// Thread safety: every method may be called from any goroutine or thread.
// Lock and Unlock cost one atomic operation each when uncontended.
//
// Memory ordering: for n < m, the n-th Unlock happens before the m-th Lock
// returns. A successful TryLock counts as a Lock; a failed one orders nothing.
//
// Misuse: Unlock of an unlocked Mutex throws
// Panic("sync: unlock of unlocked mutex") (fatal in Go). A Mutex is neither
// copyable nor movable; its default constructor is constexpr, so a global
// Mutex needs no dynamic initialization.
//
// Blocking: Lock hands its worker's slot on while it blocks (goro/runtime.h).
//
// Aliases: lock, unlock and try_lock make a Mutex a C++ Lockable, for
// std::lock_guard, std::unique_lock and std::scoped_lock.
//
// Locker mirrors Go's sync.Locker interface: a small non-owning handle to
// anything with Lock() and Unlock() (a Mutex, an RWMutex, RWMutex::RLocker(),
// a user type). Build one from a pointer or a reference: `Locker l = &mu;`.
// Copies refer to the same object, which must outlive them. A default or
// nullptr Locker is Go's nil interface: Lock and Unlock on it throw Go's
// nil-dereference panic.
#ifndef GORO_SYNC_MUTEX_H_
#define GORO_SYNC_MUTEX_H_

#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace goro::sync {

class RWMutex;

class Locker {
 public:
  constexpr Locker() = default;
  constexpr Locker(std::nullptr_t) {}  // NOLINT: nil, as in Go

  template <class T>
    requires(!std::same_as<std::remove_cv_t<T>, Locker> &&
             requires(T& t) {
               t.Lock();
               t.Unlock();
             })
  constexpr Locker(T* l)  // NOLINT: implicit, as Go's interface conversion
      : obj_(l), lock_(&LockThunk<T>), unlock_(&UnlockThunk<T>) {}

  template <class T>
    requires(!std::same_as<std::remove_cv_t<T>, Locker> &&
             requires(T& t) {
               t.Lock();
               t.Unlock();
             })
  constexpr Locker(T& l) : Locker(&l) {}  // NOLINT: implicit, as above

  // Lock locks the object. Unlock unlocks it.
  void Lock() const;
  void Unlock() const;
  void lock() const { Lock(); }
  void unlock() const { Unlock(); }

  // operator bool reports whether the Locker is not nil.
  explicit operator bool() const { return obj_ != nullptr; }

  // Two Lockers are equal when they lock the same object the same way.
  friend bool operator==(const Locker&, const Locker&) = default;

 private:
  friend class RWMutex;
  using Fn = void (*)(void*);
  constexpr Locker(void* obj, Fn lock, Fn unlock) : obj_(obj), lock_(lock), unlock_(unlock) {}

  template <class T>
  static void LockThunk(void* p) {
    static_cast<T*>(p)->Lock();
  }
  template <class T>
  static void UnlockThunk(void* p) {
    static_cast<T*>(p)->Unlock();
  }

  void* obj_ = nullptr;
  Fn lock_ = nullptr;
  Fn unlock_ = nullptr;
};

class Mutex {
 public:
  constexpr Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // Lock locks m. If m is already locked, Lock blocks until it is available.
  void Lock() {
    int32_t unlocked = 0;
    if (state_.compare_exchange_strong(unlocked, kLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
      return;
    }
    LockSlow();
  }

  // TryLock tries to lock m without blocking and reports whether it did. As in
  // Go, it fails while waiters are owed the mutex (starvation mode).
  bool TryLock() {
    int32_t old = state_.load(std::memory_order_relaxed);
    if ((old & (kLocked | kStarving)) != 0) return false;
    return state_.compare_exchange_strong(old, old | kLocked, std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }

  // Unlock unlocks m. Throws Panic("sync: unlock of unlocked mutex") if m is
  // not locked.
  void Unlock() {
    int32_t next = state_.fetch_sub(kLocked, std::memory_order_release) - kLocked;
    if (next != 0) UnlockSlow(next);
  }

  void lock() { Lock(); }
  bool try_lock() { return TryLock(); }
  void unlock() { Unlock(); }

 private:
  // state_: bit 0 locked, bit 1 a waiter is awake and competing, bit 2
  // starvation mode, bits 3 and up the number of waiters (Go's layout).
  static constexpr int32_t kLocked = 1;
  static constexpr int32_t kWoken = 2;
  static constexpr int32_t kStarving = 4;
  static constexpr int kWaiterShift = 3;

  void LockSlow();
  void UnlockSlow(int32_t next);

  std::atomic<int32_t> state_{0};
  std::atomic<uint32_t> sema_{0};  // the runtime semaphore waiters park on
};

}  // namespace goro::sync

#endif  // GORO_SYNC_MUTEX_H_
