// lib/runtime/park.cc: spin, then hand the slot on, then sleep on a futex.
#include "runtime/park.h"

#include <chrono>

#include "goro/internal/task.h"
#include "runtime/futex.h"

namespace goro::internal {
namespace {

// How long a goroutine about to park spins first. A futex sleep and wake-up
// costs 5-20 µs on the machines goro is measured on, against ~0.3 µs for a
// cross-core hand-off seen while spinning (research/perf-anchors.md W3).
constexpr auto kSpinFor = std::chrono::microseconds(20);

bool Woken(WaitState* ws) { return ws->wake.load(std::memory_order_acquire) == 1; }

}  // namespace

void Park(WaitState* ws) {
  if (Woken(ws)) return;
  if (ShouldSpin()) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 1;; i++) {
      CpuRelax();
      if (Woken(ws)) return;
      if ((i & 63) == 0) {
        if (std::chrono::steady_clock::now() - start > kSpinFor) break;
        if (!ShouldSpin()) break;  // work arrived for our slot: stop holding it
      }
    }
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
