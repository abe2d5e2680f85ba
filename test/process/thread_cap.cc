// test/process/thread_cap.cc: scheduler.md §7 #16, after golang/go
// src/runtime/crash_test.go TestThreadExhaustion (testdata/testprog/deadlock.go
// ThreadExhaustion): with SetMaxThreads(16), main starts 32 goroutines one after
// another, each of which checks in with main and then blocks forever (holding a
// thread). The 17th thread cannot be had while the next goroutine is queued, so
// the process must stop with "runtime: program exceeds 16-thread limit" /
// "fatal error: thread exhaustion", status 2: never a silent hang. If it does
// not, main prints "no thread exhaustion" and returns 0 (a failure for the driver).
#include <cstdio>

#include "goro/goro.h"

int main() {
  goro::runtime::debug::SetMaxThreads(16);
  auto started = goro::make_chan<int>();
  auto never = goro::make_chan<int>();  // nobody sends: blocks forever
  for (int i = 0; i < 32; i++) {
    goro::go([started, never, i] {
      started.send(i);
      never.recv();
    });
    started.recv();  // main waits until goroutine i runs
  }
  std::printf("no thread exhaustion: threads=%d\n", goro::internal::NumThreads());
  return 0;
}
