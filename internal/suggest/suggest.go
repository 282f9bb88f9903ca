// Package suggest finds the name a mistyped one was probably meant to be, for "did you mean" messages:
// one edit-distance function and the two policies painscreen uses.
package suggest

import "strings"

// Closest returns the candidate nearest to s, compared case-insensitively, within an edit distance of a
// third of s's length (at least 1), or "" when none is that near. It suits names people type (flags,
// CSV column headers): "phq9.q77" → "phq9.q7", "Subject ID" → "subject_id".
func Closest(s string, candidates []string) string {
	best, bestD := "", 0
	limit := max(1, len(s)/3)
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := Distance(ls, strings.ToLower(c))
		if d <= limit && (best == "" || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// Near returns the candidate within an edit distance of 2 of s (case-sensitive; the first of the
// nearest), or "". It suits identifiers in definitions and suites (keys, ids), where case matters.
func Near(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := Distance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// maxLen bounds the strings Distance compares: longer ones are not names anyone mistyped, and the
// quadratic table must stay small whatever the input.
const maxLen = 256

// Distance is the Levenshtein distance of a and b, in bytes. Strings longer than 256 bytes are not
// compared: their distance is reported as the longer length.
func Distance(a, b string) int {
	if len(a) > maxLen || len(b) > maxLen {
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
