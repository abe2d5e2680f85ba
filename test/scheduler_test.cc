// test/scheduler_test.cc: the scheduler's hard scenarios, numbered as in
// /work/shared/research/scheduler.md §7 (#1-14, 17, 18). Each scenario checks
// values (counts, sums, no duplicates), not only that it finished; a deadlock is
// stopped by meson's timeout. Ports of Go tests name their Go file in their first
// comment. Big loop counts go through goro_test::Scaled (n/10 under sanitizers).
//
// Blocked goroutines each hold an OS thread, so #1, #2 and #17 need more threads
// than Go's default cap of 10,000: EnsureThreadBudget raises it for the process.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "goro_test.h"

namespace {

using namespace std::chrono_literals;

// WaitUntil is goro_test::Eventually with this file's default timeout.
template <class Pred>
bool WaitUntil(Pred pred, std::chrono::milliseconds timeout = 60000ms) {
  return goro_test::Eventually(pred, timeout);
}

using Clock = std::chrono::steady_clock;

// EnsureThreadBudget raises the pool's thread cap to 30,000 for the rest of the
// process (never lowers it: lowering it below the live thread count may be fatal,
// as in Go). 10,000 blocked goroutines need 10,000 + P pool threads.
void EnsureThreadBudget() {
  static std::once_flag once;
  std::call_once(once, [] {
    int prev = goro::runtime::debug::SetMaxThreads(30000);
    if (prev > 30000) goro::runtime::debug::SetMaxThreads(prev);
  });
}

// GomaxprocsScope sets GOMAXPROCS for one test and restores it.
class GomaxprocsScope {
 public:
  explicit GomaxprocsScope(int n) : prev_(goro::runtime::GOMAXPROCS(n)) {}
  ~GomaxprocsScope() { goro::runtime::GOMAXPROCS(prev_); }
  GomaxprocsScope(const GomaxprocsScope&) = delete;
  GomaxprocsScope& operator=(const GomaxprocsScope&) = delete;

 private:
  int prev_;
};

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// ---------------------------------------------------------------------------
// #1: n goroutines block receiving on one unbuffered channel; main sends n values
// (each must be received exactly once); then n more block and close wakes them all.
// Returns NumThreads() seen while the first n receivers were all running.
int RunBlockedReceivers(int n) {
  auto ch = goro::make_chan<int>();
  std::vector<int> got(static_cast<size_t>(n), -1);
  std::atomic<int> started{0};
  goro::sync::WaitGroup wg;
  wg.Add(n);
  for (int i = 0; i < n; i++) {
    goro::go([&, i] {
      started.fetch_add(1);
      got[static_cast<size_t>(i)] = ch.recv();
      wg.Done();
    });
  }
  REQUIRE(WaitUntil([&] { return started.load() == n; }));
  // Each started receiver parks holding a pool thread (goro/runtime.h); on a
  // loaded machine parking can take a while, so wait for it (bounded).
  WaitUntil([&] { return goro::internal::NumThreads() >= n; }, std::chrono::milliseconds(20000));
  const int threads_while_blocked = goro::internal::NumThreads();
  for (int v = 0; v < n; v++) ch.send(v);
  wg.Wait();
  std::vector<int> sorted = got;
  std::sort(sorted.begin(), sorted.end());
  int misplaced = 0;
  for (int v = 0; v < n; v++) {
    if (sorted[static_cast<size_t>(v)] != v) misplaced++;
  }
  CHECK(misplaced == 0);  // every value received exactly once
  CHECK(ch.len() == 0);

  std::atomic<int> closed_seen{0};
  std::atomic<int> bad{0};
  started = 0;
  wg.Add(n);
  for (int i = 0; i < n; i++) {
    goro::go([&] {
      started.fetch_add(1);
      auto [v, ok] = ch.recv_ok();
      if (!ok && v == 0) {
        closed_seen.fetch_add(1);
      } else {
        bad.fetch_add(1);
      }
      wg.Done();
    });
  }
  REQUIRE(WaitUntil([&] { return started.load() == n; }));
  goro_test::SleepMs(20);
  goro::close(ch);
  wg.Wait();
  CHECK(closed_seen.load() == n);
  CHECK(bad.load() == 0);
  return threads_while_blocked;
}

TEST_CASE("Sched.Scenario01.TenThousandBlockedReceivers") {
  EnsureThreadBudget();
  const int baseline = goro::runtime::NumGoroutine();
  RunBlockedReceivers(goro_test::Scaled(10000));
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #2: port of golang/go test/chan/goroutines.go (daisy chain), with
// left <- 1 + <-right so the result counts the links.
int DaisyChain(int n) {
  auto leftmost = goro::make_chan<int>();
  auto left = leftmost;
  for (int i = 0; i < n; i++) {
    auto right = goro::make_chan<int>();
    goro::go([left, right] { left.send(1 + right.recv()); });
    left = right;
  }
  goro::go([right = left] { right.send(0); });
  return leftmost.recv();
}

TEST_CASE("Sched.Scenario02.DaisyChainTenThousand") {
  EnsureThreadBudget();
  const int baseline = goro::runtime::NumGoroutine();
  const int n = goro_test::Scaled(10000);
  CHECK(DaisyChain(n) == n);
  CHECK(DaisyChain(n) == n);  // again, on the threads the first run left behind
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #3: port of golang/go test/chan/sieve1.go, made finite: Generate stops at
// `limit` and closes, so every filter ends and closes in turn.
void Generate(goro::send_chan<int> ch, int limit) {
  for (int i = 2; i <= limit; i++) ch.send(i);
  goro::close(ch);
}

void Filter(goro::recv_chan<int> in, goro::send_chan<int> out, int prime) {
  for (int i : in) {
    if (i % prime != 0) out.send(i);
  }
  goro::close(out);
}

void Sieve(goro::send_chan<int> primes, int limit) {
  auto ch = goro::make_chan<int>();
  goro::go(Generate, ch, limit);
  for (;;) {
    auto [prime, ok] = ch.recv_ok();
    if (!ok) break;
    primes.send(prime);
    auto ch1 = goro::make_chan<int>();
    goro::go(Filter, ch, ch1, prime);
    ch = ch1;
  }
  goro::close(primes);
}

// PrimesUpTo is a plain sequential sieve, the reference for the goroutine one.
std::vector<int> PrimesUpTo(int limit) {
  std::vector<bool> composite(static_cast<size_t>(limit) + 1, false);
  std::vector<int> out;
  for (int i = 2; i <= limit; i++) {
    if (composite[static_cast<size_t>(i)]) continue;
    out.push_back(i);
    for (int j = i * 2; j <= limit; j += i) composite[static_cast<size_t>(j)] = true;
  }
  return out;
}

int NthPrime(int n) {
  for (int limit = 16;; limit *= 2) {
    auto p = PrimesUpTo(limit);
    if (static_cast<int>(p.size()) >= n) return p[static_cast<size_t>(n - 1)];
  }
}

TEST_CASE("Sched.Scenario03.PrimeSieveToThousandthPrime") {
  const int baseline = goro::runtime::NumGoroutine();
  const int nth = goro_test::Scaled(1000);
  const int limit = NthPrime(nth);
  if (!goro_test::UnderSanitizer()) CHECK(limit == 7919);
  auto primes = goro::make_chan<int>();
  goro::go(Sieve, primes, limit);
  std::vector<int> got;
  for (int p : primes) got.push_back(p);
  CHECK(static_cast<int>(got.size()) == nth);
  CHECK(got == PrimesUpTo(limit));
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #4: a worker pool of 4 x NumCPU workers ranging over an unbuffered jobs
// channel, a results channel, a WaitGroup that closes results.
TEST_CASE("Sched.Scenario04.WorkerPool") {
  const int baseline = goro::runtime::NumGoroutine();
  const int workers = 4 * goro::runtime::NumCPU();
  const int njobs = goro_test::Scaled(100000);
  auto jobs = goro::make_chan<int>();
  auto results = goro::make_chan<int64_t>(16);
  auto done = goro::make_chan<int64_t>();
  goro::sync::WaitGroup wg;
  std::vector<int> per_worker(static_cast<size_t>(workers), 0);
  for (int w = 0; w < workers; w++) {
    wg.Add(1);
    goro::go([&, w] {
      for (int j : jobs) {
        results.send(static_cast<int64_t>(j) * j);
        per_worker[static_cast<size_t>(w)]++;
      }
      wg.Done();
    });
  }
  goro::go([&] {
    wg.Wait();
    goro::close(results);
  });
  std::atomic<int> count{0};
  goro::go([&] {
    int64_t sum = 0;
    for (int64_t r : results) {
      sum += r;
      count.fetch_add(1, std::memory_order_relaxed);
    }
    done.send(sum);
  });
  for (int j = 0; j < njobs; j++) jobs.send(j);
  goro::close(jobs);
  int64_t sum = done.recv();
  int64_t want = 0;
  for (int64_t j = 0; j < njobs; j++) want += j * j;
  CHECK(sum == want);
  CHECK(count.load() == njobs);
  int total = 0;
  for (int c : per_worker) total += c;
  CHECK(total == njobs);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// Port of golang/go src/runtime/chan_test.go TestMultiConsumer.
TEST_CASE("Sched.Scenario04.MultiConsumer") {
  const int baseline = goro::runtime::NumGoroutine();
  constexpr int kWork = 23;
  const int niter = goro_test::Scaled(271828);
  static constexpr int kPn[] = {2, 3, 7, 11, 13, 17, 19, 23, 27, 31};
  constexpr int kNpn = static_cast<int>(std::size(kPn));
  auto q = goro::make_chan<int>(kWork * 3);
  auto r = goro::make_chan<int>(kWork * 3);
  goro::sync::WaitGroup wg;
  for (int i = 0; i < kWork; i++) {
    wg.Add(1);
    goro::go(
        [&, q, r](int w) {
          for (int v : q) {
            if (kPn[w % kNpn] == v) goro::runtime::Gosched();  // mess with FIFO-ish range
            r.send(v);
          }
          wg.Done();
        },
        i);
  }
  int64_t expect = 0;  // written by the feeder; read after r is closed
  goro::go([&, q, r] {
    for (int i = 0; i < niter; i++) {
      int v = kPn[i % kNpn];
      expect += v;
      q.send(v);
    }
    goro::close(q);
    wg.Wait();
    goro::close(r);
  });
  int n = 0;
  int64_t s = 0;
  for (int v : r) {
    n++;
    s += v;
  }
  CHECK(n == niter);
  CHECK(s == expect);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #5: a binary tree of goroutines; each parent starts two children and waits for
// both on a WaitGroup on its own stack. Depth 12: 4,095 parents blocked at once.
void TreeNode(int depth, int* count) {
  if (depth == 0) {
    *count = 1;
    return;
  }
  goro::sync::WaitGroup wg;
  int left = 0;
  int right = 0;
  wg.Add(2);
  goro::go([&wg, &left, depth] {
    TreeNode(depth - 1, &left);
    wg.Done();
  });
  goro::go([&wg, &right, depth] {
    TreeNode(depth - 1, &right);
    wg.Done();
  });
  wg.Wait();
  *count = 1 + left + right;
}

int RunTree(int depth) {
  int total = 0;
  auto done = goro::make_chan<goro::Empty>();
  goro::go([&total, done, depth] {
    TreeNode(depth, &total);
    done.send(goro::Empty{});
  });
  done.recv();
  return total;
}

TEST_CASE("Sched.Scenario05.FanOutTreeDepth12") {
  const int baseline = goro::runtime::NumGoroutine();
  const int depth = goro_test::UnderSanitizer() ? 9 : 12;
  const int want = (1 << (depth + 1)) - 1;
  {
    GomaxprocsScope p1(1);
    CHECK(RunTree(depth) == want);
  }
  CHECK(RunTree(depth) == want);  // and at this run's GOMAXPROCS
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #6: two goroutines each select (select_dynamic) over the same 100 channels:
// receives and sends, buffered and unbuffered, some nil, listed in opposite
// orders (lock-order deadlocks), while partner goroutines feed and drain them.
TEST_CASE("Sched.Scenario06.SelectOverHundredChannels") {
  const int baseline = goro::runtime::NumGoroutine();
  constexpr int kChans = 100;
  const int k = goro_test::Scaled(200);  // values per partner
  enum Kind { kRecvUnbuf, kRecvBuf, kSendUnbuf, kSendBuf, kNil };
  auto kind = [](int i) {
    if (i % 10 == 9) return kNil;
    return static_cast<Kind>(i % 4);
  };
  auto is_recv = [&](int i) {
    // Nil channels 9, 29, 49, ... get receive cases; 19, 39, ... send cases.
    return kind(i) == kRecvUnbuf || kind(i) == kRecvBuf || (kind(i) == kNil && (i / 10) % 2 == 0);
  };
  std::vector<goro::chan<int64_t>> chans(kChans);
  int n_recv_chans = 0;
  for (int i = 0; i < kChans; i++) {
    switch (kind(i)) {
      case kRecvUnbuf:
      case kSendUnbuf:
        chans[i] = goro::make_chan<int64_t>();
        break;
      case kRecvBuf:
      case kSendBuf:
        chans[i] = goro::make_chan<int64_t>(1 + i % 5);
        break;
      case kNil:
        break;
    }
    if (kind(i) == kRecvUnbuf || kind(i) == kRecvBuf) n_recv_chans++;
  }

  // Partners: a sender of k values per receive channel, a receiver of k values
  // per send channel.
  goro::sync::WaitGroup partners;
  std::vector<std::vector<int64_t>> partner_got(kChans);
  for (int i = 0; i < kChans; i++) {
    if (kind(i) == kRecvUnbuf || kind(i) == kRecvBuf) {
      partners.Go([c = chans[i], i, k] {
        for (int j = 0; j < k; j++) c.send(int64_t{i} * 1000000 + j);
      });
    } else if (kind(i) == kSendUnbuf || kind(i) == kSendBuf) {
      partners.Go([c = chans[i], &out = partner_got[i], k] {
        for (int j = 0; j < k; j++) out.push_back(c.recv());
      });
    }
  }

  struct SelectorLog {
    std::vector<std::vector<int64_t>> recvd = std::vector<std::vector<int64_t>>(kChans);
    std::vector<std::vector<int64_t>> sent = std::vector<std::vector<int64_t>>(kChans);
    int closed_recv = 0;  // recv handler saw ok == false
    int nil_fired = 0;
  };
  SelectorLog logs[2];
  std::atomic<int> recv_total{0};
  auto quit = goro::make_chan<goro::Empty>();
  goro::sync::WaitGroup selectors;
  for (int s = 0; s < 2; s++) {
    selectors.Go([&, s] {
      SelectorLog& log = logs[s];
      int64_t seq = 0;
      bool stop = false;
      while (!stop) {
        std::vector<goro::Case> cases;
        cases.reserve(kChans + 1);
        for (int n = 0; n < kChans; n++) {
          const int i = s == 0 ? n : kChans - 1 - n;
          if (is_recv(i)) {
            cases.push_back(goro::case_recv(chans[i], [&log, &recv_total, i, &kind](int64_t v, bool ok) {
              if (kind(i) == kNil) {
                log.nil_fired++;
              } else if (!ok) {
                log.closed_recv++;
              } else {
                log.recvd[i].push_back(v);
                recv_total.fetch_add(1);
              }
            }));
          } else {
            const int64_t v = (int64_t{s + 1} << 40) | seq;
            cases.push_back(goro::case_send(chans[i], v, [&log, i, v, &kind] {
              if (kind(i) == kNil) {
                log.nil_fired++;
              } else {
                log.sent[i].push_back(v);
              }
            }));
          }
        }
        cases.push_back(goro::case_recv(quit, [&stop] { stop = true; }));
        goro::select_dynamic(cases);
        seq++;
      }
    });
  }

  partners.Wait();
  const int want_recv = n_recv_chans * k;
  CHECK(WaitUntil([&] { return recv_total.load() == want_recv; }));
  goro::close(quit);
  selectors.Wait();

  CHECK(recv_total.load() == want_recv);
  int bad_recv_chans = 0;
  int bad_send_chans = 0;
  int out_of_order = 0;
  for (int i = 0; i < kChans; i++) {
    if (kind(i) == kRecvUnbuf || kind(i) == kRecvBuf) {
      std::vector<int64_t> all;
      for (auto& log : logs) {
        const auto& r = log.recvd[i];
        if (!std::is_sorted(r.begin(), r.end())) out_of_order++;  // one FIFO sender
        all.insert(all.end(), r.begin(), r.end());
      }
      std::sort(all.begin(), all.end());
      bool ok = static_cast<int>(all.size()) == k;
      for (int j = 0; ok && j < k; j++) ok = all[j] == int64_t{i} * 1000000 + j;
      if (!ok) bad_recv_chans++;
    } else if (kind(i) == kSendUnbuf || kind(i) == kSendBuf) {
      std::set<int64_t> sent;
      for (auto& log : logs) sent.insert(log.sent[i].begin(), log.sent[i].end());
      std::set<int64_t> got(partner_got[i].begin(), partner_got[i].end());
      bool ok = static_cast<int>(got.size()) == k &&                 // no duplicates
                std::includes(sent.begin(), sent.end(), got.begin(), got.end()) &&
                sent.size() == got.size() + static_cast<size_t>(chans[i].len());
      if (!ok) bad_send_chans++;
    }
  }
  CHECK(bad_recv_chans == 0);
  CHECK(bad_send_chans == 0);
  CHECK(out_of_order == 0);
  CHECK(logs[0].closed_recv + logs[1].closed_recv == 0);
  CHECK(logs[0].nil_fired + logs[1].nil_fired == 0);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// Port of golang/go src/runtime/chan_test.go TestSelectDuplicateChannel: one
// select waits on c twice and on d; after d wakes it, c's wait queue must still
// be sound, so a later send on c reaches goroutine B.
TEST_CASE("Sched.Scenario06.SelectDuplicateChannel") {
  const int baseline = goro::runtime::NumGoroutine();
  auto c = goro::make_chan<int>();
  auto d = goro::make_chan<int>();
  auto e = goro::make_chan<int>();
  auto b_got = goro::make_chan<int>(1);
  std::atomic<int> a_index{-1};
  goro::go([&a_index, c, d, e] {  // goroutine A
    int idx = goro::select(goro::case_recv(c), goro::case_recv(c), goro::case_recv(d));
    a_index = idx;
    e.send(9);
  });
  goro_test::SleepMs(1);  // A queues on c first
  goro::go([c, b_got] { b_got.send(c.recv()); });  // goroutine B
  goro_test::SleepMs(1);
  d.send(7);  // wakes A, which dequeues itself from c
  CHECK(e.recv() == 9);
  CHECK(a_index.load() == 2);
  c.send(8);  // must wake B
  CHECK(b_got.recv() == 8);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #7: close with 1000 blocked receivers, and with 1000 blocked senders.
TEST_CASE("Sched.Scenario07.CloseWakesThousandBlockedReceivers") {
  const int baseline = goro::runtime::NumGoroutine();
  constexpr int kN = 1000;
  for (int cap : {0, 5}) {
    CAPTURE(cap);
    auto ch = goro::make_chan<int>(cap);
    std::atomic<int> started{0};
    std::atomic<int> zero_not_ok{0};
    std::atomic<int> other{0};
    goro::sync::WaitGroup wg;
    for (int i = 0; i < kN; i++) {
      wg.Go([&] {
        started.fetch_add(1);
        auto [v, ok] = ch.recv_ok();
        (!ok && v == 0 ? zero_not_ok : other).fetch_add(1);
      });
    }
    REQUIRE(WaitUntil([&] { return started.load() == kN; }));
    goro_test::SleepMs(20);
    goro::close(ch);
    wg.Wait();
    CHECK(zero_not_ok.load() == kN);
    CHECK(other.load() == 0);
  }
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

TEST_CASE("Sched.Scenario07.CloseMakesThousandBlockedSendersPanic") {
  const int baseline = goro::runtime::NumGoroutine();
  constexpr int kN = 1000;
  for (int cap : {0, 10}) {
    CAPTURE(cap);
    auto ch = goro::make_chan<int>(cap);
    std::atomic<int> started{0};
    std::atomic<int> panicked{0};
    std::atomic<int> wrong_message{0};
    std::vector<char> sent_ok(kN, 0);  // sender i's send returned normally
    goro::sync::WaitGroup wg;
    for (int i = 0; i < kN; i++) {
      wg.Go([&, i] {
        started.fetch_add(1);
        try {
          ch.send(i);
          sent_ok[static_cast<size_t>(i)] = 1;
        } catch (const goro::Panic& p) {
          (std::string(p.what()) == "send on closed channel" ? panicked : wrong_message)
              .fetch_add(1);
        }
      });
    }
    REQUIRE(WaitUntil([&] { return started.load() == kN; }));
    goro_test::SleepMs(20);
    goro::close(ch);
    wg.Wait();
    // The buffered values survive close; then the channel reports closed.
    std::set<int> drained;
    for (int v : ch) drained.insert(v);
    std::set<int> senders_ok;
    for (int i = 0; i < kN; i++) {
      if (sent_ok[static_cast<size_t>(i)]) senders_ok.insert(i);
    }
    CHECK(static_cast<int>(senders_ok.size()) == cap);
    CHECK(drained == senders_ok);
    CHECK(panicked.load() == kN - cap);
    CHECK(wrong_message.load() == 0);
  }
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #8: port of golang/go src/runtime/chan_test.go TestSelfSelect: two goroutines
// each select with a send and a receive on the same channel, 1000 times; with an
// unbuffered channel a goroutine must never receive its own value.
TEST_CASE("Sched.Scenario08.SelfSelect") {
  const int baseline = goro::runtime::NumGoroutine();
  for (int cap : {0, 10}) {
    CAPTURE(cap);
    goro::sync::WaitGroup wg;
    auto c = goro::make_chan<int>(cap);
    std::atomic<int> self_receives{0};
    std::atomic<int> selects{0};
    for (int p = 0; p < 2; p++) {
      wg.Go([&, p, c, cap] {
        for (int i = 0; i < 1000; i++) {
          auto on_recv = [&](int v) {
            if (cap == 0 && v == p) self_receives.fetch_add(1);
          };
          if (p == 0 || i % 2 == 0) {
            goro::select(goro::case_send(c, p), goro::case_recv(c, on_recv));
          } else {
            goro::select(goro::case_recv(c, on_recv), goro::case_send(c, p));
          }
          selects.fetch_add(1);
        }
      });
    }
    wg.Wait();
    CHECK(self_receives.load() == 0);
    CHECK(selects.load() == 2000);
  }
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// Port of the last case of golang/go test/chan/select3.go: a select with a send
// and a receive on the same unbuffered channel, alone, blocks.
TEST_CASE("Sched.Scenario08.SelfSelectAloneBlocks") {
  const int baseline = goro::runtime::NumGoroutine();
  auto c = goro::make_chan<int>();
  std::atomic<int> index{-1};
  auto done = goro::make_chan<goro::Empty>();
  goro::go([c, &index, done] {
    index = goro::select(goro::case_send(c, 7), goro::case_recv(c));
    done.send(goro::Empty{});
  });
  goro_test::SleepMs(30);
  CHECK(index.load() == -1);  // still blocked
  CHECK(c.recv() == 7);       // our receive completes its send case
  done.recv();
  CHECK(index.load() == 0);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #9: port of golang/go src/runtime/chan_test.go TestNonblockSelectRace and
// TestNonblockSelectRace2: a select with default must not take default while
// one of its cases is ready.
TEST_CASE("Sched.Scenario09.NonblockSelectRace") {
  const int baseline = goro::runtime::NumGoroutine();
  const int n = goro_test::Scaled(100000);
  auto done = goro::make_chan<bool>(1);
  int defaults = 0;
  for (int i = 0; i < n; i++) {
    auto c1 = goro::make_chan<int>(1);
    auto c2 = goro::make_chan<int>(1);
    c1.send(1);
    goro::go([c1, c2, done] {
      bool took_default = false;
      goro::select(goro::case_recv(c1), goro::case_recv(c2),
                   goro::case_default([&] { took_default = true; }));
      done.send(!took_default);
    });
    c2.send(1);
    goro::select(goro::case_recv(c1), goro::case_default());
    if (!done.recv()) defaults++;
  }
  CHECK(defaults == 0);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

TEST_CASE("Sched.Scenario09.NonblockSelectRace2") {
  const int baseline = goro::runtime::NumGoroutine();
  const int n = goro_test::Scaled(100000);
  auto done = goro::make_chan<bool>(1);
  int defaults = 0;
  for (int i = 0; i < n; i++) {
    auto c1 = goro::make_chan<int>(1);
    auto c2 = goro::make_chan<int>();
    c1.send(1);
    goro::go([c1, c2, done] {
      bool took_default = false;
      goro::select(goro::case_recv(c1), goro::case_recv(c2),
                   goro::case_default([&] { took_default = true; }));
      done.send(!took_default);
    });
    goro::close(c2);
    goro::select(goro::case_recv(c1), goro::case_default());
    if (!done.recv()) defaults++;
  }
  CHECK(defaults == 0);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #10: port of golang/go test/chan/doubleselect.go: a sender selects over four
// unbuffered channels, four muxers forward into one channel, the receiver checks
// that no value arrives twice (two cases of one select both firing).
TEST_CASE("Sched.Scenario10.DoubleSelect") {
  const int baseline = goro::runtime::NumGoroutine();
  const int n = goro_test::Scaled(100000);
  auto c1 = goro::make_chan<int>();
  auto c2 = goro::make_chan<int>();
  auto c3 = goro::make_chan<int>();
  auto c4 = goro::make_chan<int>();
  auto done = goro::make_chan<bool>();
  auto cmux = goro::make_chan<int>();
  goro::go([=] {  // sender
    for (int i = 0; i < n; i++) {
      goro::select(goro::case_send(c1, i), goro::case_send(c2, i), goro::case_send(c3, i),
                   goro::case_send(c4, i));
    }
    goro::close(c1);
    goro::close(c2);
    goro::close(c3);
    goro::close(c4);
  });
  for (const auto& in : {c1, c2, c3, c4}) {
    goro::go([out = goro::send_chan<int>(cmux), in = goro::recv_chan<int>(in), done] {
      for (int v : in) out.send(v);
      done.send(true);
    });
  }
  goro::go([done, cmux] {
    for (int i = 0; i < 4; i++) done.recv();
    goro::close(cmux);
  });
  std::vector<char> seen(static_cast<size_t>(n), 0);
  int duplicates = 0;
  int out_of_range = 0;
  int count = 0;
  for (int v : cmux) {
    if (v < 0 || v >= n) {
      out_of_range++;
      continue;
    }
    if (seen[static_cast<size_t>(v)]) duplicates++;
    seen[static_cast<size_t>(v)] = 1;
    count++;
  }
  CHECK(duplicates == 0);
  CHECK(out_of_range == 0);
  CHECK(count == n);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #11: port of golang/go src/runtime/chan_test.go TestSelectStress: 4 channels
// (caps 0, 0, 2, 3); per channel a plain sender and a plain receiver of N values;
// one goroutine sends N on each in one select, one receives N from each in one
// select, dropping a channel (setting its handle to nil) once its N are done.
TEST_CASE("Sched.Scenario11.SelectStress") {
  const int baseline = goro::runtime::NumGoroutine();
  const int N = goro_test::Scaled(20000);
  goro::chan<int> c[4] = {goro::make_chan<int>(), goro::make_chan<int>(),
                          goro::make_chan<int>(2), goro::make_chan<int>(3)};
  goro::sync::WaitGroup wg;
  std::atomic<int64_t> plain_recv_sum{0};
  int sel_sent[4] = {0, 0, 0, 0};
  int sel_recv[4] = {0, 0, 0, 0};
  int64_t sel_recv_sum = 0;
  wg.Add(10);
  for (int k = 0; k < 4; k++) {
    goro::go([&, k] {
      for (int i = 0; i < N; i++) c[k].send(1);
      wg.Done();
    });
    goro::go([&, k] {
      int64_t s = 0;
      for (int i = 0; i < N; i++) s += c[k].recv();
      plain_recv_sum += s;
      wg.Done();
    });
  }
  goro::go([&] {
    int* n = sel_sent;
    goro::chan<int> c1[4] = {c[0], c[1], c[2], c[3]};
    for (int i = 0; i < 4 * N; i++) {
      goro::select(goro::case_send(c1[3], 1, [&] {
                     if (++n[3] == N) c1[3] = nullptr;
                   }),
                   goro::case_send(c1[2], 1, [&] {
                     if (++n[2] == N) c1[2] = nullptr;
                   }),
                   goro::case_send(c1[0], 1, [&] {
                     if (++n[0] == N) c1[0] = nullptr;
                   }),
                   goro::case_send(c1[1], 1, [&] {
                     if (++n[1] == N) c1[1] = nullptr;
                   }));
    }
    wg.Done();
  });
  goro::go([&] {
    int* n = sel_recv;
    int64_t s = 0;
    goro::chan<int> c1[4] = {c[0], c[1], c[2], c[3]};
    auto on = [&](int k) {
      return [&, k](int v) {
        s += v;
        if (++n[k] == N) c1[k] = nullptr;
      };
    };
    for (int i = 0; i < 4 * N; i++) {
      goro::select(goro::case_recv(c1[0], on(0)), goro::case_recv(c1[1], on(1)),
                   goro::case_recv(c1[2], on(2)), goro::case_recv(c1[3], on(3)));
    }
    sel_recv_sum = s;
    wg.Done();
  });
  wg.Wait();
  for (int k = 0; k < 4; k++) {
    CAPTURE(k);
    CHECK(sel_sent[k] == N);
    CHECK(sel_recv[k] == N);
    CHECK(c[k].len() == 0);
  }
  // 8N values of 1 were sent; 8N were received, 4N by each kind of receiver.
  CHECK(plain_recv_sum.load() == int64_t{4} * N);
  CHECK(sel_recv_sum == int64_t{4} * N);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #12: unbuffered ping-pong between two goroutines (BenchmarkChanSync's shape).
// Reports ns per round trip; asserts only values. The default is 200,000 round
// trips so that the unit stays within its time budget on a loaded 2-core machine
// (each round trip is two thread hand-offs); GORO_PINGPONG_N=1000000 runs the
// full 10^6 of scheduler.md §7.
TEST_CASE("Sched.Scenario12.UnbufferedPingPong") {
  const int baseline = goro::runtime::NumGoroutine();
  const char* env_n = std::getenv("GORO_PINGPONG_N");
  const int n = env_n != nullptr && std::atoi(env_n) > 0 ? std::atoi(env_n)
                                                        : goro_test::Scaled(200000);
  auto ping = goro::make_chan<int>();
  auto pong = goro::make_chan<int>();
  auto result = goro::make_chan<int>();
  goro::go([ping, pong] {  // ponger: answers v with v + 1 until ping is closed
    for (int v : ping) pong.send(v + 1);
  });
  auto t0 = Clock::now();
  goro::go([ping, pong, result, n] {  // pinger
    int bad = 0;
    for (int i = 0; i < n; i++) {
      ping.send(i);
      if (pong.recv() != i + 1) bad++;
    }
    goro::close(ping);
    result.send(bad);
  });
  CHECK(result.recv() == 0);
  double ms = MsSince(t0);
  MESSAGE("ping-pong GOMAXPROCS=" << goro_test::Procs() << ": " << n << " round trips, "
                                  << ms * 1e6 / n << " ns/op");
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #13: idle-wake stress: let the pool go idle, spawn one goroutine, wait for it.
// A lost wake-up in the idle/spinning protocol hangs here.
TEST_CASE("Sched.Scenario13.IdleWake") {
  const int baseline = goro::runtime::NumGoroutine();
  const int n = goro_test::Scaled(20000);
  auto c = goro::make_chan<int>();
  int64_t sum = 0;
  int wrong = 0;
  auto t0 = Clock::now();
  for (int i = 0; i < n; i++) {
    std::this_thread::sleep_for(100us);  // main is not a pool thread
    goro::go([c, i] { c.send(i); });
    int v = c.recv();
    if (v != i) wrong++;
    sum += v;
  }
  MESSAGE("idle-wake: " << n << " cycles, " << MsSince(t0) * 1e3 / n << " us/cycle");
  CHECK(wrong == 0);
  CHECK(sum == int64_t{n} * (n - 1) / 2);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #14: foreign threads: 8 std::threads each go() many tasks; and a foreign thread
// blocking on a channel fed by a goroutine.
TEST_CASE("Sched.Scenario14.ForeignThreadsSpawn") {
  const int baseline = goro::runtime::NumGoroutine();
  constexpr int kThreads = 8;
  const int per = goro_test::Scaled(100000);
  const int total = kThreads * per;
  std::vector<std::atomic<uint8_t>> hits(static_cast<size_t>(total));
  std::atomic<int64_t> sum{0};
  goro::sync::WaitGroup wg;
  wg.Add(total);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < per; i++) {
        const int id = t * per + i;
        goro::go([&, id] {
          hits[static_cast<size_t>(id)].fetch_add(1, std::memory_order_relaxed);
          sum.fetch_add(id, std::memory_order_relaxed);
          wg.Done();
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  wg.Wait();
  int not_once = 0;
  for (auto& h : hits) {
    if (h.load() != 1) not_once++;
  }
  CHECK(not_once == 0);
  CHECK(sum.load() == int64_t{total} * (total - 1) / 2);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

TEST_CASE("Sched.Scenario14.ForeignThreadBlocksOnGoroutine") {
  const int baseline = goro::runtime::NumGoroutine();
  constexpr int kN = 1000;
  int64_t sum = -1;
  uint64_t goid_in_thread = 0;
  std::thread t([&] {
    goid_in_thread = goro::internal::CurrentGoid();
    auto c = goro::make_chan<int>();
    goro::go([c] {
      goro_test::SleepMs(20);  // the foreign thread blocks first
      for (int i = 1; i <= kN; i++) c.send(i);
      goro::close(c);
    });
    int64_t s = 0;
    for (int v : c) s += v;
    sum = s;
  });
  t.join();
  CHECK(sum == int64_t{kN} * (kN + 1) / 2);
  CHECK(goid_in_thread == 1);

  // Several foreign threads blocked on one channel, fed by one goroutine.
  auto c = goro::make_chan<int>();
  std::atomic<int64_t> total{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; i++) {
    threads.emplace_back([&] {
      int64_t s = 0;
      for (int v : c) s += v;
      total += s;
    });
  }
  goro::go([c] {
    for (int i = 1; i <= kN; i++) c.send(i);
    goro::close(c);
  });
  for (auto& th : threads) th.join();
  CHECK(total.load() == int64_t{kN} * (kN + 1) / 2);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #17: shrink-back: after #1 the surplus threads exit once idle past the
// keepalive, leaving at most P + 2.
TEST_CASE("Sched.Scenario17.ShrinkBack") {
  EnsureThreadBudget();
  const int baseline = goro::runtime::NumGoroutine();
  goro::internal::SetIdleThreadTimeout(std::chrono::milliseconds(50));
  const int n = goro_test::Scaled(10000);
  const int peak = RunBlockedReceivers(n);
  const int limit = goro_test::Procs() + 2;
  auto t0 = Clock::now();
  const bool shrank = WaitUntil([&] { return goro::internal::NumThreads() <= limit; }, 20000ms);
  const int after = goro::internal::NumThreads();
  goro::internal::SetIdleThreadTimeout(std::chrono::seconds(5));
  MESSAGE("shrink-back: " << peak << " threads while blocked, " << after << " after "
                          << MsSince(t0) << " ms");
  // n started receivers, none finished: each held a pool thread (goro/runtime.h).
  CHECK(peak >= n);
  CHECK(shrank);
  CHECK(after <= limit);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// #18: uninstrumented blocking: GOMAXPROCS goroutines sleep in sleep_for (which
// goro cannot see) while another goroutine is queued; the watchdog must add a
// slot so the queued one runs long before the sleepers wake.
TEST_CASE("Sched.Scenario18.UninstrumentedBlocking") {
  const int baseline = goro::runtime::NumGoroutine();
  const int procs = goro_test::Procs();
  std::atomic<int> sleeping{0};
  std::atomic<int> woke{0};
  goro::sync::WaitGroup wg;
  for (int i = 0; i < procs; i++) {
    wg.Go([&] {
      sleeping.fetch_add(1);
      std::this_thread::sleep_for(200ms);
      woke.fetch_add(1);
    });
  }
  REQUIRE(WaitUntil([&] { return sleeping.load() == procs; }, 10000ms));
  auto c = goro::make_chan<int>(1);
  auto t0 = Clock::now();
  goro::go([&woke, c] { c.send(woke.load()); });
  const int woke_when_queued_ran = c.recv();
  const double ms = MsSince(t0);
  wg.Wait();
  MESSAGE("uninstrumented blocking: queued goroutine ran after " << ms << " ms");
  CHECK(woke_when_queued_ran == 0);  // it ran while every sleeper still slept
  CHECK(woke.load() == procs);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

}  // namespace
