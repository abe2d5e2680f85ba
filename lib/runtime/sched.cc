// lib/runtime/sched.cc: goro's scheduler. A work-stealing pool of OS threads
// that never lets a blocked goroutine hold up queued ones.
//
// The design follows Go's G-M-P scheduler (src/runtime/proc.go), without stack
// switching (research/scheduler.md §6):
//
// - P (slot): GOMAXPROCS of them. A P owns a 256-entry FIFO ring (the owner
//   pushes at the tail; the owner and thieves take from the head by CAS;
//   thieves take half) and a `runnext` slot that holds the newest goroutine.
//   An M (thread) must hold a P to start goroutines.
// - Global queue: moodycamel::ConcurrentQueue plus an exact `pending` count,
//   for go() from threads without a P and for ring overflow.
// - Idle Ps and idle Ms live on lists under `mu`. At most half the busy Ps have
//   a spinning M looking for work. A submitter makes work visible, then (seq_cst)
//   checks for an idle P and a spinner (WakeP); a spinner that gives up
//   decrements nmspinning, then (seq_cst) rechecks every queue. That Dekker pair
//   is why no wake-up is lost (proc.go's "delicate dance").
// - Blocking compensation (Go's handoffp): a goroutine about to park in a goro
//   primitive calls BlockingEnter, which gives its P away at once: to a new or
//   idle M if work is queued, else to the idle list. BlockingExit takes an idle
//   P if there is one, and otherwise the goroutine runs on without a P: a woken
//   goroutine never waits for a slot.
// - sysmon: a monitor thread that adds a temporary extra P when queued work has
//   made no progress for 10 ms because goroutines block outside goro, and that
//   sleeps for good while the pool is idle.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <new>
#include <thread>
#include <typeinfo>
#include <vector>

#include "goro/internal/task.h"
#include "goro/panic.h"
#include "goro/runtime.h"
#include "goro/internal/concurrentqueue.h"
#include "runtime/futex.h"
#include "runtime/park.h"

namespace goro::internal {
namespace {

constexpr uint32_t kRingSize = 256;
constexpr int kMaxProcs = 1024;          // GOMAXPROCS is clamped here
constexpr int kMaxExtra = 64;            // watchdog slots on top of GOMAXPROCS
constexpr int kMaxAllP = kMaxProcs + kMaxExtra;
constexpr int kRunnextStreak = 16;       // fairness guard, see LocalGet
constexpr int kGlobalCheckTick = 61;     // as Go's findRunnable
constexpr auto kStuckAfter = std::chrono::milliseconds(10);  // Go's forcePreemptNS

enum PStatus : int { kPIdle = 0, kPRunning = 1, kPDead = 2 };

struct P {
  explicit P(int i) : id(i) {
    for (auto& s : ring) s.store(nullptr, std::memory_order_relaxed);
  }
  const int id;
  alignas(64) std::atomic<uint32_t> head{0};  // consumers CAS
  alignas(64) std::atomic<uint32_t> tail{0};  // owner stores
  std::atomic<Task*> runnext{nullptr};
  std::atomic<uint64_t> schedtick{0};          // owner increments per task
  // Goroutines that finished on this P. Kept per P so that the spawner's
  // counter and the executors' counter do not share a cache line.
  alignas(64) std::atomic<int64_t> finished{0};
  std::atomic<int> status{kPIdle};             // written under mu
  std::atomic<Task*> ring[kRingSize];
  // Owner-only state.
  int runnext_streak = 0;
  // Written under mu; read by the owner without it.
  std::atomic<bool> extra{false};
  P* link = nullptr;  // under mu
  // sysmon's private view.
  uint64_t seen_tick = 0;
  std::chrono::steady_clock::time_point seen_when{};
};

struct M {
  std::atomic<uint32_t> note{0};  // futex word: 1 = handed a P (or told to go)
  P* p = nullptr;                 // the P this thread holds, if any
  P* nextp = nullptr;             // handed over by StartM, under mu
  bool spinning = false;
  bool next_spinning = false;     // under mu
  bool on_idle_list = false;      // under mu
  bool blocked = false;           // between BlockingEnter and BlockingExit
  M* link = nullptr;              // idle list, under mu
};

// GlobalQueue is the injection queue: moodycamel's ConcurrentQueue. Under
// ThreadSanitizer it is a locked deque instead, because moodycamel synchronizes
// with atomic_thread_fence, which TSan does not model (false reports, see
// cameron314/concurrentqueue#49 and #62); goro's own logic around it, the exact
// `pending` count, is the same in both.
#if defined(__SANITIZE_THREAD__)
#define GORO_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GORO_TSAN 1
#endif
#endif

class GlobalQueue {
 public:
#ifdef GORO_TSAN
  void enqueue(Task* t) {
    LockGuard g(mu_);
    q_.push_back(t);
  }
  void enqueue_bulk(Task** b, size_t n) {
    LockGuard g(mu_);
    q_.insert(q_.end(), b, b + n);
  }
  size_t try_dequeue_bulk(Task** out, size_t max) {
    LockGuard g(mu_);
    size_t n = std::min(max, q_.size());
    for (size_t i = 0; i < n; i++) {
      out[i] = q_.front();
      q_.pop_front();
    }
    return n;
  }

 private:
  Lock mu_;
  std::deque<Task*> q_;
#else
  void enqueue(Task* t) { q_.enqueue(t); }
  void enqueue_bulk(Task** b, size_t n) { q_.enqueue_bulk(b, n); }
  size_t try_dequeue_bulk(Task** out, size_t max) { return q_.try_dequeue_bulk(out, max); }

 private:
  moodycamel::ConcurrentQueue<Task*> q_;
#endif
};

struct Sched {
  Lock mu;
  P* allp[kMaxAllP] = {};
  std::atomic<int> nallp{0};       // allp[0..nallp) allocated; never shrinks
  std::atomic<int> gomaxprocs{1};
  P* pidle = nullptr;
  std::atomic<int> npidle{0};
  int nextra = 0;                  // extra Ps alive, under mu
  M* midle = nullptr;
  std::atomic<int> nmidle{0};
  std::atomic<int> nmspinning{0};
  std::atomic<int> nthreads{0};
  std::atomic<int> nblocked{0};    // pool threads blocked in goro primitives
  std::atomic<int> maxthreads{10000};
  std::atomic<int64_t> keepalive_ns{5'000'000'000};

  GlobalQueue global;
  std::atomic<int64_t> global_pending{0};

  // NumGoroutine = spawned - sum of P::finished (+1 for main).
  alignas(64) std::atomic<int64_t> spawned{0};
  std::atomic<uint64_t> next_goid{2};

  // sysmon
  std::atomic<uint32_t> sysmon_note{0};
  std::atomic<bool> sysmon_sleeping{false};
  std::atomic<bool> sysmon_started{false};
};

thread_local M* tls_m = nullptr;
thread_local uint64_t tls_goid = 1;

Sched& S();

int CountCPUs() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  unsigned h = std::thread::hardware_concurrency();
  return h > 0 ? static_cast<int>(h) : 1;
}

[[noreturn]] void Fatal(const char* runtime_line, const char* fatal_line) {
  std::fflush(stdout);
  if (runtime_line) std::fprintf(stderr, "%s\n", runtime_line);
  std::fprintf(stderr, "fatal error: %s\n", fatal_line);
  std::fflush(stderr);
  std::_Exit(2);
}

// ---- the P's ring ---------------------------------------------------------

bool LocalEmpty(P* p) {
  // As Go's runqempty: a consistent snapshot of head, tail and runnext.
  for (;;) {
    uint32_t h = p->head.load(std::memory_order_acquire);
    uint32_t t = p->tail.load(std::memory_order_acquire);
    Task* n = p->runnext.load(std::memory_order_acquire);
    if (t == p->tail.load(std::memory_order_acquire)) return h == t && n == nullptr;
  }
}

void GlobalPutBatch(Task** batch, size_t n) {
  Sched& s = S();
  s.global.enqueue_bulk(batch, n);
  s.global_pending.fetch_add(static_cast<int64_t>(n), std::memory_order_seq_cst);
}

// LocalPut appends t to p's ring (owner only). A full ring moves half of itself
// and t to the global queue in one batch (Go's runqputslow).
void LocalPut(P* p, Task* t) {
  for (;;) {
    uint32_t h = p->head.load(std::memory_order_acquire);
    uint32_t tl = p->tail.load(std::memory_order_relaxed);
    if (tl - h < kRingSize) {
      p->ring[tl % kRingSize].store(t, std::memory_order_relaxed);
      p->tail.store(tl + 1, std::memory_order_release);
      return;
    }
    Task* batch[kRingSize / 2 + 1];
    uint32_t n = (tl - h) / 2;
    for (uint32_t i = 0; i < n; i++) {
      batch[i] = p->ring[(h + i) % kRingSize].load(std::memory_order_relaxed);
    }
    if (!p->head.compare_exchange_strong(h, h + n, std::memory_order_acq_rel)) continue;
    batch[n] = t;
    GlobalPutBatch(batch, n + 1);
    return;
  }
}

Task* RingGet(P* p) {
  for (;;) {
    uint32_t h = p->head.load(std::memory_order_acquire);
    uint32_t tl = p->tail.load(std::memory_order_relaxed);
    if (tl == h) return nullptr;
    Task* t = p->ring[h % kRingSize].load(std::memory_order_relaxed);
    if (p->head.compare_exchange_weak(h, h + 1, std::memory_order_acq_rel)) return t;
  }
}

// LocalGet takes the next goroutine of p (owner only): runnext first, as Go
// does, but after kRunnextStreak runnext picks in a row the ring gets a turn, so
// two goroutines that keep readying each other cannot starve the ring (Go
// relies on preemption for this).
Task* LocalGet(P* p) {
  if (p->runnext_streak < kRunnextStreak) {
    Task* n = p->runnext.load(std::memory_order_acquire);
    if (n != nullptr &&
        p->runnext.compare_exchange_strong(n, nullptr, std::memory_order_acq_rel)) {
      p->runnext_streak++;
      return n;
    }
  }
  p->runnext_streak = 0;
  if (Task* t = RingGet(p)) return t;
  Task* n = p->runnext.load(std::memory_order_acquire);
  if (n != nullptr &&
      p->runnext.compare_exchange_strong(n, nullptr, std::memory_order_acq_rel)) {
    return n;
  }
  return nullptr;
}

// Steal takes half of victim's ring into p's (empty) ring and returns one task.
Task* Steal(P* p, P* victim, bool take_runnext) {
  Task* batch[kRingSize / 2];
  uint32_t n;
  for (;;) {
    uint32_t h = victim->head.load(std::memory_order_acquire);
    uint32_t t = victim->tail.load(std::memory_order_acquire);
    n = t - h;
    n = n - n / 2;
    if (n == 0) {
      if (!take_runnext) return nullptr;
      Task* nx = victim->runnext.load(std::memory_order_acquire);
      if (nx == nullptr) return nullptr;
      // Let a goroutine that is about to run its just-readied partner do so
      // (Go pauses ~3 µs here, proc.go runqgrab). A sleep would last 50 µs+.
      auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(3);
      while (std::chrono::steady_clock::now() < until) CpuRelax();
      if (victim->runnext.compare_exchange_strong(nx, nullptr, std::memory_order_acq_rel)) {
        return nx;
      }
      return nullptr;
    }
    if (n > kRingSize / 2) continue;  // inconsistent snapshot
    for (uint32_t i = 0; i < n; i++) {
      batch[i] = victim->ring[(h + i) % kRingSize].load(std::memory_order_relaxed);
    }
    if (victim->head.compare_exchange_strong(h, h + n, std::memory_order_acq_rel)) break;
  }
  Task* first = batch[0];
  if (n > 1) {
    uint32_t tl = p->tail.load(std::memory_order_relaxed);
    for (uint32_t i = 1; i < n; i++) {
      p->ring[(tl + i - 1) % kRingSize].store(batch[i], std::memory_order_relaxed);
    }
    p->tail.store(tl + n - 1, std::memory_order_release);
  }
  return first;
}

// GlobalGet takes a batch from the global queue (Go's globrunqget).
Task* GlobalGet(P* p, int max) {
  Sched& s = S();
  int64_t pending = s.global_pending.load(std::memory_order_seq_cst);
  if (pending <= 0) return nullptr;
  int64_t procs = s.gomaxprocs.load(std::memory_order_relaxed);
  int64_t n = std::min<int64_t>({pending / procs + 1, max, kRingSize / 2});
  Task* batch[kRingSize / 2];
  size_t got = s.global.try_dequeue_bulk(batch, static_cast<size_t>(n));
  if (got == 0) return nullptr;
  s.global_pending.fetch_sub(static_cast<int64_t>(got), std::memory_order_seq_cst);
  for (size_t i = 1; i < got; i++) LocalPut(p, batch[i]);
  return batch[0];
}

bool AnyQueuedWork() {
  Sched& s = S();
  if (s.global_pending.load(std::memory_order_seq_cst) > 0) return true;
  int n = s.nallp.load(std::memory_order_acquire);
  for (int i = 0; i < n; i++) {
    if (!LocalEmpty(s.allp[i])) return true;
  }
  return false;
}

// ---- Ps and Ms --------------------------------------------------------------

// Under mu.
P* PopIdleP() {
  Sched& s = S();
  P* p = s.pidle;
  if (p != nullptr) {
    s.pidle = p->link;
    p->link = nullptr;
    p->status.store(kPRunning, std::memory_order_relaxed);
    s.npidle.fetch_sub(1, std::memory_order_seq_cst);
  }
  return p;
}

// Under mu.
bool RemoveIdleP(P* target) {
  Sched& s = S();
  for (P** pp = &s.pidle; *pp != nullptr; pp = &(*pp)->link) {
    if (*pp == target) {
      *pp = target->link;
      target->link = nullptr;
      target->status.store(kPRunning, std::memory_order_relaxed);
      s.npidle.fetch_sub(1, std::memory_order_seq_cst);
      return true;
    }
  }
  return false;
}

bool ShouldRetire(P* p) {
  return p->extra.load(std::memory_order_relaxed) || p->id >= S().gomaxprocs.load(std::memory_order_relaxed);
}

// Under mu: p has no owner any more. It goes idle, or is retired when it is a
// watchdog extra or beyond GOMAXPROCS (its leftover work goes global).
void ReleasePLocked(P* p) {
  Sched& s = S();
  if (ShouldRetire(p)) {
    Task* t;
    while ((t = RingGet(p)) != nullptr) GlobalPutBatch(&t, 1);
    Task* n = p->runnext.exchange(nullptr, std::memory_order_acq_rel);
    if (n != nullptr) GlobalPutBatch(&n, 1);
    if (p->extra.load(std::memory_order_relaxed)) {
      p->extra.store(false, std::memory_order_relaxed);
      s.nextra--;
    }
    p->status.store(kPDead, std::memory_order_relaxed);
    return;
  }
  p->status.store(kPIdle, std::memory_order_relaxed);
  p->link = s.pidle;
  s.pidle = p;
  s.npidle.fetch_add(1, std::memory_order_seq_cst);
}

void MMain(M* m);

void WakeSysmon() {
  Sched& s = S();
  if (s.sysmon_sleeping.load(std::memory_order_seq_cst)) {
    s.sysmon_note.store(1, std::memory_order_release);
    FutexWake(&s.sysmon_note, 1);
  }
}

// StartM runs p on an idle M, or on a new thread (Go's startm).
void StartM(P* p, bool spinning) {
  Sched& s = S();
  M* m = nullptr;
  {
    LockGuard g(s.mu);
    m = s.midle;
    if (m != nullptr) {
      s.midle = m->link;
      m->link = nullptr;
      m->on_idle_list = false;
      s.nmidle.fetch_sub(1, std::memory_order_relaxed);
      m->nextp = p;
      m->next_spinning = spinning;
    }
  }
  WakeSysmon();
  if (m != nullptr) {
    m->note.store(1, std::memory_order_release);
    FutexWake(&m->note, 1);
    return;
  }
  // The cap counts the threads held by blocked goroutines, the only way the
  // pool grows: Go's 10,000-goroutine chain (test/chan/goroutines.go) must run
  // with the default, as it does in Go.
  s.nthreads.fetch_add(1, std::memory_order_relaxed);
  int cap = s.maxthreads.load(std::memory_order_relaxed);
  if (s.nblocked.load(std::memory_order_relaxed) > cap) {
    char line[96];
    std::snprintf(line, sizeof line, "runtime: program exceeds %d-thread limit", cap);
    Fatal(line, "thread exhaustion");
  }
  m = new M;
  m->p = p;
  m->spinning = spinning;
  try {
    std::thread(MMain, m).detach();
  } catch (const std::exception&) {
    Fatal("runtime: failed to create new OS thread", "newosproc");
  }
}

// WakeP starts a spinning M on an idle P if work may be waiting and nobody is
// already looking for it (Go's wakep).
void WakeP() {
  Sched& s = S();
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (s.npidle.load(std::memory_order_seq_cst) == 0) return;
  if (s.nmspinning.load(std::memory_order_seq_cst) != 0) return;
  int zero = 0;
  if (!s.nmspinning.compare_exchange_strong(zero, 1, std::memory_order_seq_cst)) return;
  P* p;
  {
    LockGuard g(s.mu);
    p = PopIdleP();
  }
  if (p == nullptr) {
    s.nmspinning.fetch_sub(1, std::memory_order_seq_cst);
    return;
  }
  StartM(p, true);
}

void ResetSpinning(M* m) {
  Sched& s = S();
  m->spinning = false;
  if (s.nmspinning.fetch_sub(1, std::memory_order_seq_cst) == 1) {
    // The last spinner found work: another may be waiting behind it.
    WakeP();
  }
}

// StopM parks m on the idle list until StartM hands it a P. Returns false when
// the thread should exit instead (it stayed idle past keepalive while the pool
// has more threads than slots).
bool StopM(M* m) {
  Sched& s = S();
  {
    LockGuard g(s.mu);
    m->link = s.midle;
    s.midle = m;
    m->on_idle_list = true;
    s.nmidle.fetch_add(1, std::memory_order_relaxed);
  }
  for (;;) {
    int64_t ka = s.keepalive_ns.load(std::memory_order_relaxed);
    struct timespec ts;
    ts.tv_sec = static_cast<time_t>(ka / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(ka % 1'000'000'000);
    if (m->note.load(std::memory_order_acquire) == 0) FutexWait(&m->note, 0, &ts);
    if (m->note.load(std::memory_order_acquire) == 1) {
      m->note.store(0, std::memory_order_relaxed);
      LockGuard g(s.mu);
      m->p = m->nextp;
      m->nextp = nullptr;
      m->spinning = m->next_spinning;
      m->next_spinning = false;
      return true;
    }
    // Timed out (or spurious): exit if surplus and still idle.
    LockGuard g(s.mu);
    if (m->on_idle_list &&
        s.nthreads.load(std::memory_order_relaxed) > s.gomaxprocs.load(std::memory_order_relaxed)) {
      for (M** pp = &s.midle; *pp != nullptr; pp = &(*pp)->link) {
        if (*pp == m) {
          *pp = m->link;
          break;
        }
      }
      m->on_idle_list = false;
      s.nmidle.fetch_sub(1, std::memory_order_relaxed);
      s.nthreads.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
  }
}

[[noreturn]] void ReportPanic(uint64_t goid, const char* what) {
  std::fflush(stdout);
  std::fprintf(stderr, "panic: %s\n\ngoroutine %llu [running]:\n", what,
               static_cast<unsigned long long>(goid));
  std::fflush(stderr);
  std::_Exit(2);
}

void Execute(M* m, Task* t) {
  P* p = m->p;
  p->schedtick.store(p->schedtick.load(std::memory_order_relaxed) + 1,
                     std::memory_order_relaxed);
  tls_goid = t->goid;
  try {
    t->Run();
  } catch (const std::exception& e) {
    ReportPanic(t->goid, e.what());
  } catch (...) {
    ReportPanic(t->goid, "(unknown C++ exception)");
  }
  tls_goid = 1;
  delete t;
  // The P this goroutine started on; another M may own it by now, hence the RMW.
  p->finished.fetch_add(1, std::memory_order_release);
}

// FindRunnable returns the next goroutine for m, parking m while there is none.
// m holds a P on return. Returns nullptr when the thread should exit.
Task* FindRunnable(M* m) {
  Sched& s = S();
  for (;;) {
    if (m->p == nullptr) {
      // Lost the P while a goroutine blocked: take an idle one, or go idle.
      if (s.npidle.load(std::memory_order_seq_cst) > 0) {
        LockGuard g(s.mu);
        m->p = PopIdleP();
      }
      if (m->p == nullptr) {
        if (!StopM(m)) return nullptr;
        continue;
      }
    }
    P* p = m->p;
    if (ShouldRetire(p) && !p->extra.load(std::memory_order_relaxed)) {
      // GOMAXPROCS shrank below this P.
      {
        LockGuard g(s.mu);
        ReleasePLocked(p);
      }
      m->p = nullptr;
      if (m->spinning) ResetSpinning(m);
      WakeP();
      continue;
    }
    Task* t = nullptr;
    if (p->schedtick.load(std::memory_order_relaxed) % kGlobalCheckTick == 0) {
      t = GlobalGet(p, 1);
    }
    if (t == nullptr) t = LocalGet(p);
    if (t == nullptr) t = GlobalGet(p, kRingSize / 2);
    if (t == nullptr) {
      int procs = s.gomaxprocs.load(std::memory_order_relaxed);
      if (m->spinning ||
          2 * s.nmspinning.load(std::memory_order_relaxed) <
              procs - s.npidle.load(std::memory_order_relaxed)) {
        if (!m->spinning) {
          m->spinning = true;
          s.nmspinning.fetch_add(1, std::memory_order_seq_cst);
        }
        int n = s.nallp.load(std::memory_order_acquire);
        uint32_t start = static_cast<uint32_t>(p->schedtick.load(std::memory_order_relaxed) * 2654435761u);
        for (int round = 0; round < 4 && t == nullptr; round++) {
          for (int k = 0; k < n && t == nullptr; k++) {
            P* v = s.allp[(start + static_cast<uint32_t>(k)) % static_cast<uint32_t>(n)];
            if (v == p || v->status.load(std::memory_order_relaxed) == kPDead) continue;
            t = Steal(p, v, round == 3);
          }
          if (t == nullptr) t = GlobalGet(p, kRingSize / 2);
        }
      }
    }
    if (t != nullptr) {
      if (m->spinning) ResetSpinning(m);
      return t;
    }
    // Nothing to do: give the P back and sleep.
    {
      LockGuard g(s.mu);
      if (s.global_pending.load(std::memory_order_seq_cst) > 0) continue;
      ReleasePLocked(p);
      m->p = nullptr;
    }
    bool was_spinning = m->spinning;
    if (was_spinning) {
      m->spinning = false;
      s.nmspinning.fetch_sub(1, std::memory_order_seq_cst);
    }
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (AnyQueuedWork()) {
      P* p2;
      {
        LockGuard g(s.mu);
        p2 = PopIdleP();
      }
      if (p2 != nullptr) {
        m->p = p2;
        if (was_spinning) {
          m->spinning = true;
          s.nmspinning.fetch_add(1, std::memory_order_seq_cst);
        }
        continue;
      }
    }
    if (!StopM(m)) return nullptr;
  }
}

void MMain(M* m) {
  tls_m = m;
  for (;;) {
    Task* t = FindRunnable(m);
    if (t == nullptr) break;
    Execute(m, t);
  }
  tls_m = nullptr;
  delete m;
}

// ---- sysmon -----------------------------------------------------------------

void AddExtraP() {
  Sched& s = S();
  P* p = nullptr;
  {
    LockGuard g(s.mu);
    if (s.nextra >= kMaxExtra) return;
    int procs = s.gomaxprocs.load(std::memory_order_relaxed);
    int n = s.nallp.load(std::memory_order_relaxed);
    for (int i = procs; i < n; i++) {
      if (s.allp[i]->status.load(std::memory_order_relaxed) == kPDead) {
        p = s.allp[i];
        break;
      }
    }
    if (p == nullptr) {
      if (n >= kMaxAllP) return;
      p = new P(n);
      s.allp[n] = p;
      s.nallp.store(n + 1, std::memory_order_release);
    }
    p->extra.store(true, std::memory_order_relaxed);
    p->status.store(kPRunning, std::memory_order_relaxed);
    s.nextra++;
  }
  StartM(p, false);
}

void SysmonMain() {
  Sched& s = S();
  auto delay = std::chrono::microseconds(20);
  int idle_rounds = 0;
  for (;;) {
    std::this_thread::sleep_for(delay);
    auto now = std::chrono::steady_clock::now();
    bool work = AnyQueuedWork();
    int procs = s.gomaxprocs.load(std::memory_order_relaxed);
    if (!work && s.npidle.load(std::memory_order_seq_cst) >= procs) {
      // The pool is idle: back off, then sleep until a P is started again.
      if (++idle_rounds > 50) {
        s.sysmon_note.store(0, std::memory_order_relaxed);
        s.sysmon_sleeping.store(true, std::memory_order_seq_cst);
        if (s.npidle.load(std::memory_order_seq_cst) >= s.gomaxprocs.load() && !AnyQueuedWork()) {
          while (s.sysmon_note.load(std::memory_order_acquire) == 0) {
            FutexWait(&s.sysmon_note, 0);
          }
        }
        s.sysmon_sleeping.store(false, std::memory_order_seq_cst);
        idle_rounds = 0;
        delay = std::chrono::microseconds(20);
        continue;
      }
    } else {
      idle_rounds = 0;
    }
    delay = std::min<std::chrono::microseconds>(delay * 2, std::chrono::milliseconds(5));
    if (!work) continue;
    delay = std::chrono::milliseconds(1);
    // Safety net: work queued, an idle P, and nobody looking.
    WakeP();
    // Stuck Ps: a P that has started no goroutine for kStuckAfter while work
    // waits is held by a goroutine blocked outside goro (or busy-looping).
    if (s.npidle.load(std::memory_order_seq_cst) > 0) continue;
    int n = s.nallp.load(std::memory_order_acquire);
    for (int i = 0; i < n; i++) {
      P* p = s.allp[i];
      if (p->status.load(std::memory_order_relaxed) != kPRunning) {
        p->seen_when = now;
        continue;
      }
      uint64_t tick = p->schedtick.load(std::memory_order_relaxed);
      if (tick != p->seen_tick) {
        p->seen_tick = tick;
        p->seen_when = now;
      } else if (now - p->seen_when >= kStuckAfter) {
        p->seen_when = now;
        AddExtraP();
        break;
      }
    }
  }
}

// ---- initialisation ---------------------------------------------------------

Sched* NewSched() {
  Sched* s = new Sched;  // never destroyed: returning from main must not join
  int procs = CountCPUs();
  if (const char* env = std::getenv("GOMAXPROCS")) {
    int v = std::atoi(env);
    if (v > 0) procs = v;
  }
  procs = std::min(procs, kMaxProcs);
  s->gomaxprocs.store(procs);
  for (int i = 0; i < procs; i++) {
    P* p = new P(i);
    s->allp[i] = p;
    p->link = s->pidle;
    s->pidle = p;
  }
  s->npidle.store(procs);
  s->nallp.store(procs);
  return s;
}

Sched& S() {
  static Sched* s = NewSched();
  return *s;
}

void EnsureSysmon() {
  Sched& s = S();
  if (s.sysmon_started.load(std::memory_order_acquire)) return;
  bool expected = false;
  if (s.sysmon_started.compare_exchange_strong(expected, true)) {
    std::thread(SysmonMain).detach();
  }
}

}  // namespace

// ---- the interface ----------------------------------------------------------

void Spawn(Task* t) {
  Sched& s = S();
  t->goid = s.next_goid.fetch_add(1, std::memory_order_relaxed);
  s.spawned.fetch_add(1, std::memory_order_relaxed);
  M* m = tls_m;
  if (m != nullptr && m->p != nullptr) {
    P* p = m->p;
    Task* old = p->runnext.exchange(t, std::memory_order_acq_rel);
    if (old != nullptr) LocalPut(p, old);
  } else {
    s.global.enqueue(t);
    s.global_pending.fetch_add(1, std::memory_order_seq_cst);
  }
  EnsureSysmon();
  WakeP();
}

void BlockingEnter() {
  M* m = tls_m;
  if (m == nullptr || m->blocked) return;
  Sched& s = S();
  m->blocked = true;
  s.nblocked.fetch_add(1, std::memory_order_relaxed);
  if (m->p == nullptr) return;
  P* p = m->p;
  m->p = nullptr;
  // Go's handoffp: if work is waiting, run this P on another thread now.
  if (!LocalEmpty(p) || s.global_pending.load(std::memory_order_seq_cst) > 0) {
    StartM(p, false);
    return;
  }
  {
    LockGuard g(s.mu);
    ReleasePLocked(p);
  }
  // Pairs with Spawn: enqueue, then WakeP's seq_cst read of npidle.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (s.global_pending.load(std::memory_order_seq_cst) > 0) WakeP();
}

void BlockingExit() {
  M* m = tls_m;
  if (m == nullptr || !m->blocked) return;
  Sched& s = S();
  m->blocked = false;
  s.nblocked.fetch_sub(1, std::memory_order_relaxed);
  if (m->p != nullptr) return;
  if (s.npidle.load(std::memory_order_seq_cst) == 0) return;  // run on without a P
  LockGuard g(s.mu);
  m->p = PopIdleP();
}

bool ShouldSpin() {
  M* m = tls_m;
  if (m == nullptr) return true;  // a foreign thread: nothing queued behind it
  if (m->p == nullptr) return false;
  if (S().global_pending.load(std::memory_order_relaxed) > 0) return false;
  return LocalEmpty(m->p);
}

void BlockForever() {
  WaitState ws;
  for (;;) Park(&ws);
}

int NumThreads() { return S().nthreads.load(std::memory_order_relaxed); }
int NumIdleThreads() { return S().nmidle.load(std::memory_order_relaxed); }
void SetIdleThreadTimeout(std::chrono::nanoseconds d) {
  int64_t ns = std::max<int64_t>(d.count(), 1'000'000);
  S().keepalive_ns.store(ns, std::memory_order_relaxed);
  // Wake idle threads so they pick up the new timeout.
  Sched& s = S();
  LockGuard g(s.mu);
  for (M* m = s.midle; m != nullptr; m = m->link) FutexWake(&m->note, 1);
}
uint64_t CurrentGoid() { return tls_goid; }

}  // namespace goro::internal

namespace goro::runtime {

int GOMAXPROCS(int n) {
  using namespace goro::internal;
  Sched& s = S();
  int old = s.gomaxprocs.load(std::memory_order_relaxed);
  if (n < 1) return old;
  n = std::min(n, kMaxProcs);
  {
    LockGuard g(s.mu);
    old = s.gomaxprocs.load(std::memory_order_relaxed);
    s.gomaxprocs.store(n, std::memory_order_seq_cst);
    int nall = s.nallp.load(std::memory_order_relaxed);
    for (int i = 0; i < n; i++) {
      if (i >= nall) {
        P* p = new P(i);
        s.allp[i] = p;
        p->status.store(kPDead, std::memory_order_relaxed);
        s.nallp.store(i + 1, std::memory_order_release);
        nall = i + 1;
      }
      P* p = s.allp[i];
      if (p->extra.load(std::memory_order_relaxed)) {  // a watchdog slot becomes a regular one
        p->extra.store(false, std::memory_order_relaxed);
        s.nextra--;
      }
      if (p->status.load(std::memory_order_relaxed) == kPDead) ReleasePLocked(p);
    }
    // Idle Ps beyond n retire now; running ones retire at their next pick.
    for (int i = n; i < nall; i++) {
      P* p = s.allp[i];
      if (p->status.load(std::memory_order_relaxed) == kPIdle && RemoveIdleP(p)) {
        p->status.store(kPDead, std::memory_order_relaxed);
      }
    }
  }
  WakeP();
  return old;
}

void Gosched() {
  using namespace goro::internal;
  M* m = tls_m;
  if (m != nullptr && m->p != nullptr && !AnyQueuedWork()) {
    std::this_thread::yield();
    return;
  }
  BlockingEnter();
  std::this_thread::yield();
  BlockingExit();
}

int NumGoroutine() {
  using namespace goro::internal;
  Sched& s = S();
  // Read the finished counts first (acquire, pairing with the release in
  // Execute): every goroutine seen finished is then also seen spawned, so the
  // count never comes out below the goroutines that really exist.
  int64_t finished = 0;
  int n = s.nallp.load(std::memory_order_acquire);
  for (int i = 0; i < n; i++) finished += s.allp[i]->finished.load(std::memory_order_acquire);
  int64_t live = s.spawned.load(std::memory_order_acquire) - finished;
  return static_cast<int>(live < 0 ? 0 : live) + 1;
}

int NumCPU() { return goro::internal::CountCPUs(); }

namespace debug {
int SetMaxThreads(int threads) {
  return goro::internal::S().maxthreads.exchange(threads, std::memory_order_relaxed);
}
}  // namespace debug

}  // namespace goro::runtime
