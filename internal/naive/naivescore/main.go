// Command naivescore runs the hand-written yardstick scorer (package naive) over JSON Lines: stdin or
// the files named, one result line per record on stdout; the count goes to stderr. scripts/bench-batch.sh
// times it beside `painscreen score`.
//
//	go run ./internal/naive/naivescore batch.jsonl > /dev/null
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/painscreen/painscreen/internal/naive"
)

func main() {
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	var ins []io.Reader
	for _, name := range os.Args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "naivescore:", err)
			os.Exit(1)
		}
		defer f.Close()
		ins = append(ins, f)
	}
	if len(ins) == 0 {
		ins = append(ins, os.Stdin)
	}
	n, err := naive.Run(bufio.NewReaderSize(io.MultiReader(ins...), 1<<16), out)
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	fmt.Fprintf(os.Stderr, "naivescore: %d records\n", n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "naivescore:", err)
		os.Exit(1)
	}
}
