package respfile_test

import (
	"fmt"
	"strings"

	"github.com/painscreen/painscreen/screen/respfile"
)

// A decoder reads one record at a time; a bad record is an error of that record, and decoding goes on.
func ExampleNewDecoder() {
	in := strings.NewReader(`{"subject":"pt-1","answers":{"sisq_drug":{"times":2}}}
{"subject":"pt-2","answers":{"sisq_drug":{"times":1.5}}}
`)
	dec := respfile.NewDecoder(in, respfile.FormatJSONL, respfile.DefaultLimits())
	for {
		rec, err := dec.Next()
		if err != nil {
			break // io.EOF, or a problem that ends the input
		}
		if rec.Err != nil {
			fmt.Println(rec.N, rec.Err.Code)
			continue
		}
		fmt.Println(rec.N, rec.Response.Subject, rec.Response.Answers["sisq_drug"]["times"])
	}
	// Output:
	// 1 pt-1 2
	// 2 not_integer
}
