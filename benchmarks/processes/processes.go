// The process benchmarks of benchmarks/processes.py, in Go: goroutines and channels.
// BENCH=pingpong|calls|ring|fanout.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
)

func env(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

type call struct {
	reply chan int
}

func counter(calls chan call) {
	n := 0
	for c := range calls {
		n++
		c.reply <- n
	}
}

func doCalls(calls chan call, k int) int {
	last := 0
	reply := make(chan int)
	for ; k > 0; k-- {
		calls <- call{reply}
		last = <-reply
	}
	return last
}

func main() {
	switch os.Getenv("BENCH") {
	case "pingpong":
		n := env("N", 1000000)
		ping, pong := make(chan int), make(chan int)
		go func() {
			for m := range ping {
				pong <- m
			}
		}()
		for k := n; k > 0; k-- {
			ping <- k
			<-pong
		}
		fmt.Println("pingpong done")
	case "calls":
		n, callers := env("N", 100000), env("CALLERS", 1)
		calls := make(chan call)
		go counter(calls)
		if callers == 1 {
			fmt.Printf("calls done, last %d\n", doCalls(calls, n))
			return
		}
		results := make(chan int)
		for i := 0; i < callers; i++ {
			go func() { results <- doCalls(calls, n/callers) }()
		}
		top := 0
		for i := 0; i < callers; i++ {
			if r := <-results; r > top {
				top = r
			}
		}
		fmt.Printf("calls done, last %d\n", top)
	case "ring":
		procs, hops := env("PROCS", 10000), env("HOPS", 1000000)
		// the main goroutine is one node of the ring: tokens come back on `back`
		back, done := make(chan int), make(chan int, 1)
		next := back
		for i := 0; i < procs-1; i++ {
			in := make(chan int)
			go func(in, out chan int) {
				for m := range in {
					if m == 0 {
						done <- 0
					} else {
						out <- m - 1
					}
				}
			}(in, next)
			next = in
		}
		next <- hops
	loop:
		for {
			select {
			case m := <-back:
				if m == 0 {
					break loop
				}
				next <- m - 1
			case <-done:
				break loop
			}
		}
		fmt.Println("ring done")
	case "fanout":
		n := env("JOBS", 100000)
		results := make([]chan int, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			results[i] = make(chan int, 1)
			wg.Add(1)
			go func(i int) { defer wg.Done(); results[i] <- i * i }(i)
		}
		sum := 0
		for i := 0; i < n; i++ {
			sum += <-results[i]
		}
		fmt.Printf("fanout done, sum %d\n", sum)
	}
}
