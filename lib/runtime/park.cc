// lib/runtime/park.cc: spin, then hand the slot on, then sleep on a futex.
#include "runtime/park.h"

#include <atomic>
#include <chrono>

#include "goro/internal/task.h"
#include "goro/runtime.h"
#include "runtime/futex.h"

namespace goro::internal {
namespace {

// How long a goroutine about to park spins first. A futex sleep and wake-up
// costs 5-20 µs on the machines goro is measured on, against ~0.3 µs for a
// cross-core hand-off seen while spinning (research/perf-anchors.md W3).
constexpr auto kSpinFor = std::chrono::microseconds(20);

bool Woken(WaitState* ws) { return ws->wake.load(std::memory_order_acquire) == 1; }

// Spinning helps only while the partner has a CPU to run on: at most one
// spinning waiter per CPU.
std::atomic<int> spinners{0};
const int kMaxSpinners = goro::runtime::NumCPU();

bool TryStartSpin() {
  int n = spinners.load(std::memory_order_relaxed);
  while (n < kMaxSpinners) {
    if (spinners.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
  }
  return false;
}

}  // namespace

void Park(WaitState* ws, bool may_spin) {
  if (Woken(ws)) return;
  if (may_spin && ShouldSpin() && TryStartSpin()) {
    auto start = std::chrono::steady_clock::now();
    bool woken = false;
    for (int i = 1;; i++) {
      CpuRelax();
      if (Woken(ws)) {
        woken = true;
        break;
      }
      if ((i & 63) == 0) {
        if (std::chrono::steady_clock::now() - start > kSpinFor) break;
        if (!ShouldSpin()) break;  // work arrived for our slot: stop holding it
      }
    }
    spinners.fetch_sub(1, std::memory_order_relaxed);
    if (woken) return;
  }
  BlockingEnter();
  uint32_t expected = 0;
  if (ws->wake.compare_exchange_strong(expected, 2, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
    while (ws->wake.load(std::memory_order_acquire) == 2) FutexWait(&ws->wake, 2);
  }
  BlockingExit();
}

void Unpark(WaitState* ws) {
  // The exchange is the last access to *ws: the waiter may return right after.
  if (ws->wake.exchange(1, std::memory_order_acq_rel) == 2) FutexWake(&ws->wake, 1);
}

}  // namespace goro::internal
