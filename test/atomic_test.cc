// test/atomic_test.cc: tests for goro/atomic.h.
//
// Ports of Go 1.19's sync/atomic tests (/usr/lib/go-1.19/src/sync/atomic/
// atomic_test.go and value_test.go); each names the Go test it re-expresses.
// Go 1.23's And/Or (atomic_test.go TestAnd*/TestOr* in Go 1.23) are checked
// against the semantics Go documents: they return the old value.
//
// Not ported: the package-level functions (AddInt32(&x, 1), ...; goro has the
// typed values only), TestUnaligned64/TestAutoAligned64 (std::atomic is always
// aligned), TestNilDeref (a nil *Int32 is a C++ null dereference, not a panic).
//
// Goroutines never run doctest assertions: they report through atomics and
// channels, and the test body checks on the main thread.
#include "goro/atomic.h"

#include <algorithm>
#include <any>
#include <atomic>
#include <complex>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "goro/sync.h"
#include "goro_test.h"

namespace {

namespace atomic = goro::atomic;
using goro_test::PanicOf;
using goro_test::Scaled;

// Go's noCopy: none of the types is copyable or movable.
static_assert(!std::is_copy_constructible_v<atomic::Int64>);
static_assert(!std::is_move_constructible_v<atomic::Int64>);
static_assert(!std::is_copy_assignable_v<atomic::Bool>);
static_assert(!std::is_copy_constructible_v<atomic::Pointer<int>>);
static_assert(!std::is_copy_constructible_v<atomic::Value>);
static_assert(!std::is_move_constructible_v<atomic::Value>);
// Distinct Go types are distinct C++ types.
static_assert(!std::is_same_v<atomic::Int64, atomic::Uint64>);

TEST_CASE("Atomic.ZeroValues") {
  atomic::Int32 i32;
  atomic::Int64 i64;
  atomic::Uint32 u32;
  atomic::Uint64 u64;
  atomic::Uintptr up;
  atomic::Bool b;
  atomic::Pointer<int> p;
  atomic::Value v;
  CHECK(i32.Load() == 0);
  CHECK(i64.Load() == 0);
  CHECK(u32.Load() == 0);
  CHECK(u64.Load() == 0);
  CHECK(up.Load() == 0);
  CHECK(b.Load() == false);
  CHECK(p.Load() == nullptr);
  CHECK(!v.Load().has_value());  // Go's TestValue: "initial Value is not nil"
  CHECK(!v.Load<int>().has_value());
}

// Go's TestSwapInt32Method, TestSwapUint64Method, ...
TEST_CASE("Atomic.Swap") {
  atomic::Int32 x;
  int32_t j = 0;
  for (int shift = 0; shift < 31; shift++) {  // Go: for delta := 1; delta+delta > delta; delta += delta
    int32_t delta = int32_t{1} << shift;
    int32_t k = x.Swap(delta);
    CHECK(x.Load() == delta);
    CHECK(k == j);
    j = delta;
  }
  atomic::Uint64 y;
  uint64_t m = 0;
  for (int shift = 0; shift < 64; shift++) {
    uint64_t delta = uint64_t{1} << shift;
    CHECK(y.Swap(delta) == m);
    CHECK(y.Load() == delta);
    m = delta;
  }
  atomic::Bool b;
  CHECK(b.Swap(true) == false);
  CHECK(b.Swap(false) == true);
  int a1 = 1, a2 = 2;
  atomic::Pointer<int> p;
  CHECK(p.Swap(&a1) == nullptr);
  CHECK(p.Swap(&a2) == &a1);
  CHECK(p.Load() == &a2);
}

// Go's TestAddInt32Method, TestAddUint64Method, TestAddUintptrMethod.
TEST_CASE("Atomic.Add.ReturnsNewValueAndWraps") {
  atomic::Int32 x;
  int32_t j = 0;
  for (int shift = 0; shift < 31; shift++) {
    int32_t delta = int32_t{1} << shift;
    int32_t k = x.Add(delta);
    j += delta;
    CHECK(x.Load() == j);
    CHECK(k == j);
  }
  atomic::Int64 i(std::numeric_limits<int64_t>::max());
  CHECK(i.Add(1) == std::numeric_limits<int64_t>::min());  // wraps as Go's
  atomic::Uint64 u;
  CHECK(u.Add(~uint64_t{0}) == ~uint64_t{0});  // Go's x.Add(^uint64(0)): decrement
  CHECK(u.Add(1) == 0);
  atomic::Uint32 u32(5);
  CHECK(u32.Add(static_cast<uint32_t>(-1)) == 4);
  atomic::Uintptr up;
  CHECK(up.Add(3) == 3);
}

// Go 1.23's And/Or return the OLD value.
TEST_CASE("Atomic.AndOr.ReturnOldValue") {
  atomic::Int32 x(0b1100);
  CHECK(x.And(0b1010) == 0b1100);
  CHECK(x.Load() == 0b1000);
  CHECK(x.Or(0b0011) == 0b1000);
  CHECK(x.Load() == 0b1011);
  atomic::Int64 y(-1);
  CHECK(y.And(0xff) == -1);
  CHECK(y.Load() == 0xff);
  atomic::Uint32 a;
  CHECK(a.Or(1u << 31) == 0);
  CHECK(a.Load() == 1u << 31);
  atomic::Uint64 b(~uint64_t{0});
  CHECK(b.And(uint64_t{1} << 40) == ~uint64_t{0});
  CHECK(b.Load() == uint64_t{1} << 40);
  atomic::Uintptr c(6);
  CHECK(c.Or(1) == 6);
  CHECK(c.And(3) == 7);
  CHECK(c.Load() == 3);
}

// Go's TestCompareAndSwapInt32Method, ...Int64Method, ...PointerMethod.
TEST_CASE("Atomic.CompareAndSwap") {
  atomic::Int64 x;
  for (int shift = 0; shift < 62; shift++) {
    int64_t val = int64_t{1} << shift;
    x.Store(val);
    CHECK(x.CompareAndSwap(val, val + 1));
    CHECK(x.Load() == val + 1);
    x.Store(val + 1);
    CHECK(!x.CompareAndSwap(val, val + 2));
    CHECK(x.Load() == val + 1);
  }
  atomic::Bool b;
  CHECK(!b.CompareAndSwap(true, false));
  CHECK(b.CompareAndSwap(false, true));
  CHECK(b.Load());
  int m = 0, n = 0;
  atomic::Pointer<int> p(&m);
  CHECK(!p.CompareAndSwap(&n, &n));
  CHECK(p.CompareAndSwap(&m, &n));
  CHECK(p.Load() == &n);
}

// Go's TestHammer32/TestHammer64, reduced to Add (what they check: no lost
// update under contention), with GOMAXPROCS goroutines... and then some.
TEST_CASE("Atomic.Hammer.Add") {
  const int procs = 4;
  const int n = Scaled(100000);
  atomic::Int32 i32;
  atomic::Uint64 u64;
  atomic::Int64 cas;  // CAS-loop increments, as Go's hammerCompareAndSwap*
  goro::sync::WaitGroup wg;
  for (int p = 0; p < procs; p++) {
    wg.Go([&] {
      for (int i = 0; i < n; i++) {
        i32.Add(1);
        u64.Add(2);
        for (;;) {
          int64_t v = cas.Load();
          if (cas.CompareAndSwap(v, v + 1)) break;
        }
      }
    });
  }
  wg.Wait();
  CHECK(i32.Load() == procs * n);
  CHECK(u64.Load() == uint64_t(2) * procs * n);
  CHECK(cas.Load() == procs * n);
}

// Go's TestStoreLoadSeqCst32/64: Dekker's test. Each goroutine stores its own
// counter then loads the other's; with sequentially consistent atomics, at
// least one of the two sees the other's latest store.
template <class Int, class V>
int StoreLoadSeqCst(int n) {
  Int x[2];
  Int ack[2][3];
  for (auto& a : ack) for (auto& w : a) w.Store(static_cast<V>(-1));
  atomic::Int32 errors;
  goro::sync::WaitGroup wg;
  for (int p = 0; p < 2; p++) {
    wg.Go([&, me = p] {
      int he = 1 - me;
      for (V i = 1; i < static_cast<V>(n); i++) {
        x[me].Store(i);
        V my = x[he].Load();
        ack[me][i % 3].Store(my);
        for (int w = 1; ack[he][i % 3].Load() == static_cast<V>(-1); w++) {
          if (w % 1000 == 0) goro::runtime::Gosched();
        }
        V his = ack[he][i % 3].Load();
        if ((my != i && my != i - 1) || (his != i && his != i - 1)) {
          errors.Add(1);
          break;
        }
        if (my != i && his != i) {
          errors.Add(1);
          break;
        }
        ack[me][(i - 1) % 3].Store(static_cast<V>(-1));
      }
    });
  }
  wg.Wait();
  return errors.Load();
}

TEST_CASE("Atomic.StoreLoadSeqCst") {
  CHECK(StoreLoadSeqCst<atomic::Int32, int32_t>(Scaled(1000)) == 0);
  CHECK(StoreLoadSeqCst<atomic::Int64, int64_t>(Scaled(1000)) == 0);
}

// Go's TestValue and TestValueLarge.
TEST_CASE("Value.LoadStore") {
  atomic::Value v;
  v.Store(42);
  std::any x = v.Load();
  REQUIRE(x.type() == typeid(int));
  CHECK(std::any_cast<int>(x) == 42);
  v.Store(84);
  CHECK(v.Load<int>() == 84);
  CHECK(!v.Load<long>().has_value());  // Go's x, ok := v.Load().(int64): ok false

  atomic::Value s;
  s.Store(std::string("foo"));
  CHECK(s.Load<std::string>() == "foo");
  s.Store(std::string("barbaz"));
  CHECK(s.Load<std::string>() == "barbaz");
  s.Store(std::any(std::string("qux")));  // an std::any of the same type is fine
  CHECK(s.Load<std::string>() == "qux");
}

// Go's TestValuePanic.
TEST_CASE("Value.Store.Panics") {
  const std::string nil_err = "sync/atomic: store of nil value into Value";
  const std::string bad_err = "sync/atomic: store of inconsistently typed value into Value";
  atomic::Value v;
  CHECK(PanicOf([&] { v.Store(std::any()); }) == nil_err);
  v.Store(42);
  CHECK(PanicOf([&] { v.Store(std::string("foo")); }) == bad_err);
  CHECK(PanicOf([&] { v.Store(42L); }) == bad_err);  // int64 is not int, as in Go
  CHECK(PanicOf([&] { v.Store(std::any()); }) == nil_err);
  CHECK(v.Load<int>() == 42);
}

// Go's TestValueConcurrent: concurrent Store/Load of whole values never tear.
TEST_CASE("Value.Concurrent.NoTornValues") {
  using C = std::complex<double>;
  const std::vector<C> vals = {C(0, 0), C(1, 2), C(3, 4), C(5, 6)};
  const std::vector<std::string> strs = {std::string(100, 'a'), std::string(3, 'b'),
                                         std::string(1000, 'c'), std::string()};
  const int p = 4 * goro_test::Procs();
  const int n = Scaled(20000);
  atomic::Value v, s;
  atomic::Int32 bad;
  goro::sync::WaitGroup wg;
  for (int g = 0; g < p; g++) {
    wg.Go([&, seed = g] {
      std::mt19937 r(seed);
      for (int j = 0; j < n; j++) {
        v.Store(vals[r() % vals.size()]);
        s.Store(strs[r() % strs.size()]);
        C x = *v.Load<C>();
        std::string y = *s.Load<std::string>();
        if (std::find(vals.begin(), vals.end(), x) == vals.end()) bad.Add(1);
        if (std::find(strs.begin(), strs.end(), y) == strs.end()) bad.Add(1);
      }
    });
  }
  wg.Wait();
  CHECK(bad.Load() == 0);
}

// Go's TestValue_Swap.
TEST_CASE("Value.Swap") {
  {
    atomic::Value v;
    CHECK(PanicOf([&] { v.Swap(std::any()); }) == "sync/atomic: swap of nil value into Value");
  }
  {
    atomic::Value v;
    CHECK(!v.Swap(true).has_value());
    CHECK(v.Load<bool>() == true);
  }
  {
    atomic::Value v;
    v.Store(true);
    CHECK(PanicOf([&] { v.Swap(std::string()); }) ==
          "sync/atomic: swap of inconsistently typed value into Value");
  }
  {
    atomic::Value v;
    v.Store(true);
    std::any old = v.Swap(false);
    CHECK(std::any_cast<bool>(old) == true);
    CHECK(v.Load<bool>() == false);
  }
}

// Go's TestValueSwapConcurrent: every value swapped in is swapped out once.
TEST_CASE("Value.Swap.Concurrent") {
  atomic::Value v;
  atomic::Uint64 count;
  const uint64_t m = Scaled(100), n = 1000;
  goro::sync::WaitGroup wg;
  for (uint64_t i = 0; i < m * n; i += n) {
    wg.Go([&, i] {
      uint64_t c = 0;
      for (uint64_t nw = i; nw < i + n; nw++) {
        std::any old = v.Swap(nw);
        if (old.has_value()) c += std::any_cast<uint64_t>(old);
      }
      count.Add(c);
    });
  }
  wg.Wait();
  CHECK(count.Load() + *v.Load<uint64_t>() == (m * n - 1) * (m * n) / 2);
}

// Go's TestValue_CompareAndSwap, case by case.
TEST_CASE("Value.CompareAndSwap") {
  {
    atomic::Value v;
    CHECK(PanicOf([&] { v.CompareAndSwap(std::any(), std::any()); }) ==
          "sync/atomic: compare and swap of nil value into Value");
  }
  {
    atomic::Value v;
    CHECK(PanicOf([&] { v.CompareAndSwap(std::any(std::string()), std::any(true)); }) ==
          "sync/atomic: compare and swap of inconsistently typed values");
  }
  {
    atomic::Value v;
    CHECK(!v.CompareAndSwap(true, true));  // old true, but the Value is empty
    CHECK(!v.Load().has_value());
  }
  {
    atomic::Value v;
    CHECK(v.CompareAndSwap(std::any(), std::any(true)));  // CompareAndSwap(nil, true)
    CHECK(v.Load<bool>() == true);
  }
  {
    atomic::Value v;
    v.Store(true);
    CHECK(PanicOf([&] { v.CompareAndSwap(std::any(), std::any(std::string())); }) ==
          "sync/atomic: compare and swap of inconsistently typed value into Value");
  }
  {
    atomic::Value v;
    v.Store(true);
    CHECK(!v.CompareAndSwap(false, true));
    CHECK(v.CompareAndSwap(true, true));
  }
  {
    // Go's heapA/heapB case: equal values, different objects, compare equal.
    atomic::Value v;
    v.Store(std::string("x"));
    CHECK(v.CompareAndSwap(std::string("x"), std::string("y")));
    CHECK(v.Load<std::string>() == "y");
    // std::any arguments use the operator== recorded by the typed calls.
    CHECK(v.CompareAndSwap(std::any(std::string("y")), std::any(std::string("z"))));
    CHECK(v.Load<std::string>() == "z");
  }
  {
    // Only std::any ever seen: no operator== known, Go's uncomparable panic.
    struct NoEq {
      int x;
    };
    atomic::Value v;
    v.Store(std::any(NoEq{1}));
    std::string what = PanicOf([&] { v.CompareAndSwap(std::any(NoEq{1}), std::any(NoEq{2})); });
    CHECK(what.rfind("runtime error: comparing uncomparable type ", 0) == 0);
  }
}

// Go's TestValueCompareAndSwapConcurrent: m goroutines take turns to advance
// the value by CAS; it must reach m*n.
TEST_CASE("Value.CompareAndSwap.Concurrent") {
  atomic::Value v;
  v.Store(0);
  const int m = Scaled(100), n = 100;
  goro::sync::WaitGroup wg;
  for (int i = 0; i < m; i++) {
    wg.Go([&, i] {
      for (int j = i; j < m * n; goro::runtime::Gosched()) {
        if (v.CompareAndSwap(j, j + 1)) j += m;
      }
    });
  }
  wg.Wait();
  CHECK(v.Load<int>() == m * n);
}

// Old boxes are reclaimed (ASan would report a leak or a use after free).
TEST_CASE("Value.Reclaims") {
  goro::internal::hazard::Drain();
  const std::size_t before = goro::internal::hazard::PendingForTest();
  {
    atomic::Value v;
    for (int i = 0; i < 10000; i++) v.Store(std::vector<int>(16, i));
    CHECK(v.Load<std::vector<int>>()->at(3) == 9999);
  }
  goro::internal::hazard::Drain();
  CHECK(goro::internal::hazard::PendingForTest() <= before + 1);
}

}  // namespace
