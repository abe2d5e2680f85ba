// goro/lockfree.h: mutex-free data structures (no Go package: Go's answers are
// channels and sync/atomic; these are for the hot paths where a lock is the
// bottleneck). One header per structure under goro/lockfree/:
//
//   goro/lockfree/queue.h  lockfree::Queue<T>  MPMC queue (moodycamel), FIFO per producer
//   goro/lockfree/stack.h  lockfree::Stack<T>  Treiber stack, hazard-pointer reclamation
//   goro/lockfree/rcu.h    lockfree::RCU<T>    read-copy-update cell with snapshots
//
// When each wins and when a goro::sync::Mutex does better: docs/lockfree.md.
#ifndef GORO_LOCKFREE_H_
#define GORO_LOCKFREE_H_

#include "goro/lockfree/queue.h"
#include "goro/lockfree/rcu.h"
#include "goro/lockfree/stack.h"

#endif  // GORO_LOCKFREE_H_
