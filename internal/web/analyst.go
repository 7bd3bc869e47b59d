package web

import "net/http"

// analystRoutes registers the analyst's triage and subscription routes.
func (s *Server) analystRoutes(handle func(pattern string, h http.Handler)) {
	handle("POST /alerts/ack", s.authed("", true, http.HandlerFunc(s.alertBulkAck)))
	s.savedRoutes(handle)
}
