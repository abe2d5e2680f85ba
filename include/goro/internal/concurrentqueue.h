// goro/internal/concurrentqueue.h: one include for moodycamel's
// ConcurrentQueue, whatever layout provides it (used by the scheduler and by
// goro/lockfree/queue.h; consumers get the include path through goro's
// dependency):
//   Debian (libconcurrentqueue-dev)   <concurrentqueue/concurrentqueue.h>
//   WrapDB (concurrentqueue wrap)     <concurrentqueue.h>
//   upstream CMake install            <concurrentqueue/moodycamel/concurrentqueue.h>
#ifndef GORO_INTERNAL_CONCURRENTQUEUE_H_
#define GORO_INTERNAL_CONCURRENTQUEUE_H_

#if __has_include(<concurrentqueue/moodycamel/concurrentqueue.h>)
#include <concurrentqueue/moodycamel/concurrentqueue.h>
#elif __has_include(<concurrentqueue/concurrentqueue.h>)
#include <concurrentqueue/concurrentqueue.h>
#elif __has_include(<moodycamel/concurrentqueue.h>)
#include <moodycamel/concurrentqueue.h>
#elif __has_include(<concurrentqueue.h>)
#include <concurrentqueue.h>
#else
#error "goro needs moodycamel ConcurrentQueue (Debian: libconcurrentqueue-dev)"
#endif

#endif  // GORO_INTERNAL_CONCURRENTQUEUE_H_
