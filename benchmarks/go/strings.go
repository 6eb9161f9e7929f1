package main

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

func main() {
	parts := make([]string, 0, 200000)
	for i := 199999; i >= 0; i-- {
		parts = append(parts, fmt.Sprintf("item-%d:", i)+fmt.Sprintf("%d", i*2))
	}
	s := strings.Join(parts, ",")
	fmt.Println(utf8.RuneCountInString(s))
}
