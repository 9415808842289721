package lint

import (
	"fmt"
	"strings"
)

// Suggest is a hint naming the closest allowed word, or listing them.
func Suggest(got string, allowed []string, what string) string {
	if h := didYouMean(got, allowed); h != "" {
		return h
	}
	return what + ": " + strings.Join(allowed, ", ")
}

// didYouMean names the allowed word closest to got, when one is close ("" otherwise).
func didYouMean(got string, allowed []string) string {
	best, bestD := "", 1<<30
	for _, a := range allowed {
		d := distance(strings.ToLower(got), strings.ToLower(a))
		if d < bestD {
			best, bestD = a, d
		}
	}
	if best != "" && (bestD <= 2 || bestD <= len(got)/3) {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return ""
}

// distance is the Levenshtein edit distance.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
