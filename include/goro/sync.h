// goro/sync.h: Go's sync package, one header per concept under goro/sync/.
//
//   goro/sync/waitgroup.h  sync::WaitGroup
#ifndef GORO_SYNC_H_
#define GORO_SYNC_H_

#include "goro/sync/waitgroup.h"

#endif  // GORO_SYNC_H_
