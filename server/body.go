package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
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
	return readInto(make([]byte, 0, min(hint, maxPresize)+1), r)
}

// readInto reads r to the end into b[len(b):], growing b when it fills up.
func readInto(b []byte, r io.Reader) ([]byte, error) {
	if cap(b) == len(b) {
		b = append(b, 0)[:len(b)]
	}
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

// Buffers for the bodies of requests and responses, reused from call to call: a request body is a few
// kilobytes, a report or Bundle 10 to 30 KB, and a fresh buffer per call was most of what a call
// allocated. A buffer is put back once the response is written (nothing keeps a reference to it: the
// decoder copies what it keeps, and the ResponseWriter copies or sends what it is given before Write
// returns); one grown beyond maxPooled is left to the collector, so a rare large body is not held.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// maxPooled bounds the capacity of a buffer put back in bufPool.
const maxPooled = 256 << 10

// getBuf returns an empty buffer from the pool.
func getBuf() *[]byte {
	p := bufPool.Get().(*[]byte)
	*p = (*p)[:0]
	return p
}

// putBuf puts a buffer back; b is what it holds now (it may have grown).
func putBuf(p *[]byte, b []byte) {
	if cap(b) > maxPooled {
		return
	}
	*p = b[:0]
	bufPool.Put(p)
}
