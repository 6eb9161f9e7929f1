package main

import (
	"fmt"
	"sort"
)

func main() {
	seed := int64(42)
	xs := make([]int64, 0, 1000000)
	for i := 0; i < 1000000; i++ {
		seed = (seed*1103515245 + 12345) % 2147483648
		xs = append(xs, seed)
	}
	sort.Slice(xs, func(a, b int) bool { return xs[a] < xs[b] })
	fmt.Println(xs[0], xs[len(xs)-1])
}
