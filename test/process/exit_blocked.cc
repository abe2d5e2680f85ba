// test/process/exit_blocked.cc: returning from main ends the process while
// goroutines are blocked forever (golang/go test/chan/select3.go's testBlock
// leaves such goroutines behind too). Blocks in: a channel receive, a select with
// no ready case, goro::select(), WaitGroup::Wait, a nil-channel send, a range.
// Prints "main done" and returns 0; process_test.cc checks the status and time.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "goro/goro.h"

int main() {
  std::atomic<int> started{0};
  auto never = goro::make_chan<int>();        // nobody ever sends or closes
  auto never2 = goro::make_chan<int>(1);
  static goro::sync::WaitGroup wg;            // never reaches zero
  wg.Add(1);

  goro::go([&started, never] {
    started++;
    never.recv();
  });
  goro::go([&started, never, never2] {
    started++;
    goro::select(goro::case_recv(never), goro::case_recv(never2));
  });
  goro::go([&started] {
    started++;
    goro::select();
  });
  goro::go([&started] {
    started++;
    wg.Wait();
  });
  goro::go([&started] {
    started++;
    goro::chan<int> nil;
    nil.send(1);
  });
  goro::go([&started, never] {
    started++;
    for (int v : never) std::printf("unexpected %d\n", v);
  });
  // Main blocks in goro too, then lets go.
  auto ready = goro::make_chan<int>();
  goro::go([ready] { ready.send(1); });
  ready.recv();

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (started.load() < 6 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let them park
  std::printf("main done started=%d goroutines=%d\n", started.load(),
              goro::runtime::NumGoroutine());
  std::fflush(stdout);
  return 0;
}
