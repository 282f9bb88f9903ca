package server

import (
	"net/http"
	"slices"
)

// CORS, as CDS Hooks asks of a service so that browser-based CDS clients can call it: every response to a
// request from an allowed origin names that origin, and a preflight (OPTIONS) answers which methods and
// headers are allowed. Authentication is by bearer token only (no cookies), so allowing an origin grants
// nothing by itself; Access-Control-Allow-Credentials is sent only to origins listed by name.

const (
	corsMethods = "GET, POST, OPTIONS"
	corsHeaders = "Authorization, Content-Type"
	corsExpose  = "Origin, Accept, Content-Location, Location, X-Requested-With"
	corsMaxAge  = "600"
)

// cors adds the CORS response headers when the request comes from an allowed origin.
func (h *Handler) cors(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	named := slices.Contains(h.cfg.AllowedOrigins, origin)
	if !named && !slices.Contains(h.cfg.AllowedOrigins, "*") {
		return
	}
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", origin)
	hd.Set("Access-Control-Expose-Headers", corsExpose)
	if named {
		hd.Set("Access-Control-Allow-Credentials", "true")
	}
}

// preflight answers OPTIONS: the CORS preflight of a browser, or a plain OPTIONS (204 with Allow).
func (h *Handler) preflight(w http.ResponseWriter, r *http.Request, allow string) {
	hd := w.Header()
	hd.Set("Allow", allow)
	if hd.Get("Access-Control-Allow-Origin") != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		hd.Set("Access-Control-Allow-Methods", corsMethods)
		hd.Set("Access-Control-Allow-Headers", corsHeaders)
		hd.Set("Access-Control-Max-Age", corsMaxAge)
	}
	w.WriteHeader(http.StatusNoContent)
}
