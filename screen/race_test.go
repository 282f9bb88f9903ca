//go:build race

package screen

// raceEnabled is set when the race detector runs: the slowest differential tests then run fewer cases.
const raceEnabled = true
