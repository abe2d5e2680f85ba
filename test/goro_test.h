// test/goro_test.h: shared helpers for goro's doctest suites.
//
// Every runtime test executable is registered with `meson test` three times,
// with GOMAXPROCS=1, 2 and 4 in the environment (test/meson.build), so test
// bodies run under each slot count without doing anything special.
#ifndef GORO_TEST_GORO_TEST_H_
#define GORO_TEST_GORO_TEST_H_

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <exception>
#include <string>
#include <thread>

#include "doctest_include.h"
#include "goro/goro.h"

namespace goro_test {

// UnderSanitizer is true in ThreadSanitizer and AddressSanitizer builds, which
// run 5-20x slower: stress loops shrink there (see Scaled).
inline constexpr bool UnderSanitizer() {
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  return true;
#else
  return false;
#endif
}

// Scaled returns n, or n / 10 (at least 1) under a sanitizer.
inline int Scaled(int n) { return UnderSanitizer() ? (n / 10 > 0 ? n / 10 : 1) : n; }

// Procs is the GOMAXPROCS this run was started with.
inline int Procs() { return goro::runtime::GOMAXPROCS(0); }

// WaitForGoroutines waits until NumGoroutine() <= n or the timeout passes, and
// returns the last count seen. Use it to check that a test leaked no goroutine:
//   CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
inline int WaitForGoroutines(int n, std::chrono::milliseconds timeout =
                                        std::chrono::milliseconds(5000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int got = goro::runtime::NumGoroutine();
  while (got > n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    got = goro::runtime::NumGoroutine();
  }
  return got;
}

// PanicOf runs f and returns the what() of the goro::Panic it threw, a note
// naming any other exception, or "no panic".
template <class F>
std::string PanicOf(F&& f) {
  try {
    f();
  } catch (const goro::Panic& p) {
    return p.what();
  } catch (const std::exception& e) {
    return std::string("other exception: ") + e.what();
  } catch (...) {
    return "unknown exception";
  }
  return "no panic";
}

// Eventually polls pred every millisecond until it holds or the timeout
// passes, and returns pred's last value.
template <class P>
bool Eventually(P pred, std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Sleep blocks the calling goroutine or thread for d, handing its slot on as a
// goro primitive does (a stand-in for time::Sleep in runtime tests).
inline void Sleep(std::chrono::nanoseconds d) {
  goro::internal::BlockingEnter();
  std::this_thread::sleep_for(d);
  goro::internal::BlockingExit();
}
inline void SleepMs(int ms) { Sleep(std::chrono::milliseconds(ms)); }

// Flag is a done-flag shared with a goroutine that may outlive the test
// (one left blocked forever on purpose): capture it by value.
using Flag = std::shared_ptr<std::atomic<bool>>;
inline Flag NewFlag() { return std::make_shared<std::atomic<bool>>(false); }

// StillBlocked gives a goroutine ~30 ms to finish and reports whether it has not.
inline bool StillBlocked(const Flag& done) {
  SleepMs(30);
  return !done->load();
}

// IsDone reports whether ctx.Done() is closed right now (Go's select with
// default on <-ctx.Done()).
inline bool IsDone(const goro::context::Context& ctx) {
  return goro::select(goro::case_recv(ctx.Done()), goro::case_default()) == 0;
}

// WithProcs runs f with GOMAXPROCS=n and restores the previous value.
template <class F>
void WithProcs(int n, F f) {
  int prev = goro::runtime::GOMAXPROCS(n);
  f();
  goro::runtime::GOMAXPROCS(prev);
}

// RssBytes is the process's resident set size (/proc/self/statm), or -1 when
// it cannot be read.
inline long RssBytes() {
  long size = 0, resident = 0;
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  if (std::fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
  std::fclose(f);
  return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

}  // namespace goro_test

#endif  // GORO_TEST_GORO_TEST_H_
