// goro/runtime.h: the go statement and Go's runtime package.
//
// Mirrors Go's `go f(x, y)` and runtime.GOMAXPROCS, Gosched, NumGoroutine,
// NumCPU, plus runtime/debug.SetMaxThreads.
//
//   goro::sync::WaitGroup wg;
//   for (int i = 0; i < 3; i++) {
//     wg.Add(1);
//     goro::go([&wg](int id) { std::printf("worker %d\n", id); wg.Done(); }, i);
//   }
//   wg.Wait();
//
// go(f, args...) decay-copies f and its arguments (as std::thread does) and runs
// f(args...) as a goroutine: a task on a work-stealing pool of OS threads with
// GOMAXPROCS slots (Go's Ps). It may be called from any thread: a goroutine, main,
// or a foreign std::thread.
//
// Blocking: a goroutine that blocks in a goro primitive (channel operations,
// select, WaitGroup::Wait, time::Sleep, ...) keeps its OS thread, but hands its
// slot to another thread first, so queued goroutines keep running: a program
// that cannot deadlock in Go does not deadlock in goro. Blocking outside goro (std::mutex, sleep_for,
// blocking I/O) is covered by a watchdog that adds a temporary slot when queued
// work has made no progress for about 10 ms.
//
// Limits: each blocked goroutine holds an OS thread. debug::SetMaxThreads
// (default 10000, as Go) caps the threads held by blocked goroutines: when the
// pool needs a new thread while more goroutines than that are blocked, it stops
// the process with Go's "runtime: program exceeds N-thread limit" and
// "fatal error: thread exhaustion" (exit status 2), never a silent hang. (Go
// counts all its threads, but Go parks goroutines without one; counting the
// blocked ones lets Go's 10,000-goroutine chain run under the default, as in
// Go.) Threads idle for 5 s exit while the pool has more threads than slots.
//
// Memory ordering: the call to go() happens before the goroutine starts (Go's
// memory model). A goroutine's exit is not synchronized with anything.
//
// Panics: an exception that escapes a goroutine prints `panic: <what()>` and
// `goroutine N [running]:` on stderr and exits the process with status 2.
//
// Exit: returning from main ends the process even while goroutines are blocked;
// the pool is never joined.
#ifndef GORO_RUNTIME_H_
#define GORO_RUNTIME_H_

#include <cstdint>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "goro/internal/task.h"

namespace goro {

// go starts f(args...) as a new goroutine.
template <class F, class... Args>
void go(F&& f, Args&&... args) {
  if constexpr (sizeof...(Args) == 0) {
    using Fn = std::decay_t<F>;
    internal::Spawn(new internal::FnTask<Fn>(Fn(std::forward<F>(f))));
  } else {
    auto bound = [fn = std::decay_t<F>(std::forward<F>(f)),
                  tup = std::tuple<std::decay_t<Args>...>(
                      std::forward<Args>(args)...)]() mutable {
      std::apply(std::move(fn), std::move(tup));
    };
    internal::Spawn(new internal::FnTask<decltype(bound)>(std::move(bound)));
  }
}

namespace runtime {

// GOMAXPROCS sets the number of slots that run goroutines at once and returns the
// previous setting. n < 1 leaves it unchanged (a query). The default is the
// GOMAXPROCS environment variable, else NumCPU().
int GOMAXPROCS(int n);

// Gosched yields: the calling goroutine lets queued goroutines run (its slot is
// handed on if work is waiting) and then continues.
void Gosched();

// NumGoroutine returns the number of goroutines that exist (queued, running or
// blocked), plus one for main, as Go counts it.
int NumGoroutine();

// NumCPU returns the number of logical CPUs usable by the process.
int NumCPU();

namespace debug {
// SetMaxThreads sets how many OS threads blocked goroutines may hold (see
// above) and returns the previous setting (Go's runtime/debug.SetMaxThreads;
// default 10000).
int SetMaxThreads(int threads);
}  // namespace debug

}  // namespace runtime
}  // namespace goro

#endif  // GORO_RUNTIME_H_
