// goro/goro.h: the only include you need. Go's concurrency in C++.
//
//   #include <goro/goro.h>
//
//   int main() {
//     auto c = goro::make_chan<std::string>();
//     goro::go([c] { c.send("hello from a goroutine"); });
//     std::puts(c.recv().c_str());
//   }
//
// What is where (one Go concept per header):
//   goro/runtime.h  go(), runtime::GOMAXPROCS/Gosched/NumGoroutine/NumCPU
//   goro/chan.h     chan<T>, send_chan<T>, recv_chan<T>, make_chan, close/len/cap
//   goro/select.h   select, case_recv/case_send/case_default, select_dynamic
//   goro/sync.h     sync::WaitGroup, Mutex, RWMutex, Once, OnceFunc, OnceValue(s),
//                   Cond, Barrier (goro/sync/*.h, one header per concept)
//   goro/atomic.h   atomic::Int32, Int64, Uint32, Uint64, Uintptr, Bool, Pointer<T>, Value
//   goro/time.h     time::Duration, Time, Now, Sleep, After, Tick, NewTimer,
//                   NewTicker, AfterFunc, ParseDuration
//   goro/context.h  context::Background, WithCancel, WithTimeout, WithDeadline,
//                   WithValue, WithCancelCause, Cause, AfterFunc, WithoutCancel
//   goro/errgroup.h   errgroup::Group, WithContext (golang.org/x/sync/errgroup)
//   goro/semaphore.h  semaphore::Weighted, NewWeighted (golang.org/x/sync/semaphore)
//   goro/rate.h       rate::Limiter, NewLimiter, Every, Inf, Reservation, Sometimes
//                     (golang.org/x/time/rate)
//   goro/gobreaker.h  gobreaker::CircuitBreaker<T>, TwoStepCircuitBreaker<T>,
//                     Settings (sony/gobreaker v2)
//   goro/lockfree.h   lockfree::Queue<T>, Stack<T>, RCU<T>: mutex-free structures
//   goro/panic.h    goro::Panic (Go's panic, with Go's messages)
#ifndef GORO_GORO_H_
#define GORO_GORO_H_

#include "goro/atomic.h"
#include "goro/chan.h"
#include "goro/context.h"
#include "goro/errgroup.h"
#include "goro/gobreaker.h"
#include "goro/lockfree.h"
#include "goro/panic.h"
#include "goro/rate.h"
#include "goro/runtime.h"
#include "goro/select.h"
#include "goro/semaphore.h"
#include "goro/sync.h"
#include "goro/time.h"

#endif  // GORO_GORO_H_
