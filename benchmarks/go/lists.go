package main

import "fmt"

// build a 1,000,000-element slice, map it twice, filter it, fold it
func main() {
	xs := make([]int64, 0, 1000000)
	for i := int64(1); i <= 1000000; i++ {
		xs = append(xs, i)
	}
	ys := make([]int64, 0, len(xs))
	for _, x := range xs {
		ys = append(ys, x*2)
	}
	zs := make([]int64, 0, len(ys))
	for _, x := range ys {
		zs = append(zs, x+1)
	}
	ws := []int64{}
	for _, x := range zs {
		if x%3 == 0 {
			ws = append(ws, x)
		}
	}
	total := int64(0)
	for _, x := range ws {
		total += x
	}
	fmt.Println(len(ws), total)
}
