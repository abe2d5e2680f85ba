// goro/sync.h: Go's sync package, one header per concept under goro/sync/.
//
//   goro/sync/barrier.h    sync::Barrier
//   goro/sync/cond.h       sync::Cond, sync::NewCond
//   goro/sync/mutex.h      sync::Mutex, sync::Locker
//   goro/sync/once.h       sync::Once, sync::OnceFunc, sync::OnceValue, sync::OnceValues
//   goro/sync/rwmutex.h    sync::RWMutex
//   goro/sync/waitgroup.h  sync::WaitGroup
#ifndef GORO_SYNC_H_
#define GORO_SYNC_H_

#include "goro/sync/barrier.h"
#include "goro/sync/cond.h"
#include "goro/sync/mutex.h"
#include "goro/sync/once.h"
#include "goro/sync/rwmutex.h"
#include "goro/sync/waitgroup.h"

#endif  // GORO_SYNC_H_
