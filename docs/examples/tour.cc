// goro-tour: a guided tour of goro, Go's concurrency in C++.
//
//   goro-tour           runs every section in order
//   goro-tour --list    lists the sections
//   goro-tour N         runs section N only
//
// Each goro line carries the Go line it stands for in a comment, so the tour
// reads as a Go program written in C++. The examples follow the Go Tour, Go by
// Example and the Go blog's "Pipelines and cancellation".
//
// The output is the same on every run and for every GOMAXPROCS: goroutines
// never print while another goroutine may print, and values whose arrival order
// depends on scheduling are sorted before they are shown. meson test checks the
// output against docs/examples/tour.expected.
#include <goro/goro.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

// PrintInts prints "label: [a b c]", as Go's fmt.Println("label:", v) does.
void PrintInts(const char* label, const std::vector<int>& v) {
  std::printf("%s: [", label);
  for (std::size_t i = 0; i < v.size(); i++) std::printf(i ? " %d" : "%d", v[i]);
  std::printf("]\n");
}

// ---------------------------------------------------------------------------
// 1. Goroutines and sync.WaitGroup
// ---------------------------------------------------------------------------

void Goroutines() {
  // go f(x) starts f(x) as a goroutine; a WaitGroup waits for a set of them.
  // Each goroutine writes only its own element, so no lock is needed, and
  // wg.Wait() makes all their writes visible to main.
  std::vector<int> squares(5);                  // squares := make([]int, 5)
  goro::sync::WaitGroup wg;                     // var wg sync.WaitGroup
  for (int i = 0; i < 5; i++) {                 // for i := 0; i < 5; i++ {
    wg.Add(1);                                  //     wg.Add(1)
    goro::go([&](int n) {                       //     go func(n int) {
      squares[n] = n * n;                       //         squares[n] = n * n
      wg.Done();                                //         wg.Done()
    }, i);                                      //     }(i)
  }                                             // }
  wg.Wait();                                    // wg.Wait()
  PrintInts("squares", squares);                // fmt.Println("squares:", squares)

  // wg.Go(f) is Add(1) + go f() + Done() in one call (Go 1.25).
  std::atomic<int> total{0};                    // var total atomic.Int64
  for (int i = 1; i <= 100; i++) {              // for i := 1; i <= 100; i++ {
    wg.Go([&total, i] { total += i; });         //     wg.Go(func() { total.Add(int64(i)) })
  }                                             // }
  wg.Wait();                                    // wg.Wait()
  std::printf("1 + 2 + ... + 100 = %d\n", total.load());  // fmt.Println("1 + 2 + ... + 100 =", total.Load())
}

// ---------------------------------------------------------------------------
// 2. Unbuffered channels: a hand-off
// ---------------------------------------------------------------------------

void UnbufferedHandOff() {
  // An unbuffered send waits for the receiver: the two goroutines meet.
  auto ping = goro::make_chan<std::string>();   // ping := make(chan string)
  auto pong = goro::make_chan<std::string>();   // pong := make(chan string)
  goro::go([ping, pong] {                       // go func() {
    for (int i = 0; i < 3; i++) {               //     for i := 0; i < 3; i++ {
      std::string msg = ping.recv();            //         msg := <-ping
      pong.send(msg + " -> pong");              //         pong <- msg + " -> pong"
    }                                           //     }
  });                                           // }()
  for (int i = 1; i <= 3; i++) {                // for i := 1; i <= 3; i++ {
    ping.send("ping " + std::to_string(i));     //     ping <- fmt.Sprint("ping ", i)
    std::printf("%s\n", pong.recv().c_str());   //     fmt.Println(<-pong)
  }                                             // }

  // A send happens before the matching receive completes (Go's memory model),
  // so what the goroutine wrote before sending is visible after <-done.
  // chan<goro::Empty> is Go's chan struct{}: a signal that carries no value.
  std::string msg;                              // var msg string
  auto done = goro::make_chan<goro::Empty>();   // done := make(chan struct{})
  goro::go([&msg, done] {                       // go func() {
    msg = "hello, world";                       //     msg = "hello, world"
    done.send(goro::Empty{});                   //     done <- struct{}{}
  });                                           // }()
  done.recv();                                  // <-done
  std::printf("%s\n", msg.c_str());             // fmt.Println(msg)
}

// ---------------------------------------------------------------------------
// 3. Buffered channels, close and range
// ---------------------------------------------------------------------------

// fibonacci sends n Fibonacci numbers on c and closes it. c is send-only:
// a receive or a range over c would not compile.
void fibonacci(int n, goro::send_chan<int> c) { // func fibonacci(n int, c chan<- int) {
  int x = 0, y = 1;                             //     x, y := 0, 1
  for (int i = 0; i < n; i++) {                 //     for i := 0; i < n; i++ {
    c.send(x);                                  //         c <- x
    int next = x + y;                           //         x, y = y, x+y
    x = y;
    y = next;
  }                                             //     }
  goro::close(c);                               //     close(c)
}                                               // }

void BufferedRangeClose() {
  // A buffered channel holds up to cap values: sends do not wait for a receiver
  // until the buffer is full.
  auto queue = goro::make_chan<std::string>(2); // queue := make(chan string, 2)
  queue.send("one");                            // queue <- "one"
  queue.send("two");                            // queue <- "two"
  std::printf("len=%d cap=%d\n",                // fmt.Printf("len=%d cap=%d\n",
              goro::len(queue), goro::cap(queue));  //     len(queue), cap(queue))

  // close keeps the buffered values; range receives them, then stops.
  goro::close(queue);                           // close(queue)
  for (const std::string& s : queue) {          // for s := range queue {
    std::printf("got %s\n", s.c_str());         //     fmt.Println("got", s)
  }                                             // }
  auto [v, ok] = queue.recv_ok();               // v, ok := <-queue
  std::printf("after close: v=\"%s\" ok=%s\n",  // fmt.Printf("after close: v=%q ok=%v\n", v, ok)
              v.c_str(), ok ? "true" : "false");

  // The sender closes when it is done; the receiver ranges until then.
  auto c = goro::make_chan<int>(10);            // c := make(chan int, 10)
  goro::go(fibonacci, goro::cap(c), c);         // go fibonacci(cap(c), c)
  std::vector<int> nums;                        // var nums []int
  for (int n : c) nums.push_back(n);            // for n := range c { nums = append(nums, n) }
  PrintInts("fibonacci", nums);                 // fmt.Println("fibonacci:", nums)
}

// ---------------------------------------------------------------------------
// 4. select
// ---------------------------------------------------------------------------

// fib sends Fibonacci numbers on c until quit has a value (the Go Tour's
// select example).
void fib(goro::chan<int> c, goro::chan<int> quit) {  // func fib(c, quit chan int) {
  int x = 0, y = 1;                             //     x, y := 0, 1
  for (;;) {                                    //     for {
    int chosen = goro::select(                  //         select {
        goro::case_send(c, x, [&] {             //         case c <- x:
          int next = x + y;                     //             x, y = y, x+y
          x = y;
          y = next;
        }),
        goro::case_recv(quit, [] {              //         case <-quit:
          std::printf("quit\n");                //             fmt.Println("quit")
        }));                                    //             return
    if (chosen == 1) return;                    //         }
  }                                             //     }
}                                               // }

void Select() {
  // default runs when no other case is ready: a non-blocking receive.
  auto messages = goro::make_chan<std::string>(1);  // messages := make(chan string, 1)
  for (int round = 0; round < 2; round++) {     // for round := 0; round < 2; round++ {
    goro::select(                               // select {
        goro::case_recv(messages, [](std::string m) {  // case m := <-messages:
          std::printf("received %s\n", m.c_str());  //     fmt.Println("received", m)
        }),
        goro::case_default([] {                 // default:
          std::printf("no message received\n"); //     fmt.Println("no message received")
        }));                                    // }
    if (round == 0) messages.send("hi");        // if round == 0 { messages <- "hi" }
  }                                             // }

  // select waits on several channels at once.
  auto c = goro::make_chan<int>();              // c := make(chan int)
  auto quit = goro::make_chan<int>();           // quit := make(chan int)
  goro::go([c, quit] {                          // go func() {
    std::vector<int> got;                       //     var got []int
    for (int i = 0; i < 10; i++) {              //     for i := 0; i < 10; i++ {
      got.push_back(c.recv());                  //         got = append(got, <-c)
    }                                           //     }
    PrintInts("fib", got);                      //     fmt.Println("fib:", got)
    quit.send(0);                               //     quit <- 0
  });                                           // }()
  fib(c, quit);                                 // fib(c, quit)

  // Giving up on a slow operation: another goroutine closes `deadline`
  // (time.After in a real program); a closed channel is always ready.
  // `result` has room for one value, so the slow goroutine can still send its
  // late answer and exit instead of blocking forever.
  auto result = goro::make_chan<std::string>(1);  // result := make(chan string, 1)
  auto slow = goro::make_chan<goro::Empty>();   // slow := make(chan struct{})
  goro::go([slow, result] {                     // go func() {
    slow.recv();                                //     <-slow  // a slow call
    result.send("42");                          //     result <- "42"
  });                                           // }()
  auto deadline = goro::make_chan<goro::Empty>();   // deadline := make(chan struct{})
  goro::go([deadline] { goro::close(deadline); });  // go func() { close(deadline) }()
  goro::select(                                 // select {
      goro::case_recv(result, [](std::string r) {   // case r := <-result:
        std::printf("result: %s\n", r.c_str()); //     fmt.Println("result:", r)
      }),
      goro::case_recv(deadline, [] {            // case <-deadline:
        std::printf("gave up waiting for the result\n");  // fmt.Println("gave up waiting for the result")
      }));                                      // }
  goro::close(slow);                            // close(slow)
  std::printf("late result: %s\n", result.recv().c_str());  // fmt.Println("late result:", <-result)
}

// ---------------------------------------------------------------------------
// 5. A worker pool
// ---------------------------------------------------------------------------

// worker takes jobs until `jobs` is closed and sends each result.
void worker(goro::recv_chan<int> jobs,          // func worker(jobs <-chan int,
            goro::send_chan<int> results) {     //     results chan<- int) {
  for (int j : jobs) {                          //     for j := range jobs {
    results.send(j * 10);                       //         results <- j * 10
  }                                             //     }
}                                               // }

void WorkerPool() {
  const int kJobs = 9;
  auto jobs = goro::make_chan<int>(kJobs);      // jobs := make(chan int, numJobs)
  auto results = goro::make_chan<int>(kJobs);   // results := make(chan int, numJobs)

  goro::sync::WaitGroup wg;                     // var wg sync.WaitGroup
  for (int w = 1; w <= 3; w++) {                // for w := 1; w <= 3; w++ {
    wg.Go([jobs, results] {                     //     wg.Go(func() {
      worker(jobs, results);                    //         worker(jobs, results)
    });                                         //     })
  }                                             // }
  for (int j = 1; j <= kJobs; j++) {            // for j := 1; j <= numJobs; j++ {
    jobs.send(j);                               //     jobs <- j
  }                                             // }
  goro::close(jobs);                            // close(jobs)

  // Close results once every worker has returned, so the range below ends.
  goro::go([&wg, results] {                     // go func() {
    wg.Wait();                                  //     wg.Wait()
    goro::close(results);                       //     close(results)
  });                                           // }()

  // Which worker finishes first varies from run to run: sort the results.
  std::vector<int> all;                         // var all []int
  for (int r : results) all.push_back(r);       // for r := range results { all = append(all, r) }
  std::sort(all.begin(), all.end());            // sort.Ints(all)
  PrintInts("results", all);                    // fmt.Println("results:", all)
}

// ---------------------------------------------------------------------------
// 6. Pipelines
// ---------------------------------------------------------------------------

// gen sends nums on a new channel and closes it. Returning recv_chan<int> is
// Go's `<-chan int`: callers can only receive.
goro::recv_chan<int> gen(std::vector<int> nums) {  // func gen(nums ...int) <-chan int {
  auto out = goro::make_chan<int>();            //     out := make(chan int)
  goro::go([out, nums] {                        //     go func() {
    for (int n : nums) out.send(n);             //         for _, n := range nums { out <- n }
    goro::close(out);                           //         close(out)
  });                                           //     }()
  return out;                                   //     return out
}                                               // }

// sq squares what it receives.
goro::recv_chan<int> sq(goro::recv_chan<int> in) {  // func sq(in <-chan int) <-chan int {
  auto out = goro::make_chan<int>();            //     out := make(chan int)
  goro::go([in, out] {                          //     go func() {
    for (int n : in) out.send(n * n);           //         for n := range in { out <- n * n }
    goro::close(out);                           //         close(out)
  });                                           //     }()
  return out;                                   //     return out
}                                               // }

// merge fans in: it forwards every value of every input to one channel and
// closes it when all inputs are closed. Go's wg escapes to the heap by itself;
// in C++ the goroutines that outlive merge share ownership of it.
goro::recv_chan<int> merge(std::vector<goro::recv_chan<int>> cs) {  // func merge(cs ...<-chan int) <-chan int {
  auto wg = std::make_shared<goro::sync::WaitGroup>();  // var wg sync.WaitGroup
  auto out = goro::make_chan<int>();            //     out := make(chan int)
  wg->Add(static_cast<int>(cs.size()));         //     wg.Add(len(cs))
  for (auto c : cs) {                           //     for _, c := range cs {
    goro::go([wg, c, out] {                     //         go func() {
      for (int n : c) out.send(n);              //             for n := range c { out <- n }
      wg->Done();                               //             wg.Done()
    });                                         //         }()
  }                                             //     }
  goro::go([wg, out] {                          //     go func() {
    wg->Wait();                                 //         wg.Wait()
    goro::close(out);                           //         close(out)
  });                                           //     }()
  return out;                                   //     return out
}                                               // }

void Pipelines() {
  // Stages connected by channels; each stage is a goroutine.
  std::vector<int> fourth;                      // var fourth []int
  for (int n : sq(sq(gen({1, 2, 3})))) {        // for n := range sq(sq(gen(1, 2, 3))) {
    fourth.push_back(n);                        //     fourth = append(fourth, n)
  }                                             // }
  PrintInts("n^4", fourth);                     // fmt.Println("n^4:", fourth)

  // Fan out to two squarers reading one input, fan back in with merge.
  auto in = gen({1, 2, 3, 4, 5, 6});            // in := gen(1, 2, 3, 4, 5, 6)
  auto c1 = sq(in);                             // c1 := sq(in)
  auto c2 = sq(in);                             // c2 := sq(in)
  std::vector<int> squares;                     // var squares []int
  for (int n : merge({c1, c2})) {               // for n := range merge(c1, c2) {
    squares.push_back(n);                       //     squares = append(squares, n)
  }                                             // }
  std::sort(squares.begin(), squares.end());    // sort.Ints(squares)
  PrintInts("fan-in squares", squares);         // fmt.Println("fan-in squares:", squares)

  // Stopping early: a stage blocked on a send that nobody will receive would
  // leak. Closing `done` tells it to stop: a closed channel is always ready.
  auto done = goro::make_chan<goro::Empty>();   // done := make(chan struct{})
  auto numbers = goro::make_chan<int>();        // numbers := make(chan int)
  goro::sync::WaitGroup wg;                     // var wg sync.WaitGroup
  wg.Go([done, numbers] {                       // wg.Go(func() {
    for (int n = 1;; n++) {                     //     for n := 1; ; n++ {
      int chosen = goro::select(                //         select {
          goro::case_send(numbers, n),          //         case numbers <- n:
          goro::case_recv(done));               //         case <-done: return
      if (chosen == 1) return;                  //         }
    }                                           //     }
  });                                           // })
  int a = numbers.recv();                       // a := <-numbers
  int b = numbers.recv();                       // b := <-numbers
  int c = numbers.recv();                       // c := <-numbers
  goro::close(done);                            // close(done)
  wg.Wait();                                    // wg.Wait()
  std::printf("first three: %d %d %d, then the counter stopped\n", a, b, c);
  // fmt.Printf("first three: %d %d %d, then the counter stopped\n", a, b, c)
}

// ---------------------------------------------------------------------------
// 7. Panics
// ---------------------------------------------------------------------------

void Panics() {
  // Where Go panics, goro throws goro::Panic with Go's message. Catching it is
  // Go's recover(). One that escapes a goroutine ends the process, as in Go:
  // "panic: <message>" on stderr and exit status 2.
  auto try_it = [](const char* what, auto f) {  // defer func() {
    try {
      f();
      std::printf("%-22s no panic\n", what);
    } catch (const goro::Panic& p) {            //     if r := recover(); r != nil {
      std::printf("%-22s panic: %s\n", what, p.what());  // fmt.Println("panic:", r)
    }                                           //     }
  };                                            // }()

  auto c = goro::make_chan<int>(1);             // c := make(chan int, 1)
  goro::close(c);                               // close(c)
  try_it("c <- 1", [&] { c.send(1); });         // c <- 1
  try_it("close(c)", [&] { goro::close(c); });  // close(c)
  goro::chan<int> nil_chan;                     // var nilChan chan int
  try_it("close(nilChan)", [&] { goro::close(nil_chan); });  // close(nilChan)
  try_it("make(chan int, -1)", [] { goro::make_chan<int>(-1); });  // make(chan int, n) with n = -1
  goro::sync::WaitGroup wg;                     // var wg sync.WaitGroup
  try_it("wg.Done()", [&] { wg.Done(); });      // wg.Done()
}

// ---------------------------------------------------------------------------

struct Section {
  const char* title;
  void (*run)();
};

const Section kSections[] = {
    {"Goroutines and sync.WaitGroup", Goroutines},
    {"Unbuffered channels: a hand-off", UnbufferedHandOff},
    {"Buffered channels, close and range", BufferedRangeClose},
    {"select", Select},
    {"A worker pool", WorkerPool},
    {"Pipelines", Pipelines},
    {"Panics", Panics},
};
constexpr int kNumSections = static_cast<int>(sizeof(kSections) / sizeof(kSections[0]));

void RunSection(int i) {
  std::printf("== %d. %s ==\n", i + 1, kSections[i].title);
  kSections[i].run();
  std::fflush(stdout);
}

int Usage(const char* argv0, std::FILE* out, int status) {
  std::fprintf(out, "usage: %s [--list | N]   (N from 1 to %d; no argument runs all)\n",
               argv0, kNumSections);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 1) {
    for (int i = 0; i < kNumSections; i++) {
      if (i > 0) std::printf("\n");
      RunSection(i);
    }
    return 0;
  }
  if (argc != 2) return Usage(argv[0], stderr, 2);
  if (std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
    return Usage(argv[0], stdout, 0);
  }
  if (std::strcmp(argv[1], "--list") == 0) {
    for (int i = 0; i < kNumSections; i++) {
      std::printf("%d. %s\n", i + 1, kSections[i].title);
    }
    return 0;
  }
  char* end = nullptr;
  long n = std::strtol(argv[1], &end, 10);
  if (end == argv[1] || *end != '\0' || n < 1 || n > kNumSections) {
    return Usage(argv[0], stderr, 2);
  }
  RunSection(static_cast<int>(n - 1));
  return 0;
}
