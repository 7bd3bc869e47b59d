package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
)

// keyError is a Validate error about one key, named by its YAML path
// ("crawler.parallel"); Load turns it into "FILE:LINE:COL: key: problem"
// when the value came from the file.
type keyError struct {
	key, msg string
}

func (e *keyError) Error() string { return e.key + ": " + e.msg }

// checkRanges rejects values the decoder accepts but nothing can use:
// negative crawler numbers and durations, an unknown log level or format.
func (c Config) checkRanges() error {
	if c.Crawler.Timeout < 0 {
		return &keyError{"crawler.timeout", fmt.Sprintf("%s is negative", c.Crawler.Timeout.D())}
	}
	if c.Crawler.MaxBody < 0 {
		return &keyError{"crawler.max_body", fmt.Sprintf("%d is negative (bytes; 0 means the default)", c.Crawler.MaxBody)}
	}
	if c.Crawler.Parallel < 0 {
		return &keyError{"crawler.parallel", fmt.Sprintf("%d is negative (0 means the default)", c.Crawler.Parallel)}
	}
	if c.Crawler.StaleAfter < 0 {
		return &keyError{"crawler.stale_after", fmt.Sprintf("%d is negative (intervals; 0 means the default)", c.Crawler.StaleAfter)}
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		return &keyError{"log.level", fmt.Sprintf("%q: want debug, info, warn or error", c.Log.Level)}
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return &keyError{"log.format", fmt.Sprintf("%q: want text or json", c.Log.Format)}
	}
	return nil
}

// locate prefixes a keyError with the file position of its key when the
// file sets it; other errors, and keys set only by defaults or the
// environment, are returned as "config FILE: …".
func locate(path string, data []byte, err error) error {
	var ke *keyError
	if errors.As(err, &ke) && len(data) > 0 {
		if f, perr := parser.ParseBytes(data, 0); perr == nil {
			if yp, perr := yaml.PathString("$." + ke.key); perr == nil {
				if n, perr := yp.FilterFile(f); perr == nil && n != nil {
					tk := n.GetToken()
					return fmt.Errorf("%s:%d:%d: %w", path, tk.Position.Line, tk.Position.Column, err)
				}
			}
		}
	}
	return fmt.Errorf("config %s: %w", path, err)
}
