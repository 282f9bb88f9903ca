// Command embed shows what a Go program can do with painscreen's public packages alone, as the CLI and
// the service do:
//
//	go run ./examples/embed score examples/responses/batch.csv       # a CSV into the tidy long format
//	go run ./examples/embed followup examples/followup/cohort.jsonl  # each visit against its baseline
//	go run ./examples/embed serve localhost:8081                     # CDS cards from its own handler
//	curl -s --data-binary @examples/responses/urgent.json localhost:8081/cards
//
// score streams any number of records in bounded memory, in input order (screen/batch, screen/render);
// followup reports every later visit of a subject against the subject's earliest dated visit; serve
// answers POST /cards with the CDS Hooks cards (screen/cds) of one response set. It is decision support,
// not a diagnosis; answers and subject ids go to the output asked for and nowhere else.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/batch"
	"github.com/painscreen/painscreen/screen/cds"
	"github.com/painscreen/painscreen/screen/render"
	"github.com/painscreen/painscreen/screen/respfile"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		log.Fatal(err)
	}
}

const usage = "usage: embed score FILE.csv | followup FILE.jsonl | serve ADDR"

// run runs one command; the engine is built once and is safe for concurrent use.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) != 2 {
		return errors.New(usage)
	}
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		return err
	}
	switch args[0] {
	case "score":
		sum, err := scoreFile(ctx, eng, args[1], render.Long, false, stdout)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%d records: %d scored, %d failed\n", sum.Records, sum.Scored, sum.Failed)
		return nil
	case "followup":
		_, err := scoreFile(ctx, eng, args[1], render.Brief, true, stdout)
		return err
	case "serve":
		srv := &http.Server{Addr: args[1], Handler: newMux(eng), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			<-ctx.Done()
			_ = srv.Shutdown(context.Background())
		}()
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
	return errors.New(usage)
}

// scoreFile scores every record of a response file into format f: one output record per input record, in
// input order, scored on every CPU. With followUp, each record is reported against its subject's
// baseline (the input holds each subject's records together).
func scoreFile(ctx context.Context, eng *screen.Engine, path string, f render.Format, followUp bool, stdout io.Writer) (batch.Summary, error) {
	format, ok := respfile.FormatFromPath(path)
	if !ok {
		return batch.Summary{}, fmt.Errorf("%s: unknown response file format", path)
	}
	in, err := os.Open(path)
	if err != nil {
		return batch.Summary{}, err
	}
	defer in.Close()
	w, err := render.NewWriter(stdout, eng, f, render.Options{FollowUp: followUp})
	if err != nil {
		return batch.Summary{}, err
	}
	r, err := batch.NewRunner(eng, w, batch.Options{FollowUp: followUp})
	if err != nil {
		return batch.Summary{}, err
	}
	if err := r.Run(ctx, batch.Source{Name: path, R: in, Format: format}); err != nil {
		var fatal *batch.FatalInputError
		if !errors.As(err, &fatal) {
			return r.Summary(), err
		}
		// The output says where the input stopped, in its last record; it is complete up to there.
	}
	return r.Summary(), w.Close()
}

// newMux serves POST /cards: one response set (JSON) in, its CDS Hooks cards out.
func newMux(eng *screen.Engine) *http.ServeMux {
	maker := cds.NewMaker(eng, cds.Options{})
	limits := respfile.DefaultLimits()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /cards", func(w http.ResponseWriter, req *http.Request) {
		body := http.MaxBytesReader(w, req.Body, 1<<20)
		rec, err := respfile.NewDecoder(body, respfile.FormatJSON, limits).Next()
		switch {
		case err != nil:
			http.Error(w, "the body is not one JSON response set", http.StatusBadRequest)
			return
		case rec.Err != nil:
			// respfile's messages name the field, never the answer.
			http.Error(w, rec.Err.Error(), http.StatusBadRequest)
			return
		}
		// A bad answer spoils only itself: the report holds the record's errors and the cards say what
		// they leave open. An error means there is no report at all.
		rep, err := eng.Score(req.Context(), rec.Response)
		if err != nil {
			http.Error(w, "the response set could not be scored", http.StatusUnprocessableEntity)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string][]cds.Card{"cards": maker.Cards(rep)})
	})
	return mux
}
