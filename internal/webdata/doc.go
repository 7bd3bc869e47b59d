// Package webdata adapts the domain packages' stores and readers (index
// documents and article revisions, alert records, rule sets, source health,
// the source store and editor, dead letters, the digest archive, saved copies,
// the own-portal watch) to the interfaces internal/web declares in web.Deps.
//
// It is wiring kept out of package main: internal/web itself imports no
// crawler, alert or bus package, as the design's import rules ask; this
// package may, and only internal/node (the wiring of a process) imports it.
package webdata
