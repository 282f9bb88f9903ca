package lint_test

import (
	"testing"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

func BenchmarkCheckBundled(b *testing.B) {
	for b.Loop() {
		if _, err := screen.Check(bundled.Definitions()); err != nil {
			b.Fatal(err)
		}
	}
}
