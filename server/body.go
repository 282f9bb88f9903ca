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

// prereadBody is a request body the guard has read already (preread): readBody takes its bytes as they
// are instead of copying them again.
type prereadBody struct {
	*bytes.Reader
	b []byte
}

func (*prereadBody) Close() error { return nil }

// readAllSized reads r to the end. With a length hint (Content-Length) the buffer is allocated once, one
// byte larger than announced (to see EOF without growing); io.ReadAll would start at 512 bytes and grow.
func readAllSized(r io.Reader, hint int64) ([]byte, error) {
	if hint <= 0 {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, min(hint, maxPresize)+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // longer than announced: grow as append does
		}
	}
}

// readBody reads the whole (bounded) body: the bytes the guard has read already, or, for a call that is
// not guarded, the body read once into a buffer of its announced length.
func readBody(r *http.Request) ([]byte, *httpError) {
	var b []byte
	var err error
	if pb, ok := r.Body.(*prereadBody); ok {
		b = pb.b
	} else {
		b, err = readAllSized(r.Body, r.ContentLength)
	}
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
