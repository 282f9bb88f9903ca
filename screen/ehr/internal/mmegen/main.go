// Command mmegen writes package ehr's embedded table (table.tsv) from the sources in
// screen/ehr/internal/gen/source. It is run by go generate in screen/ehr:
//
//	go generate ./screen/ehr
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/painscreen/painscreen/screen/ehr/internal/gen"
)

func main() {
	src := flag.String("src", "internal/gen/source", "directory of the source files")
	out := flag.String("out", "table.tsv", "file to write")
	flag.Parse()
	b, err := gen.Build(os.DirFS(*src))
	if err != nil {
		fmt.Fprintln(os.Stderr, "mmegen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "mmegen:", err)
		os.Exit(1)
	}
}
