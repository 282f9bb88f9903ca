//go:build race

package server

// raceEnabled is set when the race detector runs: it changes inlining and escape analysis, so allocation
// bounds measured on a normal build get a margin.
const raceEnabled = true
