// Command coldstart times a command's whole life — process start, package init, engine construction, the
// work, exit — over many runs, as a cold start is felt: wall time and CPU time (user + system, from the
// kernel's accounting, which a busy machine inflates much less than wall time), min and median. With
// -vs, a second command runs alternately with the first, so both see the same machine.
//
//	go build -o /tmp/painscreen ./cmd/painscreen
//	go run ./cmd/painscreen/internal/genbatch -n 1 > /tmp/one.jsonl
//	go run ./scripts/coldstart -n 50 -- /tmp/painscreen score --format json /tmp/one.jsonl
//	go run ./scripts/coldstart -n 50 -vs /tmp/painscreen-old -- /tmp/painscreen score --format json /tmp/one.jsonl
//
// Pin it for numbers worth comparing: taskset -c 1 go run ./scripts/coldstart ... (the child processes
// inherit the CPU). Output, stdout and stderr of the command are discarded; a run that fails stops it.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"time"
)

func main() {
	n := flag.Int("n", 50, "runs of each command")
	vs := flag.String("vs", "", "also run this `binary` with the same arguments, alternating with the first")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: coldstart [-n RUNS] [-vs OTHER_BINARY] -- COMMAND [ARGS...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 || *n < 1 {
		flag.Usage()
		os.Exit(2)
	}
	bins := []string{args[0]}
	if *vs != "" {
		bins = append(bins, *vs)
	}
	wall := make([][]time.Duration, len(bins))
	cpu := make([][]time.Duration, len(bins))
	for range *n {
		for k, bin := range bins {
			cmd := exec.Command(bin, args[1:]...)
			start := time.Now()
			if err := cmd.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "coldstart: %s: %v\n", bin, err)
				os.Exit(1)
			}
			wall[k] = append(wall[k], time.Since(start))
			cpu[k] = append(cpu[k], cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
		}
	}
	for k, bin := range bins {
		fmt.Printf("%s: %d runs  wall min %s median %s  cpu min %s median %s\n", bin, *n,
			ms(slices.Min(wall[k])), ms(median(wall[k])), ms(slices.Min(cpu[k])), ms(median(cpu[k])))
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
