package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress prints "\r… records written" on stderr once a second, only when stderr is a terminal and the
// run has lasted more than two seconds; it shows counts only.
type progress struct {
	stopc   chan struct{}
	done    chan struct{}
	printed bool
}

func startProgress(stderr io.Writer, written func() int64) *progress {
	p := &progress{}
	f, ok := stderr.(*os.File)
	if !ok || !isTerminal(f) {
		return p
	}
	p.stopc, p.done = make(chan struct{}), make(chan struct{})
	start := time.Now()
	go func() {
		defer close(p.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-p.stopc:
				if p.printed {
					fmt.Fprint(f, "\r\033[K")
				}
				return
			case now := <-t.C:
				el := now.Sub(start)
				if el < 2*time.Second {
					continue
				}
				n := written()
				fmt.Fprintf(f, "\rpainscreen: %d records written (%.0f/s)\033[K", n, float64(n)/el.Seconds())
				p.printed = true
			}
		}
	}()
	return p
}

func (p *progress) stop() {
	if p.stopc == nil {
		return
	}
	close(p.stopc)
	<-p.done
}
