package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/painscreen/painscreen/screen/cds"
)

// CDS Hooks 2.0 feedback: POST {service}/feedback tells the service what the clinician did with its
// cards (accepted a suggestion, or overrode the card with a reason). painscreen counts the outcomes and
// logs them without health data: the outcome, how many suggestions were accepted, and the override
// reason's code when it is one of painscreen's own — never the card's text, the user's comment, the
// patient or the user.

// FeedbackCounter counts card outcomes ("accepted" or "overridden"), for metrics. Config.Feedback; the
// service's own metrics type satisfies it.
type FeedbackCounter interface {
	Feedback(outcome string)
}

// feedbackCounts is the service's own count, always kept (tests, and /version-like introspection).
type feedbackCounts struct{ accepted, overridden atomic.Int64 }

type feedbackRequest struct {
	Feedback []feedbackItem `json:"feedback"`
}

type feedbackItem struct {
	Card                string            `json:"card"`
	Outcome             string            `json:"outcome"`
	AcceptedSuggestions []json.RawMessage `json:"acceptedSuggestions,omitempty"`
	OverrideReason      *struct {
		Reason *cds.Coding `json:"reason,omitempty"`
		// UserComment is free text: it may hold health data, so it is neither read nor logged.
	} `json:"overrideReason,omitempty"`
	OutcomeTimestamp string `json:"outcomeTimestamp"`
}

const (
	outcomeAccepted   = "accepted"
	outcomeOverridden = "overridden"
)

// cdsFeedback serves POST /cds-services/{id}/feedback.
func (h *Handler) cdsFeedback(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") != h.cfg.ServiceID {
		writeError(w, http.StatusNotFound, apiError{Code: "unknown_service", Message: "no CDS service has this id (see GET /cds-services)"})
		return
	}
	body, e := readBody(r)
	if e != nil {
		writeError(w, e.status, e.apiError)
		return
	}
	var req feedbackRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, apiError{Code: "bad_json", Message: "the request is not CDS Hooks feedback (a JSON object with a feedback array)"})
		return
	}
	if len(req.Feedback) == 0 {
		writeError(w, http.StatusBadRequest, apiError{Code: "missing_field", Message: "feedback must hold at least one entry"})
		return
	}
	for _, f := range req.Feedback {
		switch {
		case strings.TrimSpace(f.Card) == "":
			writeError(w, http.StatusBadRequest, apiError{Code: "missing_field", Message: "each feedback entry needs the card's uuid (card)"})
			return
		case f.Outcome != outcomeAccepted && f.Outcome != outcomeOverridden:
			writeError(w, http.StatusBadRequest, apiError{Code: "invalid_value", Message: "outcome must be accepted or overridden"})
			return
		case f.OutcomeTimestamp == "":
			writeError(w, http.StatusBadRequest, apiError{Code: "missing_field", Message: "each feedback entry needs outcomeTimestamp"})
			return
		}
	}
	for _, f := range req.Feedback {
		if f.Outcome == outcomeAccepted {
			h.feedback.accepted.Add(1)
		} else {
			h.feedback.overridden.Add(1)
		}
		if h.metrics != nil {
			h.metrics.Feedback(f.Outcome)
		}
		if h.cfg.Feedback != nil {
			h.cfg.Feedback.Feedback(f.Outcome)
		}
		attrs := []slog.Attr{slog.String("outcome", f.Outcome), slog.Int("accepted_suggestions", len(f.AcceptedSuggestions))}
		if f.OverrideReason != nil && f.OverrideReason.Reason != nil {
			reason := "other"
			if f.OverrideReason.Reason.System == cds.OverrideReasonSystem && safeID(f.OverrideReason.Reason.Code) == f.OverrideReason.Reason.Code {
				reason = f.OverrideReason.Reason.Code
			}
			attrs = append(attrs, slog.String("override_reason", reason))
		}
		h.log.LogAttrs(r.Context(), slog.LevelInfo, "card feedback", attrs...)
	}
	w.WriteHeader(http.StatusOK)
}
