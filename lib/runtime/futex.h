// lib/runtime/futex.h: the low-level blocking goro's own synchronization is
// built on: raw futexes, a small futex mutex, and a CPU pause. Everything here
// synchronizes through std::atomic, so ThreadSanitizer sees every edge.
#ifndef GORO_LIB_RUNTIME_FUTEX_H_
#define GORO_LIB_RUNTIME_FUTEX_H_

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace goro::internal {

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));

// FutexWait sleeps while *word == expected (or until woken, or the timeout).
inline void FutexWait(std::atomic<uint32_t>* word, uint32_t expected,
                      const struct timespec* timeout = nullptr) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected,
          timeout, nullptr, 0);
}

// FutexWake wakes up to n threads sleeping on word. word may already be dead
// memory: the kernel only uses the address as a key.
inline void FutexWake(std::atomic<uint32_t>* word, int n) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, n, nullptr,
          nullptr, 0);
}

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#else
  asm volatile("" ::: "memory");
#endif
}

// Lock is a small futex mutex (Drepper's "Futexes are tricky", mutex 2) with a
// short spin. 0 = unlocked, 1 = locked, 2 = locked with sleepers.
class Lock {
 public:
  void lock() {
    uint32_t c = 0;
    if (s_.compare_exchange_strong(c, 1, std::memory_order_acquire,
                                   std::memory_order_relaxed)) {
      return;
    }
    LockSlow();
  }
  bool try_lock() {
    uint32_t c = 0;
    return s_.compare_exchange_strong(c, 1, std::memory_order_acquire,
                                      std::memory_order_relaxed);
  }
  void unlock() {
    if (s_.exchange(0, std::memory_order_release) == 2) FutexWake(&s_, 1);
  }

 private:
  void LockSlow() {
    for (int i = 0; i < 64; i++) {
      CpuRelax();
      uint32_t c = 0;
      if (s_.load(std::memory_order_relaxed) == 0 &&
          s_.compare_exchange_weak(c, 1, std::memory_order_acquire,
                                   std::memory_order_relaxed)) {
        return;
      }
    }
    uint32_t c = s_.exchange(2, std::memory_order_acquire);
    while (c != 0) {
      FutexWait(&s_, 2);
      c = s_.exchange(2, std::memory_order_acquire);
    }
  }
  std::atomic<uint32_t> s_{0};
};

class LockGuard {
 public:
  explicit LockGuard(Lock& l) : l_(l) { l_.lock(); }
  ~LockGuard() { l_.unlock(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  Lock& l_;
};

}  // namespace goro::internal

#endif  // GORO_LIB_RUNTIME_FUTEX_H_
