// N goroutines (default 1,000,000) are started and wait for one message each (a
// one-slot channel is the mailbox); then each gets one and answers it; main sums them.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	n := 1000000
	if s := os.Getenv("N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	boss := make(chan int, 1024)
	ws := make([]chan int, n)
	for i := range ws {
		c := make(chan int, 1)
		ws[i] = c
		go func() { boss <- <-c }()
	}
	for i, c := range ws {
		c <- i + 1
	}
	sum := 0
	for i := 0; i < n; i++ {
		sum += <-boss
	}
	fmt.Printf("answered, sum %d\n", sum)
}
