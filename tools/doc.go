// Package tools holds checks that need dependencies the product does not:
// compose_test.go loads ../docker-compose.yml with compose-go, the loader
// `docker compose` itself uses, so the file is validated without a Docker
// engine. It is a separate module to keep the product's go.mod lean.
package tools
