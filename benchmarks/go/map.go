package main

import "fmt"

func main() {
	m := map[int64]int64{}
	for i := int64(0); i < 2000; i++ {
		m[i] = i * 3
	}
	total := int64(0)
	for _, v := range m {
		total += v
	}
	fmt.Println(len(m), total)
}
