package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxPresize bounds the buffer readBody allocates from Content-Length before reading: a client may
// announce any length (http.MaxBytesReader stops the read at Config.MaxBodyBytes), so a false one costs no
// more than a real body of the default limit; a longer body grows as it is read.
const maxPresize = DefaultMaxBodyBytes

// readBody reads the whole (bounded) body. When the request says its length, the buffer is allocated
// once at that size (io.ReadAll's growth would allocate about twice a large body).
func readBody(r *http.Request) ([]byte, *httpError) {
	var buf bytes.Buffer
	if n := r.ContentLength; n > 0 {
		buf.Grow(int(min(n, maxPresize)) + bytes.MinRead) // ReadFrom wants MinRead bytes free before EOF
	}
	_, err := buf.ReadFrom(r.Body)
	b := buf.Bytes()
	if err != nil && !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &httpError{http.StatusRequestEntityTooLarge, apiError{Code: "too_large", Message: fmt.Sprintf("the request body is over the limit of %d bytes", tooBig.Limit)}}
		}
		return nil, &httpError{http.StatusBadRequest, apiError{Code: "read_error", Message: "the request body could not be read"}}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, &httpError{http.StatusBadRequest, apiError{Code: "empty", Message: "the request body is empty"}}
	}
	return b, nil
}
