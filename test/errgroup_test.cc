// test/errgroup_test.cc: tests for goro/errgroup.h.
//
// Part 1 ports x/sync's errgroup/errgroup_test.go (Debian's
// golang-golang-x-sync-dev, plus TestCancelCause from x/sync v0.16); each test
// names the Go function it ports. BenchmarkGo is not a test.
//
// Part 2 covers the contract beyond Go's tests: the first error cancels the
// context before Wait, with itself as the cause; Go blocks at the limit and
// SetLimit panics with Go's text while goroutines are active; the group is a
// shared handle that its goroutines keep alive; blocked Go and Wait hand their
// slot on (checked with GOMAXPROCS=1); an exception in f ends the process as an
// unrecovered Go panic (in a child process).
//
// Goroutines never run doctest assertions: they report through atomics and
// channels, and the test body checks on the main thread.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "goro/context.h"
#include "goro/errgroup.h"
#include "goro/time.h"
#include "goro_test.h"

extern char** environ;

namespace {

namespace context = goro::context;
namespace errgroup = goro::errgroup;
namespace time = goro::time;
using goro::Empty;
using goro_test::Eventually;
using goro_test::PanicOf;

using goro_test::IsDone;

using goro_test::WithProcs;

// The child mode of Errgroup.PanicInF.ExitsLikeGo: before main, so doctest
// never runs in the child.
const char kPanicChildEnv[] = "GORO_ERRGROUP_TEST_PANIC_CHILD";
const bool kPanicChild = [] {
  if (std::getenv(kPanicChildEnv) == nullptr) return false;
  errgroup::Group g;
  g.Go([]() -> absl::Status { throw std::runtime_error("boom in errgroup"); });
  (void)g.Wait();
  _exit(0);  // not reached: the goroutine's exception ends the process
}();

}  // namespace

// ===========================================================================
// Part 1: x/sync errgroup_test.go
// ===========================================================================

// errgroup_test.go: TestZeroGroup.
TEST_CASE("Errgroup.Go.ZeroGroup") {
  const absl::Status err1 = absl::UnknownError("errgroup_test: 1");
  const absl::Status err2 = absl::UnknownError("errgroup_test: 2");
  const std::vector<std::vector<absl::Status>> cases = {
      {},
      {absl::OkStatus()},
      {err1},
      {err1, absl::OkStatus()},
      {err1, absl::OkStatus(), err2},
  };
  for (const auto& errs : cases) {
    errgroup::Group g;
    absl::Status first;
    for (size_t i = 0; i < errs.size(); i++) {
      absl::Status err = errs[i];
      g.Go([err] { return err; });
      if (first.ok() && !err.ok()) first = err;
      INFO("after " << i + 1 << " calls");
      CHECK(g.Wait() == first);
    }
  }
}

// errgroup_test.go: TestWithContext.
TEST_CASE("Errgroup.Go.WithContext") {
  const absl::Status doom = absl::UnknownError("group_test: doomed");
  struct Case {
    std::vector<absl::Status> errs;
    absl::Status want;
  };
  const std::vector<Case> cases = {
      {{}, absl::OkStatus()},
      {{absl::OkStatus()}, absl::OkStatus()},
      {{doom}, doom},
      {{doom, absl::OkStatus()}, doom},
  };
  for (const Case& tc : cases) {
    auto [g, ctx] = errgroup::WithContext(context::Background());
    for (const absl::Status& err : tc.errs) {
      g.Go([err] { return err; });
    }
    CHECK(g.Wait() == tc.want);
    CHECK(IsDone(ctx));
  }
}

// errgroup_test.go: TestTryGo.
TEST_CASE("Errgroup.Go.TryGo") {
  errgroup::Group g;
  const int n = 42;
  g.SetLimit(42);
  auto ch = goro::make_chan<Empty>();
  auto fn = [ch]() -> absl::Status {
    ch.send(Empty{});
    return absl::OkStatus();
  };
  for (int i = 0; i < n; i++) {
    INFO("call " << i);
    REQUIRE(g.TryGo(fn));
  }
  CHECK_FALSE(g.TryGo(fn));
  goro::go([ch] {
    for (int i = 0; i < n; i++) ch.recv();
  });
  CHECK(g.Wait().ok());

  CHECK(g.TryGo(fn));
  goro::go([ch] { ch.recv(); });
  CHECK(g.Wait().ok());

  // Switch limit.
  g.SetLimit(1);
  CHECK(g.TryGo(fn));
  CHECK_FALSE(g.TryGo(fn));
  goro::go([ch] { ch.recv(); });
  CHECK(g.Wait().ok());

  // Block all calls.
  g.SetLimit(0);
  for (int i = 0; i < 1 << 10; i++) {
    REQUIRE_FALSE(g.TryGo(fn));
  }
  CHECK(g.Wait().ok());
}

// errgroup_test.go: TestGoLimit.
TEST_CASE("Errgroup.Go.GoLimit") {
  const int limit = 10;
  errgroup::Group g;
  g.SetLimit(limit);
  auto active = std::make_shared<std::atomic<int>>(0);
  auto max_seen = std::make_shared<std::atomic<int>>(0);
  for (int i = 0; i <= goro_test::Scaled(1 << 10); i++) {
    g.Go([active, max_seen]() -> absl::Status {
      int n = active->fetch_add(1) + 1;
      int m = max_seen->load();
      while (n > m && !max_seen->compare_exchange_weak(m, n)) {
      }
      if (n > limit) {
        return absl::InternalError("saw " + std::to_string(n) + " active goroutines; want <= " +
                                   std::to_string(limit));
      }
      time::Sleep(time::Microsecond);  // give other goroutines a chance to increment active
      active->fetch_sub(1);
      return absl::OkStatus();
    });
  }
  absl::Status err = g.Wait();
  CHECK_MESSAGE(err.ok(), err.ToString());
  CHECK(max_seen->load() <= limit);
  CHECK(active->load() == 0);
}

// errgroup_test.go (x/sync v0.16): TestCancelCause.
TEST_CASE("Errgroup.Go.CancelCause") {
  const absl::Status doom = absl::UnknownError("group_test: doomed");
  struct Case {
    std::vector<absl::Status> errs;
    absl::Status want;
  };
  const std::vector<Case> cases = {
      {{}, absl::OkStatus()},
      {{absl::OkStatus()}, absl::OkStatus()},
      {{doom}, doom},
      {{doom, absl::OkStatus()}, doom},
  };
  for (const Case& tc : cases) {
    auto [g, ctx] = errgroup::WithContext(context::Background());
    for (const absl::Status& err : tc.errs) {
      g.TryGo([err] { return err; });
    }
    CHECK(g.Wait() == tc.want);
    absl::Status want = tc.want.ok() ? context::Canceled : tc.want;
    CHECK(context::Cause(ctx) == want);
    CHECK(ctx.Err() == context::Canceled);
  }
}

// ===========================================================================
// Part 2: the rest of the contract
// ===========================================================================

TEST_CASE("Errgroup.WithContext.FirstErrorCancelsBeforeWait") {
  const absl::Status boom = absl::UnavailableError("backend down");
  auto [g, ctx] = errgroup::WithContext(context::Background());
  auto saw_cancel = std::make_shared<std::atomic<int>>(0);
  // Three workers that only stop when the context is cancelled: Wait can only
  // return if the failing one cancels the context first.
  for (int i = 0; i < 3; i++) {
    g.Go([ctx = ctx, saw_cancel]() -> absl::Status {
      ctx.Done().recv();
      saw_cancel->fetch_add(1);
      return ctx.Err();  // Canceled, which comes second: it is not kept
    });
  }
  g.Go([boom] { return boom; });
  CHECK(g.Wait() == boom);
  CHECK(saw_cancel->load() == 3);
  CHECK(ctx.Err() == context::Canceled);
  CHECK(context::Cause(ctx) == boom);
}

TEST_CASE("Errgroup.WithContext.ParentCancellationReachesGroupContext") {
  auto [parent, cancel] = context::WithCancel(context::Background());
  auto [g, ctx] = errgroup::WithContext(parent);
  g.Go([ctx = ctx]() -> absl::Status {
    ctx.Done().recv();
    return ctx.Err();
  });
  cancel();
  CHECK(g.Wait() == context::Canceled);
  CHECK(context::Cause(ctx) == context::Canceled);
}

TEST_CASE("Errgroup.FirstErrorWins") {
  const int n = goro_test::Scaled(200);
  for (int round = 0; round < 20; round++) {
    auto [g, ctx] = errgroup::WithContext(context::Background());
    auto start = goro::make_chan<Empty>();
    for (int i = 0; i < n; i++) {
      g.Go([start, i]() -> absl::Status {
        start.recv();  // all at once
        return absl::InternalError("error " + std::to_string(i));
      });
    }
    start.close();
    absl::Status err = g.Wait();
    REQUIRE_FALSE(err.ok());
    // Whichever error won is both Wait's result and the context's cause.
    CHECK(context::Cause(ctx) == err);
  }
}

TEST_CASE("Errgroup.Go.BlocksAtLimit") {
  errgroup::Group g;
  g.SetLimit(2);
  auto release = goro::make_chan<Empty>();
  auto blocking = [release]() -> absl::Status {
    release.recv();
    return absl::OkStatus();
  };
  g.Go(blocking);
  g.Go(blocking);
  auto third_started = goro_test::NewFlag();
  auto go_returned = goro_test::NewFlag();
  goro::go([g, third_started, go_returned] {
    g.Go([third_started]() -> absl::Status {
      third_started->store(true);
      return absl::OkStatus();
    });
    go_returned->store(true);
  });
  CHECK(goro_test::StillBlocked(go_returned));
  CHECK_FALSE(third_started->load());
  release.send(Empty{});  // one of the two finishes: its place goes to the third
  CHECK(Eventually([&] { return third_started->load() && go_returned->load(); }));
  release.send(Empty{});
  CHECK(g.Wait().ok());
}

TEST_CASE("Errgroup.SetLimit.PanicsWhileActive") {
  errgroup::Group g;
  g.SetLimit(3);
  auto release = goro::make_chan<Empty>();
  for (int i = 0; i < 2; i++) {
    g.Go([release]() -> absl::Status {
      release.recv();
      return absl::OkStatus();
    });
  }
  CHECK(PanicOf([&] { g.SetLimit(5); }) ==
        "errgroup: modify limit while 2 goroutines in the group are still active");
  CHECK(PanicOf([&] { g.SetLimit(0); }) ==
        "errgroup: modify limit while 2 goroutines in the group are still active");
  close(release);
  CHECK(g.Wait().ok());
  // Idle again: the limit may change.
  CHECK(PanicOf([&] { g.SetLimit(1); }) == "no panic");
  CHECK(PanicOf([&] { g.SetLimit(-1); }) == "no panic");
  // No limit: TryGo always starts f.
  auto count = std::make_shared<std::atomic<int>>(0);
  for (int i = 0; i < 100; i++) {
    REQUIRE(g.TryGo([count]() -> absl::Status {
      count->fetch_add(1);
      return absl::OkStatus();
    }));
  }
  CHECK(g.Wait().ok());
  CHECK(count->load() == 100);
}

TEST_CASE("Errgroup.SetLimit.RemovedWhileActiveReturnsTokensToTheOldLimit") {
  // Go does not panic when the limit is removed while goroutines run
  // (SetLimit(-1) skips the check); the goroutines still release their places.
  errgroup::Group g;
  g.SetLimit(1);
  auto release = goro::make_chan<Empty>();
  g.Go([release]() -> absl::Status {
    release.recv();
    return absl::OkStatus();
  });
  g.SetLimit(-1);
  CHECK(g.TryGo([] { return absl::OkStatus(); }));
  close(release);
  CHECK(g.Wait().ok());
  g.SetLimit(1);
  CHECK(g.TryGo([] { return absl::OkStatus(); }));
  CHECK(g.Wait().ok());
}

TEST_CASE("Errgroup.Group.CopiesShareTheGroup") {
  errgroup::Group g;
  errgroup::Group h = g;
  CHECK(g == h);
  CHECK_FALSE(g == errgroup::Group());
  const absl::Status err = absl::NotFoundError("missing");
  h.Go([err] { return err; });
  CHECK(g.Wait() == err);

  auto [wg, ctx] = errgroup::WithContext(context::Background());
  errgroup::Group copy = wg;
  copy.Go([err] { return err; });
  CHECK(wg.Wait() == err);
  CHECK(context::Cause(ctx) == err);
}

TEST_CASE("Errgroup.Group.GoroutinesKeepTheGroupAlive") {
  int baseline = goro::runtime::NumGoroutine();
  auto release = goro::make_chan<Empty>();
  auto finished = goro::make_chan<int>(1);
  {
    errgroup::Group g;
    g.SetLimit(1);
    g.Go([release, finished]() -> absl::Status {
      release.recv();
      finished.send(7);
      return absl::UnknownError("after the group's handles are gone");
    });
  }  // the last handle outside the goroutine is gone here
  close(release);
  CHECK(finished.recv() == 7);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

TEST_CASE("Errgroup.Wait.FunctionsAreDestroyedBeforeWaitReturns") {
  // What an f captured is released by the time Wait returns (as a Go closure
  // becomes garbage once its goroutine ends).
  auto resource = std::make_shared<int>(1);
  errgroup::Group g;
  g.SetLimit(2);
  for (int i = 0; i < 20; i++) {
    g.Go([resource]() -> absl::Status {
      goro::runtime::Gosched();
      return *resource == 1 ? absl::OkStatus() : absl::InternalError("bad");
    });
  }
  CHECK(g.Wait().ok());
  CHECK(resource.use_count() == 1);
}

TEST_CASE("Errgroup.Wait.FromSeveralGoroutines") {
  errgroup::Group g;
  const absl::Status err = absl::AbortedError("x");
  auto release = goro::make_chan<Empty>();
  g.Go([release, err]() -> absl::Status {
    release.recv();
    return err;
  });
  auto results = goro::make_chan<absl::Status>(4);
  for (int i = 0; i < 4; i++) {
    goro::go([g, results] { results.send(g.Wait()); });
  }
  close(release);
  for (int i = 0; i < 4; i++) CHECK(results.recv() == err);
  CHECK(g.Wait() == err);
}

TEST_CASE("Errgroup.Go.ManyWithLimitUnderContention") {
  // Several goroutines call Go on one limited group at once.
  errgroup::Group g;
  g.SetLimit(3);
  auto active = std::make_shared<std::atomic<int>>(0);
  auto too_many = std::make_shared<std::atomic<bool>>(false);
  auto total = std::make_shared<std::atomic<int>>(0);
  const int per = goro_test::Scaled(200);
  goro::sync::WaitGroup callers;
  for (int c = 0; c < 4; c++) {
    callers.Go([&] {
      for (int i = 0; i < per; i++) {
        g.Go([active, too_many, total]() -> absl::Status {
          if (active->fetch_add(1) + 1 > 3) too_many->store(true);
          goro::runtime::Gosched();
          active->fetch_sub(1);
          total->fetch_add(1);
          return absl::OkStatus();
        });
      }
    });
  }
  callers.Wait();
  CHECK(g.Wait().ok());
  CHECK_FALSE(too_many->load());
  CHECK(total->load() == 4 * per);
}

// With one slot, a goroutine blocked in Go (at the limit) or in Wait must hand
// the slot on: otherwise the goroutine that unblocks it never runs.
TEST_CASE("Errgroup.GOMAXPROCS1.BlockedGoAndWaitDoNotStall") {
  WithProcs(1, [] {
    errgroup::Group g;
    g.SetLimit(1);
    auto release = goro::make_chan<Empty>();
    g.Go([release]() -> absl::Status {
      release.recv();
      return absl::OkStatus();
    });
    auto done = goro::make_chan<int>(3);
    // A goroutine blocked in Go at the limit ...
    goro::go([g, done] {
      g.Go([] { return absl::OkStatus(); });
      done.send(1);
    });
    // ... and one blocked in Wait ...
    goro::go([g, done] {
      (void)g.Wait();
      done.send(2);
    });
    // ... while a third must still run to unblock them.
    goro::go([release] {
      goro::runtime::Gosched();
      release.send(Empty{});
    });
    int got = done.recv() + done.recv();
    CHECK(got == 3);
    CHECK(g.Wait().ok());
  });
}

TEST_CASE("Errgroup.GOMAXPROCS1.ManyBlockedInGo") {
  WithProcs(1, [] {
    errgroup::Group g;
    g.SetLimit(2);
    auto gate = goro::make_chan<Empty>();
    auto count = std::make_shared<std::atomic<int>>(0);
    const int n = 50;
    goro::sync::WaitGroup callers;
    for (int i = 0; i < n; i++) {
      callers.Go([&g, gate, count] {
        g.Go([gate, count]() -> absl::Status {
          gate.recv();
          count->fetch_add(1);
          return absl::OkStatus();
        });
      });
    }
    // Feed the gate from a goroutine: it runs although up to n callers are
    // blocked in Go on the single slot.
    goro::go([gate] {
      for (int i = 0; i < n; i++) gate.send(Empty{});
    });
    callers.Wait();
    CHECK(g.Wait().ok());
    CHECK(count->load() == n);
  });
}

// An exception escaping f is an unrecovered Go panic: the process prints
// "panic: ..." and exits with status 2 (errgroup does not propagate it).
TEST_CASE("Errgroup.PanicInF.ExitsLikeGo") {
  int err_pipe[2];
  REQUIRE(pipe(err_pipe) == 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  posix_spawn_file_actions_addclose(&fa, err_pipe[0]);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; e++) env_strings.emplace_back(*e);
  env_strings.push_back(std::string(kPanicChildEnv) + "=1");
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  char arg0[] = "errgroup_test";
  char* argv[] = {arg0, nullptr};
  pid_t pid;
  REQUIRE(posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, argv, envp.data()) == 0);
  posix_spawn_file_actions_destroy(&fa);
  close(err_pipe[1]);
  std::string err;
  char buf[512];
  for (ssize_t r; (r = read(err_pipe[0], buf, sizeof buf)) > 0;) err.append(buf, r);
  close(err_pipe[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  CHECK_MESSAGE(err.find("panic: boom in errgroup") != std::string::npos, err);
  CHECK_MESSAGE(err.find("goroutine ") != std::string::npos, err);
  CHECK(kPanicChild == false);
}
