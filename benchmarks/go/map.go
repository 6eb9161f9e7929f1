package main

import "fmt"

// build a 1,000,000-entry map (int64 -> int64), then fold over its values
func main() {
	m := map[int64]int64{}
	for i := int64(0); i < 1000000; i++ {
		m[i*7919%1000003] = i * 3
	}
	total := int64(0)
	for _, v := range m {
		total += v
	}
	fmt.Println(len(m), total, m[7919])
}
