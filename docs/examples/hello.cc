#include <goro/goro.h>
#include <cstdio>

int main() {
  auto results = goro::make_chan<int>();              // results := make(chan int)
  for (int i = 1; i <= 3; i++)                        // for i := 1; i <= 3; i++ {
    goro::go([results, i] { results.send(i * i); });  //   go func() { results <- i * i }() }
  int sum = 0;                                        // sum := 0
  for (int i = 0; i < 3; i++) sum += results.recv();  // for i := 0; i < 3; i++ { sum += <-results }
  std::printf("sum of squares: %d\n", sum);           // fmt.Println("sum of squares:", sum)
}
