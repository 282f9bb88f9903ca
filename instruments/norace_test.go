//go:build !race

package instruments_test

// raceEnabled reduces the exhaustive sweeps to deterministic samples under the race detector, which slows
// scoring several-fold; the full sweeps run in ordinary `go test`.
const raceEnabled = false
