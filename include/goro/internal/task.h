// goro/internal/task.h: what go() needs from the scheduler. Not for users.
#ifndef GORO_INTERNAL_TASK_H_
#define GORO_INTERNAL_TASK_H_

#include <chrono>
#include <cstdint>
#include <utility>

namespace goro::internal {

// Task is one goroutine: a heap object run once by the pool and then deleted.
struct Task {
  Task* next = nullptr;  // intrusive link, owned by the scheduler
  uint64_t goid = 0;     // goroutine id, for panic reports
  virtual void Run() = 0;
  virtual ~Task() = default;
};

template <class F>
struct FnTask final : Task {
  explicit FnTask(F&& fn) : f(std::move(fn)) {}
  void Run() override { f(); }
  F f;
};

// Spawn queues t as a new goroutine and takes ownership of it.
void Spawn(Task* t);

// BlockForever parks the calling goroutine for good (nil channel operations,
// select with no cases), handing its slot on first.
[[noreturn]] void BlockForever();

// BlockingEnter and BlockingExit bracket a blocking call: the caller's slot is
// handed to another thread while it blocks (Go's entersyscallblock/exitsyscall).
// Every goro primitive that parks does this; code that blocks outside goro may too.
void BlockingEnter();
void BlockingExit();

// For tests and diagnostics.
int NumThreads();           // pool OS threads alive now (not main or foreign)
int NumIdleThreads();       // of those, how many are parked idle
void SetIdleThreadTimeout(std::chrono::nanoseconds d);  // surplus-thread keepalive
uint64_t CurrentGoid();     // id of the running goroutine; 1 for main/foreign

}  // namespace goro::internal

#endif  // GORO_INTERNAL_TASK_H_
