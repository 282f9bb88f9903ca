// Command httpservice is a small example of embedding the painscreen engine in an HTTP service.
//
//	go run ./examples/httpservice -addr localhost:8080
//	curl -s --data-binary @examples/responses/high.json localhost:8080/score
//
// Endpoints:
//
//	POST /score    a JSON response set → 200 with the JSON report; 400 with a JSON error for bad input
//	               (413 when the body is too large); 405 for other methods
//	GET  /healthz  200 {"status":"ok"}
//
// The engine is built once at start and shared by every request: it is immutable and safe for concurrent
// use. Errors name the code, the instrument and the item, never an answer value or the subject id, and the
// service logs no request content. SIGINT or SIGTERM shuts the server down gracefully.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/respfile"

	"github.com/painscreen/painscreen/screen"
)

// maxBodyBytes bounds a request body; one response set is a few kilobytes.
const maxBodyBytes = 1 << 20

func main() {
	addr := flag.String("addr", "localhost:8080", "address to listen on (host:port)")
	flag.Parse()

	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		log.Fatalf("loading definitions: %v", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Printf("painscreen %s: listening on %s", screen.Version, ln.Addr())
	if err := run(ctx, ln, newHandler(eng)); err != nil {
		log.Fatal(err)
	}
	log.Print("stopped")
}

// run serves on ln until ctx is done, then shuts down gracefully: it stops accepting connections and waits
// (up to 10 seconds) for requests in flight to finish.
func run(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHandler returns the service's routes around one shared engine.
func newHandler(eng *screen.Engine) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/score", &scoreHandler{eng: eng, lim: respfile.DefaultLimits()})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, "GET, HEAD")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
	})
	return mux
}

// apiError is the JSON body of every error response. Message names fields, never values.
type apiError struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	Instrument string `json:"instrument,omitempty"`
	Item       string `json:"item,omitempty"`
}

func writeError(w http.ResponseWriter, status int, e apiError) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(e)
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, apiError{Code: "method_not_allowed", Message: "use " + allow})
}

type scoreHandler struct {
	eng *screen.Engine
	lim respfile.Limits
}

func (h *scoreHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, http.MethodPost)
		return
	}
	body := http.MaxBytesReader(w, r.Body, maxBodyBytes)
	resp, status, apiErr := decodeOne(body, h.lim)
	if apiErr != nil {
		writeError(w, status, *apiErr)
		return
	}
	rep, err := h.eng.Score(r.Context(), resp)
	if err != nil {
		status, e := scoreError(err)
		writeError(w, status, e)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(rep.AppendJSON(make([]byte, 0, 8<<10)), '\n'))
}

// decodeOne reads exactly one response set from a JSON body with the public decoder.
func decodeOne(body io.Reader, lim respfile.Limits) (*screen.Response, int, *apiError) {
	dec := respfile.NewDecoder(body, respfile.FormatJSON, lim)
	rec, err := dec.Next()
	if err != nil {
		status, e := inputError(err)
		return nil, status, &e
	}
	if rec.Err != nil {
		status, e := inputError(rec.Err)
		return nil, status, &e
	}
	switch _, err := dec.Next(); {
	case errors.Is(err, io.EOF):
		return rec.Response, 0, nil
	case err != nil:
		status, e := inputError(err)
		return nil, status, &e
	default:
		return nil, http.StatusBadRequest, &apiError{Code: "too_many_records", Message: "send one response set per request"}
	}
}

// inputError maps a decoding problem to a status and error body. InputError messages name the line,
// column and field path only (see respfile.Error).
func inputError(err error) (int, apiError) {
	var tooBig *http.MaxBytesError
	var ie *respfile.Error
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, apiError{Code: "too_large", Message: "request body is over the size limit"}
	case errors.As(err, &ie):
		return http.StatusBadRequest, apiError{Code: ie.Code, Message: ie.Error(), Instrument: ie.Instrument, Item: ie.Item}
	case errors.Is(err, io.EOF):
		return http.StatusBadRequest, apiError{Code: "empty", Message: "request body holds no response set"}
	}
	return http.StatusBadRequest, apiError{Code: "read_error", Message: "the request body could not be read"}
}

// scoreError maps a scoring error to a status and error body. ScoreError messages never hold answer values
// or the subject id. An evaluation error points at a definition bug: it is the service's fault, not the
// caller's.
func scoreError(err error) (int, apiError) {
	var se *screen.ScoreError
	switch {
	case errors.As(err, &se) && errors.Is(err, screen.ErrEvaluation):
		return http.StatusInternalServerError, apiError{Code: se.Code, Message: se.Message, Instrument: se.Instrument, Item: se.Item}
	case errors.As(err, &se):
		return http.StatusBadRequest, apiError{Code: se.Code, Message: se.Message, Instrument: se.Instrument, Item: se.Item}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, apiError{Code: "canceled", Message: "the request was canceled"}
	}
	return http.StatusInternalServerError, apiError{Code: "internal", Message: "scoring failed"}
}
