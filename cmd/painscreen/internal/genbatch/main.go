// Command genbatch writes synthetic full-battery response sets as JSON Lines, for benchmarks:
//
//	go run ./cmd/painscreen/internal/genbatch -n 1000000 -seed 1 > /tmp/batch.jsonl
//	go run ./cmd/painscreen/internal/genbatch -visits 3 -n 200000 > /tmp/cohort.jsonl   # n subjects, dated visits
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/painscreen/painscreen/cmd/painscreen/internal/gen"
)

func main() {
	n := flag.Int("n", 1000, "number of records")
	seed := flag.Uint64("seed", 1, "random seed (the same seed gives the same file)")
	out := flag.String("o", "", "output file (default stdout)")
	missing := flag.Int("missing", 0, "percentage of records that leave some answers blank")
	visits := flag.Int("visits", 0, "write a cohort for score --follow-up: n subjects with this many dated visits each, grouped")
	flag.Parse()
	w := os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "genbatch:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	write := func() error { return gen.Write(w, *n, *seed, *missing) }
	if *visits > 0 {
		write = func() error { return gen.WriteCohort(w, *n, *visits, *seed, *missing) }
	}
	if err := write(); err != nil {
		fmt.Fprintln(os.Stderr, "genbatch:", err)
		os.Exit(1)
	}
}
