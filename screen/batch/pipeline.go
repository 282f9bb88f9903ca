package batch

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/render"
	"github.com/painscreen/painscreen/screen/respfile"
)

// The pipeline:
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

// batchSize is the most records per batch: large enough to make channel traffic negligible (one channel
// operation per 16 records), small enough that a batch's response sets are still in the CPU's cache when
// a scorer reads them and again when the reader recycles them (Decoder.Recycle), and that its output is
// when the writer copies it out. Batches of 128 cost a fifth more CPU time per record, mostly in cache
// misses reading the answers.
const batchSize = 16

// MaxJobs bounds Options.Jobs (each scorer adds four batches of buffers).
const MaxJobs = 256

// scorer is the part of *screen.Engine the pipeline uses (tests substitute their own). ScoreTo reuses
// the report it is given, so each scorer goroutine scores every record into the same Report.
type scorer interface {
	ScoreTo(ctx context.Context, r *screen.Response, dst *screen.Report) error
}

type batch struct {
	seq  int
	file string
	recs []respfile.Record
	// dec is the decoder that read recs: their response sets go back to it when the batch is reused.
	dec   *respfile.Decoder
	bases []*screen.Response // follow-up: each record's baseline (nil: scored on its own)
	stats []recStat
	out   []byte
	// fatal is set on the last batch of an input that cannot be read further (or holds no record at all);
	// the scorer encodes it as one more error record after recs.
	fatal error
	// fatalN is the record number of that error record: one more than the records read.
	fatalN int
	// csv: the input is CSV (an answer that fails as a sentinel value gets a hint to read it as missing).
	csv bool
	// baseSrc: follow-up, the FHIR resources each baseline was read from (FHIR output's derivedFrom).
	baseSrc [][]respfile.Source
}

// Source is one input.
type Source struct {
	// Name names the input in the output (a path as given, or "-").
	Name string
	// R is read to its end (or to the first problem that stops it).
	R io.Reader
	// Format is the input's format.
	Format respfile.Format
	// Live marks an input whose reads may wait for a producer (a pipe, a terminal, a socket): it is read
	// on a goroutine of its own, the records read are scored and written whenever it has nothing more for
	// the moment, and cancelling the context interrupts a read that waits. Leave it false for files and
	// in-memory readers, which are read directly.
	Live bool
	// TSV reads a CSV input separated by tabs (when Options.CSV sets no delimiter).
	TSV bool
}

// Options are the choices of a Runner.
type Options struct {
	// Jobs is the number of goroutines that score and encode (one more reads, the caller's writes);
	// 0: GOMAXPROCS. At most MaxJobs.
	Jobs int
	// Limits bound what one record may hold; the zero value: respfile.DefaultLimits().
	Limits respfile.Limits
	// CSV is how CSV inputs are read.
	CSV respfile.CSVOptions
	// FHIR maps FHIR QuestionnaireResponses in JSON inputs onto the engine's instruments
	// (respfile.FHIRMapperFor); nil: FHIR is not read.
	FHIR *respfile.FHIRMapper
	// EHRContext, with FHIR, lets a FHIR Bundle's Patient, MedicationRequests and Conditions set these
	// context fields (respfile.DeclaredContext).
	EHRContext map[string]bool
	// FollowUp reports each record against its subject's baseline (see Group): the input must hold each
	// subject's records together.
	FollowUp bool
	// OnFailure, when set, is called on the caller's goroutine for every record written that failed or
	// holds errors, in output order, after it is written. It must not keep s.
	OnFailure func(s *Status)
}

// Runner scores sources, one after the other, into one output. Its methods are for one goroutine, except
// Read and Written.
type Runner struct {
	sc     scorer
	fu     followUpScorer
	app    func() *render.Appender
	w      *render.Writer
	jobs   int
	limits respfile.Limits
	free   chan *batch
	nbatch int
	opts   Options
	sum    tally
	// nread counts the records read, written those written.
	nread, written atomic.Int64
	// skipped counts the CSV rows skipped because they hold no answer (respfile.Decoder.SkippedRows).
	skipped atomic.Int64
	// outHint is the capacity a batch's output buffer starts with: a little more than the largest batch
	// output so far.
	outHint atomic.Int64
	// scoreCtx is given to Score. It is not cancelled by an interrupt: records already read are scored
	// and written normally.
	scoreCtx context.Context
	status   Status
}

// NewRunner returns a runner that scores with eng and writes to w (whose encoder the scorers share).
func NewRunner(eng *screen.Engine, w *render.Writer, opts Options) (*Runner, error) {
	if opts.Jobs < 0 || opts.Jobs > MaxJobs {
		return nil, errors.New("batch: Jobs must be from 0 to 256")
	}
	r := newRunner(eng, w, opts, tiersOf(eng))
	if opts.FollowUp {
		r.fu = eng
	}
	return r, nil
}

func newRunner(sc scorer, w *render.Writer, opts Options, tiers []string) *Runner {
	jobs := opts.Jobs
	if jobs == 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	if opts.Limits == (respfile.Limits{}) {
		opts.Limits = respfile.DefaultLimits()
	}
	enc := w.Encoder()
	r := &Runner{sc: sc, w: w, app: enc.NewAppender, jobs: jobs, limits: opts.Limits, opts: opts,
		nbatch: 4*jobs + 4, scoreCtx: context.Background()}
	r.sum.init(tiers)
	r.free = make(chan *batch, r.nbatch)
	for i := 0; i < r.nbatch; i++ {
		r.free <- &batch{recs: make([]respfile.Record, 0, batchSize), stats: make([]recStat, 0, batchSize+1)}
	}
	return r
}

// Read returns the number of records read so far (more than written while a run goes on, or after an
// interrupted one). It may be called from any goroutine.
func (r *Runner) Read() int64 { return r.nread.Load() }

// Skipped returns how many CSV rows were skipped because every answer cell is empty or NA (REDCap's rows
// for events and repeating instruments without answers; respfile.Decoder.SkippedRows): they are not
// records, and callers say how many there were. It may be called from any goroutine.
func (r *Runner) Skipped() int64 { return r.skipped.Load() }

// Written returns the number of records written so far. It may be called from any goroutine.
func (r *Runner) Written() int64 { return r.written.Load() }

// ErrInterrupted is returned by Run when ctx was cancelled before the input was read to its end.
var ErrInterrupted = errors.New("interrupted")

// FatalInputError wraps the error that stopped the reading of an input (a *respfile.Error or an I/O
// error).
type FatalInputError struct{ Err error }

func (e *FatalInputError) Error() string { return e.Err.Error() }
func (e *FatalInputError) Unwrap() error { return e.Err }

// Run scores one source. It returns nil when every record was read, a *FatalInputError when the input
// could not be read to its end (the records before the problem and a failure for the problem have been
// written), ErrInterrupted when ctx was cancelled (reading stopped; every record read before was scored
// and written), or the output's write error.
func (r *Runner) Run(ctx context.Context, src Source) error {
	p := r
	if err := p.w.Begin(); err != nil {
		return err
	}
	work := make(chan *batch, p.nbatch)
	done := make(chan *batch, p.nbatch)
	go p.read(ctx, src, work)
	var wg sync.WaitGroup
	for i := 0; i < p.jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.score(work, done)
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()

	pending := make([]*batch, p.nbatch)
	next := 0
	var fatal error
	// Every batch the reader ships is scored and written, in order, also after an interrupt: the reader
	// stops reading at once (a live source's blocked read returns), so this ends promptly.
	var werr error
	for b := range done {
		pending[b.seq%p.nbatch] = b
		for werr == nil {
			b := pending[next%p.nbatch]
			if b == nil || b.seq != next {
				break
			}
			pending[next%p.nbatch] = nil
			next++
			if b.fatal != nil {
				fatal = b.fatal
			}
			if werr = p.writeBatch(b); werr != nil {
				break
			}
			p.free <- b
		}
		if werr != nil {
			return werr
		}
	}
	switch {
	case ctx.Err() != nil:
		return ErrInterrupted
	case fatal != nil:
		return &FatalInputError{fatal}
	}
	return nil
}

// read decodes src into batches. It stops at the end of the input, at a fatal input error, or when ctx
// is cancelled: checked between records, and a read that waits for input (from anything but a regular
// file) returns at once. A batch is shipped when it is full, at the end, and whenever the input has
// nothing more to read for the moment, so that an interactive or piped producer sees its results at once.
func (p *Runner) read(ctx context.Context, src Source, work chan<- *batch) {
	defer close(work)
	if ctx.Err() != nil {
		return
	}
	var b *batch // the batch being filled, nil when none is
	seq, n := 0, 0
	// The response sets of a batch that comes back are given to the decoder that read them, which reads
	// the next records into their maps (not in follow-up, where a baseline outlives its batch).
	var dec *respfile.Decoder
	recycle := p.fu == nil
	ship := func() {
		work <- b // never blocks: work holds nbatch batches
		b = nil
	}
	get := func() bool {
		select {
		case b = <-p.free:
		default:
			select {
			case b = <-p.free:
			case <-ctx.Done():
				return false
			}
		}
		for i := range b.recs {
			if recycle && b.dec == dec {
				dec.Recycle(b.recs[i].Response)
			}
			b.recs[i].Response = nil
		}
		b.dec = dec
		b.seq, b.file, b.fatal, b.fatalN = seq, src.Name, nil, 0
		b.csv = src.Format == respfile.FormatCSV
		b.recs = b.recs[:0]
		clear(b.bases)
		b.bases = b.bases[:0]
		clear(b.baseSrc)
		b.baseSrc = b.baseSrc[:0]
		seq++
		return true
	}
	r := src.R
	if src.Live {
		r = newIdleReader(ctx, r, func() {
			if b != nil && len(b.recs) > 0 {
				ship()
			}
		})
	}
	dec = respfile.NewDecoder(r, src.Format, p.limits)
	if src.Format == respfile.FormatCSV {
		opt := p.opts.CSV
		if src.TSV && opt.Delimiter == 0 {
			opt.Delimiter = '\t'
		}
		dec = respfile.NewCSVDecoder(r, p.limits, opt)
	}
	defer func() { p.skipped.Add(int64(dec.SkippedRows())) }()
	if p.opts.FHIR != nil {
		dec.UseFHIR(p.opts.FHIR)
		if p.opts.EHRContext != nil {
			dec.UseEHRContext(func(f string) bool { return p.opts.EHRContext[f] })
		}
	}
	// push adds a record (with its follow-up baseline) to the batch being filled.
	push := func(rec respfile.Record, base *screen.Response, baseSrc []respfile.Source) {
		if b == nil && !get() {
			return
		}
		b.recs = append(b.recs, rec)
		if p.fu != nil {
			b.bases = append(b.bases, base)
			b.baseSrc = append(b.baseSrc, baseSrc)
		}
		if len(b.recs) == batchSize {
			ship()
		}
	}
	var g *grouper
	if p.fu != nil {
		g = newGrouper()
	}
	for ctx.Err() == nil {
		rec, err := dec.Next()
		if err != nil && ctx.Err() != nil {
			break // interrupted while reading
		}
		if err == nil && g != nil {
			n++
			p.nread.Add(1)
			gerr := g.add(rec, push)
			if gerr == nil {
				continue
			}
			err, n = gerr, n-1 // the record is not reported: the error record takes its number
		}
		if g != nil {
			g.flush(push) // what was read is reported; a fatal error comes after it
		}
		if b == nil && !get() {
			return
		}
		if err != nil {
			b.fatal, b.fatalN = err, n+1
			if err == io.EOF {
				b.fatal = nil
				if n == 0 {
					b.fatal, b.fatalN = errEmptyInput, 1
				}
			}
			ship()
			return
		}
		n++
		p.nread.Add(1)
		b.recs = append(b.recs, rec)
		if len(b.recs) == batchSize {
			ship()
		}
	}
	if g != nil {
		g.flush(push) // interrupted: what was read is reported
	}
	switch {
	case b != nil && len(b.recs) > 0:
		ship()
	case b != nil:
		p.free <- b
	}
}

// idleReader reads r on its own goroutine, so that a read that would wait can first tell (idle) and can
// be cut short by ctx (it returns ErrInterrupted). The goroutine may stay blocked in r after that, until
// the process ends.
type idleReader struct {
	ctx  context.Context
	idle func()
	ch   chan idleChunk
	free chan []byte
	cur  []byte // unread part of the current chunk
	last []byte // the current chunk's buffer, given back to the pump once read
	err  error
}

type idleChunk struct {
	b   []byte
	err error
}

func newIdleReader(ctx context.Context, r io.Reader, idle func()) *idleReader {
	ir := &idleReader{ctx: ctx, idle: idle, ch: make(chan idleChunk, 1), free: make(chan []byte, 2)}
	for range 2 {
		ir.free <- make([]byte, 64<<10)
	}
	go func() {
		for {
			var buf []byte
			select {
			case buf = <-ir.free:
			case <-ctx.Done():
				return
			}
			n, err := r.Read(buf)
			select {
			case ir.ch <- idleChunk{buf[:n], err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return ir
}

func (ir *idleReader) Read(p []byte) (int, error) {
	for len(ir.cur) == 0 {
		if ir.err != nil {
			return 0, ir.err
		}
		if ir.last != nil {
			ir.free <- ir.last[:cap(ir.last)]
			ir.last = nil
		}
		var c idleChunk
		select {
		case c = <-ir.ch:
		default:
			ir.idle() // nothing to read now
			select {
			case c = <-ir.ch:
			case <-ir.ctx.Done():
				return 0, ErrInterrupted
			}
		}
		ir.cur, ir.last, ir.err = c.b, c.b, c.err
	}
	n := copy(p, ir.cur)
	ir.cur = ir.cur[n:]
	return n, nil
}

// errEmptyInput is the fatal error of an input that holds no record.
var errEmptyInput = &respfile.Error{Code: "empty", Msg: "the input holds no response records"}

// score scores and encodes batches (after an interrupt too: what was read is finished).
func (p *Runner) score(work <-chan *batch, done chan<- *batch) {
	sc := &scratch{rep: new(screen.Report), app: p.app()}
	for b := range work {
		p.scoreBatch(b, sc)
		done <- b
	}
}

// scratch is a scorer's state, reused from record to record.
type scratch struct {
	rep *screen.Report // reused by ScoreTo
	app *render.Appender
	rec render.Record
}

func (p *Runner) scoreBatch(b *batch, sc *scratch) {
	out := b.out[:0]
	if cap(out) == 0 {
		// A batch's first use: sized like the largest batch written so far, instead of growing (and
		// copying) its way up to a megabyte or so.
		if h := p.outHint.Load(); h > 0 {
			out = make([]byte, 0, h)
		}
	}
	stats := b.stats[:0]
	for i := range b.recs {
		rec := &b.recs[i]
		stats = append(stats, recStat{Status: Status{N: rec.N, Line: rec.Line}})
		st := &stats[len(stats)-1]
		sc.rec = render.Record{File: b.file, N: rec.N, Line: rec.Line, Input: rec}
		if rec.Err != nil {
			fillInputError(st, rec.Err)
			sc.rec.Failure = &st.Failure
			out = sc.app.Append(out, &sc.rec)
			continue
		}
		var err error
		if p.fu != nil && b.bases[i] == tooManyVisits {
			err = p.sc.ScoreTo(p.scoreCtx, rec.Response, sc.rep)
			if err == nil {
				addRecordError(sc.rep, CodeTooManyVisits, "followup", tooManyVisitsMsg)
			}
		} else if p.fu != nil && b.bases[i] != nil {
			sc.rec.Baseline = b.baseSrc[i]
			err = p.fu.FollowUpTo(p.scoreCtx, b.bases[i], rec.Response, sc.rep)
		} else {
			err = p.sc.ScoreTo(p.scoreCtx, rec.Response, sc.rep)
		}
		if err == nil && rec.SubjectErr != nil {
			addSubjectError(sc.rep, rec.SubjectErr)
		}
		if err == nil && rec.DateErr != nil {
			// A date cell that cannot be read: the row was scored without a date (respfile.Record.DateErr).
			addRecordError(sc.rep, respfile.CodeInvalidDate, "date", strings.TrimPrefix(rec.DateErr.Msg, "date: "))
		}
		if err == nil && b.csv {
			hintSentinels(sc.rep, rec.Response)
		}
		switch {
		case err == nil:
			st.ok, st.tier = len(sc.rep.Errors) == 0, p.sum.tierOf(sc.rep)
			sc.rec.Report = sc.rep
			if len(sc.rep.Errors) > 0 {
				// A bad answer spoils only itself: the report, with the record's errors in it; the record
				// counts as failed.
				fillResponseErrors(st, sc.rep.Errors)
			}
		default:
			fillScoreError(st, err)
			sc.rec.Failure = &st.Failure
		}
		out = sc.app.Append(out, &sc.rec)
		if p.fu != nil {
			// Drop the response so that it can be collected before the batch is reused (otherwise the
			// reader recycles it then).
			rec.Response = nil
		}
	}
	if b.fatal != nil {
		stats = append(stats, recStat{Status: Status{N: b.fatalN}})
		st := &stats[len(stats)-1]
		fillFatal(st, b.fatal)
		sc.rec = render.Record{File: b.file, N: st.N, Line: st.Line, Failure: &st.Failure}
		out = sc.app.Append(out, &sc.rec)
	}
	sc.rec = render.Record{}
	b.out, b.stats = out, stats
	if n := int64(len(out)); n > p.outHint.Load() && n <= maxOutHint {
		p.outHint.Store(n + n/8)
	}
}

// maxOutHint bounds the output buffer a new batch starts with.
const maxOutHint = 8 << 20

// addSubjectError makes a CSV row's empty or NA subject cell (respfile.Record.SubjectErr) an error of its
// scored record: first in the report's errors, and the record counts as failed. The record was scored
// without a subject, so that a signal in its answers still surfaces.
func addSubjectError(rep *screen.Report, e *respfile.Error) {
	addRecordError(rep, "invalid_subject", "subject", strings.TrimPrefix(e.Msg, "subject: "))
}

// addRecordError puts a problem the reader found in a row that was still scored (its subject or date cell)
// first among the report's errors.
func addRecordError(rep *screen.Report, code, item, msg string) {
	rep.Errors = append([]screen.ScoreError{{Code: code, Item: item, Message: msg}}, rep.Errors...)
}

// sentinels are the codes data managers write for a missing answer (SPSS, SAS, Stata exports) that
// painscreen does not read as missing by default, since they could be answers.
var sentinels = map[any]string{int64(-99): "-99", int64(-999): "-999", int64(-9): "-9", int64(999): "999", ".": "."}

// hintSentinels adds to each error of an answer that failed with a sentinel value (-99, ., 999, ...) how to
// read that value as missing (--na). It names the sentinel only: it is a code, not an answer; no other
// value is ever echoed.
func hintSentinels(rep *screen.Report, resp *screen.Response) {
	for i := range rep.Errors {
		e := &rep.Errors[i]
		if e.Item == "" || e.Instrument == "" {
			continue
		}
		switch e.Code {
		case "invalid_value", "wrong_type", "not_integer":
		default:
			continue
		}
		v, ok := resp.Answers[e.Instrument][e.Item]
		if !ok {
			continue
		}
		tok, sentinel := sentinels[v]
		if !sentinel {
			continue
		}
		e.Message += " (if " + tok + " marks a missing answer, name it in --na: --na NA," + tok + ")"
	}
}
