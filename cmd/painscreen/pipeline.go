package main

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/painscreen/painscreen/screen/respfile"

	"github.com/painscreen/painscreen/screen"
)

// The batch pipeline of score:
//
//	reader (1 goroutine)  ──work──▶  scorers (jobs goroutines)  ──done──▶  writer (the caller's goroutine)
//	      ▲                                                                   │
//	      └─────────────────────────── free (recycled batches) ◀──────────────┘
//
// The reader decodes records into batches of up to batchSize records; a scorer scores and encodes a whole
// batch into the batch's own output buffer; the writer puts batches back in input order and writes them.
// There are exactly nbatch batches, created once and recycled (records, output buffer, stats), so memory
// is bounded by nbatch batches whatever the size of the input, the reorder window is nbatch batches, and
// the steady state allocates nothing in the pipeline itself. The output of a record depends only on the
// record, so the output is byte-identical whatever the number of scorers.

// batchSize is the most records per batch: large enough to make channel traffic negligible, small enough
// that a batch of full reports stays around a megabyte.
const batchSize = 128

// scorer is the part of *screen.Engine the pipeline uses (tests substitute their own). ScoreTo reuses
// the report it is given, so each scorer goroutine scores every record into the same Report.
type scorer interface {
	ScoreTo(ctx context.Context, r *screen.Response, dst *screen.Report) error
}

type batch struct {
	seq   int
	file  string
	recs  []respfile.Record
	stats []recStat
	out   []byte
	// fatal is set on the last batch of an input that cannot be read further (or holds no record at all);
	// the scorer encodes it as one more error record after recs.
	fatal error
	// fatalN is the record number of that error record: one more than the records read.
	fatalN int
}

// source is one input of score.
type source struct {
	name   string // as shown in error records: the path as given, or "-"
	r      io.Reader
	format respfile.Format
}

// pipeline scores sources one after the other into one output.
type pipeline struct {
	sc     scorer
	enc    *encoder
	jobs   int
	limits respfile.Limits
	out    *output
	free   chan *batch
	nbatch int
	// nread counts the records read (for the summary of an interrupted run).
	nread atomic.Int64
	// scoreCtx is given to Score. It is not cancelled by an interrupt: records already read are scored
	// normally, and the writer decides what is written.
	scoreCtx context.Context
}

func newPipeline(sc scorer, enc *encoder, jobs int, out *output) *pipeline {
	if jobs < 1 {
		jobs = 1
	}
	p := &pipeline{sc: sc, enc: enc, jobs: jobs, limits: respfile.DefaultLimits(), out: out,
		nbatch: 2*jobs + 2, scoreCtx: context.Background()}
	p.free = make(chan *batch, p.nbatch)
	for i := 0; i < p.nbatch; i++ {
		p.free <- &batch{recs: make([]respfile.Record, 0, batchSize), stats: make([]recStat, 0, batchSize+1)}
	}
	return p
}

// errInterrupted is returned by run when ctx was cancelled before the input was read to its end.
var errInterrupted = errors.New("interrupted")

// errFatalInput wraps the error that stopped the reading of an input.
type errFatalInput struct{ err error }

func (e *errFatalInput) Error() string { return e.err.Error() }
func (e *errFatalInput) Unwrap() error { return e.err }

// run scores one source. It returns nil when every record was read, an *errFatalInput when the input
// could not be read to its end (the records before the problem and an error record for the problem
// have been written), errInterrupted when ctx was cancelled (batches not yet written are dropped, and
// the reader may stay blocked on its input), or the output's write error.
func (p *pipeline) run(ctx context.Context, src source) error {
	work := make(chan *batch, p.nbatch)
	done := make(chan *batch, p.nbatch)
	go p.read(ctx, src, work)
	var wg sync.WaitGroup
	for i := 0; i < p.jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.score(ctx, work, done)
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()

	pending := make([]*batch, p.nbatch)
	next := 0
	var fatal error
	for {
		select {
		case <-ctx.Done():
			return errInterrupted
		case b, ok := <-done:
			if !ok {
				if ctx.Err() != nil {
					return errInterrupted
				}
				if fatal != nil {
					return &errFatalInput{fatal}
				}
				return nil
			}
			pending[b.seq%p.nbatch] = b
			for {
				b := pending[next%p.nbatch]
				if b == nil || b.seq != next {
					break
				}
				// An interrupt wins over a batch that is ready: nothing more is written once it is seen.
				if ctx.Err() != nil {
					return errInterrupted
				}
				pending[next%p.nbatch] = nil
				next++
				if b.fatal != nil {
					fatal = b.fatal
				}
				if err := p.out.writeBatch(b); err != nil {
					return err
				}
				p.free <- b
			}
		}
	}
}

// read decodes src into batches. It stops at the end of the input, at a fatal input error, or when ctx
// is cancelled (checked between records; a read that blocks is not interrupted).
func (p *pipeline) read(ctx context.Context, src source, work chan<- *batch) {
	defer close(work)
	dec := respfile.NewDecoder(src.r, src.format, p.limits)
	seq, n := 0, 0
	for {
		var b *batch
		select {
		case b = <-p.free:
		case <-ctx.Done():
			return
		}
		b.seq, b.file, b.fatal, b.fatalN = seq, src.name, nil, 0
		b.recs = b.recs[:0]
		seq++
		end := false
		for len(b.recs) < batchSize {
			rec, err := dec.Next()
			if err == io.EOF {
				if n == 0 {
					b.fatal = errEmptyInput
					b.fatalN = 1
				}
				end = true
				break
			}
			if err != nil {
				b.fatal, b.fatalN = err, n+1
				end = true
				break
			}
			n++
			p.nread.Add(1)
			b.recs = append(b.recs, rec)
			if ctx.Err() != nil {
				break
			}
		}
		work <- b // never blocks: work holds nbatch batches
		if end || ctx.Err() != nil {
			return
		}
	}
}

// errEmptyInput is the fatal error of an input that holds no record.
var errEmptyInput = &respfile.Error{Code: "empty", Msg: "the input holds no response records"}

// score scores and encodes batches.
func (p *pipeline) score(ctx context.Context, work <-chan *batch, done chan<- *batch) {
	sc := &scratch{rep: new(screen.Report)}
	for b := range work {
		if ctx.Err() != nil {
			// Interrupted: the writer no longer writes; hand the batch back quickly.
			b.out, b.stats = b.out[:0], b.stats[:0]
			done <- b
			continue
		}
		p.scoreBatch(b, sc)
		done <- b
	}
}

func (p *pipeline) scoreBatch(b *batch, sc *scratch) {
	out := b.out[:0]
	stats := b.stats[:0]
	for i := range b.recs {
		rec := &b.recs[i]
		stats = append(stats, recStat{n: rec.N, line: rec.Line})
		st := &stats[len(stats)-1]
		if rec.Err != nil {
			fillInputError(st, rec.Err)
			out = p.enc.errorRecord(out, b.file, st, "", false, sc)
			continue
		}
		err := p.sc.ScoreTo(p.scoreCtx, rec.Response, sc.rep)
		var re *screen.ResponseErrors
		switch {
		case err == nil:
			out = p.enc.report(out, b.file, rec, sc.rep, st, sc)
		case errors.As(err, &re):
			// A bad answer spoils only itself: the report, with the record's errors in it; the record
			// counts as failed.
			out = p.enc.report(out, b.file, rec, sc.rep, st, sc)
			fillResponseErrors(st, re)
		default:
			fillScoreError(st, err)
			out = p.enc.errorRecord(out, b.file, st, rec.Response.Subject, true, sc)
		}
		// Drop the response so that it can be collected before the batch is reused.
		rec.Response = nil
	}
	if b.fatal != nil {
		stats = append(stats, recStat{n: b.fatalN})
		st := &stats[len(stats)-1]
		fillFatal(st, b.fatal)
		out = p.enc.errorRecord(out, b.file, st, "", false, sc)
	}
	b.out, b.stats = out, stats
}
