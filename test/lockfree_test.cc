// test/lockfree_test.cc: tests for goro/lockfree.h (Queue, Stack, RCU) and the
// hazard-pointer domain under them (goro/internal/hazard.h).
//
// No Go tests to port: Go has no lock-free containers in its standard
// library. The stress tests are the acceptance tests: 10^6 operations
// from 4 goroutines (at every GOMAXPROCS, and under ThreadSanitizer and
// AddressSanitizer, where the count is the same: these structures are what
// the sanitizers are there to check), with no element lost, duplicated or
// torn. Each element carries a checksum of its id; every popped id is
// recorded and the sorted union must be exactly the ids pushed.
//
// Goroutines never run doctest assertions: they record results, and the test
// body checks on the main thread after WaitGroup::Wait.
#include "goro/lockfree.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "goro/atomic.h"
#include "goro/chan.h"
#include "goro/sync.h"
#include "goro_test.h"

namespace {

namespace lockfree = goro::lockfree;
namespace hazard = goro::internal::hazard;

static_assert(!std::is_copy_constructible_v<lockfree::Queue<int>>);
static_assert(!std::is_copy_constructible_v<lockfree::Stack<int>>);
static_assert(!std::is_copy_constructible_v<lockfree::RCU<int>>);
static_assert(!std::is_copy_constructible_v<lockfree::RCU<int>::Snapshot>);
static_assert(std::is_nothrow_move_constructible_v<lockfree::RCU<int>::Snapshot>);

constexpr int kGoroutines = 4;
constexpr int kTotalOps = 1000000;  // pushes + pops, over all goroutines

// Elem is a value that shows tearing: check is derived from id, and pad makes
// it wider than any single atomic.
struct Elem {
  uint64_t id = 0;
  uint64_t pad[2] = {0, 0};
  uint64_t check = 0;
  static Elem Make(uint64_t id) {
    Elem e;
    e.id = id;
    e.pad[0] = id * 3;
    e.pad[1] = ~id;
    e.check = id * 0x9E3779B97F4A7C15ull;
    return e;
  }
  bool Whole() const {
    return pad[0] == id * 3 && pad[1] == ~id && check == id * 0x9E3779B97F4A7C15ull;
  }
};

uint64_t Id(int g, uint64_t seq) { return (uint64_t(g) << 40) | seq; }

struct StressResult {
  std::vector<std::vector<uint64_t>> popped{kGoroutines};
  std::atomic<int> torn{0};
  std::atomic<int> order_violations{0};
};

// CheckExactlyOnce: the popped ids, sorted, are exactly every pushed id once.
void CheckExactlyOnce(StressResult& r, std::vector<uint64_t> rest, int per_goroutine) {
  std::vector<uint64_t> all = std::move(rest);
  for (auto& v : r.popped) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  std::vector<uint64_t> want;
  for (int g = 0; g < kGoroutines; g++) {
    for (int i = 0; i < per_goroutine; i++) want.push_back(Id(g, i));
  }
  CHECK(all.size() == want.size());
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());  // no duplicate
  CHECK(all == want);                                             // none lost
  CHECK(r.torn.load() == 0);
}

// ---- Queue ----------------------------------------------------------------

TEST_CASE("Queue.Basic.FIFOForOneProducer") {
  lockfree::Queue<std::string> q;
  CHECK(!q.Pop().has_value());
  CHECK(q.Len() == 0);
  q.Push("a");
  q.Push("b");
  q.Push("c");
  CHECK(q.Len() == 3);
  CHECK(q.Pop() == "a");
  CHECK(q.Pop() == "b");
  CHECK(q.Pop() == "c");
  CHECK(!q.Pop().has_value());
}

TEST_CASE("Queue.Stress.NoLostDuplicatedOrTorn.FIFOPerProducer") {
  const int per = kTotalOps / (2 * kGoroutines);  // each goroutine: per pushes, ~per pops
  lockfree::Queue<Elem> q;
  StressResult r;
  goro::sync::WaitGroup wg;
  for (int g = 0; g < kGoroutines; g++) {
    wg.Go([&, g] {
      auto& mine = r.popped[g];
      mine.reserve(per);
      std::vector<int64_t> last(kGoroutines, -1);  // per producer: last seq seen here
      auto take = [&](const Elem& e) {
        if (!e.Whole()) r.torn++;
        int from = static_cast<int>(e.id >> 40);
        int64_t seq = static_cast<int64_t>(e.id & ((uint64_t(1) << 40) - 1));
        if (from < 0 || from >= kGoroutines || seq <= last[from]) {
          r.order_violations++;
        } else {
          last[from] = seq;
        }
        mine.push_back(e.id);
      };
      for (int i = 0; i < per; i++) {
        q.Push(Elem::Make(Id(g, i)));
        if (auto e = q.Pop()) take(*e);
      }
    });
  }
  wg.Wait();
  std::vector<uint64_t> rest;
  while (auto e = q.Pop()) {
    if (!e->Whole()) r.torn++;
    rest.push_back(e->id);
  }
  CheckExactlyOnce(r, rest, per);
  // One consumer never sees one producer's values out of order.
  CHECK(r.order_violations.load() == 0);
}

// ---- Stack ----------------------------------------------------------------

TEST_CASE("Stack.Basic.LIFO") {
  lockfree::Stack<std::string> s;
  CHECK(s.Empty());
  CHECK(!s.Pop().has_value());
  s.Push("a");
  s.Push("b");
  CHECK(!s.Empty());
  CHECK(s.Pop() == "b");
  s.Push("c");
  CHECK(s.Pop() == "c");
  CHECK(s.Pop() == "a");
  CHECK(!s.Pop().has_value());
  CHECK(s.Empty());
}

TEST_CASE("Stack.MoveOnlyValues.FreedWithTheStack") {
  // ASan's leak checker fails this test if the destructor leaks values left
  // on the stack or a popped node is never reclaimed.
  lockfree::Stack<std::unique_ptr<std::string>> s;
  for (int i = 0; i < 1000; i++) s.Push(std::make_unique<std::string>(100, 'x'));
  for (int i = 0; i < 500; i++) CHECK(s.Pop().value()->size() == 100);
}

TEST_CASE("Stack.Stress.NoLostDuplicatedOrTorn") {
  const int per = kTotalOps / (2 * kGoroutines);
  lockfree::Stack<Elem> s;
  StressResult r;
  goro::sync::WaitGroup wg;
  for (int g = 0; g < kGoroutines; g++) {
    wg.Go([&, g] {
      auto& mine = r.popped[g];
      mine.reserve(per);
      // Bursts of pushes then pops, so the stack grows and shrinks and nodes
      // are recycled by the allocator quickly (the ABA pattern).
      for (int i = 0; i < per;) {
        int burst = std::min(1 + (i % 7), per - i);
        for (int k = 0; k < burst; k++, i++) s.Push(Elem::Make(Id(g, i)));
        for (int k = 0; k < burst; k++) {
          if (auto e = s.Pop()) {
            if (!e->Whole()) r.torn++;
            mine.push_back(e->id);
          }
        }
      }
    });
  }
  wg.Wait();
  std::vector<uint64_t> rest;
  while (auto e = s.Pop()) {
    if (!e->Whole()) r.torn++;
    rest.push_back(e->id);
  }
  CheckExactlyOnce(r, rest, per);
}

TEST_CASE("Stack.Reclaims.PoppedNodes") {
  hazard::Drain();
  const std::size_t before = hazard::PendingForTest();
  {
    lockfree::Stack<int> s;
    for (int i = 0; i < 10000; i++) {
      s.Push(i);
      CHECK(s.Pop() == i);
    }
    // Scans run as nodes are retired: the backlog stays bounded, not 10000.
    CHECK(hazard::PendingForTest() < before + 1000);
  }
  hazard::Drain();
  CHECK(hazard::PendingForTest() <= before);
}

// ---- RCU ------------------------------------------------------------------

// Counted tracks how many versions exist, to check reclamation.
std::atomic<int> g_live{0};
struct Counted {
  uint64_t a = 0, b = 0, c = 0;  // invariant: b == 2a, c == 3a
  Counted() { g_live++; }
  explicit Counted(uint64_t x) : a(x), b(2 * x), c(3 * x) { g_live++; }
  Counted(const Counted& o) : a(o.a), b(o.b), c(o.c) { g_live++; }
  Counted(Counted&& o) noexcept : a(o.a), b(o.b), c(o.c) { g_live++; }
  ~Counted() { g_live--; }
  bool Whole() const { return b == 2 * a && c == 3 * a; }
};

TEST_CASE("RCU.Basic") {
  lockfree::RCU<std::string> r("v1");
  auto s1 = r.Load();
  CHECK(*s1 == "v1");
  r.Store("v2");
  CHECK(*s1 == "v1");  // a snapshot never changes
  CHECK(*r.Load() == "v2");
  r.Update([](const std::string& s) { return s + "+"; });
  CHECK(*r.Load() == "v2+");
  auto s2 = r.Load();
  CHECK(r.CompareAndSwap(s2, "v3"));
  CHECK(!r.CompareAndSwap(s2, "v4"));  // s2 is no longer current
  CHECK(*r.Load() == "v3");
  CHECK(s2->size() == 3);
  lockfree::RCU<std::string>::Snapshot empty;
  CHECK(!empty);
  CHECK(empty.get() == nullptr);
  empty = r.Load();
  CHECK(empty);
  auto moved = std::move(empty);
  CHECK(!empty);
  CHECK(*moved == "v3");
}

TEST_CASE("RCU.Snapshot.PinsOnlyItsVersion") {
  hazard::Drain();
  const int live0 = g_live.load();
  {
    lockfree::RCU<Counted> r(Counted(1));
    auto held = r.Load();
    // The holder blocks in a goro primitive while writers publish: other
    // versions are still reclaimed (hazard pointers, not epochs).
    auto c = goro::make_chan<int>();
    goro::sync::WaitGroup wg;
    wg.Go([&] { c.recv(); });
    for (uint64_t i = 2; i < 10000; i++) r.Store(Counted(i));
    hazard::Drain();
    CHECK(g_live.load() - live0 == 2);  // the held version and the current one
    CHECK(held->a == 1);
    CHECK(held->Whole());
    c.send(1);
    wg.Wait();
    held = {};
    hazard::Drain();
    CHECK(g_live.load() - live0 == 1);
  }
  hazard::Drain();
  CHECK(g_live.load() == live0);
}

TEST_CASE("RCU.Snapshot.OutlivesTheCell.AndCrossesGoroutines") {
  hazard::Drain();
  const int live0 = g_live.load();
  lockfree::RCU<Counted>::Snapshot s;
  {
    lockfree::RCU<Counted> r(Counted(7));
    s = r.Load();
  }
  hazard::Drain();
  CHECK(g_live.load() - live0 == 1);
  // Hand it to another goroutine, which reads it and drops it there.
  auto c = goro::make_chan<uint64_t>(1);
  auto box = std::make_shared<lockfree::RCU<Counted>::Snapshot>(std::move(s));
  goro::go([box, c] {
    uint64_t a = (*box)->a;
    *box = {};
    c.send(a);
  });
  CHECK(c.recv() == 7);
  hazard::Drain();
  CHECK(g_live.load() == live0);
}

TEST_CASE("RCU.Stress.ReadersSeeWholeMonotonicVersions.NoLostUpdate") {
  hazard::Drain();
  const int live0 = g_live.load();
  const int writers = 2, readers = kGoroutines - writers;
  // 10^6 operations: writers' Updates plus readers' Loads.
  const int updates = goro_test::UnderSanitizer() ? 20000 : 50000;
  const int reads = (kTotalOps - writers * updates) / readers;
  {
    lockfree::RCU<Counted> r(Counted(0));
    std::atomic<int> torn{0}, backwards{0};
    goro::atomic::Int32 writers_left(writers);
    goro::sync::WaitGroup wg;
    for (int w = 0; w < writers; w++) {
      wg.Go([&] {
        for (int i = 0; i < updates; i++) {
          r.Update([](const Counted& c) { return Counted(c.a + 1); });
        }
        writers_left.Add(-1);
      });
    }
    for (int k = 0; k < readers; k++) {
      wg.Go([&] {
        uint64_t last = 0;
        for (int i = 0; i < reads || writers_left.Load() > 0; i++) {
          auto s = r.Load();
          if (!s->Whole()) torn++;
          if (s->a < last) backwards++;
          last = s->a;
        }
      });
    }
    wg.Wait();
    CHECK(torn.load() == 0);
    CHECK(backwards.load() == 0);
    CHECK(r.Load()->a == uint64_t(writers) * updates);  // no Update lost
  }
  // Every version is reclaimed once no reader holds it. Retired versions may
  // wait in the lists of the pool threads that retired them; those threads
  // scan again when they retire more, or drain when they exit. Bound what
  // may wait: per thread, the scan threshold.
  hazard::Drain();
  CHECK(g_live.load() - live0 < 64 * goro::internal::NumThreads() + 64);
}

// ---- hazard domain ---------------------------------------------------------

// Tracked counts its own live objects, apart from Counted: versions that
// earlier tests left in pool threads' lists may be freed at any moment by a
// thread that exits (idle pool threads do after 5 s).
std::atomic<int> g_tracked{0};
struct Tracked {
  uint64_t a = 0;
  explicit Tracked(uint64_t x) : a(x) { g_tracked++; }
  Tracked(const Tracked& o) : a(o.a) { g_tracked++; }
  ~Tracked() { g_tracked--; }
};

TEST_CASE("Hazard.ExitingThreadLeavesOrphansThatAreAdopted") {
  hazard::Drain();
  const int live0 = g_tracked.load();
  lockfree::RCU<Tracked> r(Tracked(0));
  auto held = r.Load();
  std::thread t([&] {
    for (uint64_t i = 1; i <= 10; i++) r.Store(Tracked(i));  // retired on t's list
  });
  t.join();  // t's exit hook scans; anything it cannot free becomes an orphan
  hazard::Drain();  // adopts the orphans
  CHECK(g_tracked.load() - live0 == 2);  // held (version 0) and the current (10)
  CHECK(held->a == 0);
}

TEST_CASE("Hazard.Protect.Retire.Concurrent") {
  // Readers protect and read the current object while a writer keeps
  // replacing and retiring it: ASan catches a premature free, TSan a missing
  // happens-before between a reader's last read and the deletion.
  struct Obj : hazard::Retired {
    explicit Obj(uint64_t v) : a(v), b(~v) { deleter = [](hazard::Retired* r) { delete static_cast<Obj*>(r); }; }
    uint64_t a, b;
  };
  std::atomic<Obj*> cur{new Obj(0)};
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  goro::sync::WaitGroup wg;
  for (int k = 0; k < 3; k++) {
    wg.Go([&] {
      hazard::Guard g;
      while (!stop.load()) {
        Obj* o = g.Protect(cur);
        if (o->b != ~o->a) bad++;
        g.Clear();
      }
    });
  }
  wg.Go([&] {
    for (uint64_t i = 1; i <= uint64_t(goro_test::Scaled(200000)); i++) {
      hazard::Retire(cur.exchange(new Obj(i)));
    }
    stop.store(true);
  });
  wg.Wait();
  CHECK(bad.load() == 0);
  delete cur.load();
}

}  // namespace
