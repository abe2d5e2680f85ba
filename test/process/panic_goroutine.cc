// test/process/panic_goroutine.cc: an exception escaping a goroutine ends the
// process as an unrecovered Go panic does: "panic: <what()>", a blank line and
// "goroutine N [running]:" on stderr, exit status 2.
//   panic_goroutine boom    throws goro::Panic("boom")
//   panic_goroutine oops    throws std::runtime_error("oops")
//   panic_goroutine closed  sends on a closed channel
// If the process survives, main returns 0 after 10 s (a failure for the driver).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "goro/goro.h"

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "boom";
  if (std::strcmp(mode, "boom") != 0 && std::strcmp(mode, "oops") != 0 &&
      std::strcmp(mode, "closed") != 0) {
    std::fprintf(stderr, "usage: %s boom|oops|closed\n", argv[0]);
    return 64;
  }
  goro::go([mode] {
    if (std::strcmp(mode, "boom") == 0) throw goro::Panic("boom");
    if (std::strcmp(mode, "oops") == 0) throw std::runtime_error("oops");
    auto c = goro::make_chan<int>();
    goro::close(c);
    c.send(1);
  });
  std::this_thread::sleep_for(std::chrono::seconds(10));
  std::printf("survived\n");
  return 0;
}
